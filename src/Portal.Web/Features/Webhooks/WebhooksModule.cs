using Marten;
using Microsoft.Extensions.Options;
using Portal.Web.Platform.Reactions;

namespace Portal.Web.Features.Webhooks;

public static class WebhooksModule
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        // http:// and receivers on this machine or the local network are for development and tests; configuration may still say otherwise.
        services.AddOptions<WebhookOptions>()
            .Configure<IHostEnvironment>((o, env) => o.AllowHttp = o.AllowPrivateNetworks = env.IsDevelopment() || env.IsEnvironment("Testing"))
            .BindConfiguration("Portal:Webhooks");
        services.AddHttpClient(WebhookSender.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookSender.Handler(sp.GetRequiredService<IOptions<WebhookOptions>>().Value))
            // The sender logs each try on the delivery; HttpClient's own per-request log lines would only repeat them.
            .RemoveAllLoggers();
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<WebhookSender>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        services.ConfigureMarten(o =>
        {
            o.Schema.For<WebhookSubscription>().UseNumericRevisions(true).Metadata(m => m.Revision.MapTo(s => s.Version));
            // Columns the sender's claim query reads (WebhookOutbox): status and due time, per subscription.
            o.Schema.For<WebhookDelivery>().Duplicate(d => d.Status).Duplicate(d => d.NextAttemptAt).Duplicate(d => d.SubscriptionId)
                .Index(d => d.SortKey);
        });
        return services.AddReaction<WebhookDeliveriesOnEvents>();
    }
}
