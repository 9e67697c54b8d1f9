using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.Hardening;

/// <summary>Every log line the app writes, at every level, while a test records; nothing otherwise (no cost to other tests).</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    readonly ConcurrentQueue<string> lines = new();
    volatile bool recording;

    public IDisposable Record()
    {
        lines.Clear();
        recording = true;
        return new Stop(this);
    }

    public IReadOnlyList<string> Lines => [.. lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    sealed class Stop(CapturedLogs logs) : IDisposable
    {
        public void Dispose() => logs.recording = false;
    }

    sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logs.recording;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!logs.recording) return;
            // What a console or file provider would write: the message, its structured values and the exception text.
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join("; ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            logs.lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}");
        }
    }
}
