using System.Text;
using Marten;
using Npgsql;
using NpgsqlTypes;
using Portal.Web.Platform;

namespace Portal.Web.Features.Payments;

/// <summary>What a replay did: the practice (null = all), events read and the rows the tables hold afterwards.</summary>
public sealed record LedgerReplayResult(string? Practice, int Events, long LedgerRows, long DailyRows, long ClaimRows, long ClaimDailyRows);

/// <summary>
/// Rebuilds the payments read tables (ADR 0020, 0028) from what they summarise, for a database from before the tables or after a
/// fix of the projection: the ledger rows, the daily roll-up and the claims' outcomes from the posting events in <c>mt_events</c>
/// (through <see cref="LedgerProjection.Commands"/>, the live projection's own code), the claims' daily roll-up from the claim
/// snapshots. One transaction: the four tables are locked against writers (a posting waits, then adds its own rows after),
/// the practice's rows deleted and rebuilt, so running it twice gives the same rows.
/// </summary>
public sealed class LedgerReplay(IDocumentStore store, NpgsqlDataSource db)
{
    const int Page = 5_000;

    /// <summary>A posting racing the replay may take the tables' locks in another order: PostgreSQL then aborts one of the two, and a
    /// refused replay tries again.</summary>
    public async Task<LedgerReplayResult> RunAsync(Guid? practice, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await Once(practice, ct); }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 3) { }
        }
    }

    async Task<LedgerReplayResult> Once(Guid? practice, CancellationToken ct)
    {
        var tenant = practice?.ToString();
        var events = (Marten.Events.EventGraph)((StoreOptions)store.Options).Events;
        var serializer = store.Options.Serializer();
        var types = LedgerProjection.EventTypes.ToDictionary(t => events.EventMappingFor(t).EventTypeName);
        string[] tables = [LedgerTables.Ledger, LedgerTables.Daily, LedgerTables.ClaimOutcome, ClaimDailyRollup.Table];

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await Execute(conn, tx, $"lock table {string.Join(", ", tables)} in exclusive mode", ct);
        foreach (var table in tables.Take(3))
            await Execute(conn, tx, $"delete from {table}" + (tenant is null ? "" : " where tenant_id = $1"), ct, tenant is null ? [] : [tenant]);

        var read = 0;
        var after = long.MinValue;
        while (true)
        {
            var page = new List<(Guid Id, string Tenant, object Data)>();
            await using (var cmd = new NpgsqlCommand(
                $"select seq_id, id, tenant_id, type, data from {MartenSetup.Schema}.mt_events where type = any($1) and seq_id > $2" +
                (tenant is null ? "" : " and tenant_id = $3") + " order by seq_id limit " + Page, conn, tx))
            {
                cmd.Parameters.Add(new NpgsqlParameter { Value = types.Keys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
                cmd.Parameters.Add(new NpgsqlParameter { Value = after });
                if (tenant is not null) cmd.Parameters.Add(new NpgsqlParameter { Value = tenant });
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                {
                    after = r.GetInt64(0);
                    page.Add((r.GetGuid(1), r.GetString(2), serializer.FromJson(types[r.GetString(3)], r, 4)));
                }
            }
            if (page.Count == 0) break;
            read += page.Count;
            foreach (var (sql, args) in LedgerProjection.Commands(page)) await Execute(conn, tx, Positional(sql), ct, args);
        }
        await ClaimDailyRollup.RebuildAsync(conn, tx, tenant, ct);

        var counts = new long[tables.Length];
        for (var i = 0; i < tables.Length; i++)
        {
            await using var count = new NpgsqlCommand($"select count(*) from {tables[i]}" + (tenant is null ? "" : " where tenant_id = $1"), conn, tx);
            if (tenant is not null) count.Parameters.AddWithValue(tenant);
            counts[i] = (long)(await count.ExecuteScalarAsync(ct))!;
        }
        await tx.CommitAsync(ct);
        return new LedgerReplayResult(tenant, read, counts[0], counts[1], counts[2], counts[3]);
    }

    static async Task Execute(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct, object[]? args = null)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var a in args ?? []) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Marten's <c>?</c> placeholders as PostgreSQL's <c>$1, $2…</c> (the ledger statements hold no other question mark).</summary>
    static string Positional(string sql)
    {
        var text = new StringBuilder(sql.Length + 16);
        var n = 0;
        foreach (var c in sql)
            if (c == '?') text.Append('$').Append(++n);
            else text.Append(c);
        return text.ToString();
    }
}

/// <summary>
/// <c>dotnet run --project src/Portal.Web -- payments replay-ledger [--practice &lt;id&gt;]</c>: rebuilds the payments read tables from the
/// posting events and the claim snapshots (<see cref="LedgerReplay"/>) for one practice or all, instead of running the web host.
/// Exit code 0 on success, 1 when the arguments are wrong.
/// </summary>
public static class PaymentsCommand
{
    public const string Usage = "usage: payments replay-ledger [--practice <practice id>]";

    public static bool Matches(string[] args) => args is ["payments", ..];

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter? output = null)
    {
        output ??= Console.Out;
        Guid? practice = null;
        switch (args)
        {
            case ["payments", "replay-ledger"]: break;
            case ["payments", "replay-ledger", "--practice", var raw] when Guid.TryParse(raw, out var id): practice = id; break;
            default:
                await Console.Error.WriteLineAsync(Usage);
                return 1;
        }
        // Several databases (ADR 0031): a practice is replayed in its own database, "every practice" in each database in turn.
        var databases = services.GetRequiredService<TenantDatabases>();
        var store = services.GetRequiredService<IDocumentStore>();
        foreach (var database in await store.Storage.AllDatabases()) await database.EnsureStorageExistsAsync(typeof(Claims.ClaimView), default);
        var sources = practice is { } one ? [databases.For(one)] : databases.All.Select(d => d.Source).ToList();
        foreach (var db in sources)
        {
            await LedgerTables.EnsureCreatedAsync(db, default);
            await ClaimDailyRollup.EnsureCreatedAsync(db, default);
            var started = System.Diagnostics.Stopwatch.StartNew();
            var r = await new LedgerReplay(store, db).RunAsync(practice, default);
            await output.WriteLineAsync($"{(r.Practice is null ? "every practice" : "practice " + r.Practice)}: {r.Events:N0} posting events replayed; " +
                                        $"{r.LedgerRows:N0} ledger rows, {r.DailyRows:N0} daily roll-up rows, {r.ClaimRows:N0} claim outcomes, " +
                                        $"{r.ClaimDailyRows:N0} claim roll-up rows; {started.Elapsed.TotalSeconds:N1} s.");
        }
        return 0;
    }
}
