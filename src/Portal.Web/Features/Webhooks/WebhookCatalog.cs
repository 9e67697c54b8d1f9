using JasperFx.Events;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Coding;
using Portal.Web.Features.PatientBalances;

namespace Portal.Web.Features.Webhooks;

/// <summary>A webhook event type a practice can subscribe to. Available: Portal emits it today (false: listed, not emitted yet).</summary>
public sealed record WebhookEventType(string Name, string Description, bool Available = true);

/// <summary>What one domain event becomes on the wire: the webhook type and its minimal data (ids, states, codes, amounts; never names).</summary>
public sealed record WebhookMessage(string Type, object Data);

/// <summary>
/// The webhook events and the domain events behind them. Minimum necessary: data carries ids, states, codes and amounts, never a
/// patient's or provider's name, a question's text or a note (the receiver reads those through the API with its own scopes, audited).
/// To add one (docs/webhooks.md, "Adding an event type"): add its name to <see cref="Types"/>, map the domain event in
/// <see cref="Translate"/>, and list the event type in <see cref="DomainEvents"/>. The reaction's name stays; it picks up the new type.
/// </summary>
public static class WebhookCatalog
{
    public const string EncounterCoded = "encounter.coded";
    public const string QueryRaised = "query.raised";
    public const string QueryAnswered = "query.answered";
    public const string ClaimStateChanged = "claim.state_changed";
    public const string AcknowledgementReceived = "acknowledgement.received";
    public const string RemittancePosted = "remittance.posted";
    public const string DenialCreated = "denial.created";
    public const string PatientPaymentPosted = "patient_payment.posted";
    public const string Ping = "ping";

    public static readonly IReadOnlyList<WebhookEventType> Types =
    [
        new(EncounterCoded, "Coding finished: the chart was approved (not sampled for QA) or QA reviewed it"),
        new(QueryRaised, "A coder asked the provider a question about an encounter"),
        new(QueryAnswered, "The provider answered a coder's question"),
        new(ClaimStateChanged, "A claim moved: created, ready, held, batched, accepted or rejected, paid, denied, voided, closed"),
        new(AcknowledgementReceived, "A clearinghouse or payer acknowledged a claim (999/277CA): accepted or rejected"),
        new(RemittancePosted, "An 835 claim payment (or reversal) was posted to a claim"),
        new(DenialCreated, "A payer denied a claim"),
        new(PatientPaymentPosted, "A patient paid toward a balance (front desk or online), or a payment was refunded"),
    ];

    public static readonly IReadOnlySet<string> Names = Types.Select(t => t.Name).ToHashSet();

    /// <summary>The domain events the webhook reaction reads (every tenant).</summary>
    public static readonly Type[] DomainEvents =
    [
        typeof(ChartApproved), typeof(ChartReviewed), typeof(ProviderQueryRaised), typeof(ProviderQueryAnswered),
        typeof(ClaimCreated), typeof(ClaimMarkedReady), typeof(ClaimHeld), typeof(ClaimReturnedToCoding), typeof(ClaimVoided),
        typeof(ClaimClosed), typeof(ClaimBatched), typeof(ClaimAcceptedByClearinghouse), typeof(ClaimRejectedByClearinghouse),
        typeof(ClaimAcceptedByPayer), typeof(ClaimRejectedByPayer), typeof(ClaimPaymentPosted), typeof(ClaimDenied), typeof(ClaimWrittenOff),
        typeof(PatientPaymentReceived), typeof(PatientPaymentRefunded),
    ];

