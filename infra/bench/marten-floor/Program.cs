using System.Diagnostics;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using JasperFx.MultiTenancy;
using Portal.Web.Platform;
using Weasel.Core;

// serve: a web process with Marten configured as Portal.Web configures it (conjoined tenancy, quick append, an inline
// snapshot, System.Text.Json with enums as strings, lightweight sessions, the connection defaults), and three endpoints:
//   GET  /ping                 no database: the HTTP floor
//   GET  /charts/{id}          one document load: a read's floor
//   POST /charts/{id}/code     FetchForWriting with the version in If-Match, one event appended, the snapshot saved: a
//                              command's floor on a Marten stream
// load: workers that each own a slice of the streams and send one kind of request for a number of seconds.
//   dotnet MartenFloor.dll serve --urls http://127.0.0.1:5095 [--streams 20000]
//   dotnet MartenFloor.dll load --url http://127.0.0.1:5095 --kind ping|read|write --workers 16 --seconds 20 [--streams 20000]
var mode = args.FirstOrDefault() ?? "serve";
string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
var streams = int.Parse(Arg("--streams", "20000"));
static Guid StreamId(int i) => new(i, 0, 0, [0x80, 0, 0, 0, 0, 0, 0, 1]);

if (mode == "load") return await Load();

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
var port = Environment.GetEnvironmentVariable("PORTAL_PG_PORT") ?? "54359";
var connection = ConnectionDefaults.Apply($"Host=127.0.0.1;Port={port};Username=postgres;Password=portal-dev-only;Database=portal");
// FLOOR_LIVE=1: no snapshot; FetchForWriting replays the stream's events (Marten's live aggregation).
var live = Environment.GetEnvironmentVariable("FLOOR_LIVE") == "1";
builder.Services.AddMarten(opts =>
{
    opts.Connection(connection);
    // A schema per mode: the snapshots of one would be stale for the other.
    var schema = live ? "floor_live" : "floor";
    opts.DatabaseSchemaName = schema;
    opts.Events.DatabaseSchemaName = schema;
    opts.Events.TenancyStyle = TenancyStyle.Conjoined;
    opts.Events.StreamIdentity = StreamIdentity.AsGuid;
    opts.Policies.AllDocumentsAreMultiTenanted();
    opts.AutoCreateSchemaObjects = AutoCreate.All;
    opts.UseSystemTextJsonForSerialization(EnumStorage.AsString);
    if (!live) opts.Projections.Snapshot<Chart>(SnapshotLifecycle.Inline);
}).UseLightweightSessions().ApplyAllDatabaseChangesOnStartup();
var app = builder.Build();
const string Tenant = "floor-tenant";
var store = app.Services.GetRequiredService<IDocumentStore>();

// The streams, each with one event, unless already there.
await using (var check = store.QuerySession(Tenant))
{
    if (await check.Events.QueryAllRawEvents().Where(e => e.Version == 1).CountAsync() < streams)
    {
        await store.Advanced.Clean.DeleteAllEventDataAsync();
        await store.Advanced.Clean.DeleteAllDocumentsAsync();
        for (var from = 0; from < streams; from += 1000)
        {
            await using var seed = store.LightweightSession(Tenant);
            for (var i = from; i < Math.Min(streams, from + 1000); i++)
                seed.Events.StartStream<Chart>(StreamId(i), new ChartQueued($"MRN{i:D6}", 2, DateTimeOffset.UtcNow));
            await seed.SaveChangesAsync();
        }
    }
}

app.MapGet("/ping", () => Results.Text("ok"));
app.MapGet("/charts/{id:guid}", async (Guid id, CancellationToken ct) =>
{
    await using var session = store.QuerySession(Tenant);
    var chart = live ? await session.Events.AggregateStreamAsync<Chart>(id, token: ct) : await session.LoadAsync<Chart>(id, ct);
    return chart is null ? Results.NotFound() : Results.Ok(chart);
});
app.MapPost("/charts/{id:guid}/code", async (Guid id, HttpRequest request, CodeInput input, CancellationToken ct) =>
{
    var expected = long.Parse(request.Headers.IfMatch.ToString().Trim('W', '/', '"'));
    await using var session = store.LightweightSession(Tenant);
    var stream = await session.Events.FetchForWriting<Chart>(id, expected, ct);
    if (stream.Aggregate is null) return Results.NotFound();
    stream.AppendOne(new ChartCoded(input.Codes, input.Lines, DateTimeOffset.UtcNow));
    await session.SaveChangesAsync(ct);
    return Results.Ok(new { version = expected + 1 });
});
await app.RunAsync();
return 0;

async Task<int> Load()
{
    var url = new Uri(Arg("--url", "http://127.0.0.1:5095"));
    var kind = Arg("--kind", "write");
    var workers = int.Parse(Arg("--workers", "16"));
    var seconds = double.Parse(Arg("--seconds", "20"), System.Globalization.CultureInfo.InvariantCulture);
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = workers * 2 }) { BaseAddress = url };
    var body = System.Text.Json.JsonSerializer.Serialize(new CodeInput(["I10", "E11.9"],
        [new LineInput("99213", [1, 2]), new LineInput("36415", [1])]));
    long done = 0, errors = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
    {
        var mine = Enumerable.Range(0, streams).Where(i => i % workers == w).ToArray();
        var version = new long[mine.Length];
        // The current versions of this worker's streams, read once.
        for (var n = 0; n < mine.Length && kind == "write"; n++)
        {
            using var r = await http.GetAsync($"/charts/{StreamId(mine[n])}");
            version[n] = System.Text.Json.JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("version").GetInt64();
        }
        var k = 0;
        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < seconds)
        {
            var n = k++ % mine.Length;
            using var request = kind switch
            {
                "ping" => new HttpRequestMessage(HttpMethod.Get, "/ping"),
                "read" => new HttpRequestMessage(HttpMethod.Get, $"/charts/{StreamId(mine[n])}"),
                _ => new HttpRequestMessage(HttpMethod.Post, $"/charts/{StreamId(mine[n])}/code")
                {
                    Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
                    Headers = { { "If-Match", $"W/\"{version[n]}\"" } },
                },
            };
            using var response = await http.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            if (response.IsSuccessStatusCode) { if (kind == "write") version[n]++; Interlocked.Increment(ref done); }
            else Interlocked.Increment(ref errors);
        }
    }));
    Console.WriteLine($"kind={kind} workers={workers} requests={done} errors={errors} seconds={clock.Elapsed.TotalSeconds:F1}");
    return errors == 0 ? 0 : 1;
}

public sealed record CodeInput(string[] Codes, LineInput[] Lines);
public sealed record LineInput(string Code, int[] DiagnosisPointers);
public sealed record ChartQueued(string Mrn, int Priority, DateTimeOffset At);
public sealed record ChartCoded(string[] Codes, LineInput[] Lines, DateTimeOffset At);

/// <summary>A small aggregate in the shape of Portal's Encounter: a few fields, the codes and lines of the last coding.</summary>
public sealed class Chart
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public string Mrn { get; set; } = "";
    public int Priority { get; set; }
    public string Status { get; set; } = "Queued";
    public string[] Codes { get; set; } = [];
    public LineInput[] Lines { get; set; } = [];
    public DateTimeOffset UpdatedAt { get; set; }

    public static Chart Create(ChartQueued e) => new() { Mrn = e.Mrn, Priority = e.Priority, UpdatedAt = e.At };
    public void Apply(ChartCoded e) { Status = "InProgress"; Codes = e.Codes; Lines = e.Lines; UpdatedAt = e.At; }
}
