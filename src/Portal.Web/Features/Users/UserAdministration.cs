using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;

namespace Portal.Web.Features.Users;

/// <remarks>ETag: the account's concurrency stamp, for If-Match on role changes, disable and enable (412 when someone changed it meanwhile).</remarks>
public sealed record OrganizationUser(Guid Id, string Email, string DisplayName, string[] Roles, bool Disabled, bool LockedOut, bool MfaEnabled = false,
    string? ETag = null);

public sealed record ChangeRoles([Required, MinLength(1)] string[] Roles);

/// <summary>Whether every user of the organization must sign in with a second factor (TOTP).</summary>
public sealed record OrganizationSecurity([Required] bool? RequireMfa)
{
    /// <summary>The organization's revision (answers only; W/"Version" is the ETag).</summary>
    public long? Version { get; init; }
}

/// <summary>
/// Who changed which account of an organization, and how: access management is itself audited (45 CFR 164.308(a)(4)).
/// Global (not tenanted): users belong to organizations, and vendors and operators are not tenants.
/// </summary>
public sealed record UserAdminAuditEntry(Guid Id, Guid OrganizationId, string Action, Guid UserId, string UserEmail, string Details,
    string Actor, Guid? ActorId, DateTimeOffset At);

/// <summary>
/// Practice admins manage their practice's users, vendor admins their firm's. An organization's admin sees and changes
/// only its own users; another organization's id or user id answers 404.
/// </summary>
public sealed class UserAdministration(UserManager<PortalUser> users, IDocumentStore store, TimeProvider clock, Sessions sessions,
    IOpenIddictTokenManager tokens, IOpenIddictAuthorizationManager authorizations)
{
    // A disabled account is locked out until the year 9999. PostgreSQL keeps microseconds, so the stored value reads
    // back a little below DateTimeOffset.MaxValue: compare against this threshold, never for equality.
    static readonly DateTimeOffset DisabledUntil = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public async Task<Organization?> AdministeredOrganization(ClaimsPrincipal caller, Guid organizationId, CancellationToken ct)
    {
        if (caller.OrganizationId() != organizationId) return null;
        await using var query = store.QuerySession();
        var org = await query.LoadAsync<Organization>(organizationId, ct);
        return org is not null && caller.IsInRole(Roles.AdminOf(org.Kind)) ? org : null;
    }

    public async Task<IReadOnlyList<OrganizationUser>> List(Guid organizationId, CancellationToken ct)
    {
        var members = await EntityFrameworkQueryableExtensions.ToListAsync(
            users.Users.Where(u => u.OrganizationId == organizationId).OrderBy(u => u.DisplayName), ct);
        var result = new List<OrganizationUser>(members.Count);
        foreach (var user in members) result.Add(await View(user));
        return result;
    }

    public async Task<OrganizationUser?> ChangeRoles(Organization org, Guid userId, string[] requested, ClaimsPrincipal caller,
        string? expectedStamp = null)
    {
        var user = await Member(org, userId);
        if (user is null) return null;
        StaleVersion.Check(expectedStamp, user.ConcurrencyStamp);
        var roles = CheckRoles(org, requested);
        if (caller.UserId() == user.Id && !roles.Contains(Roles.AdminOf(org.Kind)))
            throw new RuleViolation("You cannot remove your own admin role; ask another admin.", "self-demotion");
        var current = await users.GetRolesAsync(user);
        Succeeded(await users.RemoveFromRolesAsync(user, current.Except(roles)));
        Succeeded(await users.AddToRolesAsync(user, roles.Except(current)));
        // No new security stamp: that would end the user's sessions and tokens outright (401). Cookies and tokens take
        // the roles from the store on every request instead, so the next request already has the new rights (ADR 0008).
        await Audit(org, "roles-changed", user, $"from {string.Join(", ", current)} to {string.Join(", ", roles)}", caller);
        return await View(user);
    }

    /// <summary>Disabling locks the account for good; its cookies and tokens are refused from the next request on (ADR 0008).</summary>
    public async Task<OrganizationUser?> SetDisabled(Organization org, Guid userId, bool disabled, ClaimsPrincipal caller,
        string? expectedStamp = null)
    {
        var user = await Member(org, userId);
        if (user is null) return null;
        StaleVersion.Check(expectedStamp, user.ConcurrencyStamp);
        if (disabled && caller.UserId() == user.Id)
            throw new RuleViolation("You cannot disable your own account.", "self-disable");
        Succeeded(await users.SetLockoutEnabledAsync(user, true));
        Succeeded(await users.SetLockoutEndDateAsync(user, disabled ? DisabledUntil : null));
        if (!disabled) await users.ResetAccessFailedCountAsync(user);
        // The new stamp is what cookies and tokens are checked against on every request; revoking the stored tokens and
        // sessions as well keeps the database honest and leaves nothing to come back to if the account is enabled again.
        await users.UpdateSecurityStampAsync(user);
        if (disabled)
        {
            await sessions.EndAll(user.Id);
            await tokens.RevokeBySubjectAsync(user.Id.ToString());
            await authorizations.RevokeBySubjectAsync(user.Id.ToString());
        }
        await Audit(org, disabled ? "user-disabled" : "user-enabled", user, "", caller);
        return await View(user);
    }

    /// <summary>
    /// Turning MFA on reaches users at their next sign-in, and live sessions within a minute (the cookie's claims are
    /// rebuilt when the security stamp is re-checked): those without MFA can then only enrol or sign out.
    /// </summary>
    public async Task<OrganizationSecurity> SetSecurity(Organization org, bool requireMfa, ClaimsPrincipal caller, CancellationToken ct,
        long? expected = null)
    {
        await using var session = store.LightweightSession();
        var current = await session.LoadAsync<Organization>(org.Id, ct) ?? org;
        StaleVersion.Check(expected, current.Version);
        if (current.RequireMfa != requireMfa)
        {
            current = session.StoreChecked(current, current with { RequireMfa = requireMfa }, expected);
            session.Store(new UserAdminAuditEntry(Guid.CreateVersion7(), org.Id, requireMfa ? "mfa-required" : "mfa-optional", Guid.Empty, "",
                requireMfa ? "every user must sign in with an authenticator app" : "MFA is up to each user", caller.Actor(), caller.UserId(),
                clock.GetUtcNow()));
            await session.SaveChangesAsync(ct);
        }
        return new OrganizationSecurity(requireMfa) { Version = current.Version };
    }

    public async Task<IReadOnlyList<UserAdminAuditEntry>> History(Guid organizationId, int limit, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        return await QueryableExtensions.ToListAsync(query.Query<UserAdminAuditEntry>().Where(e => e.OrganizationId == organizationId)
            .OrderByDescending(e => e.At).Take(limit), ct);
    }

    async Task Audit(Organization org, string action, PortalUser user, string details, ClaimsPrincipal caller)
    {
        await using var session = store.LightweightSession();
        session.Store(new UserAdminAuditEntry(Guid.CreateVersion7(), org.Id, action, user.Id, user.Email ?? "", details,
            caller.Actor(), caller.UserId(), clock.GetUtcNow()));
        await session.SaveChangesAsync();
    }

    async Task<PortalUser?> Member(Organization org, Guid userId) =>
        await users.FindByIdAsync(userId.ToString()) is { } user && user.OrganizationId == org.Id ? user : null;

    async Task<OrganizationUser> View(PortalUser user)
    {
        var disabled = user.LockoutEnd >= DisabledUntil;
        return new OrganizationUser(user.Id, user.Email ?? "", user.DisplayName, [.. await users.GetRolesAsync(user)], disabled,
            !disabled && user.LockoutEnd > DateTimeOffset.UtcNow, user.TwoFactorEnabled, ETags.ForStamp(user.ConcurrencyStamp));
    }

    internal static string[] CheckRoles(Organization org, string[] requested)
    {
        var allowed = Roles.For(org.Kind);
        var roles = requested.Select(r => r.Trim()).Distinct().ToArray();
        var wrong = roles.Except(allowed).ToArray();
        if (roles.Length == 0 || wrong.Length > 0)
            throw new UnprocessableInput(roles.Length == 0 ? "Give the user at least one role." : $"Not a role of this organization: {string.Join(", ", wrong)}.",
                new Dictionary<string, string[]> { ["roles"] = [$"Use any of: {string.Join(", ", allowed)}."] });
        return roles;
    }

    static void Succeeded(IdentityResult result)
    {
        // Identity saves with the concurrency stamp it read: another admin's change in between fails here (412), not silently.
        if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.ConcurrencyFailure))) throw new StaleVersion();
        if (!result.Succeeded)
            throw new UnprocessableInput(string.Join(" ", result.Errors.Select(e => e.Description)));
    }
}
