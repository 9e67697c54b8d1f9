using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Portal.Billing.PatientBilling;
using Portal.Web.Features.Claims;

namespace Portal.Web.Features.PatientBalances;

/// <summary>One line of a patient's ledger, with the patient balance after it. Money in dollars; reversals are negative.</summary>
public sealed record LedgerEntry(DateTimeOffset At, string Kind, Guid? ClaimId, Guid? PaymentId, string Description, decimal Charge,
    decimal InsurancePaid, decimal Adjustment, decimal PatientResponsibility, decimal PatientPaid, decimal Refunded, decimal WrittenOff,
    decimal Balance);

/// <summary>One claim (visit) as the patient's statement itemises it.</summary>
/// <param name="Voided">The claim was voided (replaced by a corrected claim or cancelled): nothing on it is owed by the patient any more.</param>
public sealed record LedgerVisit(Guid ClaimId, DateOnly DateOfService, string Description, decimal Charges, decimal InsurancePaid,
    decimal Adjustments, decimal PatientResponsibility, decimal PayerWrittenOff, decimal PatientWrittenOff, bool Voided = false)
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

    /// <summary>
    /// The date of the oldest charge still (partly) owed, credits paying the oldest first as in <see cref="Aging"/>; null when nothing
    /// is owed. Stored with the document (a computed property is serialised) so the balance list can sort by it (sort=oldest).
    /// </summary>
    public DateOnly? OldestOwedOn
    {
        get
        {
            var amounts = Entries.Select((e, i) => (On: DateOnly.FromDateTime(e.At.UtcDateTime), Amount: e.Balance - (i == 0 ? 0m : Entries[i - 1].Balance))).ToList();
            var credit = -amounts.Where(a => a.Amount < 0).Sum(a => a.Amount);
            foreach (var charge in amounts.Where(a => a.Amount > 0).OrderBy(a => a.On))
            {
                var used = Math.Min(credit, charge.Amount);
                credit -= used;
                if (charge.Amount - used > 0) return charge.On;
            }
            return null;
        }
    }

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
        // ClaimCodesChanged and ClaimVoided do not name the patient (the claim stream's contract): the claim's inline snapshot does.
        CustomGrouping(async (session, events, grouping) =>
        {
            var unnamed = events.Where(e => e.Data is ClaimCodesChanged or ClaimVoided).ToList();
            if (unnamed.Count == 0) return;
            var claimIds = unnamed.Select(e => e.StreamId).Distinct().ToArray();
            // Claim ids are unique across tenants (version 7 Guids), and the grouping's session may not be the tenant's.
            var patients = (await session.Query<ClaimView>().Where(c => c.AnyTenant() && c.Id.IsOneOf(claimIds))
                .Select(c => new { c.Id, c.PatientId }).ToListAsync()).ToDictionary(c => c.Id, c => c.PatientId);
            foreach (var e in unnamed)
                if (patients.TryGetValue(e.StreamId, out var patientId)) grouping.AddEvent(patientId, e);
        });
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
        // On a voided claim the patient owes nothing: the payer's money still shows (until the payer takes it back), its PR does not.
        var voided = l.Visits.Any(v => v.ClaimId == e.ClaimId && v.Voided);
        var pr = voided ? 0m : e.PatientResponsibility;
        l.Visit(e.ClaimId, v => v with
        {
            InsurancePaid = v.InsurancePaid + e.Paid, Adjustments = v.Adjustments + adjusted,
            PatientResponsibility = v.PatientResponsibility + pr,
        });
        var what = e.Reversal ? "Payer reversal" : "Payer payment";
        l.Add(e.At, e.Reversal ? "payer-reversal" : "payer-payment", e.ClaimId, null, $"{what}, check {e.CheckNumber}" + (voided ? " (voided claim)" : ""),
            insurancePaid: e.Paid, adjustment: adjusted, pr: pr);
    }

    /// <summary>The claim's lines changed (a correction before or after the payer saw it): its charges follow.</summary>
    public void Apply(PatientLedger l, IEvent<ClaimCodesChanged> envelope)
    {
        var e = envelope.Data;
        if (l.Visits.FirstOrDefault(v => v.ClaimId == e.ClaimId) is not { Voided: false } visit) return;
        var charge = e.Lines.Sum(x => x.Charge);
        var description = string.Join(", ", e.Lines.Select(x => x.Code).Distinct());
        l.Visit(e.ClaimId, v => v with { Charges = charge, Description = description });
        if (charge != visit.Charges)
            l.Add(e.At, "charge-change", e.ClaimId, null, $"{visit.DateOfService:yyyy-MM-dd} charges changed: {visit.Description} → {description}",
                charge: charge - visit.Charges);
    }

    /// <summary>
    /// A voided claim (replaced by a corrected claim, or cancelled) leaves the patient's bill: its charges and what the patient still
    /// owed on it come off. Payments stay with the patient (they are not per claim); a later payer reversal on it does not bill the patient.
    /// </summary>
    public void Apply(PatientLedger l, IEvent<ClaimVoided> envelope)
    {
        var e = envelope.Data;
        if (l.Visits.FirstOrDefault(v => v.ClaimId == e.ClaimId) is not { Voided: false } visit) return;
        l.Visit(e.ClaimId, v => v with { Voided = true });
        l.Add(e.At, "void", e.ClaimId, null, $"{visit.DateOfService:yyyy-MM-dd} claim voided: {e.Reason}", charge: -visit.Charges,
            pr: -visit.PatientResponsibility, patientWrittenOff: -visit.PatientWrittenOff);
    }

    // A write-off settles what the payer side still has open on the claim first; only the rest comes off the patient's part.
    public void Apply(PatientLedger l, ClaimWrittenOff e)
    {
        l.Id = e.PatientId;
        var visit = l.Visits.FirstOrDefault(v => v.ClaimId == e.ClaimId);
        var payerPart = visit is null ? 0m : visit.Voided ? e.Amount : Math.Clamp(visit.PayerOutstanding, 0m, e.Amount);
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
