using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Account;

/// <summary>
/// Sets a new password from the mailed link. Identity's reset token expires after two hours and is made from the
/// security stamp, which the reset changes: the link works once, and every session of the account ends.
/// </summary>
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Portal.Web.Platform.RateLimits.AccountEmail)]
public class ResetPasswordModel(UserManager<PortalUser> users) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "user")] public Guid UserId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Token { get; set; }
    [BindProperty, Required, DataType(DataType.Password), StringLength(200)] public string NewPassword { get; set; } = "";
    [BindProperty, Required, DataType(DataType.Password), Compare(nameof(NewPassword), ErrorMessage = "The two passwords differ.")]
    public string ConfirmPassword { get; set; } = "";
    public IReadOnlyList<string> Errors { get; private set; } = [];
    public bool LinkInvalid { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        // Checked on GET too, so a used or expired link says so before the user types a password. Checking does not use it.
        LinkInvalid = await Usable() is null;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await Usable() is not { } user)
        {
            LinkInvalid = true;
            return Page();
        }
        if (!ModelState.IsValid) return Page();
        var result = await users.ResetPasswordAsync(user, Token!, NewPassword);
        if (!result.Succeeded)
        {
            LinkInvalid = result.Errors.Any(e => e.Code == "InvalidToken");
            Errors = [.. result.Errors.Where(e => e.Code != "InvalidToken").Select(e => e.Description)];
            return Page();
        }
        TempData["Notice"] = "Your password is changed. Sign in with the new one.";
        return LocalRedirect("/account/sign-in");
    }

    async Task<PortalUser?> Usable()
    {
        if (string.IsNullOrEmpty(Token) || await users.FindByIdAsync(UserId.ToString()) is not { } user) return null;
        return await users.VerifyUserTokenAsync(user, users.Options.Tokens.PasswordResetTokenProvider,
            UserManager<PortalUser>.ResetPasswordTokenPurpose, Token) ? user : null;
    }
}
