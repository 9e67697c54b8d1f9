using Npgsql;
using Portal.Web.Platform;

namespace Portal.Tests;

/// <summary>
/// Empties Marten's schema before each test and puts the seeded demo rows back (ADR 0029).
/// <para>
/// Every table of the schema is emptied with DELETE, in one transaction: Respawn's TRUNCATE of the ~65 tables cost 0.4 s
/// under load (a new file for every table, index and TOAST table, and every pooled connection then rebuilds its cache of
/// them), where DELETE of the few rows a test leaves costs a few milliseconds. The demo organisations, engagements, fee
/// schedules, API clients and intake records are seeded through the app's own <c>DemoSeeder</c> once, and then copied
/// into the schema <see cref="CopySchema"/>; later resets insert that copy back in the same transaction, which is the
/// same rows the seeder would write (the same ids each time, which no test may rely on either way), without ~40 event
/// appends per test for the daemon and the reactions to read again.
/// </para>
/// <para>
/// Kept, as before: <c>mt_event_progression</c> (the daemon's and the reactions' positions: events always get numbers after
/// them, the sequence is never reset) and the code-set tables (global reference data loaded at startup). The copy is taken
/// again when the date changes (the seed's dates of service count back from today), when it is older than
/// <see cref="CopyLifetime"/> (its due times count from the moment of seeding), and whenever putting it back fails.
/// </para>
/// </summary>
sealed class DatabaseReset
{
    public const string CopySchema = "portal_test_seed";
    static readonly TimeSpan CopyLifetime = TimeSpan.FromMinutes(10);
    static readonly string Schema = MartenSetup.Schema;
    static readonly HashSet<string> Kept =
        ["mt_event_progression", .. Portal.Web.Features.Codes.CodeSetTables.All];

    // The daemon's notes on skipped sequence gaps belong to the run, not to the seed.
    static readonly HashSet<string> DaemonBookkeeping = ["mt_high_water_skips", "mt_event_projection_floors"];

    // The tables in the order they can be emptied (a table before the tables it references), read again when the schema
    // gains a table: Marten creates a document's table the first time one is stored.
    string[] tables = [];
    int tableCount = -1;
    // The seeded rows' tables and their columns (so a column Marten adds later with a default does not break the insert).
    List<(string Table, string Columns)>? copy;
    DateTimeOffset copiedAt;

    public int Copies { get; private set; }
    public List<string> RestoreFailures { get; } = [];

    /// <summary>
    /// Empties the schema and, when a fresh copy of the seed exists, puts it back. False: the schema is empty, seed it and call
    /// <see cref="CopySeedAsync"/>.
    /// </summary>
    public async Task<bool> EmptyAsync(NpgsqlConnection conn)
    {
        await ReadTables(conn);
        var usable = copy is not null && DateOnly.FromDateTime(copiedAt.UtcDateTime) == DateOnly.FromDateTime(DateTime.UtcNow)
            && DateTimeOffset.UtcNow - copiedAt < CopyLifetime;
        if (usable)
        {
            try
            {
                await Run(conn, restore: true);
                return true;
            }
            catch (PostgresException e)
            {
                // The schema changed under the copy (a column without a default): seed through the app again.
                RestoreFailures.Add(e.MessageText);
            }
        }
        copy = null;
        await Run(conn, restore: false);
        return false;
    }

    async Task Run(NpgsqlConnection conn, bool restore)
    {
        var sql = new System.Text.StringBuilder("begin;\n");
        foreach (var t in tables) sql.Append($"delete from {Schema}.\"{t}\";\n");
        if (restore)
            // Parents before the rows that reference them: the reverse of the emptying order.
            foreach (var (t, columns) in Enumerable.Reverse(copy!))
                sql.Append($"insert into {Schema}.\"{t}\" ({columns}) overriding system value select {columns} from {CopySchema}.\"{t}\";\n");
        // Identity is kept between tests, so lockouts from wrong-password tests would pile up across runs.
        sql.Append("""
            update identity."AspNetUsers" set "AccessFailedCount" = 0, "LockoutEnd" = null
            where ("AccessFailedCount" <> 0 or "LockoutEnd" is not null) and ("LockoutEnd" is null or "LockoutEnd" < '9000-01-01');
            commit;
            """);
        await using var cmd = new NpgsqlCommand(sql.ToString(), conn);
        try
        {
            await cmd.ExecuteNonQueryAsync();
        }
        catch
        {
            await using var rollback = new NpgsqlCommand("rollback", conn);
            await rollback.ExecuteNonQueryAsync();
            throw;
        }
    }

