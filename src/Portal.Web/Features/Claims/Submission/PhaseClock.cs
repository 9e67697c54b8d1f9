using System.Diagnostics;

namespace Portal.Web.Features.Claims.Submission;

/// <summary>TEMPORARY profiling aid: wall and process CPU per phase, printed when PORTAL_PHASES is set.</summary>
public sealed class PhaseClock(string name)
{
    static readonly string? Log = Environment.GetEnvironmentVariable("PORTAL_PHASES");
    static bool On => Log is { Length: > 0 };
    readonly Stopwatch wall = Stopwatch.StartNew();
    TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
    readonly List<string> parts = [];

    public void Mark(string phase)
    {
        if (!On) return;
        var now = Process.GetCurrentProcess().TotalProcessorTime;
        parts.Add($"{phase} {wall.Elapsed.TotalMilliseconds:F0} ms wall/{(now - cpu).TotalMilliseconds:F0} ms cpu");
        cpu = now;
        wall.Restart();
    }

    public void Done()
    {
        if (On) File.AppendAllText(Log!, $"PHASES {name}: {string.Join("; ", parts)}{Environment.NewLine}");
    }
}
