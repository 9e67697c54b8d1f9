using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

/// <summary>
/// The coding workflow under load (docs/benchmarks.md, "Coding workflow"). Seed the queue first with
/// <c>coding seed --charts 100000</c>. Each worker loops: pull the next chart, code its diagnoses, code its service lines
/// (both with If-Match), submit it. All four are coding commands; "next chart" latency is reported on its own.
/// Registered app north-app acts as the coder (client credentials: encounters.read coding.write).
/// Scenario <c>coding-save</c>: the diagnoses and lines go in one <c>PUT …/coding</c>, as the coding screen's Save sends them
/// (three commands per chart); <c>coding-one</c>: that write also submits (<c>"submit": true</c>; two commands per chart).
/// </summary>
static class CodingScenario
{
    const string North = "0197a000-0000-7000-8000-000000000001";

    public static async Task<int> Run(HttpClient http, Options options)
    {
        steps = options.Scenario switch { "coding-save" => OneSave, "coding-one" => OneWrite, _ => Separate };
        var token = await Token(http);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var api = $"/api/v1/practices/{North}";

        // Warm up: JIT, pools, Marten's generated code. These charts count in the queue like any others.
        for (var i = 0; i < 20; i++) await Chart(http, api, null, null);

        var next = new List<double>[options.Workers];
        var commands = new List<double>[options.Workers];
        var errors = new Dictionary<string, int>();
        var charts = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, options.Workers).Select(async w =>
        {
            var mine = next[w] = new List<double>(50_000);
            var other = commands[w] = new List<double>(150_000);
            while (clock.Elapsed.TotalSeconds < options.Seconds && Interlocked.Increment(ref charts) <= options.MaxRequests)
            {
                var outcome = await Chart(http, api, mine, other);
                if (outcome is not null) lock (errors) errors[outcome] = errors.GetValueOrDefault(outcome) + 1;
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;

        var pulls = next.SelectMany(l => l).Order().ToArray();
        var writes = commands.SelectMany(l => l).Order().ToArray();
        var total = pulls.Length + writes.Length;
        Console.WriteLine($"scenario=coding workers={options.Workers} seconds={seconds:F1} commands={total} ({pulls.Length} next-chart, {writes.Length} code/submit) " +
                          $"errors={(errors.Count == 0 ? "0" : string.Join(", ", errors.Select(e => $"{e.Key}×{e.Value}")))}");
        Console.WriteLine($"throughput={total / seconds:F0} coding commands/s  ({pulls.Length / seconds:F0} charts/s)");
        Console.WriteLine($"next chart:    p50={P(pulls, .50):F2} ms  p95={P(pulls, .95):F2} ms  p99={P(pulls, .99):F2} ms  max={pulls.LastOrDefault():F2} ms");
        Console.WriteLine($"code/submit:   p50={P(writes, .50):F2} ms  p95={P(writes, .95):F2} ms  p99={P(writes, .99):F2} ms  max={writes.LastOrDefault():F2} ms");
        return errors.Count == 0 ? 0 : 1;
    }

    /// <summary>One chart end to end; null when all went well, else what failed.</summary>
    static async Task<string?> Chart(HttpClient http, string api, List<double>? next, List<double>? commands)
    {
        var (pull, pullMs) = await Timed(() => http.PostAsync($"{api}/coding/queue/next", null));
        next?.Add(pullMs);
        if (pull.StatusCode == System.Net.HttpStatusCode.NoContent) return "queue-empty";
        if (!pull.IsSuccessStatusCode) return $"next:{(int)pull.StatusCode}";
        var chart = (await pull.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("chart");
        var id = chart.GetProperty("encounter").GetProperty("id").GetGuid();
        var version = chart.GetProperty("version").GetInt64();

        foreach (var (method, path, body) in steps)
        {
            var request = new HttpRequestMessage(method, $"{api}/encounters/{id}/coding{path}") { Content = body is null ? null : JsonContent.Create(body) };
            request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\"", isWeak: true));
            var (response, ms) = await Timed(() => http.SendAsync(request));
            commands?.Add(ms);
            if (!response.IsSuccessStatusCode) return $"{path}:{(int)response.StatusCode}";
            version = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64();
        }
        return null;
    }

    static readonly object Diagnoses = new { codes = new[] { "I10", "E11.9" } };
    static readonly object Lines = new { lines = new object[] { new { code = "99213", diagnosisPointers = new[] { 1, 2 } }, new { code = "36415", diagnosisPointers = new[] { 1 } } } };

    static readonly (HttpMethod, string, object?)[] Separate =
        [(HttpMethod.Put, "/diagnoses", Diagnoses), (HttpMethod.Put, "/lines", Lines), (HttpMethod.Post, "/submit", null)];

    static readonly (HttpMethod, string, object?)[] OneSave =
        [(HttpMethod.Put, "", new { diagnoses = Diagnoses, lines = Lines }), (HttpMethod.Post, "/submit", null)];

    static readonly (HttpMethod, string, object?)[] OneWrite = [(HttpMethod.Put, "", new { diagnoses = Diagnoses, lines = Lines, submit = true })];

    static (HttpMethod, string, object?)[] steps = Separate;

    static async Task<(HttpResponseMessage, double)> Timed(Func<Task<HttpResponseMessage>> send)
    {
        var start = Stopwatch.GetTimestamp();
        var response = await send();
        await response.Content.LoadIntoBufferAsync();
        return (response, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    static double P(double[] sorted, double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    static async Task<string> Token(HttpClient http)
    {
        var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "north-app", ["client_secret"] = "north-app-dev-secret",
            ["scope"] = "encounters.read coding.write",
        }));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
    }
}
