using System.Diagnostics.Metrics;
using Npgsql;
using Portal.Web.Platform.Reactions;

namespace Portal.Web.Platform;

/// <summary>
/// Gauges of how far background work is behind, read from the database when a metrics reader collects (every export
/// interval, 60 s by default), so every node reports them whether or not it runs the daemon:
/// <c>portal.reactions.behind</c>, <c>portal.reactions.oldest_unhandled_age</c> and <c>portal.reactions.dead_letters</c> per
/// reaction (the same figures as /health/ready), <c>portal.daemon.behind</c> per daemon shard (async projections and
/// reactions: newest event minus the shard's position), and <c>portal.daemon.agents</c>, the shards this node runs (0 on a
/// HotCold standby). Tags are reaction and shard names only: nothing about a practice or a patient.
/// </summary>
public sealed class LagMetrics
{
    readonly ReactionMonitor monitor;
    readonly TenantDatabases databases;
    readonly Lock gate = new();
    (DateTime At, IReadOnlyList<ReactionLag> Reactions, IReadOnlyList<(string Shard, long Behind)> Shards)? last;

    public LagMetrics(IMeterFactory meters, ReactionMonitor monitor, TenantDatabases databases, DaemonStatus daemon, IServiceProvider services)
    {
        this.monitor = monitor;
        this.databases = databases;
        var meter = meters.Create(Telemetry.Name);
        meter.CreateObservableGauge("portal.reactions.behind", () => Read().Reactions.Select(l => Measure(l.Behind, "reaction", l.Reaction)),
            "{event}", "Events a reaction has not handled yet");
        meter.CreateObservableGauge("portal.reactions.oldest_unhandled_age",
            () => Read().Reactions.Select(l => Measure(l.OldestUnhandledAge.TotalSeconds, "reaction", l.Reaction)),
            "s", "Age of the oldest event a reaction has not handled yet (0 when caught up)");
        meter.CreateObservableGauge("portal.reactions.dead_letters", () => Read().Reactions.Select(l => Measure(l.DeadLetters, "reaction", l.Reaction)),
            "{event}", "Events a reaction gave up on after its retries");
        meter.CreateObservableGauge("portal.daemon.behind", () => Read().Shards.Select(s => Measure(s.Behind, "shard", s.Shard)),
            "{event}", "Events appended after a daemon shard's position (async projections and reactions)");
        meter.CreateObservableGauge("portal.daemon.agents", () => daemon.RunningShards(services).Count,
            "{agent}", "Daemon shards running on this node (0 on a HotCold standby or a node with the daemon disabled)");
    }

    static Measurement<T> Measure<T>(T value, string tag, string name) where T : struct => new(value, new KeyValuePair<string, object?>(tag, name));

    // The five gauges are collected one after the other: one database round per collection, not five.
    (IReadOnlyList<ReactionLag> Reactions, IReadOnlyList<(string Shard, long Behind)> Shards) Read()
    {
        lock (gate)
        {
            if (last is { } cached && DateTime.UtcNow - cached.At < TimeSpan.FromSeconds(1)) return (cached.Reactions, cached.Shards);
            try
            {
                // Collection runs on the metric reader's own thread (or the caller's, for a listener), never on a request.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                var reactions = monitor.LagAsync(timeout.Token).GetAwaiter().GetResult();
                var shards = ShardsAsync(timeout.Token).GetAwaiter().GetResult();
                last = (DateTime.UtcNow, reactions, shards);
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
            {
                // The database does not answer: report nothing rather than stale figures; /health/ready says why.
                last = (DateTime.UtcNow, [], []);
            }
            return (last.Value.Reactions, last.Value.Shards);
        }
    }

    // Several databases (ADR 0031): a daemon per database, so a shard is as far behind as the sum over the databases.
    async Task<IReadOnlyList<(string, long)>> ShardsAsync(CancellationToken ct)
    {
        var behind = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (_, db) in databases.All)
            foreach (var (shard, n) in await ShardsAsync(db, ct))
                behind[shard] = behind.GetValueOrDefault(shard) + n;
        return [.. behind.Select(kv => (kv.Key, kv.Value))];
    }

    static async Task<IReadOnlyList<(string, long)>> ShardsAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            select p.name, greatest(coalesce((select max(seq_id) from {MartenSetup.Schema}.mt_events), 0) - p.last_seq_id, 0)
            from {MartenSetup.Schema}.mt_event_progression p where p.name <> 'HighWaterMark' order by p.name
            """);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var shards = new List<(string, long)>();
        while (await reader.ReadAsync(ct)) shards.Add((reader.GetString(0), reader.GetInt64(1)));
        return shards;
    }
}
