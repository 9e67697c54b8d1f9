using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Portal.Web.Platform;

namespace Portal.Web.Features.Webhooks;

public static class WebhookEndpoints
{
    public static void MapWebhooks(this IEndpointRouteBuilder app)
    {
        var practice = app.MapGroup("/api/v1/practices/{practiceId:guid}").WithTags("Webhooks").Requires(Permissions.WebhooksManage);

        practice.MapGet("/webhook-event-types", EventTypes).WithName("ListWebhookEventTypes").Sorts(EventTypeSorting)
            .WithSummary("Event types a subscription can name, and whether Portal emits each one yet");
        practice.MapGet("/webhooks", List).WithName("ListWebhookSubscriptions").Sorts(SubscriptionSorting).WithSummary("The practice's webhook subscriptions (no secrets), oldest first; cursor and limit");
        practice.MapPost("/webhooks", Create).WithName("CreateWebhookSubscription").Idempotent()
            .WithSummary("Subscribe a URL to event types")
            .WithDescription("The answer carries the signing secret, shown this once. Deliveries are POSTed as JSON {id, type, occurredAt, practiceId, data} "
                + "with the header Portal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"{t}.{body}\" keyed with the secret>. See docs/webhooks.md.")
            .ProducesValidationProblem().ProducesProblem(422);
        practice.MapGet("/webhooks/{id:guid}", Get).WithName("GetWebhookSubscription").WithSummary("One subscription; ETag for If-Match");
        practice.MapPut("/webhooks/{id:guid}", Update).WithName("UpdateWebhookSubscription").HonoursIfMatch()
            .WithSummary("Change a subscription's URL, event types or description, or turn it off and on")
            .ProducesValidationProblem().ProducesProblem(412).ProducesProblem(422);
        practice.MapDelete("/webhooks/{id:guid}", Delete).WithName("DeleteWebhookSubscription").HonoursIfMatch()
            .WithSummary("Delete a subscription; its pending deliveries are cancelled").ProducesProblem(412);
        practice.MapPost("/webhooks/{id:guid}/rotate-secret", RotateSecret).WithName("RotateWebhookSecret").HonoursIfMatch()
            .WithSummary("A new signing secret, shown once; the old one also signs for 24 hours").ProducesProblem(412);
        practice.MapPost("/webhooks/{id:guid}/ping", Ping).WithName("PingWebhook").Idempotent()
            .WithSummary("Queue a 'ping' delivery to the subscription's URL, signed like any other");

        practice.MapGet("/webhook-deliveries", Deliveries).WithName("ListWebhookDeliveries").Sorts(WebhookQueries.DeliverySorting)
            .WithSummary("Deliveries, newest first, by cursor")
            .WithDescription("Filters: status (pending, delivered, failed, cancelled), subscriptionId, type. Paging: cursor and limit (default 50, at most 200); "
                + "the answer's 'next' and the Link header carry the next page's cursor.");
        practice.MapGet("/webhook-deliveries/{id:guid}", Delivery).WithName("GetWebhookDelivery")
            .WithSummary("One delivery with its body and every try (status code, time, error)");
        practice.MapPost("/webhook-deliveries/{id:guid}/replay", Replay).WithName("ReplayWebhookDelivery").HonoursIfMatch()
            .WithSummary("Send a delivery again now (same id and body), with a fresh 24-hour retry window").ProducesProblem(409).ProducesProblem(412);
    }

    static readonly Sorting<WebhookEventType> EventTypeSorting = new Sorting<WebhookEventType>("catalogue")
    {
        { "catalogue", "the catalogue's order (by feature)", t => Array.IndexOf(WebhookCatalog.Types.ToArray(), t) },
        { "name", "event type name", t => t.Name },
    }.TieBreak(t => t.Name);

    static readonly Sorting<WebhookSubscription> SubscriptionSorting = new Sorting<WebhookSubscription>("created")
    {
        { "created", "when the subscription was made", s => s.CreatedAt },
        { "url", "URL", s => s.Url },
        { "active", "on before off", s => !s.Active },
    }.TieBreak(s => s.Id);

