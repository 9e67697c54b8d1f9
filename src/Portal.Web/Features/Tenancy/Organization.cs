using Portal.Web.Platform;

namespace Portal.Web.Features.Tenancy;

/// <summary>A practice (a tenant, covered entity) or a coding/billing vendor (a business associate). Global, not tenanted.</summary>
public sealed record Organization(Guid Id, OrganizationKind Kind, string Name, string? Npi, DateTimeOffset CreatedAt);
