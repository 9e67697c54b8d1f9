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
    /// machine, docs/benchmarks.md "Test suite"), otherwise a guess from its tests (a browser test costs more than an HTTP one).
    /// A wrong guess only makes one stream finish before the other.
    /// </summary>
    static double ExpectedSeconds(Type type)
    {
        if (Measured.TryGetValue(type.Name, out var seconds)) return seconds;
        var tests = type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Sum(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()
                ? Math.Max(1, m.GetCustomAttributes<DataAttribute>(inherit: true).Count()) : 0);
        return tests * (typeof(Browser.BrowserTest).IsAssignableFrom(type) ? 0.3 : 0.15);
    }

    /// <summary>
    /// The slowest classes by name, in seconds: their test times in one whole run with the daemon woken on each append
    /// (2026-12-04, 955 tests, load average 6–10; docs/benchmarks.md "Suite after ADR 0039"), on the same scale as the guess
    /// (the 562 tests under 1 s took 0.18 s each in that run). Update from infra/bench/suite_report.py when one grows.
    /// </summary>
    static readonly Dictionary<string, double> Measured = new()
    {
        ["RoleWalkFirstHalf"] = 145, ["RoleWalkSecondHalf"] = 133, ["TwoNodes"] = 70, ["SeveralDatabases"] = 43,
        ["ClaimsInBrowser"] = 33, ["ClaimWalkInBrowser"] = 31, ["EncounterPageWork"] = 23, ["CodingPagesInBrowser"] = 22,
        ["PermissionTableWalk"] = 19.5, ["NoCspViolationsInBrowser"] = 14.6, ["HeadersAndCookies"] = 14.3,
        ["ResetAndBackgroundWork"] = 13.3, ["DatabaseOutage"] = 12.6, ["QueueRowSchemaUpgrade"] = 11.9, ["IntakeInBrowser"] = 9.8,
        ["PaymentsInBrowser"] = 9.8, ["CodingScreenInBrowser"] = 9.7, ["CodeSetUploadsInBrowser"] = 9.1, ["IdempotencyKeys"] = 8.8,
        ["VendorAdminDay"] = 8.1, ["ListsPageByCursor"] = 8.1, ["SubmissionInBrowser"] = 7.7, ["DeliveringWebhooks"] = 7.4,
        ["SwaggerSignInInBrowser"] = 7.2, ["PatientPaysOnlineInBrowser"] = 7.1, ["ClaimWalk"] = 7.0, ["TracesAndMetrics"] = 6.8,
        ["EncounterDocumentsServedSafely"] = 6.6, ["WebhooksInBrowser"] = 6.4, ["ApiClientsInBrowser"] = 5.7, ["CodingWorkflow"] = 5.6,
        ["ListsSortConsistently"] = 5.4, ["SubmittingBySftp"] = 5.3, ["TenantIsolation"] = 5.1, ["LargeSubmissions"] = 4.6,
        ["CodeLookupInBrowser"] = 4.4, ["FollowingUpDenials"] = 4.3,
    };
}

[CollectionDefinition(TestStreams.First)]
public sealed class FirstStream : ICollectionFixture<PortalApp>;

[CollectionDefinition(TestStreams.Second)]
public sealed class SecondStream : ICollectionFixture<PortalApp>;

[CollectionDefinition(TestStreams.Third)]
public sealed class ThirdStream : ICollectionFixture<PortalApp>;