    /// <summary>Copies every table the seed wrote into <see cref="CopySchema"/>; call it once the reactions and the daemon have caught up.</summary>
    public async Task CopySeedAsync(NpgsqlConnection conn)
    {
        await ReadTables(conn);
        var sql = new System.Text.StringBuilder($"begin;\ndrop schema if exists {CopySchema} cascade;\ncreate schema {CopySchema};\n");
        var seeded = new List<(string, string)>();
        await using (var nonEmpty = new NpgsqlCommand(string.Join("\nunion all\n",
            tables.Where(t => !DaemonBookkeeping.Contains(t)).Select(t => $"select '{t}' where exists (select 1 from {Schema}.\"{t}\")")), conn))
        await using (var reader = await nonEmpty.ExecuteReaderAsync())
            while (await reader.ReadAsync()) seeded.Add((reader.GetString(0), ""));
        for (var i = 0; i < seeded.Count; i++)
        {
            var table = seeded[i].Item1;
            await using var columns = new NpgsqlCommand("""
                select string_agg(quote_ident(attname), ', ' order by attnum) from pg_attribute
                where attrelid = (quote_ident(@schema) || '.' || quote_ident(@table))::regclass and attnum > 0 and not attisdropped
                  and attgenerated = ''
                """, conn) { Parameters = { new("schema", Schema), new("table", table) } };
            seeded[i] = (table, (string)(await columns.ExecuteScalarAsync())!);
            sql.Append($"create table {CopySchema}.\"{table}\" as select * from {Schema}.\"{table}\";\n");
        }
        sql.Append("commit;");
        await using (var cmd = new NpgsqlCommand(sql.ToString(), conn)) await cmd.ExecuteNonQueryAsync();
        copy = seeded;
        copiedAt = DateTimeOffset.UtcNow;
        Copies++;
    }

    async Task ReadTables(NpgsqlConnection conn)
    {
        await using (var count = new NpgsqlCommand(
            "select count(*) from pg_class where relnamespace = @schema::regnamespace and relkind in ('r', 'p')", conn))
        {
            count.Parameters.AddWithValue("schema", Schema);
            var n = Convert.ToInt32(await count.ExecuteScalarAsync());
            if (n == tableCount) return;
            tableCount = n;
        }
        var names = new List<string>();
        var references = new List<(string From, string To)>();
        await using (var cmd = new NpgsqlCommand("""
            select c.relname from pg_class c
            where c.relnamespace = @schema::regnamespace and c.relkind in ('r', 'p') and not c.relispartition order by c.relname
            """, conn) { Parameters = { new("schema", Schema) } })
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        await using (var cmd = new NpgsqlCommand("""
            select f.relname, t.relname from pg_constraint k
            join pg_class f on f.oid = k.conrelid join pg_class t on t.oid = k.confrelid
            where k.contype = 'f' and k.connamespace = @schema::regnamespace and f.oid <> t.oid
            """, conn) { Parameters = { new("schema", Schema) } })
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) references.Add((reader.GetString(0), reader.GetString(1)));

        // A table is emptied before the tables it references (mt_events before mt_streams).
        var ordered = new List<string>();
        var left = names.Where(n => !Kept.Contains(n)).ToHashSet();
        while (left.Count > 0)
        {
            var next = left.Where(t => !references.Any(r => r.To == t && left.Contains(r.From))).OrderBy(t => t, StringComparer.Ordinal).ToList();
            if (next.Count == 0) throw new InvalidOperationException("Foreign keys in a cycle: " + string.Join(", ", left));
            ordered.AddRange(next);
            left.ExceptWith(next);
        }
        tables = [.. ordered];
    }
}
