using System.Diagnostics;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Web.Features.PatientBalances;

namespace Portal.Tests.PatientBalances;

/// <summary>
/// Issue 13's benchmark: a statement run of 10,000 patients (PDF drawn, statement stored, StatementIssued appended, e-mail queued)
/// in under 60 s on 2 cores. Runs only with PORTAL_BENCH=1 (it seeds 10,000 patients); figures go to docs/benchmarks.md.
/// </summary>
public class StatementRunBenchmark(PortalApp app, ITestOutputHelper output) : PortalTest(app)
{
    [Fact]
    public async Task a_run_of_10000_patients_finishes_within_60_seconds()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("PORTAL_BENCH") == "1", "Set PORTAL_BENCH=1 to run the statement-run benchmark.");
        var count = int.TryParse(Environment.GetEnvironmentVariable("PORTAL_BENCH_PATIENTS"), out var n) ? n : 10_000;
        var store = App.Services.GetRequiredService<IDocumentStore>();
        var tenant = DemoData.NorthClinic.ToString();
        var seed = Stopwatch.StartNew();
        var coverage = new ClaimCoverage(Guid.NewGuid(), Guid.NewGuid(), "Acme Health", "ACME1", "M1", "S", "18", null, "P");
        var provider = new ClaimProviderRef(Guid.NewGuid(), "Dr. Bench", "1234567893", "207Q00000X");
        foreach (var chunk in Enumerable.Range(0, count).Chunk(500))
        {
            await using var session = store.LightweightSession(tenant);
            foreach (var i in chunk)
            {
                var patient = Guid.CreateVersion7();
                var at = DateTimeOffset.UtcNow;
                session.Events.StartStream(patient, new PatientRegistered(patient, $"B-{i:D6}", new Demographics($"First{i}", $"Last{i}",
                    new DateOnly(1970, 1, 1).AddDays(i % 15000), Sex.Unknown, new Address($"{i} Bench St", null, "Springfield", "IL", "62701"), null), "bench", at));
                var claim = Guid.CreateVersion7();
                var dos = new DateOnly(2026, 1, 1).AddDays(i % 300);
                var charge = 100m + i % 97;
                session.Events.StartStream(claim, new ClaimCreated(claim, Guid.NewGuid(), patient, $"Last{i}, First{i}", $"B-{i:D6}", $"PCN{i}", coverage,
                    provider, provider, null, dos, "11", null, [new ClaimDiagnosis(1, "I10")], [new ClaimLine(1, "99213", [], 1, charge, [1], dos)], "1", null, null,
                    "bench", "bench", at),
                    new ClaimPaymentPosted(claim, patient, Guid.NewGuid(), $"k{i}", Guid.NewGuid(), "1", charge, charge - 40m, 40m,
                        [new PostedAdjustment("PR", "2", 40m)], [], null, "CHK", dos.AddDays(20), false, "bench", at));
                session.Events.Append(PatientAccount.StreamIdFor(patient), new StatementEmailChanged(patient, $"p{i}@bench.test", "bench", at));
            }
            await session.SaveChangesAsync();
        }
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromMinutes(10));
        output.WriteLine($"Seeded {count} patients with a balance in {seed.Elapsed.TotalSeconds:0.0} s");

        var biller = await App.ClientFor(Users.NorthBiller);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var run = await StatementRuns.RunToTheEnd(biller, StatementDelivery.Email, TimeSpan.FromMinutes(5));
        wall.Stop();
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        await using var query = store.QuerySession();
        var queued = await query.Query<StatementMail>().CountAsync();

        output.WriteLine($"Run: {run.Issued} statements, {run.Emailed} e-mails queued ({queued} in the outbox), wall {wall.Elapsed.TotalSeconds:0.0} s " +
            $"(run's own clock {run.Seconds:0.0} s), CPU {cpuUsed.TotalSeconds:0.0} s = {cpuUsed.TotalMilliseconds / Math.Max(1, run.Issued):0.00} ms per statement, " +
            $"{Environment.ProcessorCount} cores");
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(count, run.Issued);
        Assert.Equal(count, queued);
        Assert.True(wall.Elapsed < TimeSpan.FromSeconds(60), $"The run took {wall.Elapsed.TotalSeconds:0.0} s");
    }
}
