using System.Security.Cryptography;
using System.Text;
using Portal.Billing.PatientBilling;

namespace Portal.Web.Features.PatientBalances;

public sealed record AccountPayment(Guid PaymentId, decimal Amount, PatientPaymentMethod Method, string? Reference, string Source,
    string? StripePaymentIntentId, Guid? PossibleDuplicateOf, DateTimeOffset At, decimal Refunded, decimal Disputed)
{
    public decimal Refundable => Amount - Refunded - Disputed;
}

public sealed record AccountStatement(Guid StatementId, Guid RunId, Notice Notice, decimal AmountDue, DateOnly StatementDate, DateOnly DueDate);

public sealed record AccountPlan(Guid PlanId, decimal Total, Instalment[] Instalments, DateTimeOffset AgreedAt, string AgreedBy);

/// <summary>
/// The patient account (write model): inline snapshot of the patient account stream. Decisions return events; the ledger
/// (<see cref="PatientLedger"/>) is the read side over this stream and the claim streams.
/// </summary>
public sealed class PatientAccount
{
    public Guid Id { get; set; }
    public Guid PatientId { get; set; }
    public long Version { get; set; }
    public string? StatementEmail { get; set; }
    public List<AccountPayment> Payments { get; set; } = [];
    public List<Guid> RefundIds { get; set; } = [];
    public List<string> StripeRefundIds { get; set; } = [];
    public List<string> DisputeIds { get; set; } = [];
    public List<AccountStatement> Statements { get; set; } = [];
    public string? HoldReason { get; set; }
    public string? CollectionsReason { get; set; }
    public DateTimeOffset? SentToCollectionsAt { get; set; }
    public AccountPlan? Plan { get; set; }

    public bool OnHold => HoldReason is not null;
    public bool InCollections => CollectionsReason is not null;

    /// <summary>The account stream's id for a patient: derived, so any feature finds it without a lookup.</summary>
    public static Guid StreamIdFor(Guid patientId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("portal:patient-account:" + patientId.ToString("N")));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16));
    }

    void Touch(Guid patientId)
    {
        PatientId = patientId;
    }

    public void Apply(PatientPaymentReceived e)
    {
        Touch(e.PatientId);
        Payments.Add(new AccountPayment(e.PaymentId, e.Amount, e.Method, e.Reference, e.Source, e.StripePaymentIntentId, e.PossibleDuplicateOf,
            e.At, 0m, 0m));
    }

    public void Apply(PatientPaymentRefunded e)
    {
        Touch(e.PatientId);
        RefundIds.Add(e.RefundId);
        if (e.StripeRefundId is not null) StripeRefundIds.Add(e.StripeRefundId);
        Replace(e.PaymentId, p => p with { Refunded = p.Refunded + e.Amount });
    }

    public void Apply(PatientPaymentDisputed e)
    {
        Touch(e.PatientId);
        DisputeIds.Add(e.DisputeId);
        Replace(e.PaymentId, p => p with { Disputed = p.Disputed + e.Amount });
    }

    public void Apply(StatementEmailChanged e) { Touch(e.PatientId); StatementEmail = e.Email; }

    public void Apply(StatementIssued e)
    {
        Touch(e.PatientId);
        Statements.Add(new AccountStatement(e.StatementId, e.RunId, e.Notice, e.AmountDue, e.StatementDate, e.DueDate));
    }

    public void Apply(PatientAccountHeld e) { Touch(e.PatientId); HoldReason = e.Reason; }
    public void Apply(PatientAccountHoldReleased e) { Touch(e.PatientId); HoldReason = null; }
    public void Apply(PatientSentToCollections e) { Touch(e.PatientId); CollectionsReason = e.Reason; SentToCollectionsAt = e.At; }
    public void Apply(PatientRecalledFromCollections e) { Touch(e.PatientId); CollectionsReason = null; SentToCollectionsAt = null; }
    public void Apply(PaymentPlanAgreed e) { Touch(e.PatientId); Plan = new AccountPlan(e.PlanId, e.Total, e.Instalments, e.At, e.By); }
    public void Apply(PaymentPlanCancelled e) { Touch(e.PatientId); Plan = null; }

    void Replace(Guid paymentId, Func<AccountPayment, AccountPayment> change)
    {
        var i = Payments.FindIndex(p => p.PaymentId == paymentId);
        if (i >= 0) Payments[i] = change(Payments[i]);
    }

    public AccountPayment? PaymentByIntent(string paymentIntentId) =>
        Payments.FirstOrDefault(p => p.StripePaymentIntentId == paymentIntentId);

    /// <summary>Paid on this account since the plan was agreed (what fills the plan's instalments), net of refunds and disputes.</summary>
    public decimal PaidSince(DateTimeOffset since) => Payments.Where(p => p.At >= since).Sum(p => p.Amount - p.Refunded - p.Disputed);

    /// <summary>Statements since the balance was last cleared: the notice count of the current dunning cycle.</summary>
    public int NoticesSince(DateTimeOffset? clearedAt) =>
        clearedAt is null ? Statements.Count : Statements.Count(s => s.StatementDate > DateOnly.FromDateTime(clearedAt.Value.UtcDateTime));

    // ---- decisions ----

    /// <summary>
    /// A payment, flagged when a payment from the other source (card online vs front desk) for the same amount was posted within
    /// <paramref name="window"/>: the same balance was probably paid twice; a person decides whether to refund one.
    /// </summary>
    public PatientPaymentReceived Receive(Guid patientId, decimal amount, PatientPaymentMethod method, string? reference, string source,
        string? paymentIntentId, string? note, TimeSpan window, string by, DateTimeOffset now)
    {
        if (amount <= 0m) throw new RuleViolation("A payment must be more than zero.", "payment-amount");
        if (decimal.Round(amount, 2) != amount) throw new RuleViolation("A payment is in dollars and cents.", "payment-amount");
        var duplicate = Payments.LastOrDefault(p => p.Source != source && p.Amount == amount && (now - p.At).Duration() <= window
            && p.Refundable > 0m);
        return new PatientPaymentReceived(patientId, Guid.CreateVersion7(), amount, method, reference, source, paymentIntentId,
            duplicate?.PaymentId, note, by, now);
    }

    public PatientPaymentRefunded Refund(Guid paymentId, decimal amount, string reason, string? approver, string? stripeRefundId, string by,
        DateTimeOffset now, Guid? refundId = null)
    {
        var payment = Payments.FirstOrDefault(p => p.PaymentId == paymentId)
            ?? throw new RuleViolation("This account has no such payment.", "payment-unknown");
        if (amount <= 0m || decimal.Round(amount, 2) != amount) throw new RuleViolation("A refund is a positive amount in dollars and cents.", "refund-amount");
        if (amount > payment.Refundable)
            throw new RuleViolation($"Only {payment.Refundable:0.00} of this payment is left to refund.", "refund-exceeds-payment");
        return new PatientPaymentRefunded(PatientId, paymentId, refundId ?? Guid.CreateVersion7(), amount, reason, approver, stripeRefundId, by, now);
    }
}
