using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Account;

public class SignInModel(SignInManager<PortalUser> signIn, IWebHostEnvironment env, IConfiguration config) : PageModel
{
    [BindProperty, Required, EmailAddress] public string Email { get; set; } = "";
    [BindProperty, Required, DataType(DataType.Password)] public string Password { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string? Error { get; private set; }
    public bool ShowDemoUsers => config.GetValue("Portal:SeedDemoData", env.IsDevelopment());

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        var result = await signIn.PasswordSignInAsync(Email, Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded) return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
        if (result.RequiresTwoFactor)
            return LocalRedirect("/account/sign-in/mfa?ReturnUrl=" + Uri.EscapeDataString(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/"));
        Error = result.IsLockedOut
            ? "Too many failed attempts: this account is locked for 15 minutes."
            : "The email or password is not right.";
        return Page();
    }
}
