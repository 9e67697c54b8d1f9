namespace Portal.Web.Features.Tenancy;

// An engagement stream lives in the practice's tenant: the practice owns the grant and its history.
public sealed record EngagementGranted(Guid EngagementId, Guid PracticeId, Guid VendorId, string VendorName,
    string[] Functions, bool OffshoreAllowed, string GrantedBy, DateTimeOffset GrantedAt, string? Note);

public sealed record EngagementRevoked(Guid EngagementId, string RevokedBy, DateTimeOffset RevokedAt, string Reason);

/// <summary>The vendor's admin limits the client to some of the firm's coders (CoderIds), or opens it to all of them again (null).</summary>
public sealed record EngagementCodersAssigned(Guid EngagementId, Guid[]? CoderIds, string[]? CoderNames, string By, DateTimeOffset At);
