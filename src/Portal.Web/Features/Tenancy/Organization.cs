using Portal.Web.Platform;

namespace Portal.Web.Features.Tenancy;

/// <summary>A practice (a tenant, covered entity) or a coding/billing vendor (a business associate). Global, not tenanted.</summary>
public sealed record Organization(Guid Id, OrganizationKind Kind, string Name, string? Npi, DateTimeOffset CreatedAt) : Platform.IHasRevision
{
    /// <summary>Marten's revision: the ETag of the organization's security settings (If-Match on SetOrganizationSecurity).</summary>
    public long Version { get; set; }

    /// <summary>Every user of this organization must sign in with a second factor (TOTP); set by the organization's admin.</summary>
    public bool RequireMfa { get; init; }

    /// <summary>Set while the platform operator has suspended the organization: its users cannot sign in and get 403; its data stays.</summary>
    public DateTimeOffset? SuspendedAt { get; init; }
    public string? SuspendedReason { get; init; }

    /// <summary>Counts the operator's changes (suspend, reactivate): the ETag of the organisation, checked against If-Match.</summary>
    public long Revision { get; init; }

    /// <summary>Platform admins reach every tenant's reference data, so they always need MFA, whatever their organization says.</summary>
    public static bool MfaRequiredFor(Organization? org, IEnumerable<string> roles) =>
        org?.RequireMfa == true || roles.Contains(Roles.PlatformAdmin);
}
