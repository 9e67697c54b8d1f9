using Npgsql;
using Portal.Web.Platform;

namespace Portal.Tests.Platform;

/// <summary>The Npgsql settings Portal adds to its connection string (ConnectionDefaults; docs/deployment.md 4.1.1, ADR 0048).</summary>
public class ConnectionSettings
{
    // "/pid@machine", cut to 40 characters as ConnectionDefaults cuts it.
    static readonly string Suffix = $"/{Environment.ProcessId}@{Environment.MachineName}" is var s && s.Length > 40 ? s[..40] : s;

    [Fact]
    public void the_defaults_are_added_and_what_the_string_sets_is_kept()
    {
        var tuned = new NpgsqlConnectionStringBuilder(ConnectionDefaults.Apply("Host=db;Username=u;Max Auto Prepare=5"));
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal(5, tuned.MaxAutoPrepare);
        Assert.Contains("client_connection_check_interval=2000", tuned.Options);
        Assert.Contains("tcp_keepalives_idle=10", tuned.Options);

        var own = new NpgsqlConnectionStringBuilder(ConnectionDefaults.Apply("Host=db;Options=-c search_path=x"));
        Assert.Equal("-c search_path=x", own.Options);
    }

    [Fact]
    public void each_process_connects_under_its_own_application_name_once_suffixed()
    {
        var named = new NpgsqlConnectionStringBuilder(ConnectionDefaults.Apply("Host=db"));
        Assert.Equal("Portal" + Suffix, named.ApplicationName);
        var configured = ConnectionDefaults.Apply("Host=db;Application Name=node-a");
        Assert.Equal("node-a" + Suffix, new NpgsqlConnectionStringBuilder(configured).ApplicationName);
        // Applied twice (the main string and the databases of ADR 0031 pass through it): still one suffix.
        Assert.Equal("node-a" + Suffix, new NpgsqlConnectionStringBuilder(ConnectionDefaults.Apply(configured)).ApplicationName);

        // PostgreSQL keeps 63 bytes of it: a long configured name is cut, never the process part that tells nodes apart.
        var longName = ConnectionDefaults.NodeApplicationName(new string('n', 80));
        Assert.Equal(63, longName.Length);
        Assert.EndsWith(Suffix, longName);
        Assert.Equal(longName, ConnectionDefaults.NodeApplicationName(longName));
    }
}
