using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using JasperFx;
using Marten.Subscriptions;
using Npgsql;

namespace Portal.Web.Platform.Reactions;

/// <summary>Retries and backoff (configuration section <c>Portal:Reactions</c>).</summary>
public sealed class ReactionOptions
{
    /// <summary>Tries per event before it is parked as a dead letter.</summary>
    public int Attempts { get; set; } = 5;
    /// <summary>Wait before the second try; doubled before each further one (1 s, 2 s, 4 s, 8 s by default).</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Readiness turns Degraded when the oldest event a reaction has not handled is older than this.</summary>
    public TimeSpan DegradedAfter { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// Runs one reaction for one event, exactly once in effect: the handler's writes and the <see cref="ReactionReceipt"/> commit
/// together, and an event that already has a receipt is skipped. A failing handler is retried with backoff, then parked as a
/// <see cref="ReactionDeadLetter"/> and the subscription moves on (one poisoned event must not hold back every practice).
/// </summary>
public sealed class ReactionRunner(IServiceProvider services, ReactionOptions options, TimeProvider clock, BackgroundWork work,
    ILogger<ReactionRunner> log)
{
    public async Task<ReactionOutcome> RunAsync(IDocumentStore store, IReaction reaction, IEvent e, CancellationToken ct)
    {
        var receiptId = ReactionReceipt.IdFor(reaction.Name, e.Sequence);
        for (var attempt = 1; ; attempt++)
        {
            // One try at a time passes the background-work gate (not the wait between tries), so a pause waits for a try, not a backoff.
            using var lease = await work.EnterAsync(ct);
            try
            {
                await using var session = store.LightweightSession(e.TenantId);
                if (await session.LoadAsync<ReactionReceipt>(receiptId, ct) is not null)
                {
                    log.LogDebug("Reaction {Reaction} already handled event {Sequence}; replay skipped", reaction.Name, e.Sequence);
                    return ReactionOutcome.AlreadyDone;
                }
                var context = new ReactionContext(session, services, clock);
                await reaction.HandleAsync(context, e, ct);
                session.Insert(new ReactionReceipt(receiptId, reaction.Name, e.Sequence, e.Id, e.StreamId, clock.GetUtcNow()));
                await session.SaveChangesAsync(ct);
                context.Committed();
                return ReactionOutcome.Done;
            }
            catch (DocumentAlreadyExistsException)
            {
                // Another node handled it between our check and our commit (a HotCold hand-over); its writes won, ours rolled back.
                return ReactionOutcome.AlreadyDone;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                var error = Describe(ex);
                if (attempt >= options.Attempts)
                {
                    log.LogError("Reaction {Reaction} gave up on event {Sequence} ({EventType}, tenant {Tenant}) after {Attempts} tries: {Error}; parked as a dead letter",
                        reaction.Name, e.Sequence, e.EventTypeName, e.TenantId, attempt, error);
                    await using var session = store.LightweightSession(e.TenantId);
                    session.Store(new ReactionDeadLetter(receiptId, reaction.Name, e.Sequence, e.Id, e.StreamId, e.EventTypeName, error,
                        attempt, clock.GetUtcNow()));
                    await session.SaveChangesAsync(ct);
                    return ReactionOutcome.DeadLettered;
                }
                var delay = options.FirstRetryDelay * Math.Pow(2, attempt - 1);
                log.LogWarning("Reaction {Reaction} failed on event {Sequence} (try {Attempt} of {Attempts}): {Error}; retrying in {Delay}",
                    reaction.Name, e.Sequence, attempt, options.Attempts, error, delay);
                lease.Dispose();
                await Task.Delay(delay, clock, ct);
            }
        }
    }

    /// <summary>The exception's type and SQLSTATE only: messages may quote patient data.</summary>
    public static string Describe(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is not null && inner is not PostgresException) inner = inner.InnerException;
        return inner is PostgresException pg ? $"{ex.GetType().Name} (SQLSTATE {pg.SqlState})" : ex.GetType().FullName ?? ex.GetType().Name;
    }
}

public enum ReactionOutcome { Done, AlreadyDone, DeadLettered }

/// <summary>
/// The Marten subscription behind one reaction: the async daemon pushes pages of the reaction's event type (from every tenant)
/// and records its progress in mt_event_progression under <see cref="SubscriptionBase.Name"/>. Each event is handled in its own
/// transaction by <see cref="ReactionRunner"/>, so the page's progress commit carries no handler writes.
/// </summary>
sealed class ReactionSubscription : SubscriptionBase
{
    readonly IReaction reaction;
    readonly IServiceProvider services;
    ReactionRunner? runner;

    public ReactionSubscription(IReaction reaction, IServiceProvider services)
    {
        this.reaction = reaction;
        this.services = services;
        Name = reaction.Name;
        foreach (var type in reaction.EventTypes) IncludeType(type);
        Options.BatchSize = 100;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken ct)
    {
        // Resolved late: the runner's services include the document store this subscription is part of.
        runner ??= services.GetRequiredService<ReactionRunner>();
        foreach (var e in page.Events.Where(e => reaction.EventTypes.Any(t => t.IsInstanceOfType(e.Data))))
            await runner.RunAsync(operations.DocumentStore, reaction, e, ct);
        return NullChangeListener.Instance;
    }
}
