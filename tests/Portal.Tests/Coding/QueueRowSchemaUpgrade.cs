using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Web.Features.Coding;
using Portal.Web.Platform;

namespace Portal.Tests.Coding;

/// <summary>
/// ADR 0037: the coding queue row keeps its members as plain columns with a few composite indexes instead of Marten's one
/// index per duplicated member and two indexes over its JSON. A database written by the build before keeps its rows and is
/// brought to the new shape when the new build starts: the patient and date-of-service columns are added and filled from each
/// row's JSON, the former indexes are dropped, the new ones created. A Portal of its own over a database of its own (dropped
/// and created afresh for each run), so the shared fixture's schema is never touched.
/// </summary>
public sealed class QueueRowSchemaUpgrade
{
    const string Database = "portal_queuerow_upgrade";
    const string Table = MartenSetup.Schema + "." + CodingQueue.Table;

    static readonly string[] Former =
    [
        "status", "priority", "due_at", "coder_id", "submitted_at", "queued_at", "date_of_service", "patient_id",
    ];

    static readonly string[] Current =
        ["coding_queue_next", "coding_queue_coder", "coding_queue_patient", "coding_queue_dos", "coding_queue_submitted", "coding_queue_status"];

    sealed class OnePortal(string connectionString) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("ConnectionStrings:Portal", connectionString);
            builder.UseSetting("Portal:SeedDemoData", "true");
            builder.UseSetting("Portal:Daemon", "Disabled");
        }
    }

    [Fact]
    public async Task a_database_of_the_previous_build_gets_the_columns_filled_and_the_former_indexes_dropped()
    {
        var any = new NpgsqlConnectionStringBuilder(EmbeddedPostgres.EnsureStarted("portal_tests"));
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(any.ConnectionString) { Database = "postgres" }.ConnectionString))
        {
            await admin.OpenAsync(TestContext.Current.CancellationToken);
            await using var drop = new NpgsqlCommand($"drop database if exists {Database} with (force)", admin);
            await drop.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        var connectionString = EmbeddedPostgres.EnsureStarted(Database);
        await using var db = NpgsqlDataSource.Create(connectionString);

        // The first start creates the schema and the demo practices' encounters (queue rows among them).
        await using (var first = new OnePortal(connectionString)) _ = first.Server;
        var rows = await Scalar<long>(db, $"select count(*) from {Table}");
        Assert.True(rows > 0, "the demo data has queue rows");
        var json = await Pairs(db, $"select id::text, (data->>'PatientId') || ' ' || (data->>'DateOfService') from {Table}");

        // Turn it into what the previous build left: no patient/date columns, its eight single-column and JSON indexes.
        await Exec(db, string.Join(";\n", [
            .. Current.Skip(1).Select(i => $"drop index {MartenSetup.Schema}.{i}"),
            $"alter table {Table} drop column patient_id, drop column date_of_service",
            .. Former.Take(6).Select(c => $"create index {CodingQueue.Table}_idx_{c} on {Table} ({c})"),
            $"create index {CodingQueue.Table}_idx_date_of_service on {Table} ({MartenSetup.Schema}.mt_immutable_date(data ->> 'DateOfService'))",
            $"create index {CodingQueue.Table}_idx_patient_id on {Table} (((data ->> 'PatientId')::uuid))",
        ]));
        Assert.Equal(Former.Length + 2, (await Indexes(db)).Count); // the former eight, the primary key, coding_queue_next

        // The new build starts on it.
        await using (var second = new OnePortal(connectionString)) _ = second.Server;

        var indexes = await Indexes(db);
        Assert.DoesNotContain(indexes, i => i.Contains("_idx_", StringComparison.Ordinal));
        Assert.Equal([.. Current.Order(StringComparer.Ordinal)], indexes.Where(i => !i.StartsWith("pkey_", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(rows, await Scalar<long>(db, $"select count(*) from {Table}"));
        Assert.Equal(json, await Pairs(db, $"select id::text, patient_id::text || ' ' || to_char(date_of_service, 'YYYY-MM-DD') from {Table}"));
    }

    static async Task<T> Scalar<T>(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    static async Task Exec(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    static async Task<Dictionary<string, string>> Pairs(NpgsqlDataSource db, string sql)
    {
        var pairs = new Dictionary<string, string>();
        await using var cmd = db.CreateCommand(sql);
        await using var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken)) pairs[reader.GetString(0)] = reader.GetString(1);
        return pairs;
    }

    static async Task<List<string>> Indexes(NpgsqlDataSource db)
    {
        var names = new List<string>();
        await using var cmd = db.CreateCommand($"select indexname from pg_indexes where schemaname = '{MartenSetup.Schema}' and tablename = '{CodingQueue.Table}'");
        await using var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken)) names.Add(reader.GetString(0));
        return names;
    }
}
