using System.Collections.Concurrent;
using OpenIddict.Abstractions;
using Portal.Web.Platform;
using Oidc = OpenIddict.Abstractions.OpenIddictConstants;

namespace Portal.Web.Features.Identity;

/// <summary>
/// portal-swagger: the public client of Swagger UI's "Authorize" (authorization code + PKCE, for the signed-in user) and of
/// first-party tools. Its redirect URIs are exact: the configured origins' <c>/swagger/oauth2-redirect.html</c>, outside
/// Production the default development ports and a loopback callback, and, added when Swagger UI is opened, the page's own
/// origin when it is loopback or configured (<see cref="SwaggerOrigins"/>, docs/security.md).
/// </summary>
public static class SwaggerClient
{
    public const string ClientId = "portal-swagger";

    /// <summary>Where /connect/endsession may send a user back after signing out (tests and CLI tools; not in Production).</summary>
    public const string DevPostLogoutRedirectUri = "http://127.0.0.1/signed-out";

    // The Swagger UI redirect on the default development ports, and a loopback redirect for tests and CLI tools.
    static readonly string[] DevRedirectUris =
    [
        "http://localhost:5080/swagger/oauth2-redirect.html", "http://127.0.0.1:5080/swagger/oauth2-redirect.html",
        "http://127.0.0.1/callback",
    ];

    /// <summary>Creates the client, or adds what it lacks (never removes: another node may have added a loopback redirect).</summary>
    public static async Task EnsureAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var config = scope.ServiceProvider.GetRequiredService<IConfiguration>();
        var production = scope.ServiceProvider.GetRequiredService<IHostEnvironment>().IsProduction();

        var wanted = new OpenIddictApplicationDescriptor
        {
            ClientId = ClientId,
            ClientType = Oidc.ClientTypes.Public,
            ConsentType = Oidc.ConsentTypes.Implicit,
            DisplayName = "Portal API explorer",
            Permissions =
            {
                Oidc.Permissions.Endpoints.Authorization, Oidc.Permissions.Endpoints.Token, Oidc.Permissions.Endpoints.EndSession,
                Oidc.Permissions.GrantTypes.AuthorizationCode, Oidc.Permissions.GrantTypes.RefreshToken,
                Oidc.Permissions.ResponseTypes.Code,
                Oidc.Permissions.Scopes.Profile, Oidc.Permissions.Scopes.Email, Oidc.Permissions.Prefixes.Scope + Oidc.Scopes.OfflineAccess,
            },
            Requirements = { Oidc.Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var (name, _) in Scopes.All) wanted.Permissions.Add(Oidc.Permissions.Prefixes.Scope + name);
        foreach (var origin in SwaggerOrigins.Configured(config)) wanted.RedirectUris.Add(new Uri(origin + SwaggerOrigins.RedirectPath));
        if (!production)
        {
            foreach (var uri in DevRedirectUris) wanted.RedirectUris.Add(new Uri(uri));
            wanted.PostLogoutRedirectUris.Add(new Uri(DevPostLogoutRedirectUri));
        }

        if (await applications.FindByClientIdAsync(ClientId, ct) is not { } existing)
        {
            await applications.CreateAsync(wanted, ct);
            return;
        }
        var current = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(current, existing, ct);
        var missing = wanted.Permissions.Except(current.Permissions).ToList();
        var missingRedirects = wanted.RedirectUris.Except(current.RedirectUris).ToList();
        var missingLogout = wanted.PostLogoutRedirectUris.Except(current.PostLogoutRedirectUris).ToList();
        if (missing.Count + missingRedirects.Count + missingLogout.Count == 0) return;
        current.Permissions.UnionWith(missing);
        current.RedirectUris.UnionWith(missingRedirects);
        current.PostLogoutRedirectUris.UnionWith(missingLogout);
        current.Requirements.Add(Oidc.Requirements.Features.ProofKeyForCodeExchange);
        await applications.UpdateAsync(existing, current, ct);
    }
}

/// <summary>Adds the exact redirect URI of an accepted origin to portal-swagger when Swagger UI is opened from it.</summary>
sealed class SwaggerRedirects(IServiceScopeFactory scopes, ILogger<SwaggerRedirects> log) : ISwaggerRedirects
{
    // A forged Host header can only name loopback or configured origins, but it could still name thousands of loopback
    // ports: past this many loopback redirects, no more are added.
    internal const int MaxLoopbackRedirects = 20;

    readonly ConcurrentDictionary<string, bool> known = new(StringComparer.OrdinalIgnoreCase);
    readonly SemaphoreSlim gate = new(1, 1);

    public async Task AllowAsync(Uri redirectUri, CancellationToken ct)
    {
        var key = redirectUri.AbsoluteUri;
        if (known.ContainsKey(key)) return;
        await gate.WaitAsync(ct);
        try
        {
            if (known.ContainsKey(key)) return;
            await using var scope = scopes.CreateAsyncScope();
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            if (await applications.FindByClientIdAsync(SwaggerClient.ClientId, ct) is not { } client) return;
            var descriptor = new OpenIddictApplicationDescriptor();
            await applications.PopulateAsync(descriptor, client, ct);
            if (!descriptor.RedirectUris.Contains(redirectUri))
            {
                if (SwaggerOrigins.IsLoopback(redirectUri)
                    && descriptor.RedirectUris.Count(u => SwaggerOrigins.IsLoopback(u) && u.AbsolutePath == SwaggerOrigins.RedirectPath) >= MaxLoopbackRedirects)
                {
                    log.LogWarning("Swagger UI redirect not added: {Count} loopback redirects are registered already.", MaxLoopbackRedirects);
                    return;
                }
                descriptor.RedirectUris.Add(redirectUri);
                await applications.UpdateAsync(client, descriptor, ct);
                log.LogInformation("Swagger UI redirect {Redirect} registered on {Client}.", redirectUri, SwaggerClient.ClientId);
            }
            known[key] = true;
        }
        finally { gate.Release(); }
    }
}
