using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;

namespace Portal.Web.Features.Identity;

/// <summary>Adds the organization, its kind and (for practice users) the tenant to the sign-in cookie.</summary>
sealed class PortalClaimsFactory(
    UserManager<PortalUser> users, RoleManager<IdentityRole<Guid>> roles, IOptions<IdentityOptions> options, IDocumentStore store)
    : UserClaimsPrincipalFactory<PortalUser, IdentityRole<Guid>>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PortalUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        foreach (var claim in await OrganizationClaims(store, user)) identity.AddClaim(claim);
        return identity;
    }

    public static async Task<IReadOnlyList<Claim>> OrganizationClaims(IDocumentStore store, PortalUser user)
    {
        await using var query = store.QuerySession();
        var org = await query.LoadAsync<Organization>(user.OrganizationId);
        var claims = new List<Claim>
        {
            new(PortalClaims.Organization, user.OrganizationId.ToString()),
            new(PortalClaims.DisplayName, user.DisplayName),
        };
        if (org is not null)
        {
            claims.Add(new(PortalClaims.OrganizationKind, org.Kind.ToString()));
            if (org.Kind == OrganizationKind.Practice) claims.Add(new(PortalClaims.Tenant, org.Id.ToString()));
        }
        return claims;
    }
}
