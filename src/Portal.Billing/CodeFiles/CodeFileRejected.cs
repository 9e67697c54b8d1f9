namespace Portal.Billing.CodeFiles;

/// <summary>
/// A file that cannot be imported, with the line and column (1-based) of the first thing that did not fit. Readers
/// throw it while streaming, so a caller that imports inside one transaction keeps nothing of a refused file;
/// <see cref="CodeFile.ReadAll{T}"/> turns it into a result for callers that want all records or an error.
/// </summary>
public sealed class CodeFileRejected(int line, int column, string reason)
    : Exception($"Line {line}, column {column}: {reason}")
{
    public int Line { get; } = line;
    public int Column { get; } = column;
    public string Reason { get; } = reason;
}

/// <summary>All records of a file, or the reason it was refused (never both).</summary>
public sealed record CodeFileResult<T>(IReadOnlyList<T>? Records, CodeFileRejected? Error)
{
    public bool Ok => Error is null;
}

static class Guarded
{
    /// <summary>
    /// Runs a lazy reader and turns the exceptions <paramref name="map"/> knows (XML, zip) into refusals, wherever in
    /// the enumeration they surface (an XmlReader resolves entities lazily, a zip inflates lazily).
    /// </summary>
    public static IEnumerable<T> Map<T>(IEnumerable<T> source, Func<Exception, CodeFileRejected?> map)
    {
        using var e = source.GetEnumerator();
        while (true)
        {
            bool more;
            try { more = e.MoveNext(); }
            catch (Exception ex) when (ex is not CodeFileRejected && map(ex) is { } refused) { throw refused; }
            if (!more) yield break;
            yield return e.Current;
        }
    }
}
