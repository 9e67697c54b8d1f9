using Npgsql;
using Portal.Web.Platform.Reactions;

namespace Portal.Web.Platform;

/// <summary>
/// A document type an async projection builds: not copied by a move, the target's daemon builds it again from the moved events
/// (which it reads as new). Registered by the feature that owns the projection.
/// </summary>
public sealed record RebuiltAfterMove(Type DocumentType)
{
    public string Table => "mt_doc_" + DocumentType.Name.ToLowerInvariant();
}

/// <summary>
/// A table that triggers keep from another moved table (the payments' claim roll-up, from the claim snapshots): not copied, the
/// target's triggers fill it as the rows it is kept from arrive, and it is verified like a copied table. Registered by its feature.
/// </summary>
public sealed record KeptByTriggersAfterMove(string Table);

/// <summary>What a move copied and checked.</summary>
public sealed record PracticeMoveReport(string PracticeId, string From, string To, IReadOnlyList<MovedTable> Tables, string EventChecksum)
{
    public long Events => Tables.FirstOrDefault(t => t.Table == "mt_events")?.Rows ?? 0;
}

public sealed record MovedTable(string Table, long Rows, bool Verified);

/// <summary>Where a running move is: its step in plain words and, while copying, how many of the practice's tables are done.</summary>
public sealed record PracticeMoveProgress(string Step, int TablesDone, int Tables);

