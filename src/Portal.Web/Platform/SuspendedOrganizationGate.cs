using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;

namespace Portal.Web.Platform;

/// <summary>Whether an organisation is suspended by the platform operator (Features/Tenancy/Onboarding.cs answers it), as <c>user</c>'s request read it.</summary>
public interface IOrganizationStanding
{
    Task<(bool Suspended, string Name)> For(ClaimsPrincipal user, Guid organizationId, CancellationToken ct);
}

/// <summary>
/// A suspended organisation's users, and the apps of a suspended practice, get 403 with a plain message on every request,
/// whatever cookie or token they hold: pages get a short page, the API a problem document. Signing out still works.
/// Nothing is deleted; reactivating lets them back in from the next request.
/// </summary>
public sealed class SuspendedOrganizationGate(RequestDelegate next)
{
    public const string Message = "is suspended by Portal's operator. Its data is kept; contact Portal support to reactivate it.";

    public async Task InvokeAsync(HttpContext context, IOrganizationStanding standing)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true && !Exempt(context.Request.Path)
            && (user.OrganizationId() ?? (Guid.TryParse(user.FindFirstValue(PortalClaims.Tenant), out var t) ? t : null)) is { } org
            && await standing.For(user, org, context.RequestAborted) is (true, var name))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            var detail = $"{name} {Message}";
            if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/connect"))
            {
                await context.Response.WriteAsJsonAsync(new ProblemDetails
                {
                    Status = 403, Title = "Your organization is suspended", Detail = detail, Instance = context.Request.Path,
                }, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted);
                return;
            }
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync($"""
                <!DOCTYPE html><html lang="en"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>Organization suspended · Portal</title><link rel="stylesheet" href="/css/site.css" /></head>
                <body class="bare"><main id="main" class="signin"><div class="panel"><h1>Your organization is suspended</h1>
                <p>{WebUtility.HtmlEncode(detail)}</p><p><a href="/account/sign-out">Sign out</a></p></div></main></body></html>
                """, context.RequestAborted);
            return;
        }
        await next(context);
    }

    static bool Exempt(PathString path) =>
        path.StartsWithSegments("/account/sign-out") || path.StartsWithSegments("/account/sign-in") || path.StartsWithSegments("/css")
        || path.StartsWithSegments("/js") || path.StartsWithSegments("/lib") || path.StartsWithSegments("/health");
}
