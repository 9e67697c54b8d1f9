using System.Data.Common;
using Npgsql;

namespace Portal.Web.Platform;

/// <summary>
/// Npgsql settings Portal runs with unless the connection string says otherwise (docs/deployment.md, docs/benchmarks.md).
/// <list type="bullet">
/// <item><c>No Reset On Close</c>: a pooled connection is not reset with <c>DISCARD ALL</c> when it returns. Portal keeps no
/// session state (no SET, no temp tables, no session advisory locks; the daemon's locks are transaction-scoped), and the
/// reset throws away PostgreSQL's cached plans, so every event append re-planned Marten's PL/pgSQL append function:
/// 1.3 ms per append with the reset, 0.4 ms without.</item>
/// <item>Automatic preparation of the statements used most, so PostgreSQL parses and plans them once per connection.</item>
/// <item><c>client_connection_check_interval</c> of 2 s (PostgreSQL's startup option): a backend checks every 2 s, while a
/// statement runs, whether its client is still there. The HotCold daemon's leader holds each shard's lock in a transaction whose
/// connection sits in <c>pg_sleep</c> (DistributedLock's keep-alive); when a node dies, PostgreSQL noticed that only when the
/// sleep ended, so another node took over its shards about a minute later. With the check it does within the check interval
/// plus <c>Portal:DaemonLeadershipPolling</c> (docs/deployment.md, section 3). A connection string that sets <c>Options</c> keeps
/// its own (PgBouncer refuses unknown startup options: set the interval in postgresql.conf there).</item>
/// </list>
/// </summary>
public static class ConnectionDefaults
{
    /// <summary>How often PostgreSQL checks, while a statement runs, that the node that sent it is still connected.</summary>
    const int DeadClientCheckMilliseconds = 2000;

    static readonly (string[] Keys, string Key, object Value)[] Defaults =
    [
        (["No Reset On Close", "NoResetOnClose"], "No Reset On Close", true),
        (["Max Auto Prepare", "MaxAutoPrepare"], "Max Auto Prepare", 100),
        (["Auto Prepare Min Usages", "AutoPrepareMinUsages"], "Auto Prepare Min Usages", 2),
        (["Options"], "Options", $"-c client_connection_check_interval={DeadClientCheckMilliseconds}"),
    ];

    public static string Apply(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        foreach (var (keys, key, value) in Defaults)
            if (!keys.Any(given.ContainsKey)) tuned[key] = value;
        return tuned.ConnectionString;
    }
}
