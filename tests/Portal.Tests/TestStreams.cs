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
    /// Every class by name, in seconds: the sum of its test times in the whole run of 2026-12-04 20:32 UTC (963 tests; from
    /// infra/bench/suite_report.py's data), <c>TwoNodes</c> with its fixture's node starts and the killed node last. Before, only
    /// the slowest 35 classes were listed and the guess for the rest (0.15 s a test) was half their real 0.35 s, so the streams
    /// ended 38 s apart (353 and 315 s of tests); shared out by this table they would have ended within a second. Update it from a
    /// whole run when classes grow; a class missing from it is guessed from its number of tests.
    /// </summary>
    static readonly Dictionary<string, double> Measured = new()
    {
        ["RoleWalkFirstHalf"] = 64.2, ["RoleWalkSecondHalf"] = 62.9, ["CodingPagesInBrowser"] = 36.7, ["TwoNodes"] = 35,
        ["SeveralDatabases"] = 22.3, ["ClaimWalkInBrowser"] = 18.1, ["NoCspViolationsInBrowser"] = 17, ["ClaimsInBrowser"] = 14.6,
        ["IntakeInBrowser"] = 14.1, ["ResetAndBackgroundWork"] = 13.1, ["PermissionTableWalk"] = 12.6, ["CodingScreenInBrowser"] = 12.1,
        ["SubmissionInBrowser"] = 11.3, ["DeliveringWebhooks"] = 11.1, ["LargeSubmissions"] = 10.1, ["CodeSetUploadsInBrowser"] = 10.1,
        ["ThePatientLedger"] = 9.1, ["SwaggerSignInInBrowser"] = 9, ["PortalShellInBrowser"] = 8.2, ["WorkingClaims"] = 8.1,
        ["GeneratedClient"] = 7.3, ["PatientPaysOnlineInBrowser"] = 7.2, ["VendorAdminDay"] = 6.6, ["ExportingClaimsAsFhir"] = 6.5,
        ["PaymentsInBrowser"] = 6.3, ["WebhooksInBrowser"] = 6.2, ["FollowingUpDenials"] = 6.1, ["EncounterPageWork"] = 6,
        ["BatchingClaims"] = 6, ["DatabaseOutage"] = 5.9, ["TracesAndMetrics"] = 5.8, ["CodingWorkflow"] = 5.8, ["LargeRemittances"] = 5.7,
        ["AccountsInBrowser"] = 5.7, ["ListsSortConsistently"] = 5.5, ["HeadersAndCookies"] = 5.4, ["SigningOutInBrowser"] = 5,
        ["QueriesWithoutALogin"] = 5, ["IdempotencyKeys"] = 4.6, ["OperatorOnboarding"] = 4.3, ["EncounterDocumentsServedSafely"] = 4.3,
        ["ClaimWalk"] = 4.2, ["StripeWebhooks"] = 4.1, ["CsvImportInBrowser"] = 3.9, ["QueueRowSchemaUpgrade"] = 3.6,
        ["PermissionHoles"] = 3.6, ["LiveFindingsMatchTheDryRun"] = 3.6, ["AccessEndsAtOnce"] = 3.4, ["IfMatchPerOperation"] = 3.3,
        ["HostileInput"] = 3.2, ["SubmittingBySftp"] = 3.1, ["SettingsInBrowser"] = 3, ["CodeSearch"] = 3,
        ["OfficialLayoutsThroughTheWeb"] = 2.8, ["ApiClientsInBrowser"] = 2.5, ["QaFindingsAndRebuttals"] = 2.4,
        ["PostingRemittances"] = 2.4, ["ImportingAcknowledgements"] = 2.4, ["VendorCollectionsAcrossClients"] = 2.3,
        ["TokensVerifiedOnce"] = 2.3, ["PasswordHashing"] = 2.3, ["ImportingFhirBundles"] = 2.3, ["AuditLogInBrowser"] = 2.3,
        ["UsersInBrowser"] = 2.2, ["ListsPageByCursor"] = 2.2, ["EventsFromBilling"] = 2.2, ["EventReactions"] = 2,
        ["LedgerReplayRebuilds"] = 1.9, ["IntakeRules"] = 1.9, ["CodingAccessRules"] = 1.9, ["StatementRuns"] = 1.8,
        ["CodeSetUploadFlow"] = 1.7, ["InvitingUsers"] = 1.6, ["CodeSetImports"] = 1.6, ["ClaimsOnTheHomePage"] = 1.6, ["BadInput"] = 1.6,
        ["AccessCheckedInOneTrip"] = 1.6, ["CodeLookupInBrowser"] = 1.5, ["VendorClientsInBrowser"] = 1.4, ["SearchingFhir"] = 1.4,
        ["OpeningTheMfaPage"] = 1.4, ["IfMatchOnUpdates"] = 1.3, ["EndingTheSessionFromAnApp"] = 1.3, ["DoneWhenWalk"] = 1.1,
        ["SigningInWithMfa"] = 1, ["RegisteringApiClients"] = 1, ["PortalSubscriptionBilling"] = 1, ["ParallelCreates"] = 1,
        ["IntakeAccessRules"] = 1, ["CsvCoverageColumns"] = 1, ["SwaggerSignIn"] = 0.9, ["RateLimiting"] = 0.9, ["ManagingUsers"] = 0.9,
        ["LedgerReconciles"] = 0.9, ["IntakeFlow"] = 0.9, ["CodingPagesOverHttp"] = 0.9, ["SignInEnumeration"] = 0.8,
        ["OpenApiExamplesWalk"] = 0.8, ["CodeEdits"] = 0.8, ["VendorEngagements"] = 0.7, ["VendorClientAssignment"] = 0.7,
        ["AppsActingForUsers"] = 0.7, ["SigningOut"] = 0.6, ["PasswordsByMail"] = 0.6, ["IntakeBadInput"] = 0.6, ["TenantIsolation"] = 0.5,
        ["FollowingUpAr"] = 0.5, ["DoneWhenOverHttp"] = 0.5, ["CsvExportsNeutraliseFormulas"] = 0.5, ["Surface"] = 0.4,
        ["CsvImportDuplicates"] = 0.4, ["PracticeSettingsAndFees"] = 0.3, ["Pkce"] = 0.3, ["GeneratedClientSmoke"] = 0.3,
        ["FeatureBoundaries"] = 0.3, ["TradingPartnerSettingsApi"] = 0.2, ["SubmissionPages"] = 0.2, ["RateLimitsPerClient"] = 0.2,
        ["MfaAndApiTokens"] = 0.2, ["LagGauges"] = 0.2, ["ClaimCheckTests"] = 0.2, ["AuditLogFilters"] = 0.2, ["DevMailbox"] = 0.1,
        ["ContainerFiles"] = 0.1, ["SubmissionBenchmark"] = 0.1, ["StatementRunBenchmark"] = 0.1, ["PaymentsBench"] = 0.1,
        ["MailSettings"] = 0.1
    };
}

[CollectionDefinition(TestStreams.First)]
public sealed class FirstStream : ICollectionFixture<PortalApp>;

[CollectionDefinition(TestStreams.Second)]
public sealed class SecondStream : ICollectionFixture<PortalApp>;

[CollectionDefinition(TestStreams.Third)]
public sealed class ThirdStream : ICollectionFixture<PortalApp>;
