using Portal.Web.Platform;

namespace Portal.Web.Features.Tenancy;

/// <summary>A practice (a tenant, covered entity) or a coding/billing vendor (a business associate). Global, not tenanted.</summary>
public sealed record Organization(Guid Id, OrganizationKind Kind, string Name, string? Npi, DateTimeOffset CreatedAt) : Platform.IHasRevision
{
    /// <summary>
    /// Marten's revision, moved on by every change (security settings, suspension, reactivation): the organisation's one ETag, checked
    /// against If-Match by SetOrganizationSecurity, SuspendOrganization and ReactivateOrganization. (Until issue 15 the operator's
    /// changes also counted a second "Revision" in the document; stored documents still carry it and it is ignored.)
    /// </summary>
    public long Version { get; set; }

    /// <summary>Every user of this organization must sign in with a second factor (TOTP); set by the organization's admin.</summary>
    public bool RequireMfa { get; init; }

    /// <summary>Set while the platform operator has suspended the organization: its users cannot sign in and get 403; its data stays.</summary>
    public DateTimeOffset? SuspendedAt { get; init; }
    public string? SuspendedReason { get; init; }

    /// <summary>Platform admins reach every tenant's reference data, so they always need MFA, whatever their organization says.</summary>
    public static bool MfaRequiredFor(Organization? org, IEnumerable<string> roles) =>
        org?.RequireMfa == true || roles.Contains(Roles.PlatformAdmin);
}
