using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.MyAccount;

/// <summary>A signed-in user changes their own password. The security stamp changes, so their other sessions end.</summary>
// Not in Features/Account: that folder is open to anonymous users, and AllowAnonymous would win over [Authorize].
public class PasswordModel(UserManager<PortalUser> users, SignInManager<PortalUser> signIn) : PageModel
{
    [BindProperty, Required, DataType(DataType.Password)] public string CurrentPassword { get; set; } = "";
    [BindProperty, Required, DataType(DataType.Password), StringLength(200)] public string NewPassword { get; set; } = "";
    [BindProperty, Required, DataType(DataType.Password), Compare(nameof(NewPassword), ErrorMessage = "The two new passwords differ.")]
    public string ConfirmPassword { get; set; } = "";
    public IReadOnlyList<string> Errors { get; private set; } = [];
    public bool Changed { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.GetUserAsync(User) is not { } user) return Challenge();
        if (!ModelState.IsValid) return Page();
        var result = await users.ChangePasswordAsync(user, CurrentPassword, NewPassword);
        if (!result.Succeeded)
        {
            Errors = [.. result.Errors.Select(e => e.Code == "PasswordMismatch" ? "Your current password is not right." : e.Description)];
            return Page();
        }
        await signIn.RefreshSignInAsync(user);
        Changed = true;
        return Page();
    }
}
