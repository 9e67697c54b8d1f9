using Portal.Web.Platform;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;

namespace Portal.Web.Features.Payments;

public static class PaymentsModule
{
    public static IServiceCollection AddPayments(this IServiceCollection services)
    {
        services.AddSingleton<EraImport>();
        services.AddSingleton<IInboxFileHandler, EraInboxHandler>();
        return services.ConfigureMarten(o =>
        {
            o.Projections.Snapshot<RemittanceView>(SnapshotLifecycle.Inline);
            o.Schema.For<RemittanceView>().Index(r => r.ReceivedAt);
            o.Projections.Snapshot<DenialWorkItem>(SnapshotLifecycle.Inline);
            o.Schema.For<DenialWorkItem>().Index(i => i.State).Index(i => i.DueDate).Index(i => i.ClaimId);
            o.Projections.Snapshot<PayerAccount>(SnapshotLifecycle.Inline);
            o.Projections.Add<LedgerProjection>(ProjectionLifecycle.Inline);
            o.Schema.For<LedgerEntry>();
            o.Schema.For<RemittanceFile>();
            o.Schema.For<UnmatchedClaimPayment>().Index(u => u.State);
            o.Schema.For<PaymentSettings>();
            o.Schema.For<WorkItemDocument>();
        });
    }
}
