using System.Diagnostics;

namespace Portal.Web.Features.Claims.Submission;

/// <summary>
/// Profiling aid for the bulk submission paths (batching, acknowledgement import): wall time and this process's CPU per phase,
/// one line per request appended to the file named by the environment variable <c>PORTAL_PHASES</c> (docs/benchmarks.md,
/// "Claim submission"). Off when it is not set: a mark is then one branch. Not thread-safe: mark from the request's own flow.
/// </summary>
public sealed class PhaseClock(string name)
{
    static readonly string? Log = Environment.GetEnvironmentVariable("PORTAL_PHASES") is { Length: > 0 } path ? path : null;
    readonly Stopwatch? wall = Log is null ? null : Stopwatch.StartNew();
    TimeSpan cpu = Log is null ? default : Process.GetCurrentProcess().TotalProcessorTime;
    readonly List<string> parts = [];

    public void Mark(string phase)
    {
        if (wall is null) return;
        var now = Process.GetCurrentProcess().TotalProcessorTime;
        parts.Add($"{phase} {wall.Elapsed.TotalMilliseconds:F0} ms wall/{(now - cpu).TotalMilliseconds:F0} ms cpu");
        cpu = now;
        wall.Restart();
    }

    public void Done()
    {
        if (Log is not null) File.AppendAllText(Log, $"PHASES {name}: {string.Join("; ", parts)}{Environment.NewLine}");
    }
}
