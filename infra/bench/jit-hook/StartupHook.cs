using System.Diagnostics;

/// <summary>
/// Appends one line at process exit: methods the JIT compiled, the JIT's own clock (it runs on while the JIT waits for a core, so
/// on a busy machine it is an upper bound of the JIT's CPU), IL compiled and the process's CPU. The runtime calls
/// <see cref="Initialize"/> before Main for a process started with DOTNET_STARTUP_HOOKS naming this assembly.
/// </summary>
internal static class StartupHook
{
    public static void Initialize() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var line = $"{Environment.ProcessId} {Environment.GetCommandLineArgs().FirstOrDefault()}: JIT {System.Runtime.JitInfo.GetCompiledMethodCount()} methods, " +
                   $"{System.Runtime.JitInfo.GetCompilationTime().TotalSeconds:F1} s compiling, {System.Runtime.JitInfo.GetCompiledILBytes() / 1024} KB IL; " +
                   $"process CPU {cpu:F1} s";
        File.AppendAllText(Environment.GetEnvironmentVariable("JITHOOK_OUT") ?? "/tmp/jithook.txt", line + Environment.NewLine);
    };
}
