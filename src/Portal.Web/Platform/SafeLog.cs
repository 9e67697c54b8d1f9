using System.Text;
using Marten;
using Marten.Services;
using Npgsql;

namespace Portal.Web.Platform;

/// <summary>
/// What may be logged about a failure: exception types, PostgreSQL SQL states and stack traces. Never messages, SQL
/// parameters or request bodies: they can quote PHI (names, notes, member ids). Ids in paths are fine.
/// </summary>
public static class SafeLog
{
    public static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions.Skip(1).SelectMany(Chain)) yield return inner;
        }
    }

    /// <summary>E.g. <c>MartenCommandException ← PostgresException 22P05</c>.</summary>
    public static string Describe(Exception exception) =>
        string.Join(" ← ", Chain(exception).Select(e => e is PostgresException pg ? $"{e.GetType().Name} {pg.SqlState}" : e.GetType().Name));

    public static string StackTrace(Exception exception)
    {
        var text = new StringBuilder();
        foreach (var e in Chain(exception).Reverse())
            text.Append("  ").Append(e.GetType().FullName).AppendLine(":").AppendLine(e.StackTrace);
        return text.ToString();
    }
}

/// <summary>
/// Marten's default logger writes a failed command's exception text (PostgreSQL quotes the offending JSON, e.g. a
/// patient's name) and, at Debug, every parameter value. This one logs the command text and the failure's types only.
/// </summary>
sealed class PhiSafeMartenLogger(ILogger logger) : IMartenLogger, IMartenSessionLogger
{
    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    public void SchemaChange(string sql) => logger.LogInformation("Marten changed the schema:{NewLine}{Sql}", Environment.NewLine, sql);

    public void LogSuccess(NpgsqlCommand command) => logger.LogDebug("Marten ran: {Sql}", command.CommandText);

    public void LogSuccess(NpgsqlBatch batch) => logger.LogDebug("Marten ran a batch of {Count} commands", batch.BatchCommands.Count);

    public void LogFailure(NpgsqlCommand command, Exception ex) => Failed(ex);

    public void LogFailure(NpgsqlBatch batch, Exception ex) => Failed(ex);

    public void LogFailure(Exception ex, string message) => Failed(ex);

    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit) { }

    public void OnBeforeExecute(NpgsqlCommand command) { }

    public void OnBeforeExecute(NpgsqlBatch batch) { }

    void Failed(Exception ex)
    {
        // An unreachable database is reported once per request by the exception handler; Marten retries first.
        if (DatabaseOutage.Is(ex)) logger.LogDebug("Marten command failed: {Exception}", SafeLog.Describe(ex));
        else logger.LogWarning("Marten command failed: {Exception}", SafeLog.Describe(ex));
    }
}
