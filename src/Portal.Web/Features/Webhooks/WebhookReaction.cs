using JasperFx.Events;
using Marten;
using Portal.Web.Platform.Reactions;

namespace Portal.Web.Features.Webhooks;

/// <summary>
/// Domain event → one delivery per interested subscription, in the durable outbox of the event's practice (its tenant: a practice's
/// subscriptions never see another practice's events). Written with the reaction's receipt in one transaction, so each event is
/// turned into deliveries exactly once; the sender (<see cref="WebhookSender"/>) posts them. Ids are derived from the event, so even
/// a replay past the receipt could not create a second delivery.
/// </summary>
public sealed class WebhookDeliveriesOnEvents : IReaction
{
    public string Name => "webhooks.deliveries";

    public Type[] EventTypes => WebhookCatalog.DomainEvents;

    public async Task HandleAsync(ReactionContext context, IEvent e, CancellationToken ct)
    {
        var messages = WebhookCatalog.Translate(e).ToList();
        if (messages.Count == 0 || !Guid.TryParse(e.TenantId, out var practiceId)) return;
        var subscriptions = await context.Session.Query<WebhookSubscription>().Where(s => s.Active).ToListAsync(ct);
        if (subscriptions.Count == 0) return;
        var now = context.Clock.GetUtcNow();
        var created = false;
        foreach (var message in messages)
        {
            var eventId = WebhookWrites.StableId(e.Id, message.Type);
            foreach (var subscription in subscriptions.Where(s => s.Wants(message.Type)))
            {
                created = true;
                context.Session.Insert(WebhookWrites.NewDelivery(subscription.Id, practiceId, eventId, message.Type, e.Timestamp, message.Data, now,
                    WebhookWrites.StableId(eventId, subscription.Id.ToString("N"))));
            }
        }
        // The sender of this node posts them at once rather than at its next poll (other nodes' senders find them by polling).
        if (created && context.Services.GetService<WebhookSender>() is { } sender) context.OnCommitted(sender.Nudge);
    }
}
