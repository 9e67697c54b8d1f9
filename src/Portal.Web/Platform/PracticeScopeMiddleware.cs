using Portal.Web.Features.Tenancy;

namespace Portal.Web.Platform;

/// <summary>
/// Every route with a {practiceId} segment, API or page, passes here after authentication: the caller's right to
/// that practice is checked on every request, and a practice the caller may not see answers 404, exactly as one
/// that does not exist. On success the practice becomes the Marten tenant for the request.
/// </summary>
public sealed class PracticeScopeMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, PracticeAccess access)
    {
        if (context.GetRouteValue("practiceId") is string raw)
        {
            var practice = Guid.TryParse(raw, out var id) && context.User.Identity?.IsAuthenticated == true
                ? await access.FindAccessiblePractice(context.User, id, context.RequestAborted)
                : null;
            if (practice is null)
            {
                await NotFound(context);
                return;
            }
            context.Features.Set(new CurrentPractice(practice.Id, practice.Name));
        }
        await next(context);
    }

    static async Task NotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = 404, Title = "Not found", Detail = "No practice with this id is available to you." },
            });
        }
        // Pages: the status-code-pages middleware renders the friendly 404 page.
    }
}
