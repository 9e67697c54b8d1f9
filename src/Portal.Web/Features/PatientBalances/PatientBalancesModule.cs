using JasperFx.Events.Projections;
using Marten;
using Portal.Web.Platform.Reactions;

namespace Portal.Web.Features.PatientBalances;

public static class PatientBalancesModule
{
    public static IServiceCollection AddPatientBalances(this IServiceCollection services)
    {
        services.AddOptions<StripeSettings>().BindConfiguration("Portal:Stripe");
        services.AddSingleton<PortalStripe>();
        services.AddSingleton<PayLinks>();
        services.AddSingleton<StripeWebhooks>();
        services.AddSingleton<StatementRunQueue>();
        services.AddScoped<StatementRunner>();
        services.AddHostedService<StatementRunWorker>();
        services.AddHostedService<StatementMailSender>();
        services.AddHostedService<Subscriptions.UsageReporter>();
        services.AddReaction<Subscriptions.UsageCounting>();
        // The ledger is an async projection: a practice moved to another database gets it rebuilt there by the daemon (ADR 0031).
        services.AddSingleton(new Platform.RebuiltAfterMove(typeof(PatientLedger)));
        return services.ConfigureMarten(o =>
        {
            o.Projections.Snapshot<PatientAccount>(SnapshotLifecycle.Inline);
            o.Projections.Add<PatientLedgerProjection>(ProjectionLifecycle.Async);
            o.Schema.For<PatientAccount>().Index(a => a.PatientId);
            o.Schema.For<PatientLedger>().Index(l => l.Balance);
            o.Schema.For<PatientBillingSettings>();
            o.Schema.For<StatementRun>();
            o.Schema.For<StatementRecord>().Index(s => s.RunId);
            o.Schema.For<StatementMail>().SingleTenanted().Index(m => m.SentAt);
            o.Schema.For<StripeWebhookReceipt>().SingleTenanted().Index(r => r.WaitingFor);
            o.Schema.For<StripePaymentIndex>().SingleTenanted();
            o.Schema.For<Subscriptions.BillingPlan>().SingleTenanted();
            o.Schema.For<Subscriptions.OrganizationSubscription>().SingleTenanted().Index(x => x.StripeCustomerId);
            o.Schema.For<Subscriptions.UsageReport>().SingleTenanted();
            o.Schema.For<Subscriptions.UsageCount>().SingleTenanted().Index(x => x.OrganizationId);
        });
    }
}
