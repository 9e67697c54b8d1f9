using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Portal.Web.Features.Demo;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.ApiPlatform;

/// <summary>
/// A Portal in memory with an OTLP endpoint configured (nothing listens there; export failures are the exporter's to
/// swallow) and an in-memory exporter beside it, so the test sees exactly what would be exported.
/// </summary>
public class TracesAndMetrics(PortalApp app) : PortalTest(app)
{
    sealed class TracedPortal(string connectionString, List<Activity> spans, List<Metric> metrics) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("ConnectionStrings:Portal", connectionString);
            // No seeding: the fixture's data is there already, and a second seeder must not touch the demo users that the
            // fixture's cached tokens speak for.
            builder.UseSetting("Portal:SeedDemoData", "false");
            builder.UseSetting("Portal:Daemon", "Disabled");
            builder.UseSetting("Portal:Otlp:Endpoint", "http://127.0.0.1:9");
            builder.ConfigureTestServices(services =>
            {
                services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans));
                services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics));
            });
        }
    }

    [Fact]
    public async Task an_api_request_is_a_span_named_by_its_route_template_with_no_phi_in_its_attributes()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        await RegisteredPatient(admin, "OT-1");

        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        await using var traced = new TracedPortal(App.ConnectionString, spans, metrics);
        using var http = traced.CreateClient();
        var client = DemoData.Clients.Single(c => c.ClientId == "north-app");
        var token = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = client.ClientId, ["client_secret"] = client.Secret,
            ["scope"] = string.Join(' ', client.Scopes),
        }));
        http.DefaultRequestHeaders.Authorization = new("Bearer",
            JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString());

        // The request carries a trace of its own, to find its span among those of the other test stream's app (ADR 0033):
        // ASP.NET Core's and Npgsql's activity sources are process-wide, so this exporter sees every host in the process.
        var trace = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, North("patients") + "?search=Tester");
        request.Headers.Add("traceparent", $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        var search = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Contains("Tester", await search.Content.ReadAsStringAsync());
        traced.Services.GetRequiredService<TracerProvider>().ForceFlush();
        traced.Services.GetRequiredService<MeterProvider>().ForceFlush();

        // The server span ends just after the response reaches the in-memory client.
        Activity? server = null;
        for (var i = 0; i < 50 && server is null; i++)
        {
            server = spans.ToArray().FirstOrDefault(s => s.Kind == ActivityKind.Server && s.TraceId == trace && s.GetTagItem("http.route") is string route && route.TrimEnd('/').EndsWith("/patients"));
            if (server is null) await Task.Delay(100);
        }
        List<Activity> seen;
        seen = [.. spans.ToArray()]; // ToArray copies without the enumerator's version check: the exporter still adds spans
        Assert.True(server is not null, "spans: " + string.Join("; ", seen.Select(s => $"{s.Kind} {s.Source.Name} {s.DisplayName} {s.GetTagItem("http.route")}")));
        Assert.Equal("/api/v1/practices/{practiceId:guid}/patients/", server!.GetTagItem("http.route"));
        Assert.Equal("GET /api/v1/practices/{practiceId:guid}/patients/", server.DisplayName);
        // The database work of the request is traced too, under the request's span.
        seen = [.. spans.ToArray()]; // ToArray copies without the enumerator's version check: the exporter still adds spans
        Assert.Contains(seen, s => s.Kind == ActivityKind.Client && s.Source.Name == "Npgsql" && s.TraceId == server!.TraceId);
        foreach (var span in seen)
        foreach (var (name, value) in span.TagObjects)
            Assert.False(value?.ToString()?.Contains("Tester", StringComparison.OrdinalIgnoreCase) == true,
                $"span '{span.DisplayName}' attribute {name} carries PHI: {value}");

        // One metric per export and per meter: the periodic reader may export beside ForceFlush, and the meter listener, like
        // the activity sources above, hears the other stream's host too (each host's IMeterFactory has a meter of that name).
        var routes = new List<string?>();
        foreach (var duration in metrics.ToArray().Where(m => m.Name == "http.server.request.duration"))
            foreach (ref readonly var point in duration.GetMetricPoints())
                foreach (var tag in point.Tags)
                    if (tag.Key == "http.route") routes.Add(tag.Value?.ToString());
        Assert.Contains("/api/v1/practices/{practiceId:guid}/patients/", routes);
        // The database client's metrics and the lag gauges (reactions, daemon shards; ScaleOut/LagGauges) are exported too.
        var exported = metrics.ToArray();
        Assert.Contains(exported, m => m.MeterName == "Npgsql");
        Assert.Contains(exported, m => m.Name == "portal.reactions.behind");
        Assert.Contains(exported, m => m.Name == "portal.daemon.behind");
        Assert.DoesNotContain(routes, r => r?.Contains(DemoData.NorthClinic.ToString()) == true);
    }

    [Fact]
    public void without_an_endpoint_nothing_is_collected()
    {
        Assert.Null(App.Services.GetService<TracerProvider>());
        Assert.Null(App.Services.GetService<MeterProvider>());
    }
}
