using System.Reflection;
using Xunit.v3;

// As many tests at once as there are streams at most (TestStreams.Names); the streams themselves decide how many run.
[assembly: CollectionBehavior(typeof(Portal.Tests.TestStreams), MaxParallelThreads = -1)]

namespace Portal.Tests;

/// <summary>
/// The suite runs as two streams side by side (ADR 0033): each stream is an xUnit collection with its own <see cref="PortalApp"/>
/// (its own database in the same cluster, its own app host, SMTP server and Stripe fake), and runs its test classes one test
/// at a time, resetting its database before each test as before. Every test class falls into a stream by itself: the classes
/// are shared out once, heaviest first, each to the stream with less expected work (<see cref="ExpectedSeconds"/>).
/// A class that declares <c>[Collection]</c> keeps it (xUnit's own rule). <c>PORTAL_TEST_STREAMS</c> sets the number of
/// streams (default 2, at most 3): 1 runs the suite serially with one fixture, as before.
/// </summary>
public sealed class TestStreams : TestCollectionFactoryBase
{
    public const string First = "Portal stream 1", Second = "Portal stream 2", Third = "Portal stream 3";
    static readonly string[] Names = [First, Second, Third];

    readonly Dictionary<Type, IXunitTestCollection> streamOf = [];
    readonly IXunitTestCollection[] streams;

