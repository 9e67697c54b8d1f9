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
        var org = await Load(store, user);
        foreach (var claim in OrganizationClaims(org, user)) identity.AddClaim(claim);
        // Read again whenever the security stamp is re-validated (every minute), so an organization that starts to
        // require MFA reaches live sessions too. The MFA enrolment gate (Features/Account) acts on this claim.
        var roles = identity.FindAll(Options.ClaimsIdentity.RoleClaimType).Select(c => c.Value);
        if (!user.TwoFactorEnabled && Organization.MfaRequiredFor(org, roles))
            identity.AddClaim(new Claim(PortalClaims.MfaEnrolmentRequired, "required"));
        return identity;
    }

    static async Task<Organization?> Load(IDocumentStore store, PortalUser user)
    {
        await using var query = store.QuerySession();
        return await query.LoadAsync<Organization>(user.OrganizationId);
    }

    public static async Task<IReadOnlyList<Claim>> OrganizationClaims(IDocumentStore store, PortalUser user) =>
        OrganizationClaims(await Load(store, user), user);

    static List<Claim> OrganizationClaims(Organization? org, PortalUser user)
    {
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
