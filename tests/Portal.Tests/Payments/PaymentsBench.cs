using System.Diagnostics;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Payments;
using static Portal.Tests.Payments.PaymentsGiven;

namespace Portal.Tests.Payments;

/// <summary>
/// The issue 12 web targets, run on demand (PORTAL_BENCH=1; figures in docs/benchmarks.md): an 835 of 5,000 claims read, balanced,
/// matched and posted to PostgreSQL in one transaction through <see cref="EraImport"/>; the dashboard's KPI query over 1 M ledger
/// rows (the posting events' projection). CPU is the process's, so it includes the server side of Npgsql but not PostgreSQL's.
/// </summary>
public class PaymentsBench(PortalApp app, ITestOutputHelper output) : PortalTest(app)
{
    void Report(string line)
    {
        output.WriteLine(line);
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "portal-payments-bench.txt"), $"{DateTime.UtcNow:O} {line}\n");
    }

    static bool On => Environment.GetEnvironmentVariable("PORTAL_BENCH") == "1";

    [Fact]
    public async Task an_835_of_5000_claims_posts_to_the_database()
    {
        Assert.SkipUnless(On, "Set PORTAL_BENCH=1 to run the payments benchmarks.");
        const int n = 5000;
        var store = App.Services.GetRequiredService<IDocumentStore>();
        var at = new DateTimeOffset(2026, 3, 4, 9, 0, 0, TimeSpan.Zero);
        var provider = new ClaimProviderRef(Guid.NewGuid(), "North Clinic", Npi, "207Q00000X");
        for (var batch = 0; batch < n; batch += 500)
        {
            await using var s = store.LightweightSession(DemoData.NorthClinic.ToString());
            for (var i = batch; i < batch + 500; i++)
            {
                var id = Guid.CreateVersion7();
                var pcn = $"B-{i}";
                s.Events.StartStream<ClaimView>(id,
                    new ClaimCreated(id, Guid.NewGuid(), Guid.NewGuid(), "Pat " + pcn, "MRN-" + pcn, pcn,
                        new ClaimCoverage(Guid.NewGuid(), AcmePayer, "Acme Health Plan", "ACME01", "M" + pcn, "Pat " + pcn, "18", null, "P"),
                        provider, provider, null, Dos, "11", null, [new ClaimDiagnosis(1, "I10")],
                        [new ClaimLine(1, "99213", [], 1, 150, [1], Dos), new ClaimLine(2, "17110", [], 1, 200, [1], Dos), new ClaimLine(3, "36415", [], 1, 20, [1], Dos)],
                        "1", null, null, "bench", "bench", at),
                    new ClaimBatched(id, Guid.NewGuid(), "000000001", "1", "0001", "bench", at));
            }
            await s.SaveChangesAsync();
        }
        var clps = Enumerable.Range(0, n).Select(i => i % 10 == 0
            ? new Clp($"B-{i}", "4", [new Svc("99213", 150, [new Cas("CO", "197", 150)], ["M62"]), new Svc("17110", 200, [new Cas("CO", "197", 200)]), new Svc("36415", 20, [new Cas("CO", "197", 20)])])
            : new Clp($"B-{i}", "1", [Svc.Of("99213", 150, new Cas("CO", "45", 50), new Cas("PR", "3", 20)), Svc.Of("17110", 200, new Cas("CO", "45", 80), new Cas("PR", "1", 50), new Cas("PR", "2", 14)), Svc.Of("36415", 20, new Cas("CO", "45", 5))])).ToArray();
        var bytes = new Remit("EFT-BENCH", clps, [("WO", "R1", 25)]).Bytes();
        var import = App.Services.GetRequiredService<EraImport>();

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var result = await import.ImportAsync(DemoData.NorthClinic, bytes, "bench.835", EraImport.Api, "bench", CancellationToken.None);
        wall.Stop();
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Report($"835 of {n} claims ({bytes.Length / 1e6:F1} MB): {result.Outcome}, {result.Posted} posted, {result.Denied} denials; wall {wall.ElapsedMilliseconds} ms, CPU {used.TotalMilliseconds:F0} ms");
        Assert.Equal(n, result.Posted);
    }

    [Fact]
    public async Task the_dashboard_over_a_million_ledger_rows()
    {
        Assert.SkipUnless(On, "Set PORTAL_BENCH=1 to run the payments benchmarks.");
        var db = App.Services.GetRequiredService<NpgsqlDataSource>();
        // Make sure the tables exist (Marten creates them on first use), then load 1 M ledger rows and 100,000 claims with SQL.
        await SubmittedClaim(App, "SEED-1", ("99213", 100));
        await Import(await App.ClientFor(Users.NorthBiller), new Remit("EFT-SEED", [new Clp("SEED-1", "1", [Svc.Of("99213", 100, new Cas("CO", "45", 10))])]));
        var tenant = DemoData.NorthClinic.ToString();
        var load = Stopwatch.StartNew();
        await using (var cmd = db.CreateCommand(
            """
            insert into portal.mt_doc_claimview (tenant_id, id, data, mt_dotnet_type, mt_version, mt_last_modified)
            select $1, c.id, (select data from portal.mt_doc_claimview where tenant_id = $1 limit 1)
                || jsonb_build_object('Id', c.id, 'DateOfService', (date '2026-03-31' - (c.g % 180))::text, 'TotalCharge', 370, 'Paid', 0, 'Adjusted', 0,
                                      'PatientResponsibility', 0, 'WrittenOff', 0, 'PatientControlNumber', 'L-' || c.g),
                   'Portal.Web.Features.Claims.ClaimView', 1, now()
            from (select gen_random_uuid() as id, g from generate_series(1, 100000) g) c
            """))
        {
            cmd.Parameters.AddWithValue(tenant);
            cmd.CommandTimeout = 600;
            await cmd.ExecuteNonQueryAsync();
        }
        await using (var cmd = db.CreateCommand(
            """
            insert into portal.mt_doc_ledgerentry (tenant_id, id, data, mt_dotnet_type, mt_version, mt_last_modified)
            select $1, gen_random_uuid(), jsonb_build_object('ClaimId', (select id from portal.mt_doc_claimview where tenant_id = $1 limit 1),
                     'Kind', (array['Payment','Contractual','Deductible','Coinsurance','Copay'])[1 + g % 5], 'Amount', (g % 200) + 0.25,
                     'PostedOn', (date '2026-03-31' - (g % 365))::text, 'PayerCode', 'ACME01', 'Group', 'CO', 'Reason', '45', 'Reversal', false),
                   'Portal.Web.Features.Payments.LedgerEntry', gen_random_uuid(), now()
            from generate_series(1, 1000000) g
            """))
        {
            cmd.Parameters.AddWithValue(tenant);
            cmd.CommandTimeout = 900;
            await cmd.ExecuteNonQueryAsync();
        }
        await using (var cmd = db.CreateCommand("analyze portal.mt_doc_ledgerentry; analyze portal.mt_doc_claimview")) await cmd.ExecuteNonQueryAsync();
        Report($"loaded 1,000,000 ledger rows and 100,000 claims in {load.Elapsed.TotalSeconds:F0} s");

        var client = await App.ClientFor(Users.NorthBiller);
        var times = new List<double>();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < 21; i++)
        {
            var sw = Stopwatch.StartNew();
            var response = await client.GetAsync(Api("kpis?from=2026-01-01&to=2026-03-31"));
            sw.Stop();
            response.EnsureSuccessStatusCode();
            if (i > 0) times.Add(sw.Elapsed.TotalMilliseconds);
        }
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        times.Sort();
        Report($"GET /kpis (90 days) over 1 M ledger rows: p50 {times[times.Count / 2]:F0} ms, p95 {times[(int)(times.Count * 0.95) - 1]:F0} ms, max {times[^1]:F0} ms; app CPU {used.TotalMilliseconds / 21:F0} ms per request");
    }
}
