using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Portal.Web.Platform;

namespace Portal.Web.Features.Webhooks;

/// <summary>Subscribe a URL to event types (see <see cref="WebhookCatalog.Types"/>).</summary>
public sealed record CreateWebhookSubscription([Required, MaxLength(2000)] string Url, [Required, MinLength(1)] string[] Events,
    [MaxLength(200)] string? Description = null);

/// <summary>Change a subscription: its URL, event types, description, or turn it off (Active false) and on again.</summary>
public sealed record UpdateWebhookSubscription([Required, MaxLength(2000)] string Url, [Required, MinLength(1)] string[] Events,
    [MaxLength(200)] string? Description = null, bool Active = true);

/// <summary>Signing: HMAC-SHA256 over "{timestamp}.{body}" with the secret's UTF-8 bytes, hex, in <c>Portal-Signature: t=…,v1=…</c>.</summary>
public static class WebhookSignature
{
    public const string Header = "Portal-Signature";

    public static string Sign(string secret, long timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    /// <summary>The header value: one v1 per secret still valid (two during a rotation's grace period).</summary>
    public static string HeaderValue(long timestamp, string body, params string[] secrets) =>
        $"t={timestamp}," + string.Join(',', secrets.Select(s => "v1=" + Sign(s, timestamp, body)));

    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public static class WebhookWrites
{
    const string Purpose = "Portal.Webhooks.Secret.v1";

    public static IDataProtector Protector(this IDataProtectionProvider provider) => provider.CreateProtector(Purpose);

    public static async Task<WebhookSubscriptionCreated> Create(IDocumentSession session, IDataProtector protector, WebhookOptions options,
        CreateWebhookSubscription body, string actor, TimeProvider clock, CancellationToken ct)
    {
        var (url, events) = Validate(body.Url, body.Events, options);
        var secret = WebhookSignature.NewSecret();
        var now = clock.GetUtcNow();
        var subscription = new WebhookSubscription
        {
            Id = Guid.CreateVersion7(), Url = url, Events = events, Description = Trim(body.Description), ProtectedSecret = protector.Protect(secret),
            SecretCreatedAt = now, CreatedBy = actor, CreatedAt = now,
        };
        session.Insert(subscription);
        await session.SaveChangesAsync(ct);
        var saved = await session.LoadAsync<WebhookSubscription>(subscription.Id, ct) ?? subscription;
        return new WebhookSubscriptionCreated(WebhookSubscriptionView.Of(saved), secret);
    }

    public static async Task<WebhookSubscription?> Update(IDocumentSession session, WebhookOptions options, Guid id, long? expectedVersion,
        UpdateWebhookSubscription body, string actor, TimeProvider clock, CancellationToken ct)
    {
        var current = await session.LoadAsync<WebhookSubscription>(id, ct);
        if (current is null) return null;
        StaleVersion.Check(expectedVersion, current.Version);
        var (url, events) = Validate(body.Url, body.Events, options);
        var updated = current with
        {
            Url = url, Events = events, Description = Trim(body.Description), Active = body.Active, UpdatedBy = actor, UpdatedAt = clock.GetUtcNow(),
        };
        return await Save(session, current, updated, ct);
    }

    /// <summary>A new secret, shown once; the old one keeps signing (a second v1) for the grace period.</summary>
    public static async Task<WebhookSubscriptionCreated?> RotateSecret(IDocumentSession session, IDataProtector protector, WebhookOptions options,
        Guid id, long? expectedVersion, string actor, TimeProvider clock, CancellationToken ct)
    {
        var current = await session.LoadAsync<WebhookSubscription>(id, ct);
        if (current is null) return null;
        StaleVersion.Check(expectedVersion, current.Version);
        var secret = WebhookSignature.NewSecret();
        var now = clock.GetUtcNow();
        var updated = await Save(session, current, current with
        {
            ProtectedSecret = protector.Protect(secret), PreviousProtectedSecret = current.ProtectedSecret,
            PreviousSecretUntil = now + options.PreviousSecretGrace, SecretCreatedAt = now, UpdatedBy = actor, UpdatedAt = now,
        }, ct);
        return new WebhookSubscriptionCreated(WebhookSubscriptionView.Of(updated), secret);
    }

    /// <summary>Deletes the subscription; its pending deliveries are cancelled (the log stays until it ages out).</summary>
    public static async Task<bool> Delete(IDocumentSession session, Guid id, long? expectedVersion, TimeProvider clock, CancellationToken ct)
    {
        var current = await session.LoadAsync<WebhookSubscription>(id, ct);
        if (current is null) return false;
        StaleVersion.Check(expectedVersion, current.Version);
        session.Delete(current);
        var pending = await session.Query<WebhookDelivery>().Where(d => d.SubscriptionId == id && d.Status == DeliveryStatus.Pending).ToListAsync(ct);
        foreach (var d in pending)
            session.Store(d with { Status = DeliveryStatus.Cancelled, LastError = "subscription deleted", Version = d.Version + 1 });
        await session.SaveChangesAsync(ct);
        return true;
    }

    // Marten's numeric revision: the update is refused (412) if another writer saved since we loaded, even between our check and our save.
    static async Task<WebhookSubscription> Save(IDocumentSession session, WebhookSubscription current, WebhookSubscription updated, CancellationToken ct)
    {
        session.UpdateRevision(updated, current.Version + 1);
        await session.SaveChangesAsync(ct);
        updated.Version = current.Version + 1;
        return updated;
    }

    /// <summary>A "ping" delivery to check the receiver and its signature check: sent like any other, logged, replayable.</summary>
    public static async Task<WebhookDelivery?> Ping(IDocumentSession session, Guid practiceId, Guid id, TimeProvider clock, CancellationToken ct)
    {
        var subscription = await session.LoadAsync<WebhookSubscription>(id, ct);
        if (subscription is null) return null;
        var now = clock.GetUtcNow();
        var delivery = NewDelivery(subscription.Id, practiceId, Guid.CreateVersion7(), WebhookCatalog.Ping, now,
            new { subscriptionId = subscription.Id }, now, Guid.CreateVersion7());
        session.Insert(delivery);
        await session.SaveChangesAsync(ct);
        return delivery;
    }

    /// <summary>Sends a delivery again (whatever its status) with a fresh 24-hour retry window; its id, event id and body stay.</summary>
    public static async Task<WebhookDelivery?> Replay(IDocumentSession session, Guid id, long? expectedVersion, TimeProvider clock, CancellationToken ct)
    {
        var current = await session.LoadAsync<WebhookDelivery>(id, ct);
        if (current is null) return null;
        StaleVersion.Check(expectedVersion, current.Version);
        if (await session.LoadAsync<WebhookSubscription>(current.SubscriptionId, ct) is not { Active: true })
            throw new RuleViolation("This delivery's subscription was deleted or turned off; turn it on to replay.", "webhook-subscription-inactive");
        var now = clock.GetUtcNow();
        var replayed = current with
        {
            Status = DeliveryStatus.Pending, NextAttemptAt = now, WindowStart = now, Replays = current.Replays + 1, Version = current.Version + 1,
        };
        session.Store(replayed);
        await session.SaveChangesAsync(ct);
        return replayed;
    }

    public static WebhookDelivery NewDelivery(Guid subscriptionId, Guid practiceId, Guid eventId, string type, DateTimeOffset occurredAt, object data,
        DateTimeOffset now, Guid id)
    {
        var body = JsonSerializer.Serialize(new { id = eventId, type, occurredAt, practiceId, data }, BodyJson);
        return new WebhookDelivery
        {
            Id = id, SubscriptionId = subscriptionId, PracticeId = practiceId, EventId = eventId, Type = type, OccurredAt = occurredAt,
            Body = body, Status = DeliveryStatus.Pending, NextAttemptAt = now, WindowStart = now, CreatedAt = now,
            SortKey = CursorPaging.TimeKey(now, id),
        };
    }

    static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>A stable id from parts (the event id and the webhook type; or that and the subscription): replays create nothing new.</summary>
    public static Guid StableId(Guid a, string b)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{a:N}:{b}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8 (custom), RFC 9562
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    static (string Url, string[] Events) Validate(string rawUrl, string[] rawEvents, WebhookOptions options)
    {
        var errors = new Dictionary<string, string[]>();
        var url = rawUrl.Trim();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
            errors["url"] = ["Give an absolute https:// URL."];
        else if (uri.Scheme == "http" && !options.AllowHttp)
            errors["url"] = ["Use https://: deliveries carry practice data and their signature, so they must be encrypted."];
        else if (uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
            errors["url"] = ["Leave user names, passwords and #fragments out of the URL."];
        var events = rawEvents.Select(e => e.Trim()).Where(e => e.Length > 0).Distinct().ToArray();
        var unknown = events.Where(e => !WebhookCatalog.Names.Contains(e)).ToArray();
        if (events.Length == 0 || unknown.Length > 0)
            errors["events"] = [(events.Length == 0 ? "Choose at least one event type. " : $"Unknown event type(s): {string.Join(", ", unknown)}. ")
                + $"Use any of: {string.Join(", ", WebhookCatalog.Names)}."];
        if (errors.Count > 0) throw new UnprocessableInput("The subscription is not valid.", errors);
        return (uri!.AbsoluteUri, events);
    }

    static string? Trim(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
