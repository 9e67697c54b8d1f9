using JasperFx.Events;
using Marten.Events.Projections;
using Portal.Billing.PatientBilling;
using Portal.Web.Features.Claims;

namespace Portal.Web.Features.PatientBalances;

/// <summary>One line of a patient's ledger, with the patient balance after it. Money in dollars; reversals are negative.</summary>
public sealed record LedgerEntry(DateTimeOffset At, string Kind, Guid? ClaimId, Guid? PaymentId, string Description, decimal Charge,
    decimal InsurancePaid, decimal Adjustment, decimal PatientResponsibility, decimal PatientPaid, decimal Refunded, decimal WrittenOff,
    decimal Balance);

/// <summary>One claim (visit) as the patient's statement itemises it.</summary>
public sealed record LedgerVisit(Guid ClaimId, DateOnly DateOfService, string Description, decimal Charges, decimal InsurancePaid,
    decimal Adjustments, decimal PatientResponsibility, decimal PayerWrittenOff, decimal PatientWrittenOff)
{
    /// <summary>What the payer side still has open on the claim (billed, not yet paid, adjusted, assigned to the patient or written off).</summary>
    public decimal PayerOutstanding => Charges - InsurancePaid - Adjustments - PatientResponsibility - PayerWrittenOff;
}

/// <summary>
/// A patient's ledger across claims: charges, payer payments, adjustments (CO/OA/PI), patient responsibility (PR), patient
/// payments, refunds and reversals, write-offs, and the balance the patient owes. Built asynchronously from the claim streams
/// and the patient account stream (a cross-stream rollup: "updated a few seconds ago"). Id = patient id.
/// </summary>
public sealed class PatientLedger
{
    public Guid Id { get; set; }
    public string PatientName { get; set; } = "";
    public List<LedgerEntry> Entries { get; set; } = [];
    public List<LedgerVisit> Visits { get; set; } = [];
    public decimal Charges { get; set; }
    public decimal InsurancePaid { get; set; }
    public decimal Adjustments { get; set; }
    public decimal PatientResponsibility { get; set; }
    public decimal PatientPaid { get; set; }
    public decimal Refunded { get; set; }
    public decimal Disputed { get; set; }
    public decimal PayerWrittenOff { get; set; }
    public decimal PatientWrittenOff { get; set; }
    /// <summary>What the patient owes: PR − patient write-offs − payments + refunds + disputed (reversed) payments.</summary>
    public decimal Balance { get; set; }
    /// <summary>When the balance last came down to zero or below from above: a new dunning cycle starts after it.</summary>
    public DateTimeOffset? ClearedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The balance by age (payments pay the oldest amounts first).</summary>
    public AgingBuckets Aging(DateOnly today) => PatientAging.Buckets(
        Entries.Select((e, i) => new PatientAmount(DateOnly.FromDateTime(e.At.UtcDateTime), e.Balance - (i == 0 ? 0m : Entries[i - 1].Balance))), today);

    internal void Add(DateTimeOffset at, string kind, Guid? claimId, Guid? paymentId, string description, decimal charge = 0m,
        decimal insurancePaid = 0m, decimal adjustment = 0m, decimal pr = 0m, decimal patientPaid = 0m, decimal refunded = 0m,
        decimal payerWrittenOff = 0m, decimal patientWrittenOff = 0m)
    {
        var before = Balance;
        Charges += charge; InsurancePaid += insurancePaid; Adjustments += adjustment; PatientResponsibility += pr;
        PatientPaid += patientPaid; PayerWrittenOff += payerWrittenOff; PatientWrittenOff += patientWrittenOff;
        Balance += pr - patientWrittenOff - patientPaid + refunded;
        if (before > 0m && Balance <= 0m) ClearedAt = at;
        Entries.Add(new LedgerEntry(at, kind, claimId, paymentId, description, charge, insurancePaid, adjustment, pr, patientPaid, refunded,
            payerWrittenOff + patientWrittenOff, Balance));
        UpdatedAt = at;
    }

    internal void Visit(Guid claimId, Func<LedgerVisit, LedgerVisit> change)
    {
        var i = Visits.FindIndex(v => v.ClaimId == claimId);
        if (i >= 0) Visits[i] = change(Visits[i]);
    }
}

