using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Portal.Web.Platform.Email;
using Portal.Web.Platform.Reactions;
using System.Text.Json.Serialization;

namespace Portal.Web.Platform;

/// <summary>
/// The steps of start-up that features provide but the platform must run at a fixed point (it names no feature):
/// identity and OAuth2 (registered before cookie hardening, migrated before anything reads users), the middleware
/// between authentication and authorization (MFA enrolment), and demo data with its sign-in hint. Program.cs fills it in.
/// </summary>
public sealed class PlatformParts
{
    public required Action<WebApplicationBuilder, string> AddIdentity { get; init; }
    public required Func<IServiceProvider, Task> MigrateIdentity { get; init; }
    public Type? AfterAuthentication { get; init; }
    public Func<IServiceProvider, Task>? SeedDemoData { get; init; }
    public string? SignInHint { get; init; }
}

public static class PlatformSetup
{
    /// <summary>Database, Marten, identity, OAuth2, ProblemDetails, OpenAPI, Razor Pages: everything features stand on.</summary>
    public static void AddPlatform(this WebApplicationBuilder builder, PlatformParts parts)
    {
        builder.Services.AddSingleton(parts);
        var connectionString = ConnectionDefaults.Apply(ResolveConnectionString(builder));
        builder.Services.AddSingleton(TimeProvider.System);
        // Background work passes this gate, so it can be paused (the test fixture's reset; BackgroundWork).
        builder.Services.AddSingleton<BackgroundWork>();
        builder.Services.AddHttpContextAccessor();
        builder.AddPortalMarten(connectionString);
        // Plain SQL next to Marten (reference tables such as the code sets) shares the same database: the common (main) one.
        // Raw SQL over a practice's rows asks TenantDatabases.For(practice) instead (ADR 0031).
        builder.Services.AddSingleton(sp => sp.GetRequiredService<TenantDatabases>().Common);
        parts.AddIdentity(builder, connectionString);
        builder.AddPortalMail();
        builder.AddCookieHardening();

        builder.Services.AddAuthorization();

        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Instance ??= c.HttpContext.Request.Path;
            c.ProblemDetails.Extensions.TryAdd("traceId", c.HttpContext.TraceIdentifier);
        });
        builder.Services.AddExceptionHandler<PortalExceptionHandler>();
        // Minimal APIs throw on unreadable input in every environment (not only Development), so the exception handler
        // can name the field in its 400 instead of an anonymous "Bad Request".
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddValidation();
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.Converters.Add(new TextGuard());
        });
        builder.Services.AddPortalSwagger();

        builder.Services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Features";
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToFolder("/Account");
            o.Conventions.AllowAnonymousToPage("/Shared/Error");
        });
        builder.Services.AddAntiforgery(o => o.HeaderName = "RequestVerificationToken");
        builder.AddPortalRateLimits();
        builder.Services.AddHostedService<IdempotencyKeyCleanup>();
        builder.AddPortalTelemetry();

        builder.Services.AddHealthChecks()
            .AddCheck("database", new DatabaseHealthCheck(connectionString), tags: ["ready"]);

        builder.AddPortalReactions();
        builder.Services.AddSingleton<LagMetrics>();
        builder.Services.AddScoped<Home.HomeBoard>();
        builder.Services.AddScoped<AccessFacts>();
    }

    public static async Task UsePlatformAsync(this WebApplication app)
    {
        var parts = app.Services.GetRequiredService<PlatformParts>();
        // Creates the lag gauges on the app's meter; they cost nothing until a metrics reader or listener collects them.
        app.Services.GetRequiredService<LagMetrics>();
        await parts.MigrateIdentity(app.Services);
        if (app.Configuration.GetValue("Portal:SeedDemoData", app.Environment.IsDevelopment()) && parts.SeedDemoData is { } seed)
        {
            await using var scope = app.Services.CreateAsyncScope();
            await seed(scope.ServiceProvider);
        }

        app.Lifetime.ApplicationStarted.Register(() => PrintWelcome(app, parts.SignInHint));

        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api") || c.Request.Path.StartsWithSegments("/health"),
            api => api.UseStatusCodePages());
        app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api") && !c.Request.Path.StartsWithSegments("/connect")
                && !c.Request.Path.StartsWithSegments("/health"),
            pages => pages.UseStatusCodePagesWithReExecute("/error/{0}"));
        app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = StaticAssetCaching.Apply });
        app.UseRouting();
        app.UsePortalTelemetry();
        app.UsePortalRateLimits();
        app.UseAuthentication();
        if (parts.AfterAuthentication is { } gate) app.UseMiddleware(gate);
        app.UseAuthorization();
        // After authorization: bearer tokens are authenticated by the endpoint's policy, cookies before it.
        app.UseMiddleware<SuspendedOrganizationGate>();
        app.UseApiRateLimits();
        app.UseMiddleware<PracticeScopeMiddleware>();
        app.UseMiddleware<IdempotencyMiddleware>();
        app.UseAntiforgery();
        app.UseFormEndpointsNeedAForm();
        app.UsePortalSwagger();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains("ready"),
            ResponseWriter = ReactionRegistration.WriteReadiness,
        });
    }

    static void PrintWelcome(WebApplication app, string? signInHint)
    {
        if (!app.Configuration.GetValue("Portal:SeedDemoData", app.Environment.IsDevelopment()) || app.Environment.IsEnvironment("Testing"))
            return;
        var address = app.Urls.FirstOrDefault() ?? "http://localhost:5080";
        Console.WriteLine($"""

            Portal is running at {address}
              Sign in:      {address}/account/sign-in   {signInHint}
              API explorer: {address}/swagger
              Discovery:    {address}/.well-known/openid-configuration
            Demo users and API clients are listed in README.md.

            """);
    }

    static string ResolveConnectionString(WebApplicationBuilder builder)
    {
        // A configured connection string (ConnectionStrings:Portal or ConnectionStrings__Portal) always wins.
        var configured = builder.Configuration.GetConnectionString("Portal");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        if (builder.Environment.IsProduction())
            throw new InvalidOperationException("Set ConnectionStrings:Portal (or the ConnectionStrings__Portal environment variable) in production.");
        var database = builder.Configuration["Portal:EmbeddedDatabase"] ?? "portal";
        var connectionString = EmbeddedPostgres.EnsureStarted(database);
        Console.WriteLine($"Portal is using the embedded PostgreSQL (database '{database}' on 127.0.0.1:{new NpgsqlConnectionStringBuilder(connectionString).Port}).");
        return connectionString;
    }

    sealed class DatabaseHealthCheck(string connectionString) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                // A probe must answer quickly: a database that does not answer within 5 s counts as down.
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await using var conn = new NpgsqlConnection(connectionString);
                await conn.OpenAsync(timeout.Token);
                await using var cmd = new NpgsqlCommand("select 1", conn);
                await cmd.ExecuteScalarAsync(timeout.Token);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // The exception stays out of the report: its message is not ours to publish or log (SafeLog).
                return HealthCheckResult.Unhealthy($"The database does not answer ({SafeLog.Describe(e)}).");
            }
        }
    }
}
