using JasperFx;
using JasperFx.Events.Daemon;
using JasperFx.MultiTenancy;
using Marten;
using Weasel.Core;

namespace Portal.Web.Platform;

public static class MartenSetup
{
    public const string Schema = "portal";

    public static void AddPortalMarten(this WebApplicationBuilder builder, string connectionString)
    {
        // One database unless Portal:Databases names more (ADR 0031); with one, Marten's own default tenancy as always.
        var databases = new TenantDatabases(connectionString, builder.Configuration);
        builder.Services.AddSingleton(databases);
        builder.Services.AddHostedService<TenantMapRefresher>();
        builder.Services.AddSingleton<PracticeMove>();
        var marten = builder.Services.AddMarten(opts =>
            {
                opts.Connection(connectionString);
                if (databases.Several) opts.Tenancy = new PortalTenancy(opts, databases);
                opts.DatabaseSchemaName = Schema;
                opts.Events.DatabaseSchemaName = Schema;
                opts.Events.TenancyStyle = TenancyStyle.Conjoined;
                opts.Events.StreamIdentity = JasperFx.Events.StreamIdentity.AsGuid;
                // HotCold leadership (ADR 0048): session-scoped advisory locks on a connection that sits idle, no transaction and
                // no pg_sleep "monitor" on it, so a leading node holds back no snapshot and vacuum keeps up; LeadershipWatch
                // finds a lock lost with its connection instead of the monitor.
                opts.Events.UseAdvisoryLockTransaction = false;
                opts.Events.UseMonitoredAdvisoryLock = false;
                opts.Policies.AllDocumentsAreMultiTenanted();
                // Natural keys per practice (MRN, NPI, payer id, active engagement, app name): primary key (tenant_id, id).
                opts.Schema.For<UniqueKey>();
                opts.AutoCreateSchemaObjects = builder.Environment.IsProduction() ? AutoCreate.CreateOrUpdate : AutoCreate.All;
                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString);
                // The daemon polls for new events (reactions, async projections): every 250 ms while events flow, every
                // second when idle. Portal:DaemonIdlePolling tunes the idle poll (ADR 0010).
                opts.Projections.SlowPollingTime = builder.Configuration.GetValue("Portal:DaemonIdlePolling", TimeSpan.FromSeconds(1));
                opts.Projections.FastPollingTime = builder.Configuration.GetValue("Portal:DaemonBusyPolling", TimeSpan.FromMilliseconds(250));
                // Portal:DaemonWakeOnAppend: every append also sends a NOTIFY (in the same batch, at commit) and the daemon's
                // high-water agent LISTENs on one connection per database, so it looks at once instead of at its next poll;
                // the polls stay as the fallback. Off by default; the tests turn it on (ADR 0039).
                opts.Events.UseListenNotifyForEventAppends = builder.Configuration.GetValue("Portal:DaemonWakeOnAppend", false);
                // How long the daemon waits on a gap in the event sequence (an append that rolled back) before skipping it.
                opts.Projections.StaleSequenceThreshold = builder.Configuration.GetValue("Portal:DaemonGapWait", TimeSpan.FromSeconds(3));
                // HotCold: how often a standby node tries to take the leadership lock, i.e. the longest a dead leader's work
                // waits for another node (plus the time PostgreSQL takes to notice the dead connection and free its lock).
                opts.Projections.LeadershipPollingTime = (int)builder.Configuration
                    .GetValue("Portal:DaemonLeadershipPolling", TimeSpan.FromSeconds(5)).TotalMilliseconds;
            })
            .UseLightweightSessions()
            .BuildSessionsWith<TenantSessionFactory>(ServiceLifetime.Scoped)
            .ApplyAllDatabaseChangesOnStartup();
        builder.Services.ConfigureMarten((services, opts) =>
            opts.Logger(new PhiSafeMartenLogger(services.GetRequiredService<ILoggerFactory>().CreateLogger("Marten"))));

        // One node runs async projections: Solo on a single machine or a dedicated worker; HotCold elects a leader
        // among several; Disabled for web nodes when a worker runs them (docs/deployment.md).
        var daemon = builder.Configuration["Portal:Daemon"] ?? "Solo";
        switch (daemon.ToLowerInvariant())
        {
            case "solo": marten.AddAsyncDaemon(DaemonMode.Solo); break;
            case "hotcold": marten.AddAsyncDaemon(DaemonMode.HotCold); break;
            case "disabled": break;
            default: throw new InvalidOperationException($"Portal:Daemon must be Solo, HotCold or Disabled, not '{daemon}'.");
        }
        builder.Services.AddSingleton(new DaemonStatus(daemon));
        builder.Services.AddSingleton<LeadershipWatch>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LeadershipWatch>());
        builder.Services.AddHealthChecks().AddCheck<DaemonHealthCheck>("daemon", tags: ["ready"]);
    }
}

/// <summary>
/// Sessions come from one place: the practice that <see cref="PracticeScopeMiddleware"/> resolved for the request.
/// Feature code never passes a tenant id around. Requests without a practice scope (sign-in, the practice list)
/// get the default tenant, which only global (single-tenanted) documents use.
/// </summary>
sealed class TenantSessionFactory(IDocumentStore store, IHttpContextAccessor http) : ISessionFactory
{
    string Tenant => http.HttpContext?.CurrentPractice()?.TenantId ?? StorageConstants.DefaultTenantId;

    public IQuerySession QuerySession() => store.QuerySession(Tenant);
    public IDocumentSession OpenSession() => store.LightweightSession(Tenant);
}

/// <summary>
/// What this process's async daemon (reactions, async projections) runs right now: everything in Solo, nothing when Disabled,
/// and in HotCold the shards whose leadership lock it holds (docs/deployment.md, section 3).
/// </summary>
public sealed class DaemonStatus(string mode)
{
    public string Mode { get; } = mode.ToLowerInvariant() switch { "solo" => "Solo", "hotcold" => "HotCold", _ => "Disabled" };

    /// <summary>
    /// The subscriptions and projection shards (e.g. <c>claims.draft-on-approval:All</c>) the daemon runs on this node now. In
    /// HotCold, Marten elects a leader per shard (one advisory lock each), so several nodes share the shards between them and
    /// each shard runs on exactly one node; a standby that holds none reports an empty list.
    /// </summary>
    public IReadOnlyList<string> RunningShards(IServiceProvider services)
    {
        if (Mode == "Disabled" || services.GetService<IProjectionCoordinator>() is not { } coordinator) return [];
        try
        {
            var daemon = coordinator.DaemonForMainDatabase();
            return daemon.IsRunning ? [.. daemon.CurrentAgents().Select(a => a.Name.Identity).Order(StringComparer.Ordinal)] : [];
        }
        catch (InvalidOperationException)
        {
            return []; // no daemon built yet for the database: this node has led nothing so far
        }
    }
}

/// <summary>/health/ready reports the daemon's mode, the shards this node runs and how often it restarted its daemon after losing a leadership lock (ADR 0048); informational, always Healthy.</summary>
sealed class DaemonHealthCheck(DaemonStatus status, LeadershipWatch watch, IServiceProvider services) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken ct = default)
    {
        var shards = status.RunningShards(services);
        return Task.FromResult(Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy(
            shards.Count > 0 ? $"This node runs {shards.Count} daemon shard(s)." : "This node runs no daemon shard now.",
            new Dictionary<string, object> { ["mode"] = status.Mode, ["shards"] = shards, ["lockLossRestarts"] = watch.Restarts }));
    }
}
