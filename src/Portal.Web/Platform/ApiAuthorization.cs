using Microsoft.AspNetCore.Authorization;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;

namespace Portal.Web.Platform;

/// <summary>
/// The API accepts only bearer tokens from our OpenIddict server. A token must carry the endpoint's scope; when it
/// acts for a user (authorization code), the user must also hold one of the endpoint's roles. A client-credentials
/// token acts for its practice and is bounded by its scopes alone.
/// </summary>
public sealed record ApiAccess(string Scope, string[] Roles) : IAuthorizationRequirement;

sealed class ApiAccessHandler : AuthorizationHandler<ApiAccess>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ApiAccess requirement)
    {
        var user = context.User;
        var isUser = user.HasClaim(c => c.Type == PortalClaims.Organization);
        if (user.HasScope(requirement.Scope) && (!isUser || requirement.Roles.Length == 0 || requirement.Roles.Any(user.IsInRole)))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

public static class ApiAuthorizationExtensions
{
    public static AuthorizationPolicy Policy(string scope, params string[] roles) =>
        new AuthorizationPolicyBuilder(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new ApiAccess(scope, roles))
            .Build();

    /// <summary>Requires a bearer token with <paramref name="scope"/>, and for user tokens one of <paramref name="roles"/> (none: any role).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope, params string[] roles)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policy(scope, roles));
}
