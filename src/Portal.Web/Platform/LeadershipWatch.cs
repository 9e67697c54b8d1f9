using JasperFx.Events.Daemon;

namespace Portal.Web.Platform;

/// <summary>
/// HotCold only (ADR 0048). A node holds each shard's leadership as a session advisory lock on a connection nothing queries, so
/// nothing in Marten notices when that connection is gone (PostgreSQL restarted or failed over, the backend terminated by hand,
/// the network cut): the node would go on running the shards while another node takes their locks. Every
/// <c>Portal:DaemonLeadershipPolling</c> this compares the shards the daemon runs here with the advisory locks this node's
/// backends hold (<c>pg_locks</c>, by the node's own application name, <see cref="ConnectionDefaults"/>). Fewer locks than
/// shards at two checks in a row means a lock was lost: the daemon is stopped, which stops every shard and lets go of the other
/// locks, and started again, so it runs again only the shards it can lock.
/// </summary>
public sealed class LeadershipWatch(IServiceProvider services, DaemonStatus status, TenantDatabases databases, IConfiguration config,
    ILogger<LeadershipWatch> log) : BackgroundService
{
    const string HeldSql = "select count(*) from pg_locks l join pg_stat_activity a on a.pid = l.pid " +
        "where l.locktype = 'advisory' and l.granted and a.datname = current_database() and a.application_name = current_setting('application_name')";

    /// <summary>How many times this node found a lock lost and restarted its daemon (<c>lockLossRestarts</c> in /health/ready).</summary>
    public int Restarts { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        if (status.Mode != "HotCold" || services.GetService<IProjectionCoordinator>() is not { } coordinator) return;
        var every = config.GetValue("Portal:DaemonLeadershipPolling", TimeSpan.FromSeconds(5));
        using var timer = new PeriodicTimer(every < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : every);
        var misses = 0;
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                var (running, held) = await CountAsync(coordinator, ct);
                misses = running > held ? misses + 1 : 0;
                if (misses < 2) continue;
                log.LogWarning("This node runs {Running} daemon shard(s) but holds {Held} leadership lock(s): a lock was lost with its " +
                    "connection. Restarting the daemon, which takes back only the shards it can lock.", running, held);
                await coordinator.StopAsync(ct);
                await coordinator.StartAsync(ct);
                Restarts++;
                misses = 0;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogWarning(e, "Checking this node's leadership locks failed; trying again at the next poll.");
            }
        }
    }

    async Task<(int Running, long Held)> CountAsync(IProjectionCoordinator coordinator, CancellationToken ct)
    {
        var running = 0;
        foreach (var daemon in await coordinator.AllDaemonsAsync())
            // Running agents only: a shard whose agent Marten paused after errors may have let its lock go on purpose.
            if (daemon.IsRunning) running += daemon.CurrentAgents().Count(a => a.Status == JasperFx.AgentStatus.Running);
        if (running == 0) return (0, 0);
        long held = 0;
        foreach (var (_, source) in databases.All)
        {
            await using var count = source.CreateCommand(HeldSql);
            held += (long)(await count.ExecuteScalarAsync(ct))!;
        }
        return (running, held);
    }
}