    static Ok<CursorPage<WebhookEventType>> EventTypes(string? sort, string? cursor, int? limit, HttpContext context)
    {
        var order = EventTypeSorting.Parse(sort);
        return TypedResults.Ok(order.Apply(WebhookCatalog.Types).Slice(CursorPaging.Parse(cursor, limit, order)).WithLink(context));
    }

    static async Task<Ok<CursorPage<WebhookSubscriptionView>>> List(IQuerySession query, string? sort, string? cursor, int? limit, HttpContext context,
        CancellationToken ct)
    {
        var order = SubscriptionSorting.Parse(sort);
        var page = await order.Apply(query.Query<WebhookSubscription>()).ToCursorPageAsync(CursorPaging.Parse(cursor, limit, order), ct);
        return TypedResults.Ok(new CursorPage<WebhookSubscriptionView>([.. page.Items.Select(WebhookSubscriptionView.Of)], page.Next).WithLink(context));
    }

    static async Task<Created<WebhookSubscriptionCreated>> Create(CreateWebhookSubscription body, HttpContext context, IDocumentSession session,
        IDataProtectionProvider protection, IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var created = await WebhookWrites.Create(session, protection.Protector(), options.Value, body, context.User.Actor(), clock, ct);
        context.Response.Headers.ETag = ETags.For(created.Subscription.Version);
        return TypedResults.Created($"/api/v1/practices/{context.RequiredPractice().PracticeId}/webhooks/{created.Subscription.Id}", created);
    }

    static async Task<Results<Ok<WebhookSubscriptionView>, NotFoundProblem>> Get(Guid id, HttpContext context, IQuerySession query, CancellationToken ct)
    {
        if (await query.LoadAsync<WebhookSubscription>(id, ct) is not { } s) return NoSubscription;
        context.Response.Headers.ETag = ETags.For(s.Version);
        return TypedResults.Ok(WebhookSubscriptionView.Of(s));
    }

    static async Task<Results<Ok<WebhookSubscriptionView>, NotFoundProblem>> Update(Guid id, UpdateWebhookSubscription body, HttpContext context,
        IDocumentSession session, IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var updated = await WebhookWrites.Update(session, options.Value, id, ETags.Parse(context.Request.Headers.IfMatch), body, context.User.Actor(), clock, ct);
        if (updated is null) return NoSubscription;
        context.Response.Headers.ETag = ETags.For(updated.Version);
        return TypedResults.Ok(WebhookSubscriptionView.Of(updated));
    }

    static async Task<Results<NoContent, NotFoundProblem>> Delete(Guid id, HttpContext context, IDocumentSession session, TimeProvider clock,
        CancellationToken ct) =>
        await WebhookWrites.Delete(session, id, ETags.Parse(context.Request.Headers.IfMatch), clock, ct) ? TypedResults.NoContent() : NoSubscription;

    static async Task<Results<Ok<WebhookSubscriptionCreated>, NotFoundProblem>> RotateSecret(Guid id, HttpContext context, IDocumentSession session,
        IDataProtectionProvider protection, IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var rotated = await WebhookWrites.RotateSecret(session, protection.Protector(), options.Value, id, ETags.Parse(context.Request.Headers.IfMatch),
            context.User.Actor(), clock, ct);
        if (rotated is null) return NoSubscription;
        context.Response.Headers.ETag = ETags.For(rotated.Subscription.Version);
        return TypedResults.Ok(rotated);
    }

    static async Task<Results<Accepted<WebhookDeliveryRow>, NotFoundProblem>> Ping(Guid id, HttpContext context, IDocumentSession session,
        TimeProvider clock, CancellationToken ct)
    {
        var practice = context.RequiredPractice();
        var delivery = await WebhookWrites.Ping(session, practice.PracticeId, id, clock, ct);
        if (delivery is null) return NoSubscription;
        context.RequestServices.GetService<WebhookSender>()?.Nudge();
        return TypedResults.Accepted($"/api/v1/practices/{practice.PracticeId}/webhook-deliveries/{delivery.Id}", WebhookDeliveryRow.Of(delivery));
    }