    public TestStreams(IXunitTestAssembly assembly) : base(assembly)
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("PORTAL_TEST_STREAMS"), out var n) ? Math.Clamp(n, 1, Names.Length) : 2;
        streams = [.. Names.Take(count).Select(name =>
            (IXunitTestCollection)new XunitTestCollection(assembly, assembly.CollectionDefinitions[name].Type, false, name))];
        var load = new double[streams.Length];
        var classes = assembly.Assembly.GetTypes().Where(IsTestClass)
            .Select(t => (Type: t, Seconds: ExpectedSeconds(t)))
            .OrderByDescending(c => c.Seconds).ThenBy(c => c.Type.FullName, StringComparer.Ordinal);
        foreach (var (type, seconds) in classes)
        {
            var lightest = Array.IndexOf(load, load.Min());
            streamOf[type] = streams[lightest];
            load[lightest] += seconds;
        }
    }

    public override string DisplayName => "portal-streams";

    protected override IXunitTestCollection GetDefaultTestCollection(Type testClass) =>
        streamOf.TryGetValue(testClass, out var stream) ? stream : streams[0];

    static bool IsTestClass(Type type) =>
        type is { IsClass: true, IsAbstract: false } && type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any());

    /// <summary>
    /// The seconds a class is expected to take, for sharing the classes out: measured for the slowest classes (quiet 2-core
    /// whole run, <see cref="Measured"/>), otherwise a guess from its tests (a browser test costs more than an HTTP one).
    /// A wrong guess only makes one stream finish before the other.
    /// </summary>
    static double ExpectedSeconds(Type type)
    {
        if (Measured.TryGetValue(type.Name, out var seconds)) return seconds;
        var tests = type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Sum(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()
                ? Math.Max(1, m.GetCustomAttributes<DataAttribute>(inherit: true).Count()) : 0);
        return tests * (typeof(Browser.BrowserTest).IsAssignableFrom(type) ? 2.5 : 0.45);
    }

    /// <summary>
    /// Every class by name, in seconds: the sum of its test times in the whole run of 2026-12-05 04:22 UTC (673 tests of
    /// Portal.Tests; from infra/bench/suite_report.py's data), <c>TwoNodes</c> with its fixture's node starts and the killed node
    /// last. A class missing from it is guessed from its number of tests; update it from a whole run when classes grow or change
    /// cost (the role walk's halves took 64 and 63 s before session 18, 40 and 26 s after), or the streams end apart. Before,
    /// only the slowest 35 classes were listed and the guess for the rest was half their real time: the streams ended 38 s apart.
    /// </summary>
    static readonly Dictionary<string, double> Measured = new()
    {
        ["RoleWalkFirstHalf"] = 40.2, ["TwoNodes"] = 35, ["RoleWalkSecondHalf"] = 25.6, ["CodingPagesInBrowser"] = 21.6,
        ["SeveralDatabases"] = 16.6, ["NoCspViolationsInBrowser"] = 14.9, ["PermissionTableWalk"] = 14.4,
        ["ResetAndBackgroundWork"] = 13.4, ["PatientPaysOnlineInBrowser"] = 11.7, ["ClaimsInBrowser"] = 11.3, ["WorkingClaims"] = 10.7,
        ["ClaimWalkInBrowser"] = 10.5, ["DeliveringWebhooks"] = 8.9, ["IntakeInBrowser"] = 7.3, ["CodingScreenInBrowser"] = 6.9,
        ["PaymentsInBrowser"] = 6.8, ["SwaggerSignInInBrowser"] = 6.4, ["IdempotencyKeys"] = 6.2, ["ListsSortConsistently"] = 5.9,
        ["PortalShellInBrowser"] = 5.8, ["WebhooksInBrowser"] = 5.7, ["LargeSubmissions"] = 5.3,
        ["EncounterDocumentsServedSafely"] = 4.7, ["CodingWorkflow"] = 4.2, ["RateLimitsPerClient"] = 4.2, ["EventReactions"] = 4.1,
        ["SubmittingBySftp"] = 4.1, ["AccountsInBrowser"] = 4, ["CodeSetUploadsInBrowser"] = 4, ["StripeWebhooks"] = 4,
        ["VendorAdminDay"] = 3.8, ["QueriesWithoutALogin"] = 3.7, ["QueueRowSchemaUpgrade"] = 3.7, ["SubmissionInBrowser"] = 3.6,
        ["DatabaseOutage"] = 3.1, ["PostingRemittances"] = 3, ["CsvImportInBrowser"] = 2.8, ["ClaimWalk"] = 2.7,
        ["QaFindingsAndRebuttals"] = 2.7, ["EncounterPageWork"] = 2.6, ["HostileInput"] = 2.6, ["InvitingUsers"] = 2.5,
        ["OfficialLayoutsThroughTheWeb"] = 2.5, ["PermissionHoles"] = 2.4, ["ThePatientLedger"] = 2.4, ["ApiClientsInBrowser"] = 2.3,
        ["DoneWhenWalk"] = 2.3, ["HeadersAndCookies"] = 2.3, ["OperatorOnboarding"] = 2.3, ["PasswordHashing"] = 2.1,
        ["SignInEnumeration"] = 2, ["VendorClientsInBrowser"] = 2, ["LargeRemittances"] = 1.9, ["SearchingFhir"] = 1.8,
        ["SettingsInBrowser"] = 1.7, ["AuditLogInBrowser"] = 1.6, ["FollowingUpDenials"] = 1.6, ["StatementRuns"] = 1.6,
        ["AccessEndsAtOnce"] = 1.5, ["PasswordsByMail"] = 1.5, ["BatchingClaims"] = 1.4, ["GeneratedClient"] = 1.4, ["LagGauges"] = 1.4,
        ["ListsPageByCursor"] = 1.4, ["CodeLookupInBrowser"] = 1.3, ["CodeSetUploadFlow"] = 1.3, ["ImportingFhirBundles"] = 1.3,
        ["TracesAndMetrics"] = 1.3, ["ImportingAcknowledgements"] = 1.2, ["UsersInBrowser"] = 1.2, ["CodingAccessRules"] = 1.1,
        ["LedgerReplayRebuilds"] = 1.1, ["LiveFindingsMatchTheDryRun"] = 1, ["SigningOutInBrowser"] = 1, ["CodingTheWholeChart"] = 0.9,
        ["IfMatchOnUpdates"] = 0.9, ["IfMatchPerOperation"] = 0.9, ["ParallelCreates"] = 0.9, ["PortalSubscriptionBilling"] = 0.9,
        ["AppsActingForUsers"] = 0.8, ["CodeSetImports"] = 0.8, ["IntakeRules"] = 0.8, ["BadInput"] = 0.7, ["CodeSearch"] = 0.7,
        ["CsvImportDuplicates"] = 0.7, ["IntakeAccessRules"] = 0.7, ["LedgerReconciles"] = 0.7, ["CsvExportsNeutraliseFormulas"] = 0.6,
        ["FollowingUpAr"] = 0.6, ["IntakeFlow"] = 0.6, ["ManagingUsers"] = 0.6, ["SigningInWithMfa"] = 0.6, ["TokensVerifiedOnce"] = 0.6,
        ["AccessCheckedInOneTrip"] = 0.5, ["CsvCoverageColumns"] = 0.5, ["DoneWhenOverHttp"] = 0.5, ["EventsFromBilling"] = 0.5,
        ["OpenApiExamplesWalk"] = 0.5, ["VendorCollectionsAcrossClients"] = 0.5, ["CodeEdits"] = 0.4, ["CodingPagesOverHttp"] = 0.4,
        ["EndingTheSessionFromAnApp"] = 0.4, ["Surface"] = 0.4, ["SwaggerSignIn"] = 0.4, ["TenantIsolation"] = 0.4,
        ["VendorClientAssignment"] = 0.4, ["ClaimsOnTheHomePage"] = 0.3, ["ExportingClaimsAsFhir"] = 0.3, ["FeatureBoundaries"] = 0.3,
        ["GeneratedClientSmoke"] = 0.3, ["IntakeBadInput"] = 0.3, ["OpeningTheMfaPage"] = 0.3, ["Pkce"] = 0.3,
        ["PracticeSettingsAndFees"] = 0.3, ["VendorEngagements"] = 0.3, ["RateLimiting"] = 0.2, ["RegisteringApiClients"] = 0.2,
        ["SigningOut"] = 0.2, ["SubmissionPages"] = 0.2, ["TradingPartnerSettingsApi"] = 0.2, ["AuditLogFilters"] = 0.1,
        ["ClaimCheckTests"] = 0.1, ["MfaAndApiTokens"] = 0.1, ["ConnectionSettings"] = 0.1, ["ContainerFiles"] = 0.1,
        ["DevMailbox"] = 0.1, ["MailSettings"] = 0.1, ["PaymentsBench"] = 0.1, ["StatementRunBenchmark"] = 0.1,
        ["SubmissionBenchmark"] = 0.1
    };
}

[CollectionDefinition(TestStreams.First)]
public sealed class FirstStream : ICollectionFixture<PortalApp>;

[CollectionDefinition(TestStreams.Second)]
public sealed class SecondStream : ICollectionFixture<PortalApp>;

[CollectionDefinition(TestStreams.Third)]
public sealed class ThirdStream : ICollectionFixture<PortalApp>;
