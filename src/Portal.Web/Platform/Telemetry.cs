using System.Diagnostics;
using System.Diagnostics.Metrics;
using Marten;
using Microsoft.AspNetCore.Http.Metadata;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Portal.Web.Platform;

/// <summary>
/// OpenTelemetry traces and metrics over OTLP, only when an endpoint is configured (<c>Portal:Otlp:Endpoint</c> or the
/// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); otherwise nothing is collected. Sources: ASP.NET Core (spans and
/// <c>http.server.request.duration</c> by route template, never the raw path), HttpClient, Npgsql (SQL text with
/// parameter placeholders, never values), Marten (its ActivitySource and Meter "Marten"), and Portal's own meter.
/// Attributes stay PHI-free: query strings are dropped from spans (a patient search would carry a name), and the SQL
/// statements Npgsql records carry no parameter values.
/// </summary>
public static class Telemetry
{
    public const string Name = "Portal";
    static readonly Meter Meter = new(Name);

    /// <summary>Coding commands (writes under the Coding tag), by operation name (a fixed set, low cardinality).</summary>
    public static readonly Counter<long> CodingCommands = Meter.CreateCounter<long>("portal.coding.commands", "{command}",
        "Coding commands handled, by operation and status code class");

    /// <summary>How long pulling the next chart takes: the one coding call a coder waits on between every chart.</summary>
    public static readonly Histogram<double> NextChartDuration = Meter.CreateHistogram<double>("portal.coding.next_chart.duration", "s",
        "Time to pull the next chart from a coding queue");

    /// <summary>Webhook sends, by outcome (delivered, retry, failed, cancelled): the outbox's throughput.</summary>
    public static readonly Counter<long> WebhookSends = Meter.CreateCounter<long>("portal.webhooks.sends", "{send}",
        "Webhook delivery attempts, by outcome");

    /// <summary>How long receivers take to answer a webhook (or to time out).</summary>
    public static readonly Histogram<double> WebhookSendDuration = Meter.CreateHistogram<double>("portal.webhooks.send.duration", "s",
        "Time from sending a webhook to the receiver's answer");

    static readonly HashSet<string> NextChartOperations = ["PullNextChart", "PullNextVendorChart"];

    public static string? Endpoint(IConfiguration config) =>
        config["Portal:Otlp:Endpoint"] is { Length: > 0 } portal ? portal
        : config["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } standard ? standard
        : null;

    public static void AddPortalTelemetry(this WebApplicationBuilder builder)
    {
        if (Endpoint(builder.Configuration) is not { } endpoint) return;
        var otlp = new Uri(endpoint);
        // Portal:Otlp:Protocol = grpc (default, port 4317) or http/protobuf (port 4318, paths /v1/traces and /v1/metrics).
        var http = string.Equals(builder.Configuration["Portal:Otlp:Protocol"], "http/protobuf", StringComparison.OrdinalIgnoreCase);

        builder.Services.ConfigureMarten(o =>
        {
            o.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
            o.OpenTelemetry.TrackEventCounters();
        });
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "portal-web"))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = context => !context.Request.Path.StartsWithSegments("/health")
                        && !context.Request.Path.StartsWithSegments("/lib") && !context.Request.Path.StartsWithSegments("/css");
                    o.EnrichWithHttpRequest = (activity, _) =>
                    {
                        activity.SetTag("url.query", null);
                        activity.SetTag("http.target", null);
                    };
                    o.EnrichWithHttpResponse = (activity, response) =>
                    {
                        // The span is named by the route template, and url.path keeps only ids (no PHI travels in Portal's paths).
                        if (response.HttpContext.GetEndpoint() is RouteEndpoint route)
                            activity.DisplayName = $"{response.HttpContext.Request.Method} {route.RoutePattern.RawText}";
                    };
                })
                .AddHttpClientInstrumentation(o => o.EnrichWithHttpRequestMessage = (activity, _) => activity.SetTag("url.query", null))
                .AddNpgsql()
                .AddSource("Marten", Name)
                .AddOtlpExporter(o => Configure(o, otlp, http, "v1/traces")))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter("Marten", Name)
                .AddOtlpExporter(o => Configure(o, otlp, http, "v1/metrics")));
    }

    static void Configure(OpenTelemetry.Exporter.OtlpExporterOptions o, Uri endpoint, bool http, string path)
    {
        o.Protocol = http ? OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf : OpenTelemetry.Exporter.OtlpExportProtocol.Grpc;
        o.Endpoint = http ? new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/" + path) : endpoint;
    }

    /// <summary>Records Portal's own metrics from endpoint metadata, so features need no telemetry code.</summary>
    public static void UsePortalTelemetry(this WebApplication app) => app.Use(async (context, next) =>
    {
        var endpoint = context.GetEndpoint();
        var operation = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
        var coding = operation is not null && !HttpMethods.IsGet(context.Request.Method)
            && endpoint!.Metadata.GetMetadata<ITagsMetadata>()?.Tags.Any(t => t.StartsWith("Coding", StringComparison.Ordinal)) == true;
        if (!coding)
        {
            await next(context);
            return;
        }
        var started = Stopwatch.GetTimestamp();
        try { await next(context); }
        finally
        {
            var status = $"{context.Response.StatusCode / 100}xx";
            CodingCommands.Add(1, new("operation", operation), new("status", status));
            if (NextChartOperations.Contains(operation!))
                NextChartDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("status", status));
        }
    });
}
