using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Features.Identity;
using Portal.Web.Platform.Email;

namespace Portal.Web.Features.Account;

/// <summary>
/// Asks for a reset link. The answer is the same whether or not the address has an account, and the mail is queued
/// rather than sent inline, so neither the words nor the timing tell an attacker which addresses exist.
/// </summary>
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Portal.Web.Platform.RateLimits.AccountEmail)]
public class ForgotPasswordModel(UserManager<PortalUser> users, MailQueue mail, PortalLinks links) : PageModel
{
    [BindProperty, Required, EmailAddress, StringLength(256)] public string Email { get; set; } = "";
    public bool Sent { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        var user = await users.FindByEmailAsync(Email.Trim());
        // Disabled accounts get no link: resetting would not let them in, and the mail would only confirm the account.
        if (user is not null && !await users.IsLockedOutAsync(user))
        {
            var token = await users.GeneratePasswordResetTokenAsync(user);
            var link = links.Absolute(Request, $"/account/reset-password?user={user.Id}&token={Uri.EscapeDataString(token)}");
            mail.Enqueue(new OutgoingMail(user.Email!, "Reset your Portal password",
            [
                $"Hello {user.DisplayName},",
                "Someone asked to reset the password of your Portal account. Open the link below within 2 hours to choose a new one; it works once.",
                "If it was not you, ignore this mail: your password stays as it is.",
            ], "Choose a new password", link));
        }
        Sent = true;
        return Page();
    }
}
