using System.Data.Common;
using Npgsql;

namespace Portal.Web.Platform;

/// <summary>
/// Npgsql settings Portal runs with unless the connection string says otherwise (docs/deployment.md, docs/benchmarks.md).
/// <list type="bullet">
/// <item><c>No Reset On Close</c>: a pooled connection is not reset with <c>DISCARD ALL</c> when it returns. Portal keeps no
/// session state (no SET, no temp tables; the HotCold daemon's session advisory locks are unlocked before their connection
/// goes back to the pool, ADR 0048), and the
/// reset throws away PostgreSQL's cached plans, so every event append re-planned Marten's PL/pgSQL append function:
/// 1.3 ms per append with the reset, 0.4 ms without.</item>
/// <item>Automatic preparation of the statements used most, so PostgreSQL parses and plans them once per connection.</item>
/// <item><c>client_connection_check_interval</c> of 2 s (PostgreSQL's startup option): a backend checks every 2 s, while a
/// statement runs, whether its client is still there, so the statement of a node that died stops within 2 s (ADR 0043).</item>
/// <item>TCP keep-alives from the server after 10 s of silence, every 5 s, 3 probes. The HotCold daemon's leader holds each
/// shard's lock on a connection that sends nothing for as long as it leads (ADR 0048): a node whose process dies closes its
/// sockets and PostgreSQL frees its locks at once, but a node whose machine or network vanished sends no close, and the probes
/// end its backends within about 25 s instead of the kernel's two hours, so another node takes its shards. They also keep
/// such idle connections open through firewalls that drop silent ones. A connection string that sets <c>Options</c> keeps its
/// own (PgBouncer refuses unknown startup options: set these in postgresql.conf there).</item>
/// <item>An application name unique to the process (the configured one, or "Portal", then the process id and machine), so
/// <see cref="LeadershipWatch"/> finds the locks this node's backends hold in <c>pg_locks</c>.</item>
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
        (["Options"], "Options", $"-c client_connection_check_interval={DeadClientCheckMilliseconds} " +
            "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3"),
    ];

    public static string Apply(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        foreach (var (keys, key, value) in Defaults)
            if (!keys.Any(given.ContainsKey)) tuned[key] = value;
        tuned.ApplicationName = NodeApplicationName(tuned.ApplicationName);
        return tuned.ConnectionString;
    }

    /// <summary>"/pid@machine", at most 40 characters (a long machine name is cut).</summary>
    static readonly string NodeSuffix = Cut($"/{Environment.ProcessId}@{Environment.MachineName}", 40);

    /// <summary>
    /// <paramref name="configured"/> (or "Portal") with this process's id and machine, at most PostgreSQL's 63 bytes with the
    /// suffix kept whole; unchanged when it already carries the suffix.
    /// </summary>
    public static string NodeApplicationName(string? configured)
    {
        var name = string.IsNullOrEmpty(configured) ? "Portal" : configured;
        return name.EndsWith(NodeSuffix, StringComparison.Ordinal) ? name : Cut(name, 63 - NodeSuffix.Length) + NodeSuffix;
    }

    static string Cut(string s, int length) => s.Length > length ? s[..length] : s;
}
