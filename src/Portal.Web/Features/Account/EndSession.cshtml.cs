using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Account;

/// <summary>
/// OpenID Connect RP-initiated logout (<c>/connect/endsession</c>, OpenIddict passes it through after validating the
/// client and its post_logout_redirect_uri). A GET only asks: a link or an image tag on another site must not sign
/// anyone out. The POST carries the antiforgery token, signs out and lets OpenIddict redirect to the validated
/// post_logout_redirect_uri, or to "/" when none was given.
/// </summary>
public class EndSessionModel(SignInManager<PortalUser> signIn, IOpenIddictApplicationManager applications) : PageModel
{
    public IReadOnlyList<(string Name, string Value)> Parameters { get; private set; } = [];
    public string? ClientName { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var request = HttpContext.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");
        // Nobody is signed in here: there is nothing to confirm, only the redirect back to the application.
        if (User.Identity?.IsAuthenticated != true) return Finish();

        Parameters = [.. request.GetParameters().Select(p => (p.Key, p.Value.ToString() ?? ""))];
        if (request.ClientId is { } clientId && await applications.FindByClientIdAsync(clientId) is { } app)
            ClientName = await applications.GetDisplayNameAsync(app);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync();
        return Finish();
    }

    SignOutResult Finish() =>
        SignOut(new AuthenticationProperties { RedirectUri = "/" }, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
}
