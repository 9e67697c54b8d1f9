using Portal.Web.Platform;

namespace Portal.Web.Features.Account;

/// <summary>
/// A signed-in user who must use MFA but has not turned it on (platform admins; users of an organization that requires
/// it) may open only the enrolment page and sign out. Every other page, and the OAuth authorization endpoint (so no API
/// token either), sends them to /account/mfa first. API calls carry bearer tokens and never this cookie.
/// </summary>
public sealed class MfaEnrolmentGate(RequestDelegate next)
{
    // Of the OAuth endpoints only /connect/authorize reads the cookie to issue a code; token, end-session and userinfo stay
    // open so signing out always works.
    static readonly string[] Open = ["/account/mfa", "/account/sign-out", "/account/sign-in", "/account/access-denied", "/error", "/api", "/health",
        "/connect/token", "/connect/endsession", "/connect/userinfo"];

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.User.HasClaim(c => c.Type == PortalClaims.MfaEnrolmentRequired)
            || Open.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
            return next(context);

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }
        var returnUrl = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
        context.Response.Redirect("/account/mfa?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
        return Task.CompletedTask;
    }
}
