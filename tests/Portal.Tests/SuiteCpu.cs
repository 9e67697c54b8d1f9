using System.Collections.Concurrent;
using System.Diagnostics;

namespace Portal.Tests;

/// <summary>
/// Where the suite's CPU goes (issue 14, item 13), on when PORTAL_SUITE_CPU names a file (infra/bench/suite.sh sets it): every
/// half second the CPU seconds used so far by the test process, everything it started (chromium and its renderers, the
/// Playwright driver, sshd, the processes of ScaleOut/TwoNodes) and the PostgreSQL cluster on PORTAL_PG_PORT are read from
/// /proc, and the difference is shared out evenly between the test classes running then (one per stream; each test from the
/// start of its reset to its end). On a loaded machine CPU seconds are a steadier measure than wall time. Written when the
/// last fixture ends; attribution is per half second, so a class of a few short tests is approximate.
/// </summary>
static class SuiteCpu
{
    static readonly string? File = Environment.GetEnvironmentVariable("PORTAL_SUITE_CPU");
    static readonly ConcurrentDictionary<object, string> Running = new(ReferenceEqualityComparer.Instance);
    static readonly Dictionary<string, double[]> PerClass = [];   // test process, children, PostgreSQL, seconds running
    static readonly Dictionary<string, int> Tests = [];
    static readonly object Gate = new();
    static Timer? timer;
    static double[] last = [0, 0, 0];
    static long lastTick;
    static readonly double Hz = 100; // USER_HZ on Linux

    public static void TestStarted(object test, string className)
    {
        if (File is null) return;
        lock (Gate)
        {
            if (timer is null)
            {
                last = Read();
                lastTick = Stopwatch.GetTimestamp();
                timer = new Timer(_ => Sample(), null, 500, 500);
            }
            Tests[className] = Tests.GetValueOrDefault(className) + 1;
        }
        Running[test] = className;
    }

    public static void TestEnded(object test)
    {
        if (File is null) return;
        Sample();
        Running.TryRemove(test, out _);
    }

    static void Sample()
    {
        lock (Gate)
        {
            if (timer is null) return;
            var now = Read();
            var tick = Stopwatch.GetTimestamp();
            var seconds = (tick - lastTick) / (double)Stopwatch.Frequency;
            var classes = Running.Values.ToArray();
            if (classes.Length == 0) classes = ["(no test running: fixture starts, runner)"];
            foreach (var c in classes)
            {
                if (!PerClass.TryGetValue(c, out var sums)) PerClass[c] = sums = new double[4];
                for (var i = 0; i < 3; i++) sums[i] += (now[i] - last[i]) / classes.Length;
                sums[3] += seconds;
            }
            last = now;
            lastTick = tick;
        }
    }

    /// <summary>Called by the last fixture to end.</summary>
    public static void Report()
    {
        if (File is null || timer is null) return;
        Sample();
        timer.Dispose();
        lock (Gate)
        {
            var total = PerClass.Values.Aggregate(new double[4], (a, s) => [a[0] + s[0], a[1] + s[1], a[2] + s[2], a[3] + s[3]]);
            var lines = new List<string>
            {
                $"CPU seconds: test process {total[0]:0.0}, its child processes (chromium, driver, sshd, nodes) {total[1]:0.0}, " +
                $"PostgreSQL {total[2]:0.0}, all {total[0] + total[1] + total[2]:0.0}",
                "class\ttests\tcpu_all\tcpu_test_process\tcpu_children\tcpu_postgres\trunning_seconds",
            };
            lines.AddRange(PerClass.OrderByDescending(kv => kv.Value[0] + kv.Value[1] + kv.Value[2]).Select(kv =>
                $"{kv.Key}\t{Tests.GetValueOrDefault(kv.Key)}\t{kv.Value[0] + kv.Value[1] + kv.Value[2]:0.00}\t{kv.Value[0]:0.00}\t{kv.Value[1]:0.00}\t{kv.Value[2]:0.00}\t{kv.Value[3]:0.0}"));
            System.IO.File.WriteAllLines(File, lines);
        }
    }

    static int postmaster;

    /// <summary>CPU seconds so far: this process, its descendants (live ones and those they reaped), the PostgreSQL cluster.</summary>
    static double[] Read()
    {
        var stats = new Dictionary<int, (int Parent, long Own, long Reaped)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = System.IO.File.ReadAllText(Path.Combine(dir, "stat"));
                var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // Fields after the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17), counted from 3.
                stats[pid] = (int.Parse(f[1]), long.Parse(f[11]) + long.Parse(f[12]), long.Parse(f[13]) + long.Parse(f[14]));
            }
            catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException) { }
        }
        var self = Environment.ProcessId;
        if (postmaster == 0 || !stats.ContainsKey(postmaster)) postmaster = FindPostmaster();
        var children = new Dictionary<int, List<int>>();
        foreach (var (pid, s) in stats) (children.TryGetValue(s.Parent, out var l) ? l : children[s.Parent] = []).Add(pid);
        long Tree(int root, bool includeRoot)
        {
            long sum = includeRoot ? stats[root].Own : 0;
            sum += stats[root].Reaped;
            foreach (var c in children.GetValueOrDefault(root) ?? []) sum += Tree(c, true);
            return sum;
        }
        var own = stats.TryGetValue(self, out var me) ? me.Own : 0;
        var descendants = stats.ContainsKey(self) ? Tree(self, false) : 0;
        var postgres = postmaster != 0 && stats.ContainsKey(postmaster) ? Tree(postmaster, true) : 0;
        return [own / Hz, descendants / Hz, postgres / Hz];
    }

    static int FindPostmaster()
    {
        var port = Environment.GetEnvironmentVariable("PORTAL_PG_PORT") ?? "54329";
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var args = System.IO.File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (args.Length > 0 && args[0].EndsWith("/postgres") && args.Contains("-D")
                    && (args.Contains($"port={port}") || string.Join(' ', args).Contains($"-p {port}") || string.Join(' ', args).Contains($"port={port}")))
                    return pid;
            }
            catch (IOException) { }
        }
        return 0;
    }
}
