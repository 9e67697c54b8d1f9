using System.Collections.Concurrent;
using System.Diagnostics;

namespace Portal.Tests;

/// <summary>
/// Where the time between tests goes (issue 14, item 13): the reset's phases, summed over the run and printed when the run
/// ends, and written to the file PORTAL_SUITE_TIMINGS names (infra/bench/suite.sh sets it).
/// </summary>
static class ResetTimings
{
    static readonly ConcurrentDictionary<string, long> Ticks = new();
    public static int Resets;

    public static long Start() => Stopwatch.GetTimestamp();

    public static long Record(string phase, long since)
    {
        var now = Stopwatch.GetTimestamp();
        Ticks.AddOrUpdate(phase, now - since, (_, t) => t + now - since);
        return now;
    }

    static readonly ConcurrentDictionary<string, double> Single = new();

    /// <summary>A step that happens once per stream (its host's start, its first reset): reported by itself, in seconds.</summary>
    public static void Once(string step, long since) =>
        Single[step] = (Stopwatch.GetTimestamp() - since) / (double)Stopwatch.Frequency;

    static int seedCopies;
    static readonly ConcurrentQueue<string> RestoreFailures = new();

    /// <summary>What one fixture instance (one stream) adds to the report.</summary>
    public static void Add(int copies, IReadOnlyList<string> restoreFailures)
    {
        Interlocked.Add(ref seedCopies, copies);
        foreach (var failure in restoreFailures) RestoreFailures.Enqueue(failure);
    }

    /// <summary>The phases summed over both streams (their resets overlap in time: the sum is work, not wall).</summary>
    public static void Report()
    {
        if (Resets == 0) return;
        var lines = new List<string> { $"Resets: {Resets}, seeded through the app and copied {seedCopies} times" };
        lines.AddRange(RestoreFailures.Distinct().Select(f => $"  the copy could not be put back: {f}"));
        lines.AddRange(Ticks.Select(kv => (kv.Key, Seconds: kv.Value / (double)Stopwatch.Frequency))
            .Select(p => $"  {p.Key}: {p.Seconds:0.0} s in all, {p.Seconds * 1000 / Resets:0.0} ms per reset"));
        lines.Add($"  total: {Ticks.Where(kv => !kv.Key.StartsWith("stream ", StringComparison.Ordinal)).Sum(kv => kv.Value) / (double)Stopwatch.Frequency:0.0} s (without the tests' own waits)");
        lines.AddRange(Single.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"  {kv.Key}: {kv.Value:0.0} s"));
        Console.WriteLine(string.Join(Environment.NewLine, lines));
        if (Environment.GetEnvironmentVariable("PORTAL_SUITE_TIMINGS") is { Length: > 0 } file)
            File.AppendAllLines(file, lines);
    }
}