/// <summary>
/// Moves one practice's rows (events, streams, documents, raw tables: every table of schema portal with a tenant_id column) from
/// its database to another (ADR 0031, deployment.md section 4.2). The practice is read-only meanwhile (writes answer 503). The copy
/// and its verification are one transaction on the target, so a failure leaves the practice wholly in its source; the map is
/// switched after that commit, and the source's rows are deleted last. Running it again after a failure finishes the job.
/// </summary>
public sealed class PracticeMove(TenantDatabases databases, IEnumerable<RebuiltAfterMove> rebuilt, IEnumerable<KeptByTriggersAfterMove> kept,
    ILogger<PracticeMove> log)
{
    const string S = MartenSetup.Schema;
    static readonly string Receipts = "mt_doc_" + nameof(ReactionReceipt).ToLowerInvariant();
    static readonly string DeadLetters = "mt_doc_" + nameof(ReactionDeadLetter).ToLowerInvariant();
    readonly HashSet<string> rebuiltTables = [.. rebuilt.Select(r => r.Table)];
    readonly HashSet<string> triggerKept = [.. kept.Select(k => k.Table)];

    /// <summary>Test hook: runs inside the target's transaction after each table is copied (an exception there aborts the move).</summary>
    public Func<string, Task>? AfterTableCopied { get; set; }

    /// <summary>How long to wait for the source's daemon to handle the practice's last events before refusing to move.</summary>
    public TimeSpan DaemonWait { get; set; } = TimeSpan.FromSeconds(60);

    public async Task<PracticeMoveReport> MoveAsync(Guid practiceId, string target, CancellationToken ct, IProgress<PracticeMoveProgress>? progress = null)
    {
        if (!databases.Several) throw new InvalidOperationException("Only one database is configured (Portal:Databases): there is nowhere to move to.");
        var targetSource = databases.Named(target);
        var tenant = practiceId.ToString();
        await databases.ReloadAsync(ct);
        var from = databases.DatabaseOf(tenant);
        if (from == target)
        {
            // Already switched (a run that failed after the switch, or a second run): only leftovers elsewhere remain to delete.
            foreach (var name in databases.Names.Where(n => n != target)) await DeleteAsync(databases.Named(name), tenant, ct);
            await databases.SetAsync(tenant, target, moving: false, ct);
            return new(tenant, from, target, [], "");
        }
        var source = databases.Named(from);

        // 1. Read-only: every node sees the mark within one refresh and refuses the practice's writes; the daemon catches up.
        await databases.SetAsync(tenant, from, moving: true, ct);
        PracticeMoveReport report;
        try
        {
            await Task.Delay(databases.Refresh, ct);
            progress?.Report(new("Waiting for background work on the practice's last changes", 0, 0));
            await WaitForDaemonAsync(source, tenant, ct);
            // 2 and 3. Copy and verify in one transaction on the target.
            report = await CopyAsync(source, targetSource, tenant, from, target, ct, progress);
        }
        catch
        {
            await databases.SetAsync(tenant, from, moving: false, CancellationToken.None);
            throw;
        }
        // 4. Switch: from now on every node serves the practice from the target (still read-only until the source is clean).
        await databases.SetAsync(tenant, target, moving: true, ct);
        await Task.Delay(databases.Refresh, ct);
        // 5. The source's rows go; the practice is writable again.
        progress?.Report(new($"Deleting the practice's rows from '{from}'", report.Tables.Count, report.Tables.Count));
        await DeleteAsync(source, tenant, ct);
        await databases.SetAsync(tenant, target, moving: false, ct);
        log.LogInformation("Practice {Practice} moved from {From} to {To}: {Events} events, {Tables} tables verified.",
            tenant, from, target, report.Events, report.Tables.Count);
        return report;
    }

    async Task WaitForDaemonAsync(NpgsqlDataSource source, string tenant, CancellationToken ct)
    {
        var until = DateTime.UtcNow + DaemonWait;
        while (true)
        {
            await using var cmd = source.CreateCommand($"""
                select count(*) from {S}.mt_event_progression p
                where p.name like '%:%' -- shards ("<name>:All"), not the high-water rows
                  and p.last_seq_id < coalesce((select max(seq_id) from {S}.mt_events where tenant_id = $1), 0)
                """);
            cmd.Parameters.Add(new() { Value = tenant });
            if (Convert.ToInt64(await cmd.ExecuteScalarAsync(ct)) == 0) return;
            if (DateTime.UtcNow > until)
                throw new InvalidOperationException("The source database's daemon has not handled the practice's last events; nothing was moved. Try again later.");
            await Task.Delay(100, ct);
        }
    }

    /// <summary>Tables of schema portal with a tenant_id column, streams before events before the rest.</summary>
    static async Task<List<string>> TenantTablesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            select c.table_name from information_schema.columns c
            join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
            where c.table_schema = $1 and c.column_name = 'tenant_id' order by c.table_name
            """, conn) { Parameters = { new() { Value = S } } };
        var tables = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) tables.Add(reader.GetString(0));
        tables.Remove(TenantDatabases.MapTable[(S.Length + 1)..]);
        return [.. tables.OrderBy(t => t switch { "mt_streams" => 0, "mt_events" => 1, _ => 2 }).ThenBy(t => t, StringComparer.Ordinal)];
    }

    static async Task<List<string>> ColumnsAsync(NpgsqlConnection conn, string table, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            select column_name from information_schema.columns
            where table_schema = $1 and table_name = $2 and is_generated = 'NEVER' order by ordinal_position
            """, conn) { Parameters = { new() { Value = S }, new() { Value = table } } };
        var columns = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) columns.Add(reader.GetString(0));
        return columns;
    }

    static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    async Task<PracticeMoveReport> CopyAsync(NpgsqlDataSource source, NpgsqlDataSource target, string tenant, string from, string to,
        CancellationToken ct, IProgress<PracticeMoveProgress>? progress)
    {
        if (!Guid.TryParse(tenant, out _)) throw new ArgumentException("A practice id is a GUID.");
        var t = $"'{tenant}'"; // a GUID's text: safe to write into COPY's query, which takes no parameters
        await using var src = await source.OpenConnectionAsync(ct);
        // One snapshot of the source for the copy and its checks: background work (the webhook sender) may still touch the rows.
        await using var srcTx = await src.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using var dst = await target.OpenConnectionAsync(ct);
        await using var tx = await dst.BeginTransactionAsync(ct);
        await Exec(src, "set local timezone = 'UTC'", ct);
        await Exec(dst, "set local timezone = 'UTC'", ct);

        var tables = await TenantTablesAsync(src, ct);
        var targetTables = (await TenantTablesAsync(dst, ct)).ToHashSet();
        if (tables.FirstOrDefault(x => !targetTables.Contains(x)) is { } missing)
            throw new InvalidOperationException($"The target database has no table {S}.{missing}: start this version of Portal on it first.");

        // Leftovers of an earlier move away from the target: the practice's rows there are older than the source's.
        // Twice: a table kept by triggers (KeptByTriggersAfterMove) gets rows again when the rows it is kept from are deleted after it.
        for (var pass = 0; pass < 2; pass++)
            foreach (var table in Enumerable.Reverse(tables)) await Exec(dst, $"delete from {S}.{Quote(table)} where tenant_id = {t}", ct);

        var moved = new List<MovedTable>();
        // Events last, so their new sequence numbers are taken just before the commit (the target's daemon waits on a gap that
        // stays open only that long).
        foreach (var table in tables.Where(x => x != "mt_events").Append("mt_events"))
        {
            var columns = await ColumnsAsync(dst, table, ct);
            var sourceColumns = (await ColumnsAsync(src, table, ct)).ToHashSet();
            if (columns.FirstOrDefault(c => !sourceColumns.Contains(c)) is { } column)
                throw new InvalidOperationException($"{S}.{table}.{column} exists in the target only: run the same version of Portal on both databases first.");
            var list = string.Join(", ", columns.Select(Quote));
            if (rebuiltTables.Contains(table)) { moved.Add(new(table, 0, true)); continue; }
            if (triggerKept.Contains(table)) { moved.Add(new(table, 0, false)); continue; }

            var temp = Quote("move_" + table);
            await Exec(dst, $"create temp table {temp} (like {S}.{Quote(table)}) on commit drop", ct);
            await using (var reader = await src.BeginRawBinaryCopyAsync(
                             $"copy (select {list} from {S}.{Quote(table)} where tenant_id = {t}) to stdout (format binary)", ct))
            await using (var writer = await dst.BeginRawBinaryCopyAsync($"copy {temp} ({list}) from stdin (format binary)", ct))
                await reader.CopyToAsync(writer, ct);

            if (table == "mt_events")
            {
                // New sequence numbers from the target's sequence, in the original order; receipts and dead letters follow them, so a
                // reaction on the target skips events it handled on the source.
                await Exec(dst, $"""
                    create temp table move_sequence on commit drop as
                    select s.seq_id as old_seq, s.id as event_id, nextval('{S}.mt_events_sequence') as new_seq
                    from (select seq_id, id from {temp} order by seq_id) s
                    """, ct);
                var others = string.Join(", ", columns.Where(c => c != "seq_id").Select(c => "e." + Quote(c)));
                await Exec(dst, $"""
                    insert into {S}.mt_events (seq_id, {string.Join(", ", columns.Where(c => c != "seq_id").Select(Quote))})
                    select m.new_seq, {others} from {temp} e join move_sequence m on m.old_seq = e.seq_id order by m.new_seq
                    """, ct);
                // Two steps: the new ids may equal other rows' old ids (the two databases' sequences overlap), and PostgreSQL checks the
                // key row by row, so a one-step rename failed the move when a row took an id another row still had.
                foreach (var letters in new[] { Receipts, DeadLetters }.Where(targetTables.Contains))
                    await Exec(dst, $"""
                        update {S}.{letters} r set id = r.id || ':moving'
                        from move_sequence m where r.tenant_id = {t} and (r.data ->> 'EventId')::uuid = m.event_id
                        """, ct);
                foreach (var letters in new[] { Receipts, DeadLetters }.Where(targetTables.Contains))
                    await Exec(dst, $"""
                        update {S}.{letters} r set
                            id = (r.data ->> 'Reaction') || ':' || m.new_seq,
                            data = jsonb_set(jsonb_set(r.data, array['Sequence'], to_jsonb(m.new_seq)), array['Id'], to_jsonb((r.data ->> 'Reaction') || ':' || m.new_seq))
                        from move_sequence m where r.tenant_id = {t} and (r.data ->> 'EventId')::uuid = m.event_id
                        """, ct);
            }
            else
            {
                await Exec(dst, $"insert into {S}.{Quote(table)} ({list}) select {list} from {temp}", ct);
            }
            if (AfterTableCopied is { } hook) await hook(table);
            moved.Add(new(table, 0, false));
            progress?.Report(new($"Copying to '{to}'", moved.Count, tables.Count));
        }

        progress?.Report(new("Checking the copy against the source", tables.Count, tables.Count));
        // Verify: the same rows on both sides (receipts and dead letters by count: their ids carry the new sequences; events by
        // everything but the sequence number).
        var verified = new List<MovedTable>();
        string eventChecksum = "";
        foreach (var m in moved)
        {
            if (rebuiltTables.Contains(m.Table)) { verified.Add(m with { Verified = true }); continue; }
            var columns = await ColumnsAsync(dst, m.Table, ct);
            var compared = m.Table switch
            {
                "mt_events" => columns.Where(c => c != "seq_id").ToList(),
                _ when m.Table == Receipts || m.Table == DeadLetters => [],
                _ => columns,
            };
            var row = compared.Count == 0 ? "''" : "row(" + string.Join(", ", compared.Select(Quote)) + ")::text";
            var sql = $"select count(*), coalesce(md5(string_agg(md5({row}), '' order by md5({row}))), '') from {S}.{Quote(m.Table)} where tenant_id = {t}";
            var (sourceRows, sourceSum) = await Scalar2(src, sql, ct);
            var (targetRows, targetSum) = await Scalar2(dst, sql, ct);
            if (sourceRows != targetRows || sourceSum != targetSum)
                throw new InvalidOperationException(
                    $"Verification failed for {S}.{m.Table}: {sourceRows} rows in {from}, {targetRows} in {to}; nothing was moved.");
            if (m.Table == "mt_events") eventChecksum = targetSum;
            verified.Add(m with { Rows = targetRows, Verified = true });
        }
        await tx.CommitAsync(ct);
        await srcTx.CommitAsync(ct);
        return new(tenant, from, to, verified, eventChecksum);
    }

    /// <summary>Deletes every row of the practice from one database, in one transaction.</summary>
    public static async Task DeleteAsync(NpgsqlDataSource database, string tenant, CancellationToken ct)
    {
        if (!Guid.TryParse(tenant, out _)) throw new ArgumentException("A practice id is a GUID.");
        await using var conn = await database.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var tables = await TenantTablesAsync(conn, ct);
        // Twice: a table kept by triggers (the claims' roll-up) gets rows again when the claim snapshots are deleted after it.
        for (var pass = 0; pass < 2; pass++)
            foreach (var table in Enumerable.Reverse(tables))
                await Exec(conn, $"delete from {S}.{Quote(table)} where tenant_id = '{tenant}'", ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>How many rows the practice has in each table of one database (operators check a move with it; so do the tests).</summary>
    public static async Task<IReadOnlyDictionary<string, long>> CountAsync(NpgsqlDataSource database, string tenant, CancellationToken ct)
    {
        if (!Guid.TryParse(tenant, out _)) throw new ArgumentException("A practice id is a GUID.");
        await using var conn = await database.OpenConnectionAsync(ct);
        var counts = new Dictionary<string, long>();
        foreach (var table in await TenantTablesAsync(conn, ct))
        {
            await using var cmd = new NpgsqlCommand($"select count(*) from {S}.{Quote(table)} where tenant_id = '{tenant}'", conn);
            counts[table] = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
        }
        return counts;
    }

    static async Task Exec(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    static async Task<(long Rows, string Sum)> Scalar2(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetString(1));
    }
}
