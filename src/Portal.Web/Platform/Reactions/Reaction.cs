using JasperFx.Events;
using Marten;

namespace Portal.Web.Platform.Reactions;

/// <summary>
/// "When an event of these types is appended, in any tenant, do this." One class per reaction, registered with
/// <see cref="ReactionRegistration.AddReaction{TReaction}"/>. The async daemon drives it from the event store, so a crash between
/// the write and the reaction loses nothing (ADR 0010, docs/architecture.md "Reactions"). Most reactions take one event type:
/// derive from <see cref="Reaction{TEvent}"/>.
/// </summary>
public interface IReaction
{
    /// <summary>Stable name: the daemon's progression row, receipts and dead letters are keyed by it. Never rename a shipped one.</summary>
    string Name { get; }

    Type[] EventTypes { get; }

    /// <summary>
    /// Do the reaction's writes on <see cref="ReactionContext.Session"/> (opened in the event's tenant) and do not save: the runner
    /// saves them in one transaction with the receipt that makes a replay a no-op. Throw to fail; the runner retries.
    /// </summary>
    Task HandleAsync(ReactionContext context, IEvent e, CancellationToken ct);
}

public abstract class Reaction<TEvent> : IReaction where TEvent : class
{
    public abstract string Name { get; }

    public Type[] EventTypes => [typeof(TEvent)];

    public abstract Task HandleAsync(ReactionContext context, IEvent<TEvent> e, CancellationToken ct);

    Task IReaction.HandleAsync(ReactionContext context, IEvent e, CancellationToken ct) => HandleAsync(context, (IEvent<TEvent>)e, ct);
}

/// <summary>What a handler gets: a session in the event's tenant (not yet saved), the app's services, and the clock.</summary>
public sealed record ReactionContext(IDocumentSession Session, IServiceProvider Services, TimeProvider Clock)
{
    List<Action>? committed;

    /// <summary>
    /// Runs <paramref name="action"/> once the handler's writes have committed (never when they roll back or are retried), e.g. to
    /// wake a worker of this process that picks up what the handler wrote. Best effort: an action that throws is ignored.
    /// </summary>
    public void OnCommitted(Action action) => (committed ??= []).Add(action);

    internal void Committed()
    {
        foreach (var action in committed ?? [])
            try { action(); } catch (Exception) { /* a wake-up only; the worker's poll still finds the work */ }
    }
}

/// <summary>
/// Proof that reaction <see cref="Reaction"/> handled the event with sequence <see cref="Sequence"/>. Inserted in the same
/// transaction as the handler's writes, in the event's tenant; a replay finds it and does nothing.
/// </summary>
public sealed record ReactionReceipt(string Id, string Reaction, long Sequence, Guid EventId, Guid StreamId, DateTimeOffset At)
{
    public static string IdFor(string reaction, long sequence) => $"{reaction}:{sequence}";
}

/// <summary>
/// An event a reaction gave up on after its retries. Error holds the exception type (and PostgreSQL's SQLSTATE) only, never a
/// message: messages can quote the data that failed, and that data may be PHI. Cleared by retrying (ReactionMonitor.RetryDeadLettersAsync).
/// </summary>
public sealed record ReactionDeadLetter(string Id, string Reaction, long Sequence, Guid EventId, Guid StreamId, string EventType,
    string Error, int Attempts, DateTimeOffset At);
