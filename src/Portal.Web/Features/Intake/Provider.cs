using System.Text.Json.Serialization;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

/// <summary>NPPES entity type: type 1 (individual) or type 2 (organization). Cannot be inferred from the number.</summary>
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum ProviderType { Individual, Organization }

public sealed record ProviderEnrolled(Guid ProviderId, string Name, string Npi, ProviderType Type, string TaxonomyCode,
    string By, DateTimeOffset At);

/// <summary>A rendering or billing provider of the practice; inline snapshot of the provider stream.</summary>
public sealed record Provider(Guid Id, string Name, string Npi, ProviderType Type, string TaxonomyCode,
    string EnrolledBy, DateTimeOffset EnrolledAt, long Version)
{
    public static Provider Create(ProviderEnrolled e) => new(e.ProviderId, e.Name, e.Npi, e.Type, e.TaxonomyCode, e.By, e.At, 1);
}

public sealed record PayerAdded(Guid PayerId, string Name, string ClearinghousePayerId, int TimelyFilingDays, string By, DateTimeOffset At);

/// <summary>
/// A payer the practice bills. The clearinghouse payer id is not national (the HIPAA health plan id was rescinded),
/// so it is whatever the practice's clearinghouse assigns.
/// </summary>
public sealed record Payer(Guid Id, string Name, string ClearinghousePayerId, int TimelyFilingDays,
    string AddedBy, DateTimeOffset AddedAt, long Version)
{
    // Medicare's limit: one calendar year from the date of service (42 CFR 424.44). Commercial contracts vary.
    public const int DefaultTimelyFilingDays = 365;

    public static Payer Create(PayerAdded e) => new(e.PayerId, e.Name, e.ClearinghousePayerId, e.TimelyFilingDays, e.By, e.At, 1);
}
