using System.Text.Json.Serialization;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

/// <summary>NPPES entity type: type 1 (individual) or type 2 (organization). Cannot be inferred from the number.</summary>
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum ProviderType { Individual, Organization }

public sealed record ProviderEnrolled(Guid ProviderId, string Name, string Npi, ProviderType Type, string TaxonomyCode,
    string By, DateTimeOffset At);

/// <summary>The practice admin linked a portal user (role provider) to the provider record, or unlinked it (UserId null).</summary>
public sealed record ProviderUserLinked(Guid ProviderId, Guid? UserId, string? UserName, string By, DateTimeOffset At);

/// <summary>
/// A rendering or billing provider of the practice; inline snapshot of the provider stream. <see cref="UserId"/> is the portal
/// user who answers this provider's coding queries.
/// </summary>
public sealed record Provider(Guid Id, string Name, string Npi, ProviderType Type, string TaxonomyCode,
    string EnrolledBy, DateTimeOffset EnrolledAt, long Version, Guid? UserId = null, string? UserName = null)
{
    public static Provider Create(ProviderEnrolled e) => new(e.ProviderId, e.Name, e.Npi, e.Type, e.TaxonomyCode, e.By, e.At, 1);

    public Provider Apply(ProviderUserLinked e) => this with { UserId = e.UserId, UserName = e.UserName };

    /// <summary>Where to send this provider's coding queries while they have no login (set when the admin invites them).</summary>
    public string? Email { get; init; }

    public Provider Apply(ProviderInvited e) => this with { Email = e.Email };
}

/// <summary>The practice admin invited the provider to Portal to answer queries; new queries are mailed to this address meanwhile.</summary>
public sealed record ProviderInvited(Guid ProviderId, string Email, string By, DateTimeOffset At);

/// <summary>Link the portal user who answers this provider's queries; null unlinks.</summary>
public sealed record LinkProviderUser(Guid? UserId);

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
