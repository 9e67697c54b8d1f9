using System.Globalization;
using Npgsql;
using Portal.Billing.CodeFiles;

namespace Portal.Web.Features.Codes;

/// <summary>
/// <c>dotnet run --project src/Portal.Web -- codes import icd10cm icd10cm_order_2027.txt --version 2027 [--from 2026-10-01]</c>.
/// Runs instead of the web host; exit code 0 on success, 1 when the file is refused or the arguments are wrong.
/// </summary>
public static class CodesCommand
{
    public static bool Matches(string[] args) => args is ["codes", ..];

    /// <summary>Every file kind the import takes (the Tabular XML comes in as icd10cm: it is told from the order file by its content).</summary>
    public static readonly string Usage =
        $"usage: codes import <{string.Join('|', CodeSystems.All.Where(s => s != CodeSystems.IcdTabular))}> <file> --version <YYYY|YYYYQn> [--from YYYY-MM-DD]";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        if (args is ["codes", "bench", var benchSystem, .. var benchArgs] && Option(benchArgs, "--version") is { } benchVersion)
            return await Bench(services, benchSystem, benchVersion);
        if (args is not ["codes", "import", var system, var path, .. var rest] || Option(rest, "--version") is not { } version)
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }
        DateOnly? from = null;
        if (Option(rest, "--from") is { } raw)
        {
            if (!DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                Console.Error.WriteLine($"error: --from '{raw}' is not a date (YYYY-MM-DD).");
                return 1;
            }
            from = d;
        }
        // `dotnet run --project` starts the app in the project folder; resolve a relative path from where the user typed it.
        if (!File.Exists(path) && !Path.IsPathRooted(path) && Environment.GetEnvironmentVariable("PWD") is { Length: > 0 } shellDir)
            path = Path.Combine(shellDir, path);
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"error: {path} does not exist.");
            return 1;
        }
        var db = services.GetRequiredService<NpgsqlDataSource>();
        try
        {
            await CodeSetTables.EnsureCreatedAsync(db, default);
            await using var file = File.OpenRead(path);
            var started = System.Diagnostics.Stopwatch.StartNew();
            var progress = new ConsoleProgress(n => Console.Write($"\r{system} {version}: {n:N0} rows read"));
            var s = await CodeSetImport.ImportAsync(db, system, version, from, file, path, $"cli:{Environment.UserName}", progress, default);
            Console.WriteLine();
            Console.WriteLine(s.Unchanged
                ? $"{system} {version}: unchanged (same file already imported, sha256 {s.Sha256})."
                : $"{system} {version} (effective {s.EffectiveFrom:yyyy-MM-dd}): {s.Rows:N0} rows, {s.Added:N0} added, {s.Changed:N0} changed, " +
                  $"{s.Dropped:N0} dropped against {s.PreviousVersion ?? "no previous version"}; sha256 {s.Sha256}; {started.Elapsed.TotalSeconds:N1} s.");
            return 0;
        }
        catch (CodeFileRejected e)
        {
            Console.WriteLine();
            Console.Error.WriteLine($"error: {path} refused, nothing imported. {e.Message}");
            return 1;
        }
        catch (Platform.UnprocessableInput e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// <c>codes bench icd10cm --version 2099</c>: builds that version's index from PostgreSQL and times typical searches
    /// (code prefixes, words, abbreviations, typos) in process, i.e. the server-side cost without HTTP and auth.
    /// </summary>
    static async Task<int> Bench(IServiceProvider services, string system, string version)
    {
        var catalog = services.GetRequiredService<CodeCatalog>();
        await catalog.RefreshAsync();
        if (catalog.Versions(system).FirstOrDefault(v => v.Version == version) is not { } v)
        {
            Console.Error.WriteLine($"error: {system} {version} is not imported.");
            return 1;
        }
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var index = await catalog.Index(v);
        Console.WriteLine($"index of {index.Count:N0} codes built in {watch.ElapsedMilliseconds:N0} ms");
        string[] queries = ["E11.9", "S72", "A0", "A011", "fracture", "chronic ulcer", "left knee sprain initial", "htn", "copd",
            "fractrue", "hemorrage of liver", "sequela", "unspecified", "acute infection lung", "type 3", "K5", "bilateral hip"];
        var samples = new List<double>();
        for (var round = 0; round < 60; round++)
            foreach (var q in queries)
            {
                var t = System.Diagnostics.Stopwatch.GetTimestamp();
                index.Search(q, billableOnly: round % 2 == 0, limit: 20, offset: 0);
                if (round >= 10) samples.Add(System.Diagnostics.Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        samples.Sort();
        double P(double p) => samples[(int)Math.Ceiling(p * samples.Count) - 1];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{samples.Count} searches: p50 {P(0.50):F2} ms, p95 {P(0.95):F2} ms, p99 {P(0.99):F2} ms, max {samples[^1]:F2} ms"));
        foreach (var q in queries)
        {
            var t = System.Diagnostics.Stopwatch.GetTimestamp();
            var (_, total) = index.Search(q, false, 20, 0);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {q,-28} {total,6} hits {System.Diagnostics.Stopwatch.GetElapsedTime(t).TotalMilliseconds,8:F2} ms"));
        }
        return 0;
    }

    static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    sealed class ConsoleProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
