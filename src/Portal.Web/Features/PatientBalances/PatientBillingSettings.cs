using System.ComponentModel.DataAnnotations;
using Marten;
using Portal.Billing.PatientBilling;

namespace Portal.Web.Features.PatientBalances;

/// <summary>
/// A practice's patient-billing settings (one document per practice, id = practice id): how statements brand the practice,
/// the statement and dunning policy, the payment-plan grace and the practice's connected Stripe account for card payments.
/// </summary>
public sealed record PatientBillingSettings(Guid Id, string DisplayName, string[] AddressLines, string? Phone, decimal MinimumBalance,
    int MinimumDaysBetween, int[] NoticeIntervals, int DueInDays, int PlanGraceDays, string? StripeAccountId, string UpdatedBy,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Counts saves (the ETag of GET/PUT; If-Match on PUT).</summary>
    public long Version { get; init; }

    public StatementPolicy Policy => new(MinimumBalance, MinimumDaysBetween, NoticeIntervals, DueInDays);
    public StatementPractice Branding => new(DisplayName, AddressLines, Phone);

    public static async Task<PatientBillingSettings> For(IQuerySession query, Guid practiceId, string practiceName, CancellationToken ct) =>
        await query.LoadAsync<PatientBillingSettings>(practiceId, ct) ?? Default(practiceId, practiceName);

    public static PatientBillingSettings Default(Guid practiceId, string practiceName) => new(practiceId, practiceName, [], null,
        StatementPolicy.Default.MinimumBalance, StatementPolicy.Default.MinimumDaysBetween, StatementPolicy.Default.NoticeIntervals,
        StatementPolicy.Default.DueInDays, 5, null, "default", DateTimeOffset.MinValue);
}

/// <summary>Change the practice's patient-billing settings (all of them, as they should be now).</summary>
public sealed record UpdatePatientBillingSettings(
    [Required, StringLength(200)] string DisplayName,
    [MaxLength(4)] string[]? AddressLines = null,
    [StringLength(30)] string? Phone = null,
    [Range(0, 100000)] decimal MinimumBalance = 5m,
    [Range(0, 365)] int MinimumDaysBetween = 25,
    int[]? NoticeIntervals = null,
    [Range(1, 120)] int DueInDays = 21,
    [Range(0, 60)] int PlanGraceDays = 5,
    [RegularExpression("^acct_[A-Za-z0-9]{1,64}$")] string? StripeAccountId = null);
