using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Portal.Web.Platform.Reactions;

public static class ReactionRegistration
{
    /// <summary>Registers a reaction: a Marten subscription run by the async daemon (<c>Portal:Daemon</c>), plus its lag on /health/ready.</summary>
    public static IServiceCollection AddReaction<TReaction>(this IServiceCollection services) where TReaction : class, IReaction, new()
    {
        var reaction = new TReaction();
        services.AddSingleton<IReaction>(reaction);
        services.ConfigureMarten((sp, opts) => opts.Events.Subscribe(new ReactionSubscription(reaction, sp)));
        return services;
    }

    /// <summary>The machinery every reaction shares: runner, monitor, receipts and dead letters, and the readiness check.</summary>
    public static void AddPortalReactions(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Portal:Reactions").Get<ReactionOptions>() ?? new ReactionOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ReactionRunner>();
        builder.Services.AddSingleton<ReactionMonitor>();
        builder.Services.ConfigureMarten(opts =>
        {
            // Registered so the tables exist from startup (and the test fixture's Respawn sees them).
            opts.Schema.For<ReactionReceipt>();
            opts.Schema.For<ReactionDeadLetter>().Index(d => d.Reaction);
        });
        builder.Services.AddHealthChecks().AddCheck<ReactionHealthCheck>("reactions", tags: ["ready"]);
    }

    /// <summary>/health/ready as JSON: overall status, and each check with its data (the reactions' lag).</summary>
    public static Task WriteReadiness(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        }, JsonSerializerOptions.Web, http.RequestAborted);
    }
}

sealed class ReactionHealthCheck(ReactionMonitor monitor, ReactionOptions options, ILogger<ReactionHealthCheck> log) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var lags = await monitor.LagAsync(ct);
        var data = lags.ToDictionary(l => l.Reaction, l => (object)l);
        var late = lags.Where(l => l.OldestUnhandledAge > options.DegradedAfter || l.DeadLetters > 0).ToList();
        if (late.Count == 0) return HealthCheckResult.Healthy(null, data);
        foreach (var l in late)
            log.LogWarning("Reaction {Reaction} is behind: {Behind} events, oldest {Age} old, {DeadLetters} dead letters",
                l.Reaction, l.Behind, l.OldestUnhandledAge, l.DeadLetters);
        return HealthCheckResult.Degraded(
            $"Reactions behind or with dead letters: {string.Join(", ", late.Select(l => l.Reaction))}.", null, data);
    }
}
