using System.Reflection;
using System.Text.RegularExpressions;

namespace Portal.Tests.Platform;

/// <summary>
/// Issue 10 item 1: Platform depends on no feature, and a feature uses another feature only through that feature's public
/// contracts, listed here with the reason they are shared. A new cross-feature use fails this test until the type is either
/// moved to Platform (plumbing) or added to its feature's contract below (a deliberate, reviewed dependency). Source scan of
/// src/Portal.Web (C# and Razor, comments and strings ignored) plus a reflection check of Platform's signatures.
/// </summary>
public partial class FeatureBoundaries
{
    /// <summary>What each feature offers the others. Anything else in a feature folder is its own business.</summary>
    static readonly Dictionary<string, (string Why, string[] Types)> Contracts = new()
    {
        ["Tenancy"] = ("who the practice is and who may act for it: every feature scopes by practice and engagement",
            ["PracticeAccess", "Organization", "OrganizationDirectory", "Engagement", "EngagementGranted", "TenancyModule", "EngagementWrites"]),
        ["Identity"] = ("the signed-in user behind every action", ["PortalUser", "IdentityModule", "Sessions", "PortalClaimsFactory", "ConnectEndpoints"]),
        ["Intake"] = ("the encounter stream and its reference records, which coding and claims build on (ADR 0006, 0007)",
            ["Encounter", "EncounterDetails", "EncounterStatus", "EncounterListRow", "EncounterOpened", "Patient", "Sex", "Provider", "Payer",
             "Coverage", "Demographics", "Address", "DocumentAttached", "ProviderUserLinked", "IntakeModule", "IntakeDemo", "OpenEncounter", "IntakeQueries",
             "EncounterFilter", "Identifiers", "HistoryEntry", "CoveragePriority",
             "EncounterHeld", "EncounterHoldReleased", "EncounterRevised", "ProviderInvited", "DocumentOptions", "DocumentTypes",
             // FHIR import (Features/Fhir) registers through intake's own write functions and requests, so keys and checks are the same
             "PatientWrites", "ProviderWrites", "PayerWrites", "EncounterWrites", "RegisterPatient", "EnrollProvider", "AddPayer",
             "ProviderType", "SubscriberRelationship", "EncounterDocument", "DocumentedCode", "EncounterCodesDocumented"]),
        ["Coding"] = ("the coding queue row intake lists encounters from, vendor visibility of a practice's records, and the coded encounters standing in for claims on file",
            ["CodingQueueRow", "VendorVisibility", "EncountersOnFile", "CodingChecks", "ChartQueued", "ChartApproved", "ChartReviewed", "CodingChart",
             "CodedDiagnosis", "ServiceLine", "CodingWrites", "CodingModule", "CodingSeedCommand",
             "ChartAssigned", "ChartSubmitted", "Coder", "DiagnosesCoded", "ServiceLinesCoded", "SendToCoding",
             // webhooks turn query events into deliveries
             "ProviderQueryRaised", "ProviderQueryAnswered"]),
        ["Codes"] = ("the code sets and the one scrubber every screen and API runs", ["CodeSetVersion", "CodeCatalog", "CodeRules", "CodeFinding", "FindingSeverity", "CodeSystems",
            "CodesEndpoints", "CodeIndex", "CodeSetTables", "CodeSetImport", "CodesCommand", "CodesModule", "CodeTypeahead"]),
        ["Settings"] = ("the practice's coding settings and fee schedule", ["PracticeSettings", "FeeScheduleEntry", "SettingsModule"]),
        ["Users"] = ("organization users and invitations (the seeder and coder lists)", ["Invitations", "Invitation", "InviteUser", "Actor", "OrganizationUser", "UserAdministration", "UsersModule", "InvitationView"]),
        ["ApiClients"] = ("registered apps (the seeder registers the demo apps the same way)", ["ApiClient", "ApiClientRegistered", "ApiClientWrites", "ApiClientPlans", "ApiClientsModule"]),
        ["Account"] = ("the MFA enrolment gate, run by the platform between authentication and authorization", ["MfaEnrolmentGate"]),
        ["Demo"] = ("demo identifiers and the seeder, for Program.cs and the dev tools", ["DemoData", "DemoSeeder"]),
        ["Audit"] = ("the PHI access log", ["AuditLog"]),
        ["Payments"] = ("the remittance-posted event webhooks announce", ["RemittancePosted"]),
        ["PatientBalances"] = ("the patient-payment events webhooks announce, and the subscription the bearer access check reads with the token (ADR 0036)",
            ["PatientPaymentReceived", "PatientPaymentRefunded", "OrganizationSubscription"]),
        ["Claims"] = ("the claim stream contract (ClaimEvents.cs, ClaimView.cs: submission, payments, patient balances and webhooks append or read these events), the billing profile, the dry run, the corrected-claim write a denial work item sends, and the plain-word claim states the A/R follow-up queue shows",
            ["ClaimCheckEndpoints", "ClaimView", "ClaimOutput", "ClaimWrites", "ClaimStates", "BillingProfile", "ClaimState", "ClaimCoverage", "ClaimProviderRef", "ClaimDiagnosis", "ClaimLine", "ClaimFinding", "ClaimOtherPayer", "ClaimOverride", "PostedAdjustment", "PostedLine", "ClaimCreated", "ClaimCodesChanged", "ClaimDetailsChanged", "ClaimScrubbed", "ClaimWarningOverridden", "ClaimMarkedReady", "ClaimHeld", "ClaimReturnedToCoding", "ClaimVoided", "ClaimPayerNumberRecorded", "ClaimClosed", "ClaimBatched", "ClaimAcceptedByClearinghouse", "ClaimRejectedByClearinghouse", "ClaimAcceptedByPayer", "ClaimRejectedByPayer", "ClaimPaymentPosted", "ClaimDenied", "ClaimWrittenOff"]),
    };

