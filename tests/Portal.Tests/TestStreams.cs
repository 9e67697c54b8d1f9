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
    /// The slowest classes by name, in seconds: their test times in one whole run after the browser tests' axe moved into the
    /// page (2026-12-04 06:41 UTC, 958 tests, quiet machine; docs/benchmarks.md "The browser suite's axe runs"), on the same
    /// scale as the guess; <c>TwoNodes</c> from session 12, after its hand-over fell from ~55 s to 2–3 s (ADR 0043). Update from
    /// infra/bench/suite_report.py when one grows.
    /// </summary>
    static readonly Dictionary<string, double> Measured = new()
    {
        ["RoleWalkFirstHalf"] = 82, ["TwoNodes"] = 35, ["RoleWalkSecondHalf"] = 67, ["CodingPagesInBrowser"] = 34,
        ["PermissionTableWalk"] = 28.5, ["SeveralDatabases"] = 27, ["NoCspViolationsInBrowser"] = 20.5, ["ClaimWalkInBrowser"] = 14.2,
        ["ImportingFhirBundles"] = 13.1, ["ResetAndBackgroundWork"] = 13, ["PatientPaysOnlineInBrowser"] = 12.1,
        ["IntakeInBrowser"] = 11.9, ["ClaimsInBrowser"] = 11.5, ["CodingScreenInBrowser"] = 9.2, ["SwaggerSignInInBrowser"] = 9.1,
        ["LargeSubmissions"] = 8.7, ["WebhooksInBrowser"] = 8.6, ["DeliveringWebhooks"] = 8.5, ["PortalShellInBrowser"] = 7.4,
        ["DatabaseOutage"] = 7.3, ["TracesAndMetrics"] = 7.1, ["SubmissionInBrowser"] = 7.1, ["VendorAdminDay"] = 6.6,
        ["CodeSetUploadsInBrowser"] = 6.4, ["QueueRowSchemaUpgrade"] = 6.4, ["DevMailbox"] = 6.3, ["IdempotencyKeys"] = 5.7,
        ["PaymentsInBrowser"] = 5.5, ["SubmittingBySftp"] = 5.3, ["HeadersAndCookies"] = 5, ["UsersInBrowser"] = 4.6,
        ["ClaimWalk"] = 3.7, ["OperatorOnboarding"] = 2.9, ["HostileInput"] = 2.8, ["EncounterPageWork"] = 2.5,
    };
}

[CollectionDefinition(TestStreams.First)]
public sealed class FirstStream : ICollectionFixture<PortalApp>;

[CollectionDefinition(TestStreams.Second)]
public sealed class SecondStream : ICollectionFixture<PortalApp>;

[CollectionDefinition(TestStreams.Third)]
public sealed class ThirdStream : ICollectionFixture<PortalApp>;
