using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Portal.Web.Platform;

/// <summary>Who may act for which practice, answered by the tenancy feature.</summary>
public interface IPracticeAccess
{
    /// <summary>The practice as the request's scope if the caller may act for it now (with a vendor's engaged functions), else null.</summary>
    Task<CurrentPractice?> Resolve(ClaimsPrincipal user, Guid practiceId, CancellationToken ct);

    /// <summary>Is this registered app still active (not revoked)?</summary>
    Task<bool> IsActiveApp(ClaimsPrincipal user, CancellationToken ct);
}

/// <summary>
/// Every request to an API operation or a signed-in page passes here after authentication, in this order:
/// <list type="number">
/// <item>a route with a {practiceId} segment: the caller's right to that practice is checked on every request, and a practice
/// the caller may not see answers 404, exactly as one that does not exist; on success it becomes the Marten tenant;</item>
/// <item>a registered app whose registration was revoked is refused (401) on every route, practice or not;</item>
/// <item>the operation's entry in the permission table (<see cref="Permissions"/>) decides: 403 when the caller lacks the scope,
/// the role or (vendor staff) the engagement function; an API operation or page with no entry is refused (fail closed);</item>
/// <item>an operation that reads PHI gets an audit entry when it answers 2xx, unless the handler recorded a more specific one.</item>
/// </list>
/// </summary>
public sealed class PracticeScopeMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IPracticeAccess access, TenantDatabases databases)
    {
        var endpoint = context.GetEndpoint();
        var authenticated = context.User.Identity?.IsAuthenticated == true;
        CurrentPractice? practice = null;
        if (context.GetRouteValue("practiceId") is string raw)
        {
            practice = Guid.TryParse(raw, out var id) && authenticated
                ? await access.Resolve(context.User, id, context.RequestAborted)
                : null;
            if (practice is null)
            {
                await Refuse(context, 404, "Not found", "No practice with this id is available to you.");
                return;
            }
            context.Features.Set(practice);
            // A practice being moved to another database is read-only for the move's few minutes (ADR 0031): its writes would
            // land in the database it is leaving.
            if (databases.IsMoving(practice.TenantId) && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                await RefuseWhileMoving(context);
                return;
            }
        }

        if (endpoint is null || !authenticated || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            await next(context);
            return;
        }

        if (practice is null && context.User.IsApp() && !await access.IsActiveApp(context.User, context.RequestAborted))
        {
            await Refuse(context, 401, "Unauthorized", "This app's registration was revoked.");
            return;
        }

        var (permission, viaToken) = PermissionOf(context, endpoint);
        if (permission is null)
        {
            // A signed-in page or an API operation that is not in the permission table: nobody may use it until it is.
            if (IsApi(context) || endpoint.Metadata.GetMetadata<PageActionDescriptor>() is not null)
            {
                await Refuse(context, 403, "Forbidden", "This operation is not in the permission table.");
                return;
            }
            await next(context);
            return;
        }

        if (Permissions.Decide(context.User, permission, viaToken, practice) != Access.Allowed)
        {
            if (viaToken) await Refuse(context, 403, "Forbidden", $"You may not {permission.Description.ToLowerInvariant()} ({permission.Name}).");
            else await context.ForbidAsync();
            return;
        }

        if (permission.Phi)
        {
            // A PHI read writes its audit entry into the practice's database: while the practice moves, that entry could be left
            // behind in the database it is leaving, so PHI reads wait for the move too (ADR 0031).
            if (practice is not null && databases.IsMoving(practice.TenantId))
            {
                await RefuseWhileMoving(context);
                return;
            }
            PhiAudit.AuditOnSuccess(context, permission);
        }
        await next(context);
    }

    static (Permission? Permission, bool ViaToken) PermissionOf(HttpContext context, Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<Permission>() is { } api) return (api, true);
        if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is { } page
            && PagePermissions.Find(page.ViewEnginePath) is { } entry)
        {
            var handler = context.GetRouteValue("handler") as string ?? context.Request.Query["handler"].FirstOrDefault();
            return (entry.For(context.Request.Method, handler), false);
        }
        return (null, false);
    }

    static Task RefuseWhileMoving(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "60";
        return Refuse(context, 503, "Service Unavailable",
            "This practice is being moved to another database; it is read-only for a few minutes. Try again shortly.");
    }

    static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api");

    static async Task Refuse(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        if (IsApi(context))
        {
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = status, Title = title, Detail = detail },
            });
        }
        // Pages: the status-code-pages middleware renders the friendly page.
    }
}

public static class PermissionEndpointExtensions
{
    /// <summary>
    /// This operation is <paramref name="permission"/> in the permission table: a bearer token (our OpenIddict server's) is required,
    /// and <see cref="PracticeScopeMiddleware"/> applies the table's answer.
    /// </summary>
    public static TBuilder Requires<TBuilder>(this TBuilder builder, Permission permission) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(ApiAuthorizationExtensions.BearerPolicy).WithMetadata(permission);
}