    public static IEnumerable<WebhookMessage> Translate(IEvent e)
    {
        switch (e.Data)
        {
            case ChartApproved a:
                yield return new(EncounterCoded, new { encounterId = a.EncounterId, coderId = a.CoderId, reviewed = false, corrected = false });
                break;
            case ChartReviewed r:
                yield return new(EncounterCoded, new { encounterId = r.EncounterId, coderId = r.CoderId, reviewed = true, corrected = r.Corrected });
                break;
            case ProviderQueryRaised q:
                yield return new(QueryRaised, new { encounterId = q.EncounterId, queryId = q.QueryId, providerId = q.ProviderId });
                break;
            case ProviderQueryAnswered q:
                yield return new(QueryAnswered, new { encounterId = q.EncounterId, queryId = q.QueryId, chartResumed = q.ChartResumed });
                break;
            case ClaimCreated c:
                yield return Claim(c.ClaimId, "created", ClaimState.Draft, new { encounterId = c.EncounterId, frequencyCode = c.FrequencyCode });
                break;
            case ClaimMarkedReady c: yield return Claim(c.ClaimId, "marked_ready", ClaimState.Ready); break;
            case ClaimHeld c: yield return Claim(c.ClaimId, "held", ClaimState.Draft); break;
            case ClaimReturnedToCoding c: yield return Claim(c.ClaimId, "returned_to_coding", null, new { encounterId = c.EncounterId }); break;
            case ClaimVoided c: yield return Claim(c.ClaimId, "voided", ClaimState.Voided, new { replacementClaimId = c.ReplacementClaimId }); break;
            case ClaimClosed c: yield return Claim(c.ClaimId, "closed", ClaimState.Closed); break;
            case ClaimBatched c: yield return Claim(c.ClaimId, "batched", ClaimState.Batched, new { batchId = c.BatchId }); break;
            case ClaimAcceptedByClearinghouse c:
                yield return Claim(c.ClaimId, "accepted_by_clearinghouse", ClaimState.AcceptedByClearinghouse);
                yield return Ack(c.ClaimId, c.AcknowledgementId, "clearinghouse", true, c.StatusCode is null ? [] : [c.StatusCode]);
                break;
            case ClaimRejectedByClearinghouse c:
                yield return Claim(c.ClaimId, "rejected_by_clearinghouse", ClaimState.RejectedByClearinghouse);
                yield return Ack(c.ClaimId, c.AcknowledgementId, "clearinghouse", false, c.Codes);
                break;
            case ClaimAcceptedByPayer c:
                yield return Claim(c.ClaimId, "accepted_by_payer", ClaimState.AcceptedByPayer);
                yield return Ack(c.ClaimId, c.AcknowledgementId, "payer", true, []);
                break;
            case ClaimRejectedByPayer c:
                yield return Claim(c.ClaimId, "rejected_by_payer", ClaimState.RejectedByPayer);
                yield return Ack(c.ClaimId, c.AcknowledgementId, "payer", false, c.Codes);
                break;
            case ClaimPaymentPosted p:
                yield return Claim(p.ClaimId, p.Reversal ? "payment_reversed" : "payment_posted", null);
                yield return new(RemittancePosted, new
                {
                    claimId = p.ClaimId, remittanceId = p.RemittanceId, payerId = p.PayerId, claimStatusCode = p.ClaimStatusCode,
                    charge = p.Charge, paid = p.Paid, patientResponsibility = p.PatientResponsibility, reversal = p.Reversal,
                    paymentDate = p.PaymentDate,
                });
                break;
            case ClaimDenied d:
                yield return Claim(d.ClaimId, "denied", ClaimState.Denied);
                yield return new(DenialCreated, new
                {
                    claimId = d.ClaimId, remittanceId = d.RemittanceId, reasonCodes = d.ReasonCodes, deniedAmount = d.DeniedAmount,
                    category = d.Category,
                });
                break;
            case ClaimWrittenOff w: yield return Claim(w.ClaimId, "written_off", null, new { amount = w.Amount }); break;
            // Patient payments (Features/PatientBalances): amounts and ids; never the reference (a check or card receipt number) or a note.
            case PatientPaymentReceived p:
                yield return new(PatientPaymentPosted, new
                {
                    patientId = p.PatientId, paymentId = p.PaymentId, change = "received", amount = p.Amount, method = p.Method.ToString(),
                    source = p.Source, possibleDuplicateOf = p.PossibleDuplicateOf,
                });
                break;
            case PatientPaymentRefunded r:
                yield return new(PatientPaymentPosted, new
                {
                    patientId = r.PatientId, paymentId = r.PaymentId, change = "refunded", amount = -r.Amount, refundId = r.RefundId,
                });
                break;
        }
    }

    static WebhookMessage Claim(Guid claimId, string change, ClaimState? state, object? extra = null) =>
        new(ClaimStateChanged, new { claimId, change, state, details = extra });

    static WebhookMessage Ack(Guid claimId, Guid acknowledgementId, string from, bool accepted, string[] codes) =>
        new(AcknowledgementReceived, new { claimId, acknowledgementId, from, accepted, codes });
}
