using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

// A bounded load generator for Portal on loopback: N workers for at most D seconds or R requests, whichever comes first.
//   dotnet run -c Release --project tests/Portal.Load -- --url http://127.0.0.1:5080 --scenario engagements --workers 16 --seconds 20
// Scenarios: practices (GET /api/v1/practices), engagements (a tenant-checked list: token, scope, access check, Marten query),
// codes (ICD-10-CM search over HTTP, rotating through typical typeahead queries; --version picks the code-set version by date),
// coding (pull next chart, code diagnoses and lines, submit; --max-requests bounds the charts; see CodingScenario.cs),
// coding-save (the same with diagnoses and lines in one PUT …/coding, as the coding screen saves them), coding-one (that PUT
// also submits: next chart, then one write),
// coding-phases (the same commands one type at a time over --charts charts, with CPU per command type; see CodingPhases.cs).
var options = Options.Parse(args);
var baseUri = new Uri(options.Url);
if (!baseUri.IsLoopback)
{
    Console.Error.WriteLine("Portal.Load only targets loopback addresses (127.0.0.0/8, localhost, [::1]).");
    return 2;
}

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Workers * 2 }) { BaseAddress = baseUri };
if (options.Scenario is "coding" or "coding-save" or "coding-one") return await CodingScenario.Run(http, options);
if (options.Scenario == "coding-phases")
    return await CodingPhases.Run(http, options, int.Parse(Options.Arg(args, "--charts", "1000")),
        int.Parse(Options.Arg(args, "--web-pid", "0")), int.Parse(Options.Arg(args, "--pg-pid", "0")),
        Options.Arg(args, "--pg-stats", "") is { Length: > 0 } port ? port : null);
const string north = "0197a000-0000-7000-8000-000000000001";
string[] codeQueries = ["htn", "E11.9", "e119", "diabetes without", "copd", "chest pain", "afib", "uri", "unspecified", "fracture radius",
    "I1", "Z00", "low back pain", "dm2", "hyperlipidemia", "anxiety", "chf", "sprain ankle", "gerd", "uti"];
var (token, path) = options.Scenario switch
{
    "codes" => (await ClientToken("north-app", "north-app-dev-secret", "codes.read"), "/api/v1/codes/icd10cm"),
    "practices" => (await ClientToken("north-app", "north-app-dev-secret", "practice.read"), "/api/v1/practices"),
    "engagements" => (await ClientToken("north-app", "north-app-dev-secret", "practice.read"), $"/api/v1/practices/{north}/engagements"),
    _ => throw new ArgumentException($"Unknown scenario {options.Scenario}"),
};
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

// Warm up: JIT, connection pools, Marten's compiled queries.
string Url(int i) => options.Scenario == "codes"
    ? $"{path}?q={Uri.EscapeDataString(codeQueries[i % codeQueries.Length])}&dos={options.Dos}&limit=20"
    : path;
for (var i = 0; i < 200; i++) (await http.GetAsync(Url(i))).EnsureSuccessStatusCode();

var latencies = new List<double>[options.Workers];
var errors = 0;
var sent = 0;
var deadline = Stopwatch.StartNew();
var workers = Enumerable.Range(0, options.Workers).Select(async w =>
{
    var mine = latencies[w] = new List<double>(capacity: 100_000);
    int n;
    while (deadline.Elapsed.TotalSeconds < options.Seconds && (n = Interlocked.Increment(ref sent)) <= options.MaxRequests)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(Url(n));
        await response.Content.LoadIntoBufferAsync();
        mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
    }
}).ToArray();
await Task.WhenAll(workers);
var elapsed = deadline.Elapsed.TotalSeconds;

var all = latencies.SelectMany(l => l).Order().ToArray();
double P(double q) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)Math.Ceiling(q * all.Length) - 1)];
Console.WriteLine($"scenario={options.Scenario} path={path} workers={options.Workers} requests={all.Length} errors={errors} seconds={elapsed:F1}");
Console.WriteLine($"throughput={all.Length / elapsed:F0} req/s  p50={P(.50):F2} ms  p95={P(.95):F2} ms  p99={P(.99):F2} ms  max={all.LastOrDefault():F2} ms");
return errors == 0 ? 0 : 1;

async Task<string> ClientToken(string id, string secret, string scope)
{
    var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials", ["client_id"] = id, ["client_secret"] = secret, ["scope"] = scope,
    }));
    response.EnsureSuccessStatusCode();
    return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
}

sealed record Options(string Url, string Scenario, int Workers, int Seconds, int MaxRequests, string Dos)
{
    public static string Arg(string[] args, string name, string fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;

    public static Options Parse(string[] args)
    {
        string Get(string name, string fallback) => Arg(args, name, fallback);
        return new(Get("--url", "http://127.0.0.1:5080"), Get("--scenario", "engagements"),
            Math.Clamp(int.Parse(Get("--workers", "16")), 1, 256), Math.Clamp(int.Parse(Get("--seconds", "20")), 1, 300),
            Math.Clamp(int.Parse(Get("--max-requests", "1000000")), 1, 5_000_000),
            Get("--dos", DateTime.UtcNow.ToString("yyyy-MM-dd")));
    }
}
