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
        var marten = builder.Services.AddMarten(opts =>
            {
                opts.Connection(connectionString);
                opts.DatabaseSchemaName = Schema;
                opts.Events.DatabaseSchemaName = Schema;
                opts.Events.TenancyStyle = TenancyStyle.Conjoined;
                opts.Events.StreamIdentity = JasperFx.Events.StreamIdentity.AsGuid;
                // Needed for the async daemon's HotCold election with our DistributedLock shim (ADR 0002).
                opts.Events.UseAdvisoryLockTransaction = true;
                opts.Policies.AllDocumentsAreMultiTenanted();
                // Natural keys per practice (MRN, NPI, payer id, active engagement, app name): primary key (tenant_id, id).
                opts.Schema.For<UniqueKey>();
                opts.AutoCreateSchemaObjects = builder.Environment.IsProduction() ? AutoCreate.CreateOrUpdate : AutoCreate.All;
                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString);
                // The daemon polls for new events (reactions, async projections): every 250 ms while events flow, every
                // second when idle. Portal:DaemonIdlePolling tunes the idle poll (ADR 0010).
                opts.Projections.SlowPollingTime = builder.Configuration.GetValue("Portal:DaemonIdlePolling", TimeSpan.FromSeconds(1));
                // How long the daemon waits on a gap in the event sequence (an append that rolled back) before skipping it.
                opts.Projections.StaleSequenceThreshold = builder.Configuration.GetValue("Portal:DaemonGapWait", TimeSpan.FromSeconds(3));
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
