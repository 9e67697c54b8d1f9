using Portal.Web.Platform;

namespace Portal.Web.Features.Tenancy;

/// <summary>A practice's grant to a vendor. Inline snapshot of the engagement stream; what the access check reads.</summary>
public sealed record Engagement(
    Guid Id, Guid PracticeId, Guid VendorId, string VendorName, string[] Functions, bool OffshoreAllowed,
    string GrantedBy, DateTimeOffset GrantedAt, string? Note,
    string? RevokedBy, DateTimeOffset? RevokedAt, string? RevocationReason, long Version,
    Guid[]? CoderIds = null, string[]? CoderNames = null)
{
    public bool Active => RevokedAt is null;

    /// <summary>
    /// Whether this engagement lets the vendor user work the practice now: active, and the user is the firm's admin, or the firm
    /// has not limited the client to some coders (CoderIds null), or the user is one of them (domain brief §9: coders see only
    /// assigned clients).
    /// </summary>
    public bool Covers(Guid? userId, bool vendorAdmin) =>
        Active && (vendorAdmin || CoderIds is null || userId is { } id && CoderIds.Contains(id));

    public Engagement Apply(EngagementCodersAssigned e) => this with { CoderIds = e.CoderIds, CoderNames = e.CoderNames };

    /// <summary>The vendor's admin decides which of the firm's coders work this client; null: all of them.</summary>
    public EngagementCodersAssigned AssignCoders(Guid[]? coderIds, string[]? coderNames, string by, DateTimeOffset now) => Active
        ? new(Id, coderIds, coderNames, by, now)
        : throw new RuleViolation($"This engagement was revoked on {RevokedAt:yyyy-MM-dd}.", "engagement-revoked");

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
