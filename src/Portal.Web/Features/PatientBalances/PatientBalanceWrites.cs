using Marten;
using Portal.Billing.PatientBilling;
using Portal.Web.Features.Intake;

namespace Portal.Web.Features.PatientBalances;

/// <summary>Writes the endpoints, pages and the Stripe webhook share: fetch the account for writing, decide, append, save.</summary>
public static class PatientBalanceWrites
{
    /// <summary>A card payment posts once per practice: the PaymentIntent id is its key (ADR 0011 keys, ADR 0017).</summary>
    public static readonly UniqueKeyKind StripePayment = new("stripe-payment", "payment-already-posted",
        v => $"The card payment {v} is already posted.");
    public static readonly UniqueKeyKind StripeRefund = new("stripe-refund", "refund-already-posted", v => $"The refund {v} is already posted.");
    public static readonly UniqueKeyKind StripeDispute = new("stripe-dispute", "dispute-already-posted", v => $"The dispute {v} is already posted.");

    public static async Task<Patient?> Patient(IQuerySession query, Guid patientId, CancellationToken ct) =>
        await query.LoadAsync<Patient>(patientId, ct);

    public static async Task<PatientAccount> Account(IQuerySession query, Guid patientId, CancellationToken ct) =>
        await query.LoadAsync<PatientAccount>(PatientAccount.StreamIdFor(patientId), ct) ?? new PatientAccount { PatientId = patientId };

    /// <summary>
    /// Runs a write on the patient's account stream, retrying when another writer appended first (a front-desk payment and a
    /// webhook at the same moment): the decision is taken again on the newer account, so neither write is lost.
    /// </summary>
    public static async Task<T> OnAccount<T>(Func<IDocumentSession> open, Guid patientId,
        Func<PatientAccount, IDocumentSession, T> decide, CancellationToken ct, long? expectedVersion = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = open();
            var id = PatientAccount.StreamIdFor(patientId);
            // With If-Match the caller decided on the version it saw: a newer one is a 412, not a retry.
            var stream = expectedVersion is { } expected
                ? await session.Events.FetchForWriting<PatientAccount>(id, expected, ct)
                : await session.Events.FetchForWriting<PatientAccount>(id, ct);
            var account = stream.Aggregate ?? new PatientAccount { Id = PatientAccount.StreamIdFor(patientId), PatientId = patientId };
            var result = decide(account, session);
            if (result is not null) stream.AppendOne(result);
            try
            {
                await session.SaveChangesAsync(ct);
                return result;
            }
            catch (Exception e) when (expectedVersion is null && attempt < 8
                && (e.IsStaleWrite() || e is Marten.Exceptions.ExistingStreamIdCollisionException))
            {
                await Task.Delay(Random.Shared.Next(5, 25) * attempt, ct);
            }
        }
    }

    /// <summary>A payment taken at the front desk (cash, check, card on the practice's terminal).</summary>
    public static Task<PatientPaymentReceived> FrontDeskPayment(Func<IDocumentSession> open, Guid patientId, decimal amount,
        PatientPaymentMethod method, string? reference, string? note, TimeSpan window, string by, DateTimeOffset now, CancellationToken ct) =>
        OnAccount(open, patientId, (account, _) => account.Receive(patientId, amount, method, reference, "front-desk", null, note, window, by, now), ct);
}
