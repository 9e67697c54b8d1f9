using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Account;

/// <summary>
/// The second sign-in step for users with MFA on. The password step left only Identity's short-lived two-factor cookie
/// (Identity.TwoFactorUserId), which opens nothing but this page.
/// </summary>
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Portal.Web.Platform.RateLimits.SignIn)]
public class SignInMfaModel(SignInManager<PortalUser> signIn) : PageModel
{
    [BindProperty, Required, StringLength(40)] public string Code { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? RedirectToSignIn() : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null) return RedirectToSignIn();
        if (!ModelState.IsValid) return Page();
        var code = new string([.. Code.Where(c => !char.IsWhiteSpace(c))]);
        // Six digits come from the authenticator app; anything else is tried as a one-time recovery code.
        var result = code.Length == 6 && code.All(char.IsAsciiDigit)
            ? await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: false)
            : await signIn.TwoFactorRecoveryCodeSignInAsync(code);
        if (result.Succeeded) return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
        Error = result.IsLockedOut
            ? "Too many failed attempts: this account is locked for 15 minutes."
            : "That code is not right. Codes change every 30 seconds; check your device's clock.";
        return Page();
    }

    IActionResult RedirectToSignIn() =>
        LocalRedirect("/account/sign-in" + (Url.IsLocalUrl(ReturnUrl) ? "?ReturnUrl=" + Uri.EscapeDataString(ReturnUrl!) : ""));
}
