using Portal.Web.Platform;

namespace Portal.Web.Features.Tenancy;

/// <summary>A practice's grant to a vendor. Inline snapshot of the engagement stream; what the access check reads.</summary>
public sealed record Engagement(
    Guid Id, Guid PracticeId, Guid VendorId, string VendorName, string[] Functions, bool OffshoreAllowed,
    string GrantedBy, DateTimeOffset GrantedAt, string? Note,
    string? RevokedBy, DateTimeOffset? RevokedAt, string? RevocationReason, long Version)
{
    public bool Active => RevokedAt is null;

    public static readonly string[] KnownFunctions = ["coding", "charges", "claims", "posting", "ar", "reports"];

    public static Engagement Create(EngagementGranted e) =>
        new(e.EngagementId, e.PracticeId, e.VendorId, e.VendorName, e.Functions, e.OffshoreAllowed,
            e.GrantedBy, e.GrantedAt, e.Note, null, null, null, 1);

    public Engagement Apply(EngagementRevoked e) =>
        this with { RevokedBy = e.RevokedBy, RevokedAt = e.RevokedAt, RevocationReason = e.Reason };

    public EngagementRevoked Revoke(string by, DateTimeOffset now, string reason) => Active
        ? new(Id, by, now, reason)
        : throw new RuleViolation($"This engagement was already revoked on {RevokedAt:yyyy-MM-dd}.", "engagement-revoked");
}
