using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.Options;
using Portal.Billing.PatientBilling;
using Portal.Web.Features.Tenancy;

namespace Portal.Web.Features.PatientBalances;

/// <summary>
/// A Stripe event as received (global: the practice is known only after reading it). Stored before Portal acts on it, keyed by
/// Stripe's event id, so a retry finds it; ProcessedAt is set once its effect is on the ledger. WaitingFor: a refund or dispute
/// that came before its payment's event (Stripe does not promise order); it is processed when that payment posts.
/// </summary>
public sealed record StripeWebhookReceipt(string Id, string Type, string? Account, string Payload, DateTimeOffset ReceivedAt)
{
    public DateTimeOffset? ProcessedAt { get; init; }
    public string? Outcome { get; init; }
    public string? WaitingFor { get; init; }
    public int Deliveries { get; init; } = 1;
}

/// <summary>Which practice and patient a Stripe PaymentIntent paid for (global, id = PaymentIntent id), for refunds and disputes.</summary>
public sealed record StripePaymentIndex(string Id, Guid PracticeId, Guid PatientId, Guid PaymentId);

public sealed class StripeWebhooks(IDocumentStore store, IOptions<StripeSettings> settings, IConfiguration config, TimeProvider clock,
    ILogger<StripeWebhooks> log)
{
    const string Actor = "Stripe";
    StripeSettings Settings => settings.Value;
    DateTimeOffset Now => clock.GetUtcNow();
    TimeSpan DuplicateWindow => config.GetValue("Portal:PatientBilling:DuplicateWindow", TimeSpan.FromHours(72));

    public static async Task<IResult> Receive(HttpContext context, StripeWebhooks webhooks, CancellationToken ct)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var payload = await reader.ReadToEndAsync(ct);
        if (payload.Length > 512 * 1024) return Bad("The event is larger than a Stripe event can be.");
        var problem = StripeSignature.Problem(context.Request.Headers["Stripe-Signature"], payload, webhooks.Settings.WebhookSecrets,
            webhooks.Now, webhooks.Settings.WebhookTolerance);
        if (problem is not null) return Bad(problem);
        JsonElement root;
        try { root = JsonDocument.Parse(payload).RootElement; }
        catch (JsonException) { return Bad("The event is not JSON."); }
        if (Str(root, "id") is not { Length: > 0 } id || Str(root, "type") is not { Length: > 0 } type
            || !root.TryGetProperty("data", out var data) || !data.TryGetProperty("object", out _))
            return Bad("The event has no id, type or data.object.");
        var outcome = await webhooks.Handle(id, type, Str(root, "account"), payload, ct);
        return TypedResults.Ok(new { received = true, outcome });
    }

    static IResult Bad(string detail) => TypedResults.Problem(title: "The webhook was refused", detail: detail, statusCode: 400);

    /// <summary>Store, then act; acting is idempotent, so a retry of an event already acted on changes nothing.</summary>
    public async Task<string> Handle(string id, string type, string? account, string payload, CancellationToken ct)
    {
        await using (var session = store.LightweightSession())
        {
            session.Insert(new StripeWebhookReceipt(id, type, account, payload, clock.GetUtcNow()));
            try { await session.SaveChangesAsync(ct); }
            catch (Exception e) when (e.IsUniqueViolation())
            {
                // A retry (or a concurrent duplicate): act again only if the first delivery did not finish.
                await using var query = store.QuerySession();
                if (await query.LoadAsync<StripeWebhookReceipt>(id, ct) is { ProcessedAt: not null } done) return "duplicate: " + done.Outcome;
            }
        }
        var outcome = await Act(type, account, JsonDocument.Parse(payload).RootElement.GetProperty("data").GetProperty("object"), ct);
        await using (var session = store.LightweightSession())
        {
            var receipt = await session.LoadAsync<StripeWebhookReceipt>(id, ct);
            if (receipt is not null)
            {
                session.Store(outcome.WaitingFor is { } waiting
                    ? receipt with { WaitingFor = waiting, Outcome = outcome.Text }
                    : receipt with { ProcessedAt = clock.GetUtcNow(), Outcome = outcome.Text, WaitingFor = null });
                await session.SaveChangesAsync(ct);
            }
        }
        return outcome.Text;
    }

    sealed record Outcome(string Text, string? WaitingFor = null);

    async Task<Outcome> Act(string type, string? account, JsonElement obj, CancellationToken ct)
    {
        switch (type)
        {
            case "checkout.session.completed":
                if (Str(obj, "payment_status") is not ("paid" or "no_payment_required")) return new("checkout not paid yet");
                return await Paid(account, Str(obj, "payment_intent"), Long(obj, "amount_total"), obj.TryGetProperty("metadata", out var m1) ? m1 : default, ct);
            case "payment_intent.succeeded":
                return await Paid(account, Str(obj, "id"), Long(obj, "amount_received") ?? Long(obj, "amount"),
                    obj.TryGetProperty("metadata", out var m2) ? m2 : default, ct);
            case "charge.refunded":
                return await Refunded(obj, ct);
            case "charge.dispute.created":
                return await Disputed(obj, ct);
            default:
                return new(await Subscriptions.SubscriptionEndpoints.OnInvoiceEvent(store, type, obj, Now, ct) ?? $"ignored ({type})");
        }
    }

    async Task<Outcome> Paid(string? account, string? intent, long? cents, JsonElement metadata, CancellationToken ct)
    {
        if (intent is null || cents is null or <= 0) return new("no payment intent or amount");
        if (metadata.ValueKind != JsonValueKind.Object || !Guid.TryParse(Str(metadata, "practice_id"), out var practiceId)
            || !Guid.TryParse(Str(metadata, "patient_id"), out var patientId))
            return new("not a Portal payment (no practice or patient in metadata)");
        await using (var query = store.QuerySession())
        {
            if (await query.LoadAsync<Organization>(practiceId, ct) is not { Kind: OrganizationKind.Practice }) return new("unknown practice");
        }
        var tenant = practiceId.ToString();
        await using (var query = store.QuerySession(tenant))
        {
            var settings = await query.LoadAsync<PatientBillingSettings>(practiceId, ct);
            // The event must come from the practice's own connected account (or from the platform when none is set).
            if (settings?.StripeAccountId is { } expected && account is not null && account != expected) return new("account does not match the practice");
        }

        var amount = Money.FromCents(cents.Value);
        PatientPaymentReceived? posted = null;
        try
        {
            posted = await PatientBalanceWrites.OnAccount(() => store.LightweightSession(tenant), patientId, (a, session) =>
            {
                if (a.PaymentByIntent(intent) is not null) return null;
                session.Claim(PatientBalanceWrites.StripePayment, intent, patientId, clock.GetUtcNow());
                return a.Receive(patientId, amount, PatientPaymentMethod.Online, intent, "stripe", intent, "Paid online", DuplicateWindow, Actor, clock.GetUtcNow());
            }, ct);
        }
        catch (Exception e) when (UniqueKeys.ConflictingKey(e) == PatientBalanceWrites.StripePayment.IdFor(intent))
        {
            // Another delivery of this payment (checkout.session.completed and payment_intent.succeeded, or a retry) committed first.
        }
        if (posted is null) return new("payment already posted");

        await using (var session = store.LightweightSession())
        {
            session.Store(new StripePaymentIndex(intent, practiceId, patientId, posted.PaymentId));
            await session.SaveChangesAsync(ct);
        }
        await ReplayWaiting(intent, ct);
        return new("payment posted");
    }

    async Task ReplayWaiting(string intent, CancellationToken ct)
    {
        IReadOnlyList<StripeWebhookReceipt> waiting;
        await using (var query = store.QuerySession())
            waiting = await query.Query<StripeWebhookReceipt>().Where(r => r.WaitingFor == intent && r.ProcessedAt == null).ToListAsync(ct);
        foreach (var r in waiting)
        {
            try { await Handle(r.Id, r.Type, r.Account, r.Payload, ct); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("A waiting Stripe event {EventId} could not be processed: {Exception}", r.Id, SafeLog.Describe(e));
            }
        }
    }

    async Task<StripePaymentIndex?> Index(string? intent, CancellationToken ct)
    {
        if (intent is null) return null;
        await using var query = store.QuerySession();
        return await query.LoadAsync<StripePaymentIndex>(intent, ct);
    }

    async Task<Outcome> Refunded(JsonElement charge, CancellationToken ct)
    {
        var intent = Str(charge, "payment_intent");
        if (await Index(intent, ct) is not { } index) return intent is null ? new("no payment intent") : new("waiting for the payment", intent);
        var refunds = new List<(string Id, long Cents, string? Reason)>();
        if (charge.TryGetProperty("refunds", out var list) && list.ValueKind == JsonValueKind.Object && list.TryGetProperty("data", out var items))
            foreach (var r in items.EnumerateArray())
                if (Str(r, "id") is { } rid && Long(r, "amount") is { } cents && cents > 0) refunds.Add((rid, cents, Str(r, "reason")));
        if (refunds.Count == 0 && Long(charge, "amount_refunded") is { } total && total > 0)
            refunds.Add(($"{Str(charge, "id")}:{total}", total, null));

        var tenant = index.PracticeId.ToString();
        var posted = 0;
        foreach (var (refundId, cents, reason) in refunds)
        {
            try
            {
                var e = await PatientBalanceWrites.OnAccount(() => store.LightweightSession(tenant), index.PatientId, (a, session) =>
                {
                    if (a.StripeRefundIds.Contains(refundId)) return null;
                    var payment = a.Payments.First(p => p.PaymentId == index.PaymentId);
                    var amount = Math.Min(Money.FromCents(cents), payment.Refundable);
                    if (amount <= 0m) return null;
                    session.Claim(PatientBalanceWrites.StripeRefund, refundId, index.PatientId, clock.GetUtcNow());
                    return a.Refund(index.PaymentId, amount, reason is { Length: > 0 } r ? $"Refunded in Stripe ({r})" : "Refunded in Stripe", null,
                        refundId, Actor, clock.GetUtcNow());
                }, ct);
                if (e is not null) posted++;
            }
            catch (Exception e) when (UniqueKeys.ConflictingKey(e) == PatientBalanceWrites.StripeRefund.IdFor(refundId)) { }
        }
        return new(posted == 0 ? "refunds already posted" : $"{posted} refund(s) posted");
    }

    async Task<Outcome> Disputed(JsonElement dispute, CancellationToken ct)
    {
        var intent = Str(dispute, "payment_intent");
        if (await Index(intent, ct) is not { } index) return intent is null ? new("no payment intent") : new("waiting for the payment", intent);
        var disputeId = Str(dispute, "id")!;
        var cents = Long(dispute, "amount") ?? 0;
        try
        {
            var e = await PatientBalanceWrites.OnAccount(() => store.LightweightSession(index.PracticeId.ToString()), index.PatientId, (a, session) =>
            {
                if (a.DisputeIds.Contains(disputeId)) return null;
                var payment = a.Payments.First(p => p.PaymentId == index.PaymentId);
                var amount = Math.Min(Money.FromCents(cents), payment.Refundable);
                if (amount <= 0m) return null;
                session.Claim(PatientBalanceWrites.StripeDispute, disputeId, index.PatientId, clock.GetUtcNow());
                return new PatientPaymentDisputed(index.PatientId, index.PaymentId, disputeId, amount, Str(dispute, "reason") ?? "dispute", Actor, clock.GetUtcNow());
            }, ct);
            return new(e is null ? "dispute already posted" : "dispute posted");
        }
        catch (Exception e) when (UniqueKeys.ConflictingKey(e) == PatientBalanceWrites.StripeDispute.IdFor(disputeId))
        {
            return new("dispute already posted");
        }
    }

    static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    static long? Long(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;
}
