using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIddict.Abstractions;
using Portal.Web.Features.Identity;
using Oidc = OpenIddict.Abstractions.OpenIddictConstants;

namespace Portal.Web.Features.MyAccount;

/// <summary>One app the user allowed: its grant id, name, what it may do, since when.</summary>
public sealed record ConnectedApp(string GrantId, string Name, string[] Scopes, DateTimeOffset? Since);

/// <summary>
/// The apps the signed-in user allowed (explicit consent grants). Disconnecting revokes the grant and every token issued under it:
/// the app's access token is refused from its next request (authorization entry validation) and its refresh token no longer works.
/// </summary>
public class ConnectedAppsModel(UserManager<PortalUser> users, IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens) : PageModel
{
    public IReadOnlyList<ConnectedApp> Apps { get; private set; } = [];
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await users.GetUserAsync(User) is not { } user) return Challenge();
        Apps = await For(user.Id.ToString(), ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(string grantId, CancellationToken ct)
    {
        if (await users.GetUserAsync(User) is not { } user) return Challenge();
        var grant = await authorizations.FindByIdAsync(grantId, ct);
        // Another user's grant id is as unknown as a made-up one.
        if (grant is null || await authorizations.GetSubjectAsync(grant, ct) != user.Id.ToString()) return NotFound();
        var name = Apps.FirstOrDefault(a => a.GrantId == grantId)?.Name;
        await authorizations.TryRevokeAsync(grant, ct);
        await tokens.RevokeByAuthorizationIdAsync(grantId, ct);
        Apps = await For(user.Id.ToString(), ct);
        Message = "The app is disconnected: it can no longer act for you.";
        return Page();
    }

    async Task<IReadOnlyList<ConnectedApp>> For(string subject, CancellationToken ct)
    {
        var list = new List<ConnectedApp>();
        await foreach (var grant in authorizations.FindBySubjectAsync(subject, ct))
        {
            if (await authorizations.GetTypeAsync(grant, ct) != Oidc.AuthorizationTypes.Permanent
                || !await authorizations.HasStatusAsync(grant, Oidc.Statuses.Valid, ct)) continue;
            var appId = await authorizations.GetApplicationIdAsync(grant, ct);
            var app = appId is null ? null : await applications.FindByIdAsync(appId, ct);
            list.Add(new ConnectedApp((await authorizations.GetIdAsync(grant, ct))!,
                app is null ? "(removed app)" : await applications.GetDisplayNameAsync(app, ct) ?? "(unnamed app)",
                [.. await authorizations.GetScopesAsync(grant, ct)], await authorizations.GetCreationDateAsync(grant, ct)));
        }
        return [.. list.OrderBy(a => a.Name)];
    }
}
