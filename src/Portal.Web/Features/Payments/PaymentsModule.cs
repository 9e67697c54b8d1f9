using Portal.Web.Platform;
using Portal.Web.Platform.Home;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;

namespace Portal.Web.Features.Payments;

public static class PaymentsModule
{
    public static IServiceCollection AddPayments(this IServiceCollection services)
    {
        services.AddHostedService<LedgerTablesStartup>();
        // A move (ADR 0031) leaves the claims' roll-up to the target's triggers, which fill it from the moved claim snapshots.
        services.AddSingleton(new Platform.KeptByTriggersAfterMove(ClaimDailyRollup.Table[(MartenSetup.Schema.Length + 1)..]));
        services.AddSingleton<EraImport>();
        services.AddHomeCard<DenialsCard>();
        services.AddSingleton<IInboxFileHandler, EraInboxHandler>();
        return services.ConfigureMarten(o =>
        {
            o.Projections.Snapshot<RemittanceView>(SnapshotLifecycle.Inline);
            o.Schema.For<RemittanceView>().Index(r => r.ReceivedAt);
            o.Projections.Snapshot<DenialWorkItem>(SnapshotLifecycle.Inline);
            o.Schema.For<DenialWorkItem>().Index(i => i.State).Index(i => i.DueDate).Index(i => i.ClaimId);
            o.Projections.Snapshot<PayerAccount>(SnapshotLifecycle.Inline);
            o.Projections.Add(new LedgerProjection(), ProjectionLifecycle.Inline);
            o.Schema.For<RemittanceFile>();
            o.Schema.For<UnmatchedClaimPayment>().Index(u => u.State);
            o.Schema.For<PaymentSettings>();
            o.Schema.For<WorkItemDocument>();
            o.Schema.For<ArFollowUp>().Index(f => f.Owner);
        });
    }
}