public sealed partial class PatientLedgerProjection : MultiStreamProjection<PatientLedger, Guid>
{
    public PatientLedgerProjection()
    {
        Identity<ClaimCreated>(e => e.PatientId);
        Identity<ClaimPaymentPosted>(e => e.PatientId);
        Identity<ClaimWrittenOff>(e => e.PatientId);
        Identity<PatientPaymentReceived>(e => e.PatientId);
        Identity<PatientPaymentRefunded>(e => e.PatientId);
        Identity<PatientPaymentDisputed>(e => e.PatientId);
    }

    public void Apply(PatientLedger l, IEvent<ClaimCreated> envelope)
    {
        var e = envelope.Data;
        l.Id = e.PatientId;
        l.PatientName = e.PatientName;
        if (l.Visits.Any(v => v.ClaimId == e.ClaimId)) return;
        var charge = e.Lines.Sum(x => x.Charge);
        var description = string.Join(", ", e.Lines.Select(x => x.Code).Distinct());
        l.Visits.Add(new LedgerVisit(e.ClaimId, e.DateOfService, description, charge, 0m, 0m, 0m, 0m, 0m));
        l.Add(e.At, "charge", e.ClaimId, null, $"{e.DateOfService:yyyy-MM-dd} {description}", charge: charge);
    }

    public void Apply(PatientLedger l, ClaimPaymentPosted e)
    {
        l.Id = e.PatientId;
        var adjusted = e.Adjustments.Where(a => a.Group != "PR").Sum(a => a.Amount);
        l.Visit(e.ClaimId, v => v with
        {
            InsurancePaid = v.InsurancePaid + e.Paid, Adjustments = v.Adjustments + adjusted,
            PatientResponsibility = v.PatientResponsibility + e.PatientResponsibility,
        });
        var what = e.Reversal ? "Payer reversal" : "Payer payment";
        l.Add(e.At, e.Reversal ? "payer-reversal" : "payer-payment", e.ClaimId, null, $"{what}, check {e.CheckNumber}",
            insurancePaid: e.Paid, adjustment: adjusted, pr: e.PatientResponsibility);
    }

    // A write-off settles what the payer side still has open on the claim first; only the rest comes off the patient's part.
    public void Apply(PatientLedger l, ClaimWrittenOff e)
    {
        l.Id = e.PatientId;
        var visit = l.Visits.FirstOrDefault(v => v.ClaimId == e.ClaimId);
        var payerPart = visit is null ? 0m : Math.Clamp(visit.PayerOutstanding, 0m, e.Amount);
        var patientPart = e.Amount - payerPart;
        l.Visit(e.ClaimId, v => v with { PayerWrittenOff = v.PayerWrittenOff + payerPart, PatientWrittenOff = v.PatientWrittenOff + patientPart });
        l.Add(e.At, "write-off", e.ClaimId, null, $"Written off: {e.Reason}", payerWrittenOff: payerPart, patientWrittenOff: patientPart);
    }

    public void Apply(PatientLedger l, PatientPaymentReceived e)
    {
        l.Id = e.PatientId;
        var how = e.Method switch
        {
            PatientPaymentMethod.Online => "Card payment online",
            PatientPaymentMethod.CardPresent => "Card payment at the desk",
            PatientPaymentMethod.Check => "Check payment",
            _ => "Cash payment",
        };
        l.Add(e.At, "patient-payment", null, e.PaymentId, e.Reference is { Length: > 0 } r ? $"{how} ({r})" : how, patientPaid: e.Amount);
    }

    public void Apply(PatientLedger l, PatientPaymentRefunded e)
    {
        l.Id = e.PatientId;
        l.Refunded += e.Amount;
        l.Add(e.At, "refund", null, e.PaymentId, $"Refund: {e.Reason}", refunded: e.Amount);
    }

    public void Apply(PatientLedger l, PatientPaymentDisputed e)
    {
        l.Id = e.PatientId;
        l.Disputed += e.Amount;
        l.Add(e.At, "dispute", null, e.PaymentId, $"Card payment disputed ({e.Reason})", refunded: e.Amount);
    }
}
