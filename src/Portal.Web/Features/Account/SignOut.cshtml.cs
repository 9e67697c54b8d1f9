using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Account;

/// <summary>Signing out ends the server-side session (PortalCookieEvents), so a copy of the cookie no longer works.</summary>
public class SignOutModel(SignInManager<PortalUser> signIn) : PageModel
{
    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync();
        return RedirectToPage();
    }
}
