using System.Collections.Immutable;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIddict.Abstractions;
using Portal.Web.Features.Identity;
using Oidc = OpenIddict.Abstractions.OpenIddictConstants;

namespace Portal.Web.Features.MyAccount;

/// <summary>
/// Consent for an app a practice registered: the authorization endpoint sends the user here with its request; Allow stores a
/// permanent grant (user + app + scopes) and goes back to the authorization endpoint, which now issues the code. Deny goes back with
/// portal_consent=denied, which the endpoint answers with access_denied at the app's registered redirect URI. Only this
/// antiforgery-checked POST creates a grant, so an app cannot allow itself.
/// </summary>
public class ConsentModel(UserManager<PortalUser> users, IOpenIddictApplicationManager applications, IOpenIddictAuthorizationManager authorizations)
    : PageModel
{
    public string AppName { get; private set; } = "";
    public IReadOnlyList<string> Scopes { get; private set; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await Load(ct) is not { } _) return BadRequest();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string decision, CancellationToken ct)
    {
        if (await Load(ct) is not { } application) return BadRequest();
        if (decision == "allow")
        {
            var user = await users.GetUserAsync(User);
            if (user is null) return Challenge();
            var subject = user.Id.ToString();
            var applicationId = (await applications.GetIdAsync(application, ct))!;
            var scopes = Scopes.ToImmutableArray();
            if (await ConnectEndpoints.RememberedConsent(authorizations, subject, applicationId, scopes) is null)
            {
                var identity = new ClaimsIdentity("Portal.Consent");
                identity.SetClaim(Oidc.Claims.Subject, subject);
                await authorizations.CreateAsync(identity, subject, applicationId, Oidc.AuthorizationTypes.Permanent, scopes, ct);
            }
        }
        var back = Parameters.Where(p => p.Key != ConnectEndpoints.ConsentDenied).Select(p => new KeyValuePair<string, string?>(p.Key, p.Value));
        if (decision != "allow") back = back.Append(new(ConnectEndpoints.ConsentDenied, "denied"));
        return LocalRedirect("/connect/authorize" + QueryString.Create(back));
    }

    async Task<object?> Load(CancellationToken ct)
    {
        var source = Request.HasFormContentType ? Request.Form.Where(f => f.Key is not "__RequestVerificationToken" and not "decision")
            : Request.Query.AsEnumerable();
        Parameters = [.. source.Where(p => p.Key.Length <= 100).Select(p => new KeyValuePair<string, string>(p.Key, p.Value.ToString()))];
        var clientId = Parameters.FirstOrDefault(p => p.Key == Oidc.Parameters.ClientId).Value;
        if (string.IsNullOrEmpty(clientId) || await applications.FindByClientIdAsync(clientId, ct) is not { } application) return null;
        if (!await applications.HasConsentTypeAsync(application, Oidc.ConsentTypes.Explicit, ct)) return null;
        AppName = await applications.GetDisplayNameAsync(application, ct) ?? clientId;
        Scopes = [.. (Parameters.FirstOrDefault(p => p.Key == Oidc.Parameters.Scope).Value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct()];
        return application;
    }
}
