using System.Net.Http.Headers;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Portal.Web.Platform;

/// <summary>
/// Named rate-limit policies for the endpoints an attacker hammers: sign-in, the token endpoint and the account e-mail
/// pages (password reset, invitations). Each counts POSTs per client address and submitted identity (e-mail or
/// client id), so one attacked account or app is slowed without locking out everyone behind the same address; a looser
/// per-address limit over all of them caps credential stuffing across many e-mails. Rejections answer 429 with
/// Retry-After. Apply with <c>[EnableRateLimiting(RateLimits.SignIn)]</c> on a page model or
/// <c>.RequireRateLimiting(RateLimits.Token)</c> on an endpoint. Limits: <c>Portal:RateLimits:*</c> (docs/security.md).
/// </summary>
public static class RateLimits
{
    /// <summary>Sign-in form POSTs, per address and e-mail.</summary>
    public const string SignIn = "sign-in";

    /// <summary>OAuth2 token requests, per address and client id.</summary>
    public const string Token = "token";

    /// <summary>Forgot-password, reset-password and accept-invitation POSTs, per address and e-mail.</summary>
    public const string AccountEmail = "account-email";

    public static void AddPortalRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<RateLimitSettings>(builder.Configuration.GetSection("Portal:RateLimits"));
        builder.Services.Configure<ApiLimitSettings>(builder.Configuration.GetSection("Portal:ApiLimits"));
        builder.Services.AddSingleton<ApiRateLimiter>();
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                Counted(context) && context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>() is not null
                    ? RateLimitPartition.GetFixedWindowLimiter("address|" + Address(context), _ => Settings(context).PerAddress.Options())
                    : RateLimitPartition.GetNoLimiter(""));
            o.AddPolicy(SignIn, context => PerIdentity(context, SignIn, s => s.SignIn, Email(context)));
            o.AddPolicy(Token, context => PerIdentity(context, Token, s => s.Token, ClientId(context)));
            o.AddPolicy(AccountEmail, context => PerIdentity(context, AccountEmail, s => s.AccountEmail, Email(context)));
            o.OnRejected = Reject;
        });
    }

    /// <summary>After routing (the policies are endpoint metadata), before authentication (OpenIddict answers token requests there).</summary>
    public static void UsePortalRateLimits(this WebApplication app)
    {
        // The partition key reads the submitted e-mail or client id; the limiter's partition callback is synchronous, so the
        // form is read here first, asynchronously, and only for rate-limited endpoints.
        app.Use(async (context, next) =>
        {
            if (Counted(context) && context.Request.HasFormContentType
                && context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>() is not null)
            {
                try { await context.Request.ReadFormAsync(context.RequestAborted); }
                catch (InvalidDataException) { /* a malformed form is the endpoint's to reject; the key falls back to the address */ }
            }
            await next();
        });
        app.UseRateLimiter();
    }

    /// <summary>
    /// After authorization (API tokens are authenticated by the endpoint's policy, not by default): every API request of a signed-in caller counts against its plan, per app (client id) or per
    /// user, whatever the operation; every answer carries RateLimit-Limit/-Remaining/-Reset, and one over the limit gets 429.
    /// </summary>
    public static void UseApiRateLimits(this WebApplication app) => app.UseMiddleware<ApiRateLimitMiddleware>();

    static bool Counted(HttpContext context) => HttpMethods.IsPost(context.Request.Method);

    static RateLimitPartition<string> PerIdentity(HttpContext context, string policy, Func<RateLimitSettings, RateLimit> limit, string? identity) =>
        Counted(context)
            ? RateLimitPartition.GetFixedWindowLimiter($"{policy}|{Address(context)}|{identity}", _ => limit(Settings(context)).Options())
            : RateLimitPartition.GetNoLimiter("");

    static RateLimitSettings Settings(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<RateLimitSettings>>().Value;

    static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    static IFormCollection? Form(HttpContext context) =>
        context.Request.HasFormContentType ? context.Features.Get<IFormFeature>()?.Form : null;

    // Any field named like an e-mail ("Email", "Input.Email", "email"), so new account pages need no change here.
    static string? Email(HttpContext context) =>
        Form(context)?.FirstOrDefault(f => f.Key.EndsWith("email", StringComparison.OrdinalIgnoreCase)).Value.ToString()
            .Trim().ToLowerInvariant() is { Length: > 0 } email ? email : null;

    static string? ClientId(HttpContext context)
    {
        if (Form(context)?["client_id"].ToString() is { Length: > 0 } id) return id;
        if (AuthenticationHeaderValue.TryParse(context.Request.Headers.Authorization, out var header)
            && header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) && header.Parameter is { } basic)
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(basic));
                return Uri.UnescapeDataString(pair.Split(':', 2)[0]);
            }
            catch (FormatException) { }
        }
        return null;
    }

    static async ValueTask Reject(OnRejectedContext rejected, CancellationToken ct)
    {
        var context = rejected.HttpContext;
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        var when = seconds < 90 ? $"{seconds} seconds" : $"{(seconds + 59) / 60} minutes";

        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/connect"))
        {
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = 429, Title = "Too many requests",
                    Detail = $"Too many attempts from this client. Try again in {when}.",
                    Extensions = { ["retryAfter"] = seconds },
                },
            });
            return;
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>Too many attempts · Portal</title><link rel="stylesheet" href="/css/site.css" /></head>
            <body class="bare"><main id="main"><div class="signin"><div class="panel">
            <h1>Too many attempts</h1>
            <p>To protect your account we paused sign-in attempts from here for a short while. Please wait {when}, then try again.</p>
            <p><a href="/account/sign-in">Back to sign-in</a></p>
            </div></div></main></body>
            </html>
            """, ct);
    }
}

/// <summary><c>Portal:RateLimits</c>: a fixed window per policy. Defaults are for production; tests raise them.</summary>
public sealed class RateLimitSettings
{
    /// <summary>All rate-limited POSTs from one address together.</summary>
    public RateLimit PerAddress { get; set; } = new() { PermitLimit = 300, Window = TimeSpan.FromMinutes(1) };
    public RateLimit SignIn { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(5) };
    public RateLimit Token { get; set; } = new() { PermitLimit = 60, Window = TimeSpan.FromMinutes(1) };
    public RateLimit AccountEmail { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(15) };
}

public sealed class RateLimit
{
    public int PermitLimit { get; set; }
    public TimeSpan Window { get; set; }

    /// <summary>API plans only: requests per UTC day on top of the window (the plan's quota); 0 or unset: no daily quota.</summary>
    public int DailyQuota { get; set; }

    public FixedWindowRateLimiterOptions Options() => new()
    {
        PermitLimit = Math.Max(1, PermitLimit), Window = Window > TimeSpan.Zero ? Window : TimeSpan.FromMinutes(1),
        QueueLimit = 0, AutoReplenishment = true,
    };
}

/// <summary>
/// <c>Portal:ApiLimits</c>: named plans, each a permit limit per fixed window. An app uses the plan on its registration
/// (default "standard"); users calling the API with a token use <see cref="UserPlan"/>.
/// </summary>
public sealed class ApiLimitSettings
{
    public const string DefaultPlan = "standard";

    public Dictionary<string, RateLimit> Plans { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The plan of tokens that act for a user (authorization code), counted per user.</summary>
    public string UserPlan { get; set; } = DefaultPlan;

    static readonly RateLimit Standard = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };

    public IEnumerable<string> PlanNames => Plans.Keys.Append(DefaultPlan).Distinct(StringComparer.OrdinalIgnoreCase).Order();

    public bool HasPlan(string name) => name.Equals(DefaultPlan, StringComparison.OrdinalIgnoreCase) || Plans.ContainsKey(name);

    public (string Name, RateLimit Limit) Plan(string? name)
    {
        if (name is not null && Plans.TryGetValue(name, out var limit)) return (name, limit);
        return (DefaultPlan, Plans.TryGetValue(DefaultPlan, out var standard) ? standard : Standard);
    }
}

/// <summary>Where the plan of a registered app is recorded (the API clients feature).</summary>
public interface IApiPlans
{
    Task<string?> PlanOf(System.Security.Claims.ClaimsPrincipal app, CancellationToken ct);
}

/// <summary>
/// Fixed windows aligned to the clock (a one-minute window resets on the minute), so RateLimit-Reset is exact and the same
/// for every request of the window. Counters are per node: behind N nodes a caller gets at most N times its plan, which
/// the plan sizes allow for (docs/api.md).
/// </summary>
public sealed class ApiRateLimiter(TimeProvider clock)
{
    sealed class Window { public long Index; public int Count; public long Length; }

    readonly System.Collections.Concurrent.ConcurrentDictionary<string, Window> windows = new();
    long calls;

    public readonly record struct Decision(bool Allowed, int Limit, int Remaining, int ResetSeconds);

    public Decision Acquire(string partition, RateLimit plan)
    {
        var options = plan.Options();
        var now = clock.GetUtcNow().UtcTicks;
        var length = options.Window.Ticks;
        var index = now / length;
        var window = windows.GetOrAdd(partition, _ => new Window());
        bool allowed;
        int remaining;
        lock (window)
        {
            if (window.Index != index || window.Length != length) (window.Index, window.Count, window.Length) = (index, 0, length);
            allowed = window.Count < options.PermitLimit;
            if (allowed) window.Count++;
            remaining = options.PermitLimit - window.Count;
        }
        if (Interlocked.Increment(ref calls) % 10_000 == 0) Prune(now);
        var reset = (int)Math.Ceiling(((index + 1) * length - now) / (double)TimeSpan.TicksPerSecond);
        return new(allowed, options.PermitLimit, remaining, Math.Max(1, reset));
    }

    // Callers that went quiet: their window is over, so their entry carries nothing.
    void Prune(long now)
    {
        foreach (var (key, window) in windows)
            if (window.Length > 0 && window.Index < now / window.Length) windows.TryRemove(key, out _);
    }
}

sealed class ApiRateLimitMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, ApiRateLimiter limiter, IOptionsMonitor<ApiLimitSettings> settings, IApiPlans plans)
    {
        if (!context.Request.Path.StartsWithSegments("/api") || context.User.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }

        var user = context.User;
        var isApp = user.IsApp();
        var subject = user.FindFirst("sub")?.Value ?? "unknown";
        var (planName, limit) = settings.CurrentValue.Plan(isApp
            ? await plans.PlanOf(user, context.RequestAborted)
            : settings.CurrentValue.UserPlan);
        var partition = $"{(isApp ? "app" : "user")}|{subject}|{planName}";
        var decision = limiter.Acquire(partition, limit);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var policy = $"{decision.Limit};w={(int)limit.Options().Window.TotalSeconds}";
        var period = "window";
        // The plan's daily quota, counted only for requests the window let through; the headers show whichever is closer to its end.
        if (limit.DailyQuota > 0)
        {
            policy += $", {limit.DailyQuota};w=86400";
            if (decision.Allowed)
            {
                var quota = limiter.Acquire("quota|" + partition, new RateLimit { PermitLimit = limit.DailyQuota, Window = TimeSpan.FromDays(1) });
                if (!quota.Allowed || quota.Remaining < decision.Remaining) (decision, period) = (quota, "day");
            }
        }

        context.Response.Headers["RateLimit-Limit"] = decision.Limit.ToString(inv);
        context.Response.Headers["RateLimit-Remaining"] = decision.Remaining.ToString(inv);
        context.Response.Headers["RateLimit-Reset"] = decision.ResetSeconds.ToString(inv);
        context.Response.Headers["RateLimit-Policy"] = policy;
        if (decision.Allowed)
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = decision.ResetSeconds.ToString(inv);
        context.Response.Headers.CacheControl = "no-store";
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = 429, Title = "Too many requests",
                Detail = $"This {(isApp ? "app" : "user")} used its {decision.Limit} requests of plan '{planName}' for this {period}. " +
                         $"Try again in {decision.ResetSeconds} seconds.",
                Extensions = { ["retryAfter"] = decision.ResetSeconds, ["plan"] = planName },
            },
        });
    }
}
