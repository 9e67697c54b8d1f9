using JasperFx.Events.Projections;
using Marten;

namespace Portal.Web.Features.Claims.Submission;

public static class SubmissionModule
{
    public static IServiceCollection AddClaimSubmission(this IServiceCollection services)
    {
        services.AddSingleton(sp => SubmissionStorage.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<IClaimTransport, OutboxTransport>();
        services.AddSingleton<IClaimTransport, SftpTransport>();
        services.AddSingleton<ClaimTransports>();
        foreach (var set in new[] { "999", "277" })
            services.AddSingleton<IInboxFileHandler>(sp => new AcknowledgementInboxHandler(set, sp.GetRequiredService<IDocumentStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<InboxCheck>();
        services.AddSingleton<InboxPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<InboxPoller>());
        return services.ConfigureMarten(o =>
        {
            o.Projections.Snapshot<TradingPartnerSettings>(SnapshotLifecycle.Inline);
            o.Projections.Snapshot<ControlNumberCounter>(SnapshotLifecycle.Inline);
            o.Projections.Snapshot<ClaimBatchView>(SnapshotLifecycle.Inline);
            o.Schema.For<ClaimBatchView>().Index(b => b.GroupControlNumber).Index(b => b.Reference).Index(b => b.Sequence);
            o.Schema.For<Acknowledgement>().Index(a => a.Sequence);
        });
    }
}
