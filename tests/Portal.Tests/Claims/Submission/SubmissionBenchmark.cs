using System.Diagnostics;
using Portal.Web.Features.Claims.Submission;
using Portal.Web.Features.Demo;
using static Portal.Tests.Claims.Submission.SubmissionGiven;

namespace Portal.Tests.Claims.Submission;

/// <summary>
/// Issue 11 targets, end to end over HTTP on the real database (docs/benchmarks.md, "Claim submission"). Explicit: run with
///   cd tests/Portal.Tests && PORTAL_PG_PORT=… dotnet run -c Release -- -method '*SubmissionBenchmark*' -explicit only
/// CPU: this process's (Portal in-process + the test client) and, separately, the embedded PostgreSQL's (its postmaster and
/// backends, from /proc), so the figure on a quiet machine can be estimated as the sum of the two.
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
        var biller = await App.ClientFor(Users.NorthBiller);
        for (var round = 1; round <= Rounds; round++)
        {
            if (round > 1)
            {
                await App.WaitForReactionsAsync(TimeSpan.FromMinutes(5));
                await App.ResetAsync();
            }
            await SetUp(App, PartnerSettings(grouping: BatchGrouping.Clearinghouse));
            // Warm-up (not a target): a batch of 100 claims and its 277CA take the same set-based paths, so the JIT has compiled
            // them and Marten has built its query plans, as on a server that has sent any batch before. PORTAL_BENCH_WARMUP=0: cold.
            var number = 1;
            if (Environment.GetEnvironmentVariable("PORTAL_BENCH_WARMUP") != "0")
            {
                var warm = await ReadyClaims(App, DemoData.NorthClinic, PayerA, 100, $"W{round}", lines: 4);
                var (warmBatch, _, _) = await Measure(async () => (await CreateBatches(biller)).Single());
                var (warmAck, _, _) = await Measure(async () => await Json(await Import(biller,
                    Acks.Ack277($"B{number:D9}", warm.Select((c, i) => new Acks.ClaimStatus(c.Pcn, i % 10 != 0, 200m)), icn: "000000902")), HttpStatusCode.Created));
                Report($"round {round}: warm-up with 100 claims: batch {warmBatch.TotalMilliseconds:F0} ms, 277CA {warmAck.TotalMilliseconds:F0} ms (not a target)");
                number++;
                await App.WaitForReactionsAsync(TimeSpan.FromMinutes(5));
            }
            var seed = Stopwatch.StartNew();
            var claims = new List<Seeded>(count);
            for (var i = 0; i < count / 1000; i++)
                claims.AddRange(await ReadyClaims(App, DemoData.NorthClinic, i % 2 == 0 ? PayerA : PayerB, 1000, $"P{i:D2}", lines: 4));
            Report($"round {round}: seeded {count:N0} ready claims of 4 lines in {seed.Elapsed.TotalSeconds:F1} s (not a target)");
            // The seeding's events reach the reactions (webhooks, usage) first, so their catching up is not counted below.
            await App.WaitForReactionsAsync(TimeSpan.FromMinutes(5));

            var pg = PostgresCpu();
            var (wall, cpu, batch) = await Measure(async () => (await CreateBatches(biller)).Single());
            var pgBatch = PostgresCpu() - pg;
            Report($"round {round}: build + write + send a batch of {count:N0} claims from the database: {wall.TotalSeconds:F2} s wall, " +
                $"{cpu.TotalSeconds:F2} s CPU ({cpu.TotalMilliseconds * 1000 / count:F0} µs CPU per claim) + PostgreSQL {pgBatch.TotalSeconds:F2} s CPU " +
                $"({pgBatch.TotalMilliseconds * 1000 / count:F0} µs per claim), {batch.GetProperty("fileSize").GetInt64() / 1e6:F1} MB; load average {Load()}");
            // The batch's 10,000 ClaimBatched events go to the reactions (webhook fan-out) after the answer; let them finish so
            // the import below is measured alone.
            await App.WaitForReactionsAsync(TimeSpan.FromMinutes(5));

            var ack999 = Acks.Ack999($"{number}", $"{number:D4}", "A", icn: "000000903");
            var (w999, c999, _) = await Measure(async () => await Json(await Import(biller, ack999), HttpStatusCode.Created));
            var ack277 = Acks.Ack277($"B{number:D9}", claims.Select((c, i) => new Acks.ClaimStatus(c.Pcn, i % 10 != 0, 200m)));
            pg = PostgresCpu();
            var (w277, c277, result) = await Measure(async () => await Json(await Import(biller, ack277), HttpStatusCode.Created));
            var pg277 = PostgresCpu() - pg;
            Report($"round {round}: import the 999: {w999.TotalMilliseconds:F0} ms; import a 277CA for {count:N0} claims ({ack277.Length / 1e6:F1} MB, " +
                $"{result.GetProperty("acknowledgement").GetProperty("rejected").GetInt32():N0} rejected): {w277.TotalSeconds:F2} s wall, {c277.TotalSeconds:F2} s CPU" +
                $" ({c277.TotalMilliseconds * 1000 / count:F0} µs per claim) + PostgreSQL {pg277.TotalSeconds:F2} s CPU ({pg277.TotalMilliseconds * 1000 / count:F0} µs per claim); load average {Load()}");
        }
    }

    static string Load() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>
    /// CPU used so far by the embedded cluster of PORTAL_PG_PORT: its postmaster (with the reaped backends' time) and its live
    /// backends. Zero when the cluster is not found (a configured server elsewhere).
    /// </summary>
    internal static TimeSpan PostgresCpu()
    {
        var port = Environment.GetEnvironmentVariable("PORTAL_PG_PORT") ?? "54329";
        var pidFile = new[] { Path.Combine(Root(), ".data", $"postgres-{port}", "postmaster.pid"), $"/var/tmp/portal-postgres-{port}/postmaster.pid" }
            .FirstOrDefault(File.Exists);
        if (pidFile is null || !int.TryParse(File.ReadLines(pidFile).First(), out var postmaster)) return TimeSpan.Zero;
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');   // f[0] = state (field 3), f[1] = ppid, f[11..14] = utime stime cutime cstime
            if (pid == postmaster) ticks += long.Parse(f[11]) + long.Parse(f[12]) + long.Parse(f[13]) + long.Parse(f[14]);
            else if (f[1] == postmaster.ToString(System.Globalization.CultureInfo.InvariantCulture)) ticks += long.Parse(f[11]) + long.Parse(f[12]);
        }
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) dir = dir.Parent;
        return dir?.FullName ?? ".";
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
