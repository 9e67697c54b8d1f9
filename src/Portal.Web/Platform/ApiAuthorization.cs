using Microsoft.AspNetCore.Authorization;
using OpenIddict.Validation.AspNetCore;

namespace Portal.Web.Platform;

/// <summary>
/// The API accepts only bearer tokens from our OpenIddict server. Who may call which operation is the permission table's
/// (<see cref="Permissions"/>), applied by <see cref="PracticeScopeMiddleware"/>: one place for API, pages and menus.
/// </summary>
public static class ApiAuthorizationExtensions
{
    /// <summary>Authenticated with a bearer token of our server.</summary>
    public static readonly AuthorizationPolicy BearerPolicy =
        new AuthorizationPolicyBuilder(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .Build();
}
