using System.Diagnostics;
using Portal.Web.Features.Claims.Submission;
using Portal.Web.Features.Demo;
using static Portal.Tests.Claims.Submission.SubmissionGiven;

namespace Portal.Tests.Claims.Submission;

/// <summary>
/// Issue 11 targets, end to end over HTTP on the real database (docs/benchmarks.md, "Claim submission"). Explicit: run with
///   cd tests/Portal.Tests && PORTAL_PG_PORT=… dotnet run -c Release -- -method '*SubmissionBenchmark*' -explicit only
/// CPU is this process's (Portal in-process + the test client), PostgreSQL's is not included.
/// </summary>
public class SubmissionBenchmark(PortalApp app) : PortalTest(app)
{
    static readonly int Rounds = int.TryParse(Environment.GetEnvironmentVariable("PORTAL_BENCH_ROUNDS"), out var r) ? r : 1;

    /// <summary>Figures go to stdout as they come (and to PORTAL_BENCH_LOG when set), not only at the end of the test.</summary>
    static void Report(string line)
    {
        Console.WriteLine(line);
        if (Environment.GetEnvironmentVariable("PORTAL_BENCH_LOG") is { Length: > 0 } log) File.AppendAllText(log, line + Environment.NewLine);
    }

    [Fact(Explicit = true)]
    public async Task batch_10000_claims_of_4_lines_and_import_their_999_and_277ca()
    {
        const int count = 10_000;
        await SetUp(App, PartnerSettings(grouping: BatchGrouping.Clearinghouse));
        var biller = await App.ClientFor(Users.NorthBiller);
        var seed = Stopwatch.StartNew();
        var claims = new List<Seeded>(count);
        for (var i = 0; i < count / 1000; i++)
            claims.AddRange(await ReadyClaims(App, DemoData.NorthClinic, i % 2 == 0 ? PayerA : PayerB, 1000, $"P{i:D2}", lines: 4));
        Report($"seeded {count:N0} ready claims of 4 lines in {seed.Elapsed.TotalSeconds:F1} s (not a target)");

        for (var round = 1; round <= Rounds; round++)
        {
            if (round > 1)
            {
                await App.ResetAsync();
                await SetUp(App, PartnerSettings(grouping: BatchGrouping.Clearinghouse));
                claims.Clear();
                for (var i = 0; i < count / 1000; i++)
                    claims.AddRange(await ReadyClaims(App, DemoData.NorthClinic, i % 2 == 0 ? PayerA : PayerB, 1000, $"P{i:D2}", lines: 4));
            }
            var (wall, cpu, batch) = await Measure(async () => (await CreateBatches(biller)).Single());
            Report($"round {round}: build + write + send a batch of {count:N0} claims from the database: {wall.TotalSeconds:F2} s wall, " +
                $"{cpu.TotalSeconds:F2} s CPU ({cpu.TotalMilliseconds * 1000 / count:F0} µs CPU per claim), {batch.GetProperty("fileSize").GetInt64() / 1e6:F1} MB");

            var ack999 = Acks.Ack999("1", "0001", "A");
            var (w999, c999, _) = await Measure(async () => await Json(await Import(biller, ack999), HttpStatusCode.Created));
            var ack277 = Acks.Ack277("B000000001", claims.Select((c, i) => new Acks.ClaimStatus(c.Pcn, i % 10 != 0, 200m)));
            var (w277, c277, result) = await Measure(async () => await Json(await Import(biller, ack277), HttpStatusCode.Created));
            Report($"round {round}: import the 999: {w999.TotalMilliseconds:F0} ms; import a 277CA for {count:N0} claims ({ack277.Length / 1e6:F1} MB, " +
                $"{result.GetProperty("acknowledgement").GetProperty("rejected").GetInt32():N0} rejected): {w277.TotalSeconds:F2} s wall, {c277.TotalSeconds:F2} s CPU");
        }
    }

    static async Task<(TimeSpan Wall, TimeSpan Cpu, T Result)> Measure<T>(Func<Task<T>> work)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var result = await work();
        wall.Stop();
        process.Refresh();
        return (wall.Elapsed, process.TotalProcessorTime - cpu, result);
    }
}
