using System.Text.Json.Serialization;
using JasperFx.Events;
using Marten;
using Npgsql;

namespace Portal.Web.Platform.Reactions;

/// <summary>How far one reaction is behind the event store, read from the database (so any node can tell, daemon or not).</summary>
/// <param name="Behind">Events of the reaction's type appended after its position (counted up to 10,000).</param>
/// <param name="OldestUnhandledAge">Age of the oldest of them; zero when caught up.</param>
/// <param name="Position">The daemon's position for the reaction (mt_event_progression); HighWaterMark is the newest event's sequence.</param>
public sealed record ReactionLag(string Reaction, long Behind, [property: JsonIgnore] TimeSpan OldestUnhandledAge, long DeadLetters, long Position, long HighWaterMark)
{
    public double OldestUnhandledSeconds => Math.Round(OldestUnhandledAge.TotalSeconds, 1);
}

public sealed class ReactionMonitor(IEnumerable<IReaction> reactions, IDocumentStore store, TenantDatabases databases, TimeProvider clock)
{
    const int CountCap = 10_000;
    readonly IReaction[] all = [.. reactions];

    public IReadOnlyList<IReaction> Reactions => all;


    /// <summary>The progression row Marten keeps for a subscription: its name and the shard key "All".</summary>
    public static string ShardOf(IReaction reaction) => $"{reaction.Name}:All";

    public async Task<IReadOnlyList<ReactionLag>> LagAsync(CancellationToken ct = default)
    {
        if (all.Length == 0) return [];
        if (!databases.Several) return await LagAsync(databases.Common, ct);
        // Several databases (ADR 0031): a daemon, positions and sequences per database. A reaction is as far behind as the sum of
        // its databases, its oldest unhandled event the oldest of any; position and high-water mark are the main database's.
        var each = new List<IReadOnlyList<ReactionLag>>();
        foreach (var (_, source) in databases.All) each.Add(await LagAsync(source, ct));
        return [.. all.Select((r, i) => each[0][i] with
        {
            Behind = each.Sum(l => l[i].Behind),
            OldestUnhandledAge = each.Max(l => l[i].OldestUnhandledAge),
            DeadLetters = each.Sum(l => l[i].DeadLetters),
        })];
    }

    async Task<IReadOnlyList<ReactionLag>> LagAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        var schema = MartenSetup.Schema;
        var deadLetters = $"{schema}.mt_doc_{nameof(ReactionDeadLetter).ToLowerInvariant()}";
        await using var batch = db.CreateBatch();
        foreach (var r in all)
        {
            var types = r.EventTypes.Select(t => t.GetEventTypeName()).ToArray();
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
                with p as (select coalesce((select last_seq_id from {schema}.mt_event_progression where name = $1), 0) as pos),
                     pending as (select e.timestamp from {schema}.mt_events e, p
                                 where e.seq_id > p.pos and e.type = any($2) and not e.is_archived order by e.seq_id limit {CountCap})
                select p.pos,
                       coalesce((select max(seq_id) from {schema}.mt_events), 0),
                       (select count(*) from pending),
                       (select min(timestamp) from pending),
                       (select count(*) from {deadLetters} d where d.data ->> 'Reaction' = $3)
                from p
                """) { Parameters = { new() { Value = ShardOf(r) }, new() { Value = types }, new() { Value = r.Name } } });
        }
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var now = clock.GetUtcNow();
        var lags = new List<ReactionLag>();
        foreach (var r in all)
        {
            await reader.ReadAsync(ct);
            var oldest = reader.IsDBNull(3) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(3);
            lags.Add(new ReactionLag(r.Name, reader.GetInt64(2), oldest is { } o && now > o ? now - o : TimeSpan.Zero,
                reader.GetInt64(4), reader.GetInt64(0), reader.GetInt64(1)));
            await reader.NextResultAsync(ct);
        }
        return lags;
    }

    /// <summary>Runs every dead-lettered event of a reaction again (after the cause was fixed); returns how many succeeded.</summary>
    public async Task<int> RetryDeadLettersAsync(string reactionName, ReactionRunner runner, CancellationToken ct = default)
    {
        var reaction = all.Single(r => r.Name == reactionName);
        var retried = 0;
        foreach (var name in databases.Names)
        {
            var database = await store.Storage.FindOrCreateDatabase(name);
            await using var query = store.QuerySession(Marten.Services.SessionOptions.ForDatabase(database));
            retried += await RetryDeadLettersAsync(query, reaction, runner, ct);
        }
        return retried;
    }

    async Task<int> RetryDeadLettersAsync(IQuerySession query, IReaction reaction, ReactionRunner runner, CancellationToken ct)
    {
        var reactionName = reaction.Name;
        var parked = await query.Query<ReactionDeadLetter>().Where(d => d.AnyTenant() && d.Reaction == reactionName).ToListAsync(ct);
        var retried = 0;
        foreach (var letter in parked)
        {
            var found = await query.Events.QueryAllRawEvents().Where(e => e.AnyTenant() && e.Sequence == letter.Sequence).ToListAsync(ct);
            if (found.Count == 0) continue;
            if (await runner.RunAsync(store, reaction, found[0], ct) == ReactionOutcome.DeadLettered) continue;
            await using var session = store.LightweightSession(found[0].TenantId);
            session.Delete(letter);
            await session.SaveChangesAsync(ct);
            retried++;
        }
        return retried;
    }
}
