using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Tests.Payments;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;
using static Portal.Tests.Coding.CodingGiven;

namespace Portal.Tests.ScaleOut;

/// <summary>
/// ADR 0031: global documents (organisations, invitations, plans and subscriptions, moves, Stripe indexes…) live in the common
/// database and are read through a session on it, never through the request's practice session: over several databases the
/// practice's own database has the same tables, empty, so such a read finds nothing and a write lands where no one looks.
/// The test puts North Clinic in the second database, has a chart coded and approved there (a reaction drafts its claim), walks
/// every API read and every page of it as its admin, and then asks PostgreSQL's own table statistics whether any global table of
/// the second database was read or written.
/// </summary>
public sealed partial class SeveralDatabases
{
    /// <summary>Global (not per-practice) tables that live in each practice's database on purpose, with the reason.</summary>
    static readonly Dictionary<string, string> GlobalTablesPerDatabaseOnPurpose = new()
    {
        ["mt_doc_usagecount"] = "written by a reaction in the practice's own transaction, exactly once with its receipt; the usage report sums every database",
        ["mt_doc_statementmail"] = "queued in the statement run's transaction in the practice's database; the sender polls each database in turn",
    };

    [Fact]
    public async Task a_practice_in_the_second_database_reads_and_writes_no_global_table_there()
    {
        await app.EnsureIn(North, "second");
        var admin = await app.ClientFor(Users.NorthAdmin);
        using var browser = await app.SignedInBrowser(Users.NorthAdmin);
        await app.WaitForReactionsAsync();

        await using var second = new NpgsqlConnection(app.SecondConnectionString);
        await second.OpenAsync();
        var global = await GlobalTables(second);
        Assert.Contains("mt_doc_organization", global); // the schema is applied to every database: the tables are there, empty
        await using (var reset = new NpgsqlCommand("select pg_stat_reset()", second)) await reset.ExecuteNonQueryAsync();

        // A day's writes: settings, a chart queued, coded and approved by its coder, the claim the reaction drafts from it.
        var coder = await app.ClientFor(Users.NorthCoder);
        await PracticeSettingsAre(admin, qaPercent: 0);
        var visit = await DemoVisit(admin, North, new DateOnly(2026, 3, 4), "Follow-up visit.");
        var opened = await Read<EncounterDetails>(await admin.PostAsJsonAsync(Api(North, "encounters"), visit), HttpStatusCode.Created);
        (await admin.PostAsJsonAsync(Chart(opened.Id, "/queue"), new SendToCoding(9))).EnsureSuccessStatusCode();
        PulledChart? pulled = null;
        for (var i = 0; i < 50 && pulled?.Chart.Encounter.Id != opened.Id; i++) pulled = await Pull(coder); // other tests' charts first
        Assert.Equal(opened.Id, pulled?.Chart.Encounter.Id);
        var dx = await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(opened.Id, "/diagnoses"), new CodeDiagnoses(["I10"]), pulled!.Chart.Version));
        var coded = await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(opened.Id, "/lines"),
            new CodeServiceLines([new ServiceLineInput("99213", DiagnosisPointers: [1])]), dx.Version));
        var submitted = await Send(coder, HttpMethod.Post, Chart(opened.Id, "/submit"), null, coded.Version);
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        await app.WaitForReactionsAsync();
        var encounter = coded.Encounter;

        // Every read of the API on North Clinic, and every page, as its admin.
        var visited = new List<string>();
        using (var anon = app.Plain())
        {
            var doc = JsonDocument.Parse(await anon.GetStringAsync("/swagger/v1/swagger.json")).RootElement;
            foreach (var path in doc.GetProperty("paths").EnumerateObject())
                if (path.Value.TryGetProperty("get", out _) && path.Name.StartsWith("/api/v1/practices/{practiceId}", StringComparison.Ordinal))
                {
                    var url = Fill(path.Name, encounter.PatientId, encounter.Id);
                    var status = (int)(await admin.GetAsync(url)).StatusCode;
                    Assert.True(status < 500, $"GET {url}: {status}");
                    visited.Add(url);
                }
        }
        var pages = app.Services.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items
            .OfType<PageActionDescriptor>()
            .Where(p => !p.EndpointMetadata.OfType<IAllowAnonymous>().Any() && p.AttributeRouteInfo?.Template is not null)
            .Select(p => "/" + p.AttributeRouteInfo!.Template!).Distinct();
        foreach (var template in pages)
        {
            var url = Fill(template, encounter.PatientId, encounter.Id);
            var status = (int)(await browser.GetAsync(url)).StatusCode;
            Assert.True(status < 500, $"GET {url}: {status}");
            visited.Add(url);
        }
        Assert.True(visited.Count > 50, $"Only {visited.Count} reads walked.");

        var used = await UsedGlobalTables(second, global);
        Assert.True(used.Count == 0, "Global tables of the practice's database were used (read them through the common session, or list the " +
            "table in GlobalTablesPerDatabaseOnPurpose with the reason): " + string.Join(", ", used.Select(u => $"{u.Key} ({u.Value})")));
    }

    [Fact]
    public async Task the_on_purpose_list_names_global_tables_only()
    {
        await using var second = new NpgsqlConnection(app.SecondConnectionString);
        await second.OpenAsync();
        var all = await GlobalTables(second, keepOnPurpose: true);
        Assert.All(GlobalTablesPerDatabaseOnPurpose.Keys, t => Assert.Contains(t, all));
    }

    static string Fill(string template, Guid patient, Guid encounter)
    {
        var url = template
            .Replace("{practiceId:guid}", North.ToString()).Replace("{practiceId}", North.ToString())
            .Replace("{organizationId:guid}", North.ToString()).Replace("{organizationId}", North.ToString())
            .Replace("{patientId:guid}", patient.ToString()).Replace("{patientId}", patient.ToString())
            .Replace("{encounterId:guid}", encounter.ToString()).Replace("{encounterId}", encounter.ToString())
            .Replace("{system}", "icd10cm").Replace("{code}", "I10");
        url = System.Text.RegularExpressions.Regex.Replace(url, "\\{[^}]*\\?\\}", "");
        url = System.Text.RegularExpressions.Regex.Replace(url, "\\{[^}]+\\}", _ => Guid.NewGuid().ToString()).TrimEnd('/');
        return url.Length > 0 ? url : "/";
    }

    /// <summary>Marten's document tables without a tenant column (global documents), bar those kept per database on purpose.</summary>
    static async Task<HashSet<string>> GlobalTables(NpgsqlConnection db, bool keepOnPurpose = false)
    {
        await using var cmd = new NpgsqlCommand("""
            select t.table_name from information_schema.tables t
            where t.table_schema = @schema and t.table_name like 'mt\_doc\_%' and t.table_type = 'BASE TABLE'
              and not exists (select 1 from information_schema.columns c
                              where c.table_schema = t.table_schema and c.table_name = t.table_name and c.column_name = 'tenant_id')
            """, db);
        cmd.Parameters.AddWithValue("schema", MartenSetup.Schema);
        var tables = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        if (!keepOnPurpose) tables.ExceptWith(GlobalTablesPerDatabaseOnPurpose.Keys);
        return tables;
    }

    /// <summary>
    /// The global tables PostgreSQL counted a scan or a row change on since the reset. Backends report their counts when idle, at
    /// most a second apart: wait until a practice table the walk certainly read shows up, then a little over a second more.
    /// </summary>
    static async Task<Dictionary<string, string>> UsedGlobalTables(NpgsqlConnection db, HashSet<string> global)
    {
        const string stats = """
            select relname, seq_scan, coalesce(idx_scan, 0), n_tup_ins + n_tup_upd + n_tup_del
            from pg_stat_user_tables where schemaname = @schema
            """;
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await using var probe = new NpgsqlCommand(
                "select coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0) from pg_stat_user_tables where schemaname = @schema and relname = 'mt_doc_patient'", db);
            probe.Parameters.AddWithValue("schema", MartenSetup.Schema);
            await using (var clear = new NpgsqlCommand("select pg_stat_clear_snapshot()", db)) await clear.ExecuteNonQueryAsync();
            if (Convert.ToInt64(await probe.ExecuteScalarAsync()) > 0) break;
            if (DateTime.UtcNow > until) throw new TimeoutException("PostgreSQL reported no reads of the practice's patients after the walk.");
            await Task.Delay(200);
        }
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await using (var clear = new NpgsqlCommand("select pg_stat_clear_snapshot()", db)) await clear.ExecuteNonQueryAsync();
        await using var cmd = new NpgsqlCommand(stats, db);
        cmd.Parameters.AddWithValue("schema", MartenSetup.Schema);
        var used = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var table = reader.GetString(0);
            if (!global.Contains(table)) continue;
            var (seq, idx, rows) = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
            if (seq + idx + rows > 0) used[table] = $"{seq} scans, {idx} index scans, {rows} rows written";
        }
        return used;
    }
}
