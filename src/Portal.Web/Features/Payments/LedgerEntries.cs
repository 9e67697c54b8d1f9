using System.Security.Cryptography;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Portal.Billing.Remittance;
using Portal.Web.Features.Claims;

namespace Portal.Web.Features.Payments;

/// <summary>
/// One ledger entry (the library's <see cref="PostingEntry"/> as a row): what a posting event moved on a claim line or claim,
/// its patient and its payer. Entries are only added: a reversal is a new entry with the opposite sign. Kind is the library's
/// <see cref="EntryKind"/> name, plus WriteOff for a claim written off from follow-up.
/// </summary>
public sealed record LedgerEntry(Guid Id, Guid? ClaimId, int? Line, string? LineCode, Guid? PatientId, Guid? PayerId, string PayerCode,
    Guid? RemittanceId, string PaymentKey, string Kind, decimal Amount, string Group, string Reason, bool Reversal, DateOnly PostedOn,
    DateOnly? DateOfService, DateTimeOffset At)
{
    public const string WriteOff = "WriteOff";
}

/// <summary>
/// The ledger projection (inline): each posting event becomes its entries. Balances per line, claim, patient and payer are sums of
/// these rows (<see cref="LedgerQueries"/>), so they reconcile with the events by construction; the property test checks it.
/// </summary>
public sealed partial class LedgerProjection : EventProjection
{
    public void Project(IEvent<ClaimPaymentPosted> e, IDocumentOperations ops)
    {
        foreach (var entry in Entries(e.Id, e.Data)) ops.Store(entry);
    }

    public void Project(IEvent<ProviderAdjustmentPosted> e, IDocumentOperations ops)
    {
        var d = e.Data;
        ops.Store(new LedgerEntry(Id(e.Id, 0), null, null, null, null, d.PortalPayerId, d.PayerId, d.RemittanceId, d.Key, nameof(EntryKind.ProviderAdjustment),
            d.Amount, "", d.Reason, false, DateOnly.FromDateTime(d.At.UtcDateTime), null, d.At));
    }

    public void Project(IEvent<ClaimWrittenOff> e, IDocumentOperations ops)
    {
        var d = e.Data;
        ops.Store(new LedgerEntry(Id(e.Id, 0), d.ClaimId, null, null, d.PatientId, null, "", null, $"writeoff|{e.Id}", LedgerEntry.WriteOff,
            d.Amount, "", d.Reason, false, DateOnly.FromDateTime(d.At.UtcDateTime), null, d.At));
    }

    /// <summary>
    /// The entries of one claim payment, as <see cref="Posting.Claim"/> makes them: per line the paid amount and each CAS by kind;
    /// at claim level the paid amount not on a line and the claim CAS. The event's Adjustments hold every CAS of the claim (claim
    /// level and lines, so the claim snapshot's Adjusted is complete); the claim-level ones are those not repeated on a line.
    /// </summary>
    public static IEnumerable<LedgerEntry> Entries(Guid eventId, ClaimPaymentPosted d)
    {
        var n = 0;
        LedgerEntry E(int? line, string? code, string kind, decimal amount, string group = "", string reason = "") =>
            new(Id(eventId, n++), d.ClaimId, line, code, d.PatientId, d.PayerId, "", d.RemittanceId, d.PaymentKey, kind, amount, group, reason,
                d.Reversal, d.PaymentDate, null, d.At);

        var claimLevel = d.Adjustments.ToList();
        foreach (var l in d.Lines)
        {
            if (l.Paid != 0) yield return E(l.Line, l.Code, nameof(EntryKind.Payment), l.Paid);
            foreach (var a in l.Adjustments)
            {
                var i = claimLevel.FindIndex(c => c.Group == a.Group && c.Reason == a.Reason && c.Amount == a.Amount);
                if (i >= 0) claimLevel.RemoveAt(i);
                yield return E(l.Line, l.Code, Kind(a).ToString(), a.Amount, a.Group, a.Reason);
            }
        }
        var claimPaid = d.Paid - d.Lines.Sum(l => l.Paid);
        if (claimPaid != 0) yield return E(null, null, nameof(EntryKind.Payment), claimPaid);
        foreach (var a in claimLevel) yield return E(null, null, Kind(a).ToString(), a.Amount, a.Group, a.Reason);
    }

    static EntryKind Kind(PostedAdjustment a) => Posting.Kind(new Adjustment(a.Group, a.Reason, a.Amount, a.Quantity));

    static Guid Id(Guid eventId, int n)
    {
        Span<byte> input = stackalloc byte[20];
        eventId.TryWriteBytes(input);
        BitConverter.TryWriteBytes(input[16..], n);
        return new Guid(MD5.HashData(input));
    }
}
