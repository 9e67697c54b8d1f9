using System.Diagnostics;
using Marten;
using Npgsql;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;

namespace Portal.Web.Features.Coding;

/// <summary>
/// <c>dotnet run --project src/Portal.Web -- coding seed --charts 100000 [--practice id]</c>: fills a practice's coding
/// queue for load tests (docs/benchmarks.md). One real chart is opened and queued through Marten; it is then cloned in
/// SQL (streams, events and every inline document of the stream, ids replaced), so 100,000 charts take seconds, not
/// 100,000 API calls. Runs against the app's database; start the app once first so the demo practice exists.
/// </summary>
public static class CodingSeedCommand
{
    public static bool Matches(string[] args) => args is ["coding", "seed", ..];

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var charts = int.TryParse(Option(args, "--charts"), out var n) ? Math.Clamp(n, 1, 1_000_000) : 100_000;
        var practice = Guid.TryParse(Option(args, "--practice"), out var p) ? p : DemoData.NorthClinic;
        var store = services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await CodingQueue.EnsureIndexes(services.GetRequiredService<NpgsqlDataSource>(), default);
        var started = Stopwatch.StartNew();

        Guid template, templatePatient;
        await using (var session = store.LightweightSession(practice.ToString()))
        {
            var patient = await session.Query<Patient>().FirstOrDefaultAsync();
            var provider = await session.Query<Provider>().FirstOrDefaultAsync();
            if (patient is null || provider is null)
            {
                Console.Error.WriteLine($"error: practice {practice} has no patient or provider; start the app once to seed the demo data.");
                return 1;
            }
            var now = DateTimeOffset.UtcNow;
            var opened = new EncounterOpened(Guid.CreateVersion7(), patient.Id, patient.Name, patient.Mrn, provider.Id, provider.Name,
                provider.Id, provider.Name, DateOnly.FromDateTime(now.UtcDateTime).AddDays(-3), "11", patient.Coverages.FirstOrDefault()?.Id,
                patient.Coverages.FirstOrDefault()?.PayerName, "Load-test chart: follow-up for hypertension and type 2 diabetes.", "bench",
                "coding seed", now);
            session.Events.StartStream<Encounter>(opened.EncounterId, opened,
                new ChartQueued(opened.EncounterId, 0, now.AddHours(48), 48, "coding seed", now));
            await session.SaveChangesAsync();
            template = opened.EncounterId;
            templatePatient = patient.Id;
        }

        var db = services.GetRequiredService<NpgsqlDataSource>();
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await Exec(conn, tx, "create temp table bench_ids on commit drop as select gen_random_uuid() as id, gen_random_uuid() as pid, g from generate_series(1, @n) g", charts);
        var tables = await DocumentTablesHolding(conn, tx, template, practice);
        // Every chart gets a patient of its own (a copy of the template's): the coding edits compare a chart with the patient's
        // other encounters of the same day, and 100,000 charts of one patient on one day would all fail MUE and make every
        // check read the other 99,999.
        var patientTables = await DocumentTablesHolding(conn, tx, templatePatient, practice);
        const string ids = "replace(replace(t.data::text, @template::text, b.id::text), @patient::text, b.pid::text)::jsonb";
        await Clone(conn, tx, "mt_streams", "id", template, templatePatient, practice, new() { ["id"] = "b.id" });
        await Clone(conn, tx, "mt_events", "stream_id", template, templatePatient, practice, new()
        {
            ["seq_id"] = $"nextval('{MartenSetup.Schema}.mt_events_sequence')", ["id"] = "gen_random_uuid()", ["stream_id"] = "b.id",
            ["data"] = ids,
        });
        foreach (var table in patientTables)
            await Clone(conn, tx, table, "id", templatePatient, templatePatient, practice, new()
            {
                ["id"] = "b.pid", ["data"] = "replace(t.data::text, @template::text, b.pid::text)::jsonb",
            });
        foreach (var table in tables)
            await Clone(conn, tx, table, "id", template, templatePatient, practice, new()
            {
                ["id"] = "b.id", ["data"] = ids,
                // The queue row's patient column (ADR 0037) follows its JSON.
                ["patient_id"] = "b.pid",
                // Spread the due times over two days so "next chart" has a real order to follow.
                ["due_at"] = "t.due_at + (b.g % 2880) * interval '1 minute'",
            });
        await tx.CommitAsync();
        await Exec(conn, null, $"analyze {MartenSetup.Schema}.{CodingQueue.Table}", 0);
        Console.WriteLine($"coding seed: {charts:N0} queued charts cloned into {tables.Count + 2} tables for practice {practice} in {started.Elapsed.TotalSeconds:N1} s.");
        return 0;
    }

    static async Task<List<string>> DocumentTablesHolding(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, Guid practice)
    {
        var candidates = new List<string>();
        await using (var cmd = new NpgsqlCommand("""
            select table_name from information_schema.columns
            where table_schema = @schema and table_name like 'mt_doc_%' and column_name = 'id' and data_type = 'uuid'
              and table_name in (select table_name from information_schema.columns where table_schema = @schema and column_name = 'tenant_id')
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("schema", MartenSetup.Schema);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) candidates.Add(reader.GetString(0));
        }
        var holding = new List<string>();
        foreach (var table in candidates)
        {
            await using var cmd = new NpgsqlCommand($"select count(*) from {MartenSetup.Schema}.{table} where id = @id and tenant_id = @tenant", conn, tx);
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("tenant", practice.ToString());
            if ((long)(await cmd.ExecuteScalarAsync())! > 0) holding.Add(table);
        }
        return holding;
    }

    static async Task Clone(NpgsqlConnection conn, NpgsqlTransaction tx, string table, string key, Guid template, Guid patient, Guid practice,
        Dictionary<string, string> replace)
    {
        var columns = new List<string>();
        await using (var cmd = new NpgsqlCommand(
            "select column_name from information_schema.columns where table_schema = @schema and table_name = @table order by ordinal_position", conn, tx))
        {
            cmd.Parameters.AddWithValue("schema", MartenSetup.Schema);
            cmd.Parameters.AddWithValue("table", table);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) columns.Add(reader.GetString(0));
        }
        var values = columns.Select(c => replace.TryGetValue(c, out var expr) ? expr : $"t.{c}");
        await using var insert = new NpgsqlCommand($"""
            insert into {MartenSetup.Schema}.{table} ({string.Join(", ", columns)})
            select {string.Join(", ", values)} from bench_ids b cross join {MartenSetup.Schema}.{table} t
            where t.{key} = @template and t.tenant_id = @tenant
            """, conn, tx);
        insert.Parameters.AddWithValue("template", template);
        insert.Parameters.AddWithValue("patient", patient);
        insert.Parameters.AddWithValue("tenant", practice.ToString());
        insert.CommandTimeout = 600;
        await insert.ExecuteNonQueryAsync();
    }

    static async Task Exec(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, int n)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        if (sql.Contains("@n", StringComparison.Ordinal)) cmd.Parameters.AddWithValue("n", n);
        await cmd.ExecuteNonQueryAsync();
    }

    static string? Option(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
