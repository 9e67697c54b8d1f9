using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Portal.Web.Features.Identity;
using Portal.Web.Platform;

namespace Portal.Web.Features.Account;

[EnableRateLimiting(RateLimits.SignIn)]
public class SignInModel(SignInManager<PortalUser> signIn, UserManager<PortalUser> users, IPasswordHasher<PortalUser> hasher,
    IOptions<PasswordHasherOptions> hashing, IWebHostEnvironment env, IConfiguration config) : PageModel
{
    /// <summary>The one answer to every failed sign-in, so it does not tell whether the e-mail exists or the account is locked.</summary>
    public const string Failed = "The email or password is not right. After several failed attempts an account is locked for a while.";

    /// <summary>
    /// A hash of a random password at each work factor in use: the one an unknown, locked or disabled account's attempt verifies
    /// against. Made with the configured iteration count, so it costs what a real account's check costs (a process hosting two
    /// Portals with different counts, as the tests do, keeps one for each).
    /// </summary>
    static readonly ConcurrentDictionary<(int Iterations, PasswordHasherCompatibilityMode Mode), string> DummyHashes = new();

    [BindProperty, Required, EmailAddress] public string Email { get; set; } = "";
    [BindProperty, Required, DataType(DataType.Password)] public string Password { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string? Error { get; private set; }
    public bool ShowDemoUsers => config.GetValue("Portal:SeedDemoData", env.IsDevelopment());

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        var user = await users.FindByNameAsync(Email.Trim());
        if (user is null || await users.IsLockedOutAsync(user) || !await signIn.CanSignInAsync(user))
        {
            // Unknown, locked and disabled accounts would otherwise answer without hashing, measurably faster than a
            // wrong password: spend the same hash so the timing tells nothing either.
            SpendOneHash();
            Error = Failed;
            return Page();
        }
        var result = await signIn.PasswordSignInAsync(user, Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded) return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
        if (result.RequiresTwoFactor)
            return LocalRedirect("/account/sign-in/mfa?ReturnUrl=" + Uri.EscapeDataString(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/"));
        Error = Failed;
        return Page();
    }

    void SpendOneHash()
    {
        var nobody = new PortalUser();
        var dummy = DummyHashes.GetOrAdd((hashing.Value.IterationCount, hashing.Value.CompatibilityMode),
            _ => hasher.HashPassword(nobody, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))));
        hasher.VerifyHashedPassword(nobody, dummy, Password);
    }
}
