using System.Text.Json.Serialization;

namespace Portal.Web.Features.Webhooks;

/// <summary>
/// A practice's subscription: where to post, which event types, and the signing secret (protected with Data Protection at rest; the
/// key ring is shared by every node through the database). Version is Marten's numeric revision: the ETag, checked by If-Match.
/// During a rotation the previous secret still signs for <see cref="WebhookOptions.PreviousSecretGrace"/> (two v1 signatures).
/// </summary>
public sealed record WebhookSubscription
{
    public Guid Id { get; init; }
    public required string Url { get; init; }
    public required string[] Events { get; init; }
    public string? Description { get; init; }
    public bool Active { get; init; } = true;
    public required string ProtectedSecret { get; init; }
    public string? PreviousProtectedSecret { get; init; }
    public DateTimeOffset? PreviousSecretUntil { get; init; }
    public DateTimeOffset SecretCreatedAt { get; init; }
    public required string CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string? UpdatedBy { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public long Version { get; set; }

    public bool Wants(string type) => Active && Events.Contains(type);
}

/// <summary>What the API and page show of a subscription: never its secret.</summary>
public sealed record WebhookSubscriptionView(Guid Id, string Url, string[] Events, string? Description, bool Active, DateTimeOffset SecretCreatedAt,
    string CreatedBy, DateTimeOffset CreatedAt, string? UpdatedBy, DateTimeOffset? UpdatedAt, long Version)
{
    public static WebhookSubscriptionView Of(WebhookSubscription s) =>
        new(s.Id, s.Url, s.Events, s.Description, s.Active, s.SecretCreatedAt, s.CreatedBy, s.CreatedAt, s.UpdatedBy, s.UpdatedAt, s.Version);
}

/// <summary>The one time a signing secret is shown: in the answer to creating a subscription or rotating its secret.</summary>
public sealed record WebhookSubscriptionCreated(WebhookSubscriptionView Subscription, string Secret);

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum DeliveryStatus
{
    /// <summary>Waiting for its first try, or for a retry after a failure.</summary>
    Pending,
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,
    /// <summary>Every try for 24 hours failed; replay it once the receiver is fixed.</summary>
    Failed,
    /// <summary>Its subscription was deleted or turned off before it could be sent.</summary>
    Cancelled,
}

/// <summary>One try: when, the receiver's status code (none when it did not answer), how long it took, and why it failed (no bodies).</summary>
public sealed record WebhookAttempt(int Attempt, DateTimeOffset At, int? StatusCode, int DurationMs, string? Error);

/// <summary>
/// One event for one subscription, in the durable outbox (a document in the practice's tenant). Body is the exact JSON posted,
/// fixed when the event happened, so a retry or replay sends the same bytes (with a fresh signature timestamp). The sender claims
/// due deliveries by NextAttemptAt (a lease while in flight), so any node may send and none sends the same try twice.
/// </summary>
public sealed record WebhookDelivery
{
    public Guid Id { get; init; }
    public Guid SubscriptionId { get; init; }
    public Guid PracticeId { get; init; }
    /// <summary>The webhook event's id (the body's "id"): the same for every subscription and every try; receivers dedupe by it.</summary>
    public Guid EventId { get; init; }
    public required string Type { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    public required string Body { get; init; }
    public DeliveryStatus Status { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset NextAttemptAt { get; init; }
    /// <summary>Start of the retry window (creation, or the last replay): retries stop 24 hours after it.</summary>
    public DateTimeOffset WindowStart { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
    public int? LastStatusCode { get; init; }
    public string? LastError { get; init; }
    public int Replays { get; init; }
    public WebhookAttempt[] Log { get; init; } = [];
    /// <summary>Keyset paging key: creation time, then id (<see cref="Platform.CursorPaging.TimeKey"/>).</summary>
    public required string SortKey { get; init; }
    public long Version { get; init; } = 1;
}

/// <summary>A delivery as the API lists it (the body is in the single-delivery answer).</summary>
public sealed record WebhookDeliveryRow(Guid Id, Guid SubscriptionId, Guid EventId, string Type, DateTimeOffset OccurredAt, DeliveryStatus Status,
    int Attempts, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, int? LastStatusCode, string? LastError, int Replays, long Version)
{
    public static WebhookDeliveryRow Of(WebhookDelivery d) => new(d.Id, d.SubscriptionId, d.EventId, d.Type, d.OccurredAt, d.Status, d.Attempts,
        d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null, d.DeliveredAt, d.LastStatusCode, d.LastError, d.Replays, d.Version);
}

/// <summary>A delivery with its body and every logged try.</summary>
public sealed record WebhookDeliveryDetails(WebhookDeliveryRow Delivery, string Body, WebhookAttempt[] Attempts);

/// <summary>Settings (section <c>Portal:Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    /// <summary>Sends in flight at once on this node.</summary>
    public int MaxConcurrency { get; set; } = 256;
    /// <summary>Sends in flight at once to one subscription, so one slow receiver leaves room for the others.</summary>
    public int MaxPerSubscription { get; set; } = 200;
    /// <summary>How long a receiver has to answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How often the sender looks for due deliveries when idle.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Wait after the first failure; doubled per failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Retries stop this long after the delivery was created (or replayed); it is then Failed.</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(24);
    /// <summary>After a rotation the old secret still signs (a second v1) this long, so receivers can switch without losing events.</summary>
    public TimeSpan PreviousSecretGrace { get; set; } = TimeSpan.FromHours(24);
    /// <summary>Plain http:// URLs (Development and tests only; https is required otherwise).</summary>
    public bool AllowHttp { get; set; }
    /// <summary>Receivers on loopback or private networks (Development and tests only): refused otherwise, so a URL cannot reach our own network.</summary>
    public bool AllowPrivateNetworks { get; set; }
    /// <summary>Whether this node runs the sender (turn it off on nodes that should serve pages only).</summary>
    public bool SenderEnabled { get; set; } = true;
}
