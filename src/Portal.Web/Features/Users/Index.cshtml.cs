using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;

namespace Portal.Web.Features.Users;

public sealed record UserTable(IReadOnlyList<OrganizationUser> Users, Guid? Me);

public class IndexModel(UserAdministration admin, Invitations invitations) : PageModel
{
    public Organization Organization { get; private set; } = default!;
    public UserTable Table { get; private set; } = default!;
    public IReadOnlyList<UserAdminAuditEntry> RecentChanges { get; private set; } = [];
    public IReadOnlyList<InvitationView> OpenInvitations { get; private set; } = [];
    public string? Notice { get; private set; }
    public string? Error { get; private set; }
    public string[] AssignableRoles => Roles.For(Organization.Kind);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await Load(ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostInviteAsync(string? email, string? displayName, string? role, CancellationToken ct)
    {
        if (!await Load(ct)) return NotFound();
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(displayName) || string.IsNullOrWhiteSpace(role))
            Error = "Give an email, a name and a role.";
        else
        {
            try
            {
                var invited = await invitations.Invite(Organization, new InviteUser(email, displayName, [role]), Actor.Of(User), Request, ct);
                Notice = $"Invitation sent to {invited.Email}. The link works once, for 7 days.";
            }
            catch (Exception e) when (e is RuleViolation or UnprocessableInput) { Error = e.Message; }
        }
        await Load(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostResendAsync(Guid invitationId, CancellationToken ct)
    {
        if (!await Load(ct)) return NotFound();
        try
        {
            if (await invitations.Resend(Organization, invitationId, Actor.Of(User), Request, ct) is not { } resent) return NotFound();
            Notice = $"A new link went to {resent.Email}; the previous one no longer works.";
        }
        catch (RuleViolation e) { Error = e.Message; }
        await Load(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid invitationId, CancellationToken ct)
    {
        if (!await Load(ct)) return NotFound();
        try
        {
            if (await invitations.Revoke(Organization, invitationId, Actor.Of(User), ct) is not { } revoked) return NotFound();
            Notice = $"The invitation to {revoked.Email} is revoked.";
        }
        catch (RuleViolation e) { Error = e.Message; }
        await Load(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostSecurityAsync(bool requireMfa, CancellationToken ct)
    {
        if (!await Load(ct)) return NotFound();
        await admin.SetSecurity(Organization, requireMfa, User, ct);
        Notice = requireMfa
            ? "MFA is now required: users without it set it up at their next sign-in, before anything else."
            : "MFA is now up to each user.";
        await Load(ct);
        return Page();
    }

    public Task<IActionResult> OnPostDisableAsync(Guid userId, CancellationToken ct) => SetDisabled(userId, true, ct);

    public Task<IActionResult> OnPostEnableAsync(Guid userId, CancellationToken ct) => SetDisabled(userId, false, ct);

    async Task<IActionResult> SetDisabled(Guid userId, bool disabled, CancellationToken ct)
    {
        if (!await Load(ct)) return NotFound();
        try
        {
            if (await admin.SetDisabled(Organization, userId, disabled, User) is null) return NotFound();
        }
        catch (RuleViolation e) { ViewData["Error"] = e.Message; }
        await Load(ct);
        Response.Headers.Vary = "HX-Request";
        return Partial("_UserTable", Table);
    }

    async Task<bool> Load(CancellationToken ct)
    {
        if (User.OrganizationId() is not { } orgId || await admin.AdministeredOrganization(User, orgId, ct) is not { } org) return false;
        Organization = org;
        Table = new UserTable(await admin.List(org.Id, ct), User.UserId());
        OpenInvitations = await invitations.Open(org.Id, ct);
        RecentChanges = await admin.History(org.Id, 20, ct);
        return true;
    }
}