    static readonly string Root = FindRoot();
    static readonly string Web = Path.Combine(Root, "src", "Portal.Web");

    static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Portal.sln not found above the test binaries.");
    }

    static string[] Features => [.. Directory.GetDirectories(Path.Combine(Web, "Features")).Select(Path.GetFileName).Where(f => f != "Shared").Order()!];

    /// <summary>Type names declared per feature folder, and names declared in more than one place (feature, Platform, billing library).</summary>
    static (Dictionary<string, string> Owner, HashSet<string> Ambiguous) Declarations()
    {
        var seen = new Dictionary<string, HashSet<string>>();
        void Add(string where, string dir)
        {
            foreach (var file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/") && !f.Contains("/Migrations/")))
                foreach (Match m in Declaration().Matches(Code(File.ReadAllText(file))))
                    (seen.TryGetValue(m.Groups[1].Value, out var set) ? set : seen[m.Groups[1].Value] = []).Add(where);
        }
        foreach (var feature in Features) Add(feature, Path.Combine(Web, "Features", feature));
        Add("(platform)", Path.Combine(Web, "Platform"));
        Add("(billing)", Path.Combine(Root, "src", "Portal.Billing"));
        var owner = seen.Where(p => p.Value.Count == 1 && !p.Value.First().StartsWith('(')).ToDictionary(p => p.Key, p => p.Value.First());
        var ambiguous = seen.Where(p => p.Value.Count > 1).Select(p => p.Key).ToHashSet();
        return (owner, ambiguous);
    }

    /// <summary>Every (feature, type) a file uses from another feature: unqualified names owned by one feature, and qualified ones (Coding.X, Features.Intake.Y).</summary>
    static IEnumerable<(string Feature, string Type)> Uses(string file, string self, Dictionary<string, string> owner, string[] features)
    {
        var text = Code(File.ReadAllText(file));
        var razor = file.EndsWith(".cshtml", StringComparison.Ordinal);
        foreach (Match m in Qualified().Matches(text))
            if (features.Contains(m.Groups[1].Value) && m.Groups[1].Value != self && owner.GetValueOrDefault(m.Groups[2].Value) == m.Groups[1].Value)
                yield return (m.Groups[1].Value, m.Groups[2].Value);
        var pattern = razor ? RazorTypeUse() : Identifier();
        foreach (Match m in pattern.Matches(text))
        {
            var name = m.Groups["name"].Value;
            if (owner.TryGetValue(name, out var feature) && feature != self) yield return (feature, name);
        }
    }

    [Fact]
    public void platform_references_no_feature()
    {
        var (owner, _) = Declarations();
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Web, "Platform"), "*.cs", SearchOption.AllDirectories))
        {
            var text = Code(File.ReadAllText(file));
            // Platform lives in Portal.Web.Platform: a feature type can only be reached through Portal.Web.Features… or Features.X.
            foreach (Match m in FeatureNamespace().Matches(text)) found.Add($"{Path.GetFileName(file)}: {m.Value}");
        }
        // The compiled side too: no Platform type's base, fields, properties or method signatures name a feature type.
        foreach (var type in typeof(Portal.Web.Platform.Permissions).Assembly.GetTypes().Where(t => t.Namespace?.StartsWith("Portal.Web.Platform", StringComparison.Ordinal) == true))
        {
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            IEnumerable<Type> used = [
                .. type.BaseType is { } b ? [b] : Array.Empty<Type>(), .. type.GetInterfaces(),
                .. type.GetFields(all).Select(f => f.FieldType), .. type.GetProperties(all).Select(p => p.PropertyType),
                .. type.GetMethods(all).SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType)),
                .. type.GetConstructors(all).SelectMany(c => c.GetParameters().Select(p => p.ParameterType)),
            ];
            foreach (var t in used.SelectMany(Flatten).Where(t => t.Namespace?.StartsWith("Portal.Web.Features", StringComparison.Ordinal) == true))
                found.Add($"{type.Name} → {t.FullName}");
        }
        Assert.True(found.Count == 0, "Platform must not depend on features: " + string.Join("; ", found.Distinct()));
    }

    static IEnumerable<Type> Flatten(Type t) =>
        t.HasElementType ? Flatten(t.GetElementType()!) : t.IsGenericType ? t.GetGenericArguments().SelectMany(Flatten).Prepend(t) : [t];

    [Fact]
    public void features_use_each_other_only_through_their_listed_contracts()
    {
        var (owner, _) = Declarations();
        var features = Features;
        var violations = new SortedSet<string>();
        foreach (var feature in features)
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Web, "Features", feature), "*.*", SearchOption.AllDirectories)
                         .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal)) && !f.Contains("/Migrations/")))
                foreach (var (other, type) in Uses(file, feature, owner, features))
                    if (!Contracts.TryGetValue(other, out var contract) || !contract.Types.Contains(type))
                        violations.Add($"{feature}/{Path.GetFileName(file)} uses {other}.{type}");
        Assert.True(violations.Count == 0, "Cross-feature uses outside the listed contracts (move the type to Platform, or add it to its feature's " +
            "contract in FeatureBoundaries with the reason):\n" + string.Join("\n", violations));
    }

    [Fact]
    public void every_listed_contract_type_exists_in_its_feature()
    {
        var (owner, ambiguous) = Declarations();
        var missing = Contracts.SelectMany(c => c.Value.Types.Where(t => owner.GetValueOrDefault(t) != c.Key && !ambiguous.Contains(t)).Select(t => $"{c.Key}.{t}")).ToList();
        Assert.True(missing.Count == 0, "Listed but not declared in that feature (moved or renamed?): " + string.Join(", ", missing));
    }

    /// <summary>The source without comments and string literals (the words inside them are not code).</summary>
    static string Code(string source)
    {
        var s = RazorComment().Replace(source, " ");
        s = RawString().Replace(s, "\"\"");
        s = StringsAndComments().Replace(s, m => m.Value.StartsWith('/') ? (m.Value.StartsWith("//") ? "" : " ") : "\"\"");
        return s;
    }

    [GeneratedRegex(@"(?<![\w.])(?:Portal\.Web\.)?Features\.[A-Z]\w*")]
    private static partial Regex FeatureNamespace();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+(?:struct\s+|class\s+)?([A-Z][A-Za-z0-9_]*)")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"(?<![A-Za-z0-9_.])(?:Portal\.Web\.)?(?:Features\.)?([A-Z][A-Za-z]+)\.([A-Z][A-Za-z0-9_]*)")]
    private static partial Regex Qualified();

    // A name used as a type, not a member of the same name being declared or called (Permissions.Me, user.Actor()).
    // Nor the name of a parameter, field or property declared with that name (string Actor, Coder Me).
    [GeneratedRegex(@"(?<=\bnew\s+)(?<name>[A-Z][A-Za-z0-9_]*)\b|(?<![A-Za-z0-9_.])(?<![\w>\]?]\s+(?=[A-Z][A-Za-z0-9_]*\s*[,);{]))(?<name>[A-Z][A-Za-z0-9_]*)\b(?!\s*(?:\(|=(?![=>])))")]
    private static partial Regex Identifier();

    // In Razor markup, words are text: count a name only where code uses a type (a static member, new, a generic or model).
    [GeneratedRegex(@"(?:(?<=@model\s+|@inject\s+|new\s+|<|\bis\s+|\bas\s+|\()(?<name>[A-Z][A-Za-z0-9_]*)\b|(?<![A-Za-z0-9_.])(?<name>[A-Z][A-Za-z0-9_]*)(?=\.[A-Z]))")]
    private static partial Regex RazorTypeUse();

    [GeneratedRegex(@"@\*.*?\*@", RegexOptions.Singleline)]
    private static partial Regex RazorComment();

    [GeneratedRegex("\"\"\".*?\"\"\"", RegexOptions.Singleline)]
    private static partial Regex RawString();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@""(?:[^""]|"""")*""|""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])'", RegexOptions.Singleline)]
    private static partial Regex StringsAndComments();
}
