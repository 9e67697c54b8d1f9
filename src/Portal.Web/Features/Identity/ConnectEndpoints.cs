using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Portal.Web.Platform;
using Oidc = OpenIddict.Abstractions.OpenIddictConstants;

namespace Portal.Web.Features.Identity;

/// <summary>The OAuth2/OIDC endpoints that OpenIddict passes through to us: we decide who the token speaks for.</summary>
public static class ConnectEndpoints
{
    /// <summary>Application property naming the practice a client-credentials app is registered to.</summary>
    public const string PracticeProperty = "practice_id";

    public static void MapConnect(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/connect/authorize", ["GET", "POST"], Authorize).ExcludeFromDescription().DisableAntiforgery();
        app.MapPost("/connect/token", Token).ExcludeFromDescription().DisableAntiforgery().RequireRateLimiting(RateLimits.Token);
        // /connect/endsession is the Razor page Features/Account/EndSession: a GET asks, only the antiforgery-checked POST signs out.
        app.MapMethods("/connect/userinfo", ["GET", "POST"], UserInfo).ExcludeFromDescription().DisableAntiforgery()
            .RequireAuthorization(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(
                OpenIddict.Validation.AspNetCore.OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build());
    }

    /// <summary>Query parameter the consent page adds when the user pressed Deny (an app adding it itself only denies itself).</summary>
    public const string ConsentDenied = "portal_consent";

    // Authorization code + PKCE: the user signs in to the portal (cookie), then we issue a code for them. First-party clients
    // (the API explorer) have implicit consent; apps a practice registered have explicit consent: the user allows them once on the
    // consent page (/connect/consent), and that grant is remembered (a permanent OpenIddict authorization) until revoked on the
    // Connected apps page.
    static async Task<IResult> Authorize(HttpContext context, UserManager<PortalUser> users, IDocumentStore store,
        IOpenIddictApplicationManager applications, IOpenIddictAuthorizationManager authorizations)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        var cookie = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (!cookie.Succeeded || request.HasPromptValue(Oidc.PromptValues.Login))
        {
            if (request.HasPromptValue(Oidc.PromptValues.None))
                return Forbid(Oidc.Errors.LoginRequired, "The user is not signed in.");
            var returnUrl = context.Request.PathBase + context.Request.Path + QueryString.Create(
                context.Request.HasFormContentType ? context.Request.Form.ToList() : context.Request.Query.ToList());
            return Results.Challenge(new AuthenticationProperties { RedirectUri = returnUrl }, [IdentityConstants.ApplicationScheme]);
        }

        var user = await users.GetUserAsync(cookie.Principal!);
        if (user is null) return Forbid(Oidc.Errors.LoginRequired, "The user no longer exists.");

        var application = await applications.FindByClientIdAsync(request.ClientId!)
            ?? throw new InvalidOperationException("The application cannot be found.");
        // An app registered to a practice signs in only that practice's own users.
        var properties = await applications.GetPropertiesAsync(application);
        if (properties.TryGetValue(PracticeProperty, out var practice) && practice.ValueKind == JsonValueKind.String
            && practice.GetString() != user.OrganizationId.ToString())
            return Forbid(Oidc.Errors.AccessDenied, "This app is registered to another practice.");

        object? grant = null;
        if (await applications.HasConsentTypeAsync(application, Oidc.ConsentTypes.Explicit))
        {
            if (request[ConsentDenied]?.ToString() == "denied") return Forbid(Oidc.Errors.AccessDenied, "The user did not allow the app.");
            grant = await RememberedConsent(authorizations, user.Id.ToString(), (await applications.GetIdAsync(application))!, request.GetScopes());
            if (grant is null)
            {
                if (request.HasPromptValue(Oidc.PromptValues.None))
                    return Forbid(Oidc.Errors.ConsentRequired, "The user has not allowed this app yet.");
                return Results.Redirect("/connect/consent" + QueryString.Create(
                    request.GetParameters().Select(p => new KeyValuePair<string, string?>(p.Key, p.Value.ToString()))));
            }
        }

        var identity = await UserIdentity(users, store, user, request.GetScopes());
        if (grant is not null) identity.SetAuthorizationId(await authorizations.GetIdAsync(grant));
        return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>The user's valid, permanent grant to this app covering every requested scope (what the consent page stored).</summary>
    public static async Task<object?> RememberedConsent(IOpenIddictAuthorizationManager authorizations, string subject, string applicationId,
        ImmutableArray<string> scopes)
    {
        await foreach (var grant in authorizations.FindAsync(subject, applicationId, Oidc.Statuses.Valid, Oidc.AuthorizationTypes.Permanent, scopes))
            return grant;
        return null;
    }

    static async Task<IResult> Token(HttpContext context, UserManager<PortalUser> users, IDocumentStore store,
        IOpenIddictApplicationManager applications)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        if (request.IsClientCredentialsGrantType())
        {
            var application = await applications.FindByClientIdAsync(request.ClientId!)
                ?? throw new InvalidOperationException("The application cannot be found.");
            var properties = await applications.GetPropertiesAsync(application);
            if (!properties.TryGetValue(PracticeProperty, out var practice) || practice.ValueKind != JsonValueKind.String)
                return Forbid(Oidc.Errors.UnauthorizedClient, "This client is not registered to a practice.");

            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Oidc.Claims.Name, Oidc.Claims.Role);
            identity.SetClaim(Oidc.Claims.Subject, request.ClientId);
            identity.SetClaim(Oidc.Claims.Name, await applications.GetDisplayNameAsync(application) ?? request.ClientId);
            identity.SetClaim(PortalClaims.Tenant, practice.GetString());
            identity.SetScopes(request.GetScopes());
            identity.SetDestinations(_ => [Oidc.Destinations.AccessToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var user = await users.FindByIdAsync(result.Principal?.GetClaim(Oidc.Claims.Subject) ?? "");
            if (user is null || await users.IsLockedOutAsync(user)
                || Sessions.StampDigest(await users.GetSecurityStampAsync(user)) != result.Principal!.GetClaim(Sessions.StampClaim))
                return Forbid(Oidc.Errors.InvalidGrant, "The user can no longer sign in.");
            if (await MustEnrolInMfa(users, store, user))
                return Forbid(Oidc.Errors.InvalidGrant, "The user must turn on MFA before using apps.");
            // Re-read roles and organization: a user moved or demoted since the code was issued gets the new rights.
            var identity = await UserIdentity(users, store, user, result.Principal!.GetScopes());
            // Keep the grant: revoking it on the Connected apps page ends this app's access and refresh tokens.
            identity.SetAuthorizationId(result.Principal!.GetAuthorizationId());
            return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        return Forbid(Oidc.Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    // A refresh token issued before the organization started to require MFA stops working until the user enrols.
    static async Task<bool> MustEnrolInMfa(UserManager<PortalUser> users, IDocumentStore store, PortalUser user)
    {
        if (user.TwoFactorEnabled) return false;
        await using var query = store.QuerySession();
        return Tenancy.Organization.MfaRequiredFor(await query.LoadAsync<Tenancy.Organization>(user.OrganizationId), await users.GetRolesAsync(user));
    }

    static IResult UserInfo(ClaimsPrincipal user) => Results.Ok(new Dictionary<string, object?>
    {
        [Oidc.Claims.Subject] = user.GetClaim(Oidc.Claims.Subject),
        [Oidc.Claims.Name] = user.GetClaim(Oidc.Claims.Name),
        [Oidc.Claims.Email] = user.HasScope(Oidc.Scopes.Email) ? user.GetClaim(Oidc.Claims.Email) : null,
        [PortalClaims.Organization] = user.GetClaim(PortalClaims.Organization),
        [Oidc.Claims.Role] = user.GetClaims(Oidc.Claims.Role),
    });

    static async Task<ClaimsIdentity> UserIdentity(UserManager<PortalUser> users, IDocumentStore store, PortalUser user,
        ImmutableArray<string> scopes)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Oidc.Claims.Name, Oidc.Claims.Role);
        identity.SetClaim(Oidc.Claims.Subject, user.Id.ToString())
            .SetClaim(Oidc.Claims.Email, user.Email)
            .SetClaim(Oidc.Claims.PreferredUsername, user.UserName)
            // Checked on every request (UserTokenCheck): a disabled user or new credentials end the token at once.
            .SetClaim(Sessions.StampClaim, Sessions.StampDigest(await users.GetSecurityStampAsync(user)))
            .SetClaims(Oidc.Claims.Role, [.. await users.GetRolesAsync(user)]);
        foreach (var claim in await PortalClaimsFactory.OrganizationClaims(store, user))
            identity.SetClaim(claim.Type, claim.Value);
        identity.SetScopes(scopes);
        identity.SetDestinations(claim => claim.Type switch
        {
            Oidc.Claims.Name or Oidc.Claims.PreferredUsername when identity.HasScope(Oidc.Scopes.Profile)
                => [Oidc.Destinations.AccessToken, Oidc.Destinations.IdentityToken],
            Oidc.Claims.Email when identity.HasScope(Oidc.Scopes.Email)
                => [Oidc.Destinations.AccessToken, Oidc.Destinations.IdentityToken],
            _ => [Oidc.Destinations.AccessToken],
        });
        return identity;
    }

    static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
