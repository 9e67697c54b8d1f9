using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Portal.Web.Platform;

/// <summary>
/// Browser-facing hardening (docs/security.md, "Hardening"): security headers on every response and the flags of every
/// cookie the app sets. Both are applied centrally so a new page, endpoint or cookie scheme gets them without asking.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// Pages: scripts and style sheets only from our own origin, no inline script, no eval, no plugins, never framed.
    /// Inline style <em>attributes</em> stay allowed (style-src-attr): the pages use a few for spacing, and an attribute
    /// cannot load anything or run script. Inline &lt;style&gt; elements stay blocked (htmx's indicator styles are
    /// turned off in the layout's htmx-config). No form-action: it would also block the OAuth redirect from
    /// /connect/authorize to a third-party app's redirect URI after the sign-in form posts.
    /// </summary>
    public const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    /// <summary>Swagger UI: its scripts are files (Swashbuckle 11 has no inline script), but React sets inline styles and the CSS uses data: images.</summary>
    public const string SwaggerPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    /// <summary>
    /// OpenIddict's response_mode=form_post page auto-submits with one fixed inline script, allowed by its hash only
    /// (<c>&lt;script&gt;document.form.submit();&lt;/script&gt;</c>).
    /// </summary>
    public const string ConnectPolicy =
        "default-src 'self'; script-src 'self' 'sha256-j7OoGArf6XW6YY4cAyS3riSSvrJRqpSi1fOF9vQ5SrI='; style-src 'self'; " +
        "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    public const string PermissionsPolicy =
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";

    /// <summary>HttpOnly, SameSite=Lax or stricter and Secure on every authentication and antiforgery cookie.</summary>
    public static void AddCookieHardening(this WebApplicationBuilder builder)
    {
        // Plain HTTP on loopback is how development and the tests run; everywhere else the cookie never travels unencrypted.
        var secure = builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing")
            ? CookieSecurePolicy.SameAsRequest
            : CookieSecurePolicy.Always;
        // PostConfigureAll reaches every cookie scheme, including ones added later (Identity's external and two-factor cookies).
        builder.Services.PostConfigureAll<CookieAuthenticationOptions>(o =>
        {
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = secure;
            if (o.Cookie.SameSite is SameSiteMode.None or SameSiteMode.Unspecified) o.Cookie.SameSite = SameSiteMode.Lax;
        });
        builder.Services.PostConfigure<AntiforgeryOptions>(o =>
        {
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = secure;
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
    }

    /// <summary>First in the pipeline, so error pages, static files, redirects and problem details all carry the headers.</summary>
    public static void UseSecurityHeaders(this WebApplication app)
    {
        var hsts = !app.Environment.IsDevelopment() && !app.Environment.IsEnvironment("Testing");
        app.Use((context, next) =>
        {
            // OnStarting, not now: the exception handler clears the headers before it writes its answer.
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                var path = context.Request.Path;
                headers.ContentSecurityPolicy = path.StartsWithSegments("/swagger") ? SwaggerPolicy
                    // Only the OAuth endpoints answer with OpenIddict's form_post page; /connect/endsession is a Razor page.
                    : path.StartsWithSegments("/connect/authorize") || path.StartsWithSegments("/connect/token") ? ConnectPolicy
                    : PagePolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                headers["Permissions-Policy"] = PermissionsPolicy;
                // Browsers ignore HSTS over plain HTTP (RFC 6797 8.1), so sending it always is safe behind a TLS-terminating balancer.
                if (hsts) headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
                return Task.CompletedTask;
            });
            return next(context);
        });
    }
}
