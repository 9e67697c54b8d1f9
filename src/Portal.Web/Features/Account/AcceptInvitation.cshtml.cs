using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Users;

namespace Portal.Web.Features.Account;

/// <summary>
/// The invitee opens the mailed link, chooses a name and password, and is signed in. Opening the link (GET) changes
/// nothing, so mail scanners that follow links do not use it up; only the form's POST does.
/// </summary>
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Portal.Web.Platform.RateLimits.AccountEmail)]
public class AcceptInvitationModel(Invitations invitations, SignInManager<PortalUser> signIn) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "invitation")] public Guid InvitationId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Token { get; set; }
    [BindProperty, Required, StringLength(100, MinimumLength = 2)] public string DisplayName { get; set; } = "";
    [BindProperty, Required, DataType(DataType.Password), StringLength(200)] public string Password { get; set; } = "";
    [BindProperty, Required, DataType(DataType.Password), Compare(nameof(Password), ErrorMessage = "The two passwords differ.")]
    public string ConfirmPassword { get; set; } = "";
    public Invitation? Invitation { get; private set; }
    public string OrganizationName { get; private set; } = "";
    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await Load(ct) is { } invitation) DisplayName = invitation.DisplayName;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (await Load(ct) is not { } invitation || !ModelState.IsValid) return Page();
        var (user, errors) = await invitations.Accept(invitation, DisplayName, Password, ct);
        if (user is null)
        {
            Errors = errors;
            return Page();
        }
        // Signing in goes through the claims factory: an invitee who must use MFA lands on enrolment first.
        await signIn.SignInAsync(user, isPersistent: false);
        return LocalRedirect("/");
    }

    async Task<Invitation?> Load(CancellationToken ct)
    {
        Invitation = await invitations.FindUsable(InvitationId, Token, ct);
        if (Invitation is not null) OrganizationName = (await invitations.OrganizationOf(Invitation, ct))?.Name ?? "";
        return Invitation;
    }
}
