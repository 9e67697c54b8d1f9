using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

/// <summary>
/// The coding commands one type at a time (docs/benchmarks.md, "Coding commands per type"): all workers pull
/// <c>--charts</c> charts, then code their diagnoses, then their lines, then submit them; between phases the CPU the web
/// process (<c>--web-pid</c>) and PostgreSQL (<c>--pg-pid</c>, the postmaster: its backends, live and exited) spent is
/// read from /proc, so each command type gets its own CPU per command. After the submit phase it waits for the web process
/// to settle and reports what the reactions to the submissions (claim drafts, usage) cost on top.
/// An idle window before the phases measures what both processes spend doing nothing (timers, the daemon's polls); it is
/// subtracted from each phase in proportion to the phase's length.
/// </summary>
static class CodingPhases
{
    const string North = "0197a000-0000-7000-8000-000000000001";

    public static async Task<int> Run(HttpClient http, Options options, int charts, int webPid, int pgPid, string? statsPort)
    {
        var token = await Token(http);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var api = $"/api/v1/practices/{North}";

        await Settle(webPid, pgPid, 0.05);
        var idle = await Idle(webPid, pgPid, TimeSpan.FromSeconds(3));
        Console.WriteLine($"idle: web {idle.Web:F3} + postgres {idle.Pg:F3} CPU-ms per wall-ms (subtracted below)");

        var pulled = new List<(Guid Id, long Version)>();
        var failures = new Dictionary<string, int>();
        var rows = new List<string>();
        await Phase("next chart", charts, async i =>
        {
            var response = await http.PostAsync($"{api}/coding/queue/next", null);
            if (!response.IsSuccessStatusCode || response.StatusCode == System.Net.HttpStatusCode.NoContent) return $"next:{(int)response.StatusCode}";
            var chart = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("chart");
            lock (pulled) pulled.Add((chart.GetProperty("encounter").GetProperty("id").GetGuid(), chart.GetProperty("version").GetInt64()));
            return null;
        });
        var work = pulled.ToArray();
        foreach (var (path, method, body) in new (string, HttpMethod, object?)[]
        {
            ("diagnoses", HttpMethod.Put, new { codes = new[] { "I10", "E11.9" } }),
            ("lines", HttpMethod.Put, new { lines = new object[] { new { code = "99213", diagnosisPointers = new[] { 1, 2 } }, new { code = "36415", diagnosisPointers = new[] { 1 } } } }),
            ("submit", HttpMethod.Post, null),
        })
        {
            await Phase(path, work.Length, async i =>
            {
                var (id, version) = work[i];
                var request = new HttpRequestMessage(method, $"{api}/encounters/{id}/coding/{path}") { Content = body is null ? null : JsonContent.Create(body) };
                request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\"", isWeak: true));
                var response = await http.SendAsync(request);
                if (!response.IsSuccessStatusCode) return $"{path}:{(int)response.StatusCode}";
                work[i] = (id, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64());
                return null;
            });
        }
        // The reactions to the submissions (the claim drafted and scrubbed on approval, usage counting) run in the web
        // process's daemon after the responses: wait until its CPU settles near idle and count it per submitted chart.
        Stats(statsPort, "reset", null);
        var (w0, p0, t0) = Sample(webPid, pgPid);
        await Settle(webPid, pgPid, idle.Web * 1.5 + 0.01);
        var (w1, p1, t1) = Sample(webPid, pgPid);
        Stats(statsPort, "after-submit", work.Length);
        var settle = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
        rows.Add(Row("after submit (reactions)", work.Length, settle, w1 - w0 - idle.Web * settle, p1 - p0 - idle.Pg * settle, 0));

        Console.WriteLine("| Command | Commands | Wall s | Commands/s | Web CPU ms/command | PostgreSQL CPU ms/command | Total ms/command |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var row in rows) Console.WriteLine(row);
        Console.WriteLine($"errors={(failures.Count == 0 ? "0" : string.Join(", ", failures.Select(e => $"{e.Key}×{e.Value}")))}");
        return failures.Count == 0 ? 0 : 1;

        async Task Phase(string name, int count, Func<int, Task<string?>> command)
        {
            var next = -1;
            Stats(statsPort, "reset", null);
            var (web0, pg0, start) = Sample(webPid, pgPid);
            await Task.WhenAll(Enumerable.Range(0, options.Workers).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                    if (await command(i) is { } failed) lock (failures) failures[failed] = failures.GetValueOrDefault(failed) + 1;
            }));
            var (web1, pg1, end) = Sample(webPid, pgPid);
            Stats(statsPort, name.Replace(' ', '-'), count);
            var wall = Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
            rows.Add(Row(name, count, wall, web1 - web0 - idle.Web * wall, pg1 - pg0 - idle.Pg * wall, count / wall * 1000));
        }
    }

    static string Row(string name, int count, double wallMs, double webMs, double pgMs, double rate) =>
        $"| {name} | {count} | {wallMs / 1000:F1} | {(rate > 0 ? rate.ToString("F0") : "—")} | {webMs / count:F2} | {pgMs / count:F2} | {(webMs + pgMs) / count:F2} |";

    /// <summary>Waits (at most a minute) until the web process spent at most <paramref name="rate"/> CPU-ms per wall-ms for three seconds running.</summary>
    static async Task Settle(int webPid, int pgPid, double rate)
    {
        var begun = Stopwatch.GetTimestamp();
        var quiet = 0;
        while (quiet < 3 && Stopwatch.GetElapsedTime(begun).TotalSeconds < 60)
        {
            var (a, _, s) = Sample(webPid, pgPid);
            await Task.Delay(1000);
            var (b, _, e) = Sample(webPid, pgPid);
            quiet = (b - a) / Stopwatch.GetElapsedTime(s, e).TotalMilliseconds <= rate ? quiet + 1 : 0;
        }
    }

    /// <summary>The database the web node uses (PORTAL_BENCH_DB, default portal): its statements are the ones counted.</summary>
    static readonly string Database = Environment.GetEnvironmentVariable("PORTAL_BENCH_DB") is { Length: > 0 } d ? d : "portal";

    /// <summary>
    /// With --pg-stats PORT (the embedded cluster, pg_stat_statements loaded): resets the statistics before a phase, and after it
    /// writes the statements it ran, with calls and time per command, to /tmp/portal-phase-PORT-NAME.txt (the port keeps two engineers'
    /// benches on one machine apart).
    /// </summary>
    static void Stats(string? port, string phase, int? commands)
    {
        if (port is null) return;
        var sql = commands is null ? "select pg_stat_statements_reset()" : $"""
            select round(calls::numeric / {commands}, 2) as per_command, round((total_exec_time + total_plan_time)::numeric / {commands}, 3) as ms_per_command,
                   round(mean_exec_time::numeric, 3) as mean_ms, rows / greatest(calls, 1) as rows_per_call, left(regexp_replace(query, '\s+', ' ', 'g'), 220) as query
            from pg_stat_statements where dbid = (select oid from pg_database where datname = '{Database}')
            order by total_exec_time + total_plan_time desc limit 40
            """;
        var start = new ProcessStartInfo("psql", ["-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "portal", "-X", "-c", sql])
        {
            RedirectStandardOutput = true, Environment = { ["PGPASSWORD"] = "portal-dev-only" },
        };
        using var psql = Process.Start(start)!;
        var output = psql.StandardOutput.ReadToEnd();
        psql.WaitForExit();
        if (commands is not null) File.WriteAllText($"/tmp/portal-phase-{port}-{phase}.txt", output);
    }

    /// <summary>CPU-ms per wall-ms that the two processes spend with no requests.</summary>
    static async Task<(double Web, double Pg)> Idle(int webPid, int pgPid, TimeSpan window)
    {
        var (w0, p0, t0) = Sample(webPid, pgPid);
        await Task.Delay(window);
        var (w1, p1, t1) = Sample(webPid, pgPid);
        var wall = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
        return ((w1 - w0) / wall, (p1 - p0) / wall);
    }

    static readonly double MsPerTick = 1000.0 / 100; // USER_HZ is 100 on Linux

    /// <summary>CPU milliseconds of the web process, and of the PostgreSQL postmaster with its backends (live, and exited ones it reaped).</summary>
    static (double WebMs, double PgMs, long At) Sample(int webPid, int pgPid)
    {
        double web = Stat(webPid) is { } w ? w[0] + w[1] : 0;
        double pg = 0;
        if (Stat(pgPid) is { } pm) pg = pm[0] + pm[1] + pm[2] + pm[3];
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), out var pid) && pid != pgPid && Stat(pid) is { } s && s[4] == pgPid) pg += s[0] + s[1];
        return (web * MsPerTick, pg * MsPerTick, Stopwatch.GetTimestamp());
    }

    /// <summary>utime, stime, cutime, cstime, ppid of a process, or null when it is gone.</summary>
    static long[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            // After "pid (comm) ": state=0, ppid=1, …, utime=11, stime=12, cutime=13, cstime=14.
            return [long.Parse(fields[11]), long.Parse(fields[12]), long.Parse(fields[13]), long.Parse(fields[14]), long.Parse(fields[1])];
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

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