    static async Task<Ok<CursorPage<WebhookDeliveryRow>>> Deliveries(HttpContext context, IQuerySession query, string? status, Guid? subscriptionId,
        string? type, string? sort, string? cursor, int? limit, CancellationToken ct)
    {
        var order = WebhookQueries.DeliverySorting.Parse(sort);
        var page = await WebhookQueries.Deliveries(query, ParseStatus(status), subscriptionId, type, CursorPaging.Parse(cursor, limit, order), ct, order);
        return TypedResults.Ok(page.WithLink(context));
    }

    static async Task<Results<Ok<WebhookDeliveryDetails>, NotFoundProblem>> Delivery(Guid id, HttpContext context, IQuerySession query, CancellationToken ct)
    {
        if (await query.LoadAsync<WebhookDelivery>(id, ct) is not { } d) return NoDelivery;
        context.Response.Headers.ETag = ETags.For(d.Version);
        return TypedResults.Ok(new WebhookDeliveryDetails(WebhookDeliveryRow.Of(d), d.Body, d.Log));
    }

    static async Task<Results<Accepted<WebhookDeliveryRow>, NotFoundProblem>> Replay(Guid id, HttpContext context, IDocumentSession session,
        TimeProvider clock, CancellationToken ct)
    {
        var replayed = await WebhookWrites.Replay(session, id, ETags.Parse(context.Request.Headers.IfMatch), clock, ct);
        if (replayed is null) return NoDelivery;
        context.RequestServices.GetService<WebhookSender>()?.Nudge();
        context.Response.Headers.ETag = ETags.For(replayed.Version);
        return TypedResults.Accepted($"/api/v1/practices/{context.RequiredPractice().PracticeId}/webhook-deliveries/{id}", WebhookDeliveryRow.Of(replayed));
    }

    public static DeliveryStatus? ParseStatus(string? status) =>
        string.IsNullOrWhiteSpace(status) || status == "all" ? null
        : Enum.TryParse<DeliveryStatus>(status, ignoreCase: true, out var s) && Enum.IsDefined(s) ? s
        : throw new InvalidInput("status", "status must be one of: pending, delivered, failed, cancelled.");

    static NotFoundProblem NoSubscription => new("No webhook subscription with this id in this practice.");
    static NotFoundProblem NoDelivery => new("No webhook delivery with this id in this practice.");
}

public static class WebhookQueries
{
    public static readonly Sorting<WebhookDelivery> DeliverySorting = new Sorting<WebhookDelivery>("-created")
    {
        { "created", "when the delivery was queued", d => d.CreatedAt },
        { "type", "event type", d => d.Type },
        { "status", "delivery status", d => d.Status },
        { "attempts", "tries so far", d => d.Attempts },
        { "nextAttempt", "next try", d => d.NextAttemptAt },
    }.TieBreak(d => d.Id);

    /// <summary>Newest first by keyset (the default sort); another <paramref name="sort"/> pages by position.</summary>
    public static async Task<CursorPage<WebhookDeliveryRow>> Deliveries(IQuerySession query, DeliveryStatus? status, Guid? subscriptionId, string? type,
        CursorRequest page, CancellationToken ct, Sort<WebhookDelivery>? sort = null)
    {
        var q = query.Query<WebhookDelivery>().AsQueryable();
        if (status is { } s) q = q.Where(d => d.Status == s);
        if (subscriptionId is { } sub) q = q.Where(d => d.SubscriptionId == sub);
        if (!string.IsNullOrWhiteSpace(type)) q = q.Where(d => d.Type == type);
        if (sort is { IsDefault: false })
        {
            var sorted = await sort.Apply(q).ToCursorPageAsync(page, ct);
            return new CursorPage<WebhookDeliveryRow>([.. sorted.Items.Select(WebhookDeliveryRow.Of)], sorted.Next);
        }
        if (page.After is { } after) q = q.Where(d => d.SortKey.CompareTo(after) < 0);
        var rows = await q.OrderByDescending(d => d.SortKey).Take(page.Fetch).ToListAsync(ct);
        return CursorPaging.Page<WebhookDelivery>([.. rows], page, d => d.SortKey) is var p
            ? new CursorPage<WebhookDeliveryRow>([.. p.Items.Select(WebhookDeliveryRow.Of)], p.Next)
            : throw new InvalidOperationException();
    }
}
