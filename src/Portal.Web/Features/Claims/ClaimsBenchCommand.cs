using System.Diagnostics;
using Marten;
using Npgsql;
using Portal.Web.Features.Codes;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;

namespace Portal.Web.Features.Claims;

/// <summary>
/// <c>dotnet run -c Release --project src/Portal.Web -- claims bench --claims 1000 [--practice id]</c> (docs/benchmarks.md, "Claims"):
/// approves N coded charts (4 lines each, dates of service spread over 300 days) straight through Marten, unmeasured; then drafts
/// and scrubs each one's claim exactly as the approval reaction does (<see cref="ClaimWrites.Draft"/>, one session and one save per
/// claim) and prints claims/s and the CPU each claim cost this process and the PostgreSQL backends that served it (from /proc).
/// Start the app once first so the demo practice exists.
/// </summary>
public static class ClaimsBenchCommand
{
    public static bool Matches(string[] args) => args is ["claims", "bench", ..];

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var count = int.TryParse(Option(args, "--claims"), out var n) ? Math.Clamp(n, 1, 100_000) : 1000;
        var practice = Guid.TryParse(Option(args, "--practice"), out var p) ? p : DemoData.NorthClinic;
        var store = services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var catalog = services.GetRequiredService<CodeCatalog>();
        var clock = TimeProvider.System;

        List<Guid> encounters = [];
        await using (var setup = store.LightweightSession(practice.ToString()))
        {
            var patient = await setup.Query<Patient>().Where(x => x.Coverages.Length > 0).FirstOrDefaultAsync();
            var provider = await setup.Query<Provider>().FirstOrDefaultAsync();
            if (patient is null || provider is null)
            {
                Console.Error.WriteLine($"error: practice {practice} has no covered patient or provider; start the app once to seed the demo data.");
                return 1;
            }
            var coder = new Coder(Guid.CreateVersion7(), "claims bench", null);
            var now = DateTimeOffset.UtcNow;
            for (var i = 0; i < count; i++)
            {
                var id = Guid.CreateVersion7();
                var dos = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-1 - i % 300);
                setup.Events.StartStream<Encounter>(id,
                    new EncounterOpened(id, patient.Id, patient.Name, patient.Mrn, provider.Id, provider.Name, provider.Id, provider.Name, dos, "11",
                        patient.Coverages[0].Id, patient.Coverages[0].PayerName, "Bench visit.", "bench", "claims bench", now),
                    new ChartQueued(id, 0, now.AddHours(48), 48, "claims bench", now),
                    new ChartAssigned(id, coder, true, null, "claims bench", now),
                    new DiagnosesCoded(id, [new CodedDiagnosis(1, "I10", ""), new CodedDiagnosis(2, "E119", "")], [], null, "claims bench", now),
                    new ServiceLinesCoded(id, [
                        new ServiceLine(1, "99213", "", [], 1, 125m, [1, 2]), new ServiceLine(2, "36415", "", [], 1, 0m, [2]),
                        new ServiceLine(3, "81002", "", [], 1, 9m, [2]), new ServiceLine(4, "93000", "", [], 1, 40m, [1])], [], null, "claims bench", now),
                    new ChartSubmitted(id, coder.Id, false, "bench", "claims bench", now),
                    new ChartApproved(id, coder.Id, "bench", "claims bench", now));
                encounters.Add(id);
                if (encounters.Count % 200 == 0) await setup.SaveChangesAsync();
            }
            await setup.SaveChangesAsync();
        }
        Console.WriteLine($"claims bench: {count} approved charts ready; drafting and scrubbing their claims…");

        // Warm up (JIT, Marten's generated code, the code-set caches) on the first 20, not measured.
        var warm = Math.Min(20, count / 10);
        for (var i = 0; i < warm; i++) await Draft(store, catalog, practice, encounters[i], clock);

        var db = services.GetRequiredService<NpgsqlDataSource>();
        var pg0 = await BackendTicks(db);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var findings = 0;
        for (var i = warm; i < count; i++) findings += await Draft(store, catalog, practice, encounters[i], clock);
        wall.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        var pg = (await BackendTicks(db)).Subtract(pg0);
        var measured = count - warm;
        Console.WriteLine($"claims bench: {measured} claims created and scrubbed in {wall.Elapsed.TotalSeconds:0.00} s = {measured / wall.Elapsed.TotalSeconds:0} claims/s, " +
            $"{wall.Elapsed.TotalMilliseconds / measured:0.00} ms each; {findings} findings in all");
        Console.WriteLine($"cpu per claim: app {cpu.TotalMilliseconds / measured:0.00} ms + postgres {pg.TotalMilliseconds / measured:0.00} ms");
        Console.WriteLine($"machine: nproc={Environment.ProcessorCount}, {File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':')[1].Trim()}, " +
            $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0..3].Aggregate((a, b) => a + " " + b)}");
        return 0;
    }

    static async Task<int> Draft(IDocumentStore store, CodeCatalog catalog, Guid practice, Guid encounterId, TimeProvider clock)
    {
        await using var session = store.LightweightSession(practice.ToString());
        var claim = await ClaimWrites.Draft(session, catalog, encounterId, "bench", "claims bench", clock, default);
        await session.SaveChangesAsync();
        return claim?.Findings.Length ?? 0;
    }

    /// <summary>CPU time (user + system) of every PostgreSQL backend connected to this database, summed from /proc.</summary>
    static async Task<TimeSpan> BackendTicks(NpgsqlDataSource db)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("select pid from pg_stat_activity where datname = current_database()", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        long ticks = 0;
        while (await reader.ReadAsync())
        {
            var path = $"/proc/{reader.GetInt32(0)}/stat";
            if (!File.Exists(path)) continue;
            var fields = File.ReadAllText(path).Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            ticks += long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime (fields 14 and 15 of stat)
        }
        return TimeSpan.FromSeconds(ticks / 100.0); // CLK_TCK is 100 on Linux
    }

    static string? Option(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
}
