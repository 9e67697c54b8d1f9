using System.ComponentModel.DataAnnotations;
using Marten;
using Portal.Billing.PatientBilling;

namespace Portal.Web.Features.PatientBalances;

public sealed record PlanView(Guid PlanId, decimal Total, DateTimeOffset AgreedAt, PlanStatus Status);

/// <summary>A patient's ledger page and API answer: the ledger, its aging, and the account's state.</summary>
public sealed record PatientLedgerView(Guid PatientId, string PatientName, decimal Balance, decimal Charges, decimal InsurancePaid,
    decimal Adjustments, decimal PatientResponsibility, decimal PatientPaid, decimal Refunded, decimal Disputed, decimal WrittenOff,
    AgingBuckets Aging, IReadOnlyList<LedgerEntry> Entries, IReadOnlyList<LedgerVisit> Visits, IReadOnlyList<AccountPayment> Payments,
    IReadOnlyList<AccountStatement> Statements, string? StatementEmail, string? HoldReason, string? CollectionsReason, PlanView? Plan,
    bool ReadyForCollections, DateTimeOffset? UpdatedAt, long AccountVersion)
{
    public static async Task<PatientLedgerView> Load(IQuerySession query, Guid patientId, string patientName, PatientBillingSettings settings,
        DateOnly today, CancellationToken ct)
    {
        var ledger = await query.LoadAsync<PatientLedger>(patientId, ct) ?? new PatientLedger { Id = patientId, PatientName = patientName };
        var account = await PatientBalanceWrites.Account(query, patientId, ct);
        var plan = account.Plan is { } p
            ? new PlanView(p.PlanId, p.Total, p.AgreedAt, PaymentPlans.Status(p.Instalments, account.PaidSince(p.AgreedAt), today, settings.PlanGraceDays))
            : null;
        var last = account.Statements.LastOrDefault();
        return new PatientLedgerView(patientId, patientName, ledger.Balance, ledger.Charges, ledger.InsurancePaid, ledger.Adjustments,
            ledger.PatientResponsibility, ledger.PatientPaid, ledger.Refunded, ledger.Disputed, ledger.PayerWrittenOff + ledger.PatientWrittenOff,
            ledger.Aging(today), ledger.Entries, ledger.Visits, account.Payments, account.Statements, account.StatementEmail, account.HoldReason,
            account.CollectionsReason, plan,
            ledger.Balance > 0 && !account.InCollections && StatementRules.ReadyForCollections(settings.Policy, account.NoticesSince(ledger.ClearedAt), last?.StatementDate, today),
            ledger.Entries.Count == 0 ? null : ledger.UpdatedAt, account.Version);
    }
}

/// <summary>A row of the practice's patient balances worklist.</summary>
/// <param name="OldestOwedOn">The date of the oldest amount still owed (what sort=oldest orders by).</param>
public sealed record PatientBalanceRow(Guid PatientId, string PatientName, decimal Balance, AgingBuckets Aging, DateTimeOffset UpdatedAt,
    DateOnly? OldestOwedOn = null);

/// <summary>A payment taken at the front desk. Method Cash, Check (Reference = check number) or CardPresent (Reference = terminal receipt).</summary>
public sealed record PostPatientPayment(
    [Range(0.01, 1_000_000)] decimal Amount,
    PatientPaymentMethod Method = PatientPaymentMethod.Cash,
    [StringLength(60)] string? Reference = null,
    [StringLength(500)] string? Note = null);

/// <summary>Refund all or part of a payment. Approver: the person who approved it (named on the ledger with the reason).</summary>
public sealed record RefundPatientPayment(
    [Range(0.01, 1_000_000)] decimal Amount,
    [Required, StringLength(500, MinimumLength = 3)] string Reason,
    [Required, StringLength(200, MinimumLength = 2)] string Approver);

public sealed record SetStatementEmail([EmailAddress, StringLength(254)] string? Email);

public sealed record AccountReason([Required, StringLength(500, MinimumLength = 3)] string Reason, [StringLength(200)] string? Agency = null);

/// <summary>Agree a payment plan over the current balance (or Total): Instalments monthly payments from FirstDue.</summary>
public sealed record AgreePaymentPlan([Range(1, 60)] int Instalments, [Required] DateOnly? FirstDue, [Range(0.01, 1_000_000)] decimal? Total = null);

public sealed record PaymentPosted(Guid PaymentId, decimal Amount, PatientPaymentMethod Method, string Source, Guid? PossibleDuplicateOf);

public sealed record RefundPosted(Guid RefundId, Guid PaymentId, decimal Amount, string? StripeRefundId);

/// <summary>A payment that may pay the same balance twice (one online, one at the desk, same amount within the window).</summary>
public sealed record PossibleDuplicate(Guid PatientId, Guid PaymentId, Guid OtherPaymentId, decimal Amount, string Source, DateTimeOffset At);

/// <summary>A payment plan with a missed instalment: the follow-up list.</summary>
public sealed record MissedPlanRow(Guid PatientId, string PatientName, Guid PlanId, int Missed, decimal Remaining, DateOnly? OldestMissedDue);
