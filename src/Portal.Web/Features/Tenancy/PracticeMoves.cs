using System.Collections.Concurrent;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Web.Features.Users;
using Portal.Web.Platform;

namespace Portal.Web.Features.Tenancy;

public enum PracticeMoveStatus { Running, Done, Failed }

/// <summary>
/// A move of one practice to another database started by the platform operator (ADR 0031): kept in the common database, so
/// every node can show it, and updated while it runs with its step and how many tables are copied.
/// </summary>
public sealed class PracticeMoveJob
{
    public Guid Id { get; set; }
    public Guid PracticeId { get; set; }
    public string PracticeName { get; set; } = "";
    public string From { get; set; } = "";
    public string To { get; set; } = "";
    public PracticeMoveStatus Status { get; set; }
    public string Step { get; set; } = "";
    public int TablesDone { get; set; }
    public int Tables { get; set; }
    public long Events { get; set; }
    public string? EventChecksum { get; set; }
    public string? Error { get; set; }
    public string StartedBy { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

public sealed record MovePractice(string Database);

/// <summary>
/// Starts and follows practice moves. The move runs on the node that was asked, in the background (a large practice takes
/// minutes); its job document says where it is. A node that stops mid-move leaves the job Running and the practice read-only:
/// starting the move again finishes it (PracticeMove is safe to re-run), which is why a job older than <see cref="Stale"/> no
/// longer blocks a new one.
/// </summary>
public sealed class PracticeMoves(IDocumentStore store, TenantDatabases databases, PracticeMove move, OrganizationDirectory organizations,
    TimeProvider clock, ILogger<PracticeMoves> log) : IHostedService
{
    public static readonly TimeSpan Stale = TimeSpan.FromHours(6);
    readonly ConcurrentDictionary<Guid, Task> running = new();
    readonly CancellationTokenSource stopping = new();

    public async Task<PracticeMoveJob?> Start(Guid practiceId, string? database, string by, CancellationToken ct)
    {
        var org = await organizations.Find(practiceId, ct);
        if (org is null) return null;
        var target = database?.Trim() ?? "";
        if (org.Kind != OrganizationKind.Practice)
            throw new UnprocessableInput($"{org.Name} is not a practice: only a practice has data of its own to move.");
        if (!databases.Several)
            throw new UnprocessableInput("Only one database is configured (Portal:Databases), so there is nowhere to move a practice to.");
        if (!databases.Names.Contains(target))
            throw new UnprocessableInput("Choose one of the configured databases.",
                new Dictionary<string, string[]> { ["database"] = [$"'{target}' is not a configured database ({string.Join(", ", databases.Names)})."] });
        await databases.ReloadAsync(ct);
        var from = databases.DatabaseOf(practiceId.ToString());
        if (from == target && !databases.IsMoving(practiceId.ToString()))
            throw new RuleViolation($"{org.Name} is already in '{target}'.", "already-there");

        await using var session = store.LightweightSession();
        var now = clock.GetUtcNow();
        var busy = await session.Query<PracticeMoveJob>()
            .Where(j => j.PracticeId == practiceId && j.Status == PracticeMoveStatus.Running).ToListAsync(ct);
        if (busy.FirstOrDefault(j => now - j.StartedAt < Stale) is { } other)
            throw new RuleViolation($"{org.Name} is being moved to '{other.To}' already (started {other.StartedAt:yyyy-MM-dd HH:mm} UTC by {other.StartedBy}).",
                "move-running");
        var job = new PracticeMoveJob
        {
            Id = Guid.CreateVersion7(now), PracticeId = practiceId, PracticeName = org.Name, From = from, To = target,
            Status = PracticeMoveStatus.Running, Step = "Starting", StartedBy = by, StartedAt = now,
        };
        foreach (var stale in busy)
        {
            stale.Status = PracticeMoveStatus.Failed;
            stale.Error = "The node running this move stopped before it ended; a new move took over.";
            stale.FinishedAt = now;
            session.Store(stale);
        }
        session.Store(job);
        await session.SaveChangesAsync(ct);
        running[job.Id] = Task.Run(() => Run(job), CancellationToken.None);
        return job;
    }

    async Task Run(PracticeMoveJob job)
    {
        var progress = new LatestProgress();
        var moving = move.MoveAsync(job.PracticeId, job.To, stopping.Token, progress);
        try
        {
            // The job document follows the move twice a second; the move itself never waits for it.
            while (await Task.WhenAny(moving, Task.Delay(500)) != moving)
                if (progress.Latest is { } p) await Save(job, j => (j.Step, j.TablesDone, j.Tables) = (p.Step, p.TablesDone, p.Tables));
            var report = await moving;
            await Save(job, j =>
            {
                j.Status = PracticeMoveStatus.Done;
                j.Step = $"Moved: {report.Events:N0} events, {report.Tables.Count} tables checked";
                (j.TablesDone, j.Tables) = (report.Tables.Count, report.Tables.Count);
                (j.Events, j.EventChecksum, j.FinishedAt) = (report.Events, report.EventChecksum, clock.GetUtcNow());
            });
        }
        catch (Exception e)
        {
            log.LogError("Practice move {Job} of {Practice} to {To} failed: {Error}", job.Id, job.PracticeId, job.To, SafeLog.Describe(e));
            await Save(job, j =>
            {
                j.Status = PracticeMoveStatus.Failed;
                j.Error = e is InvalidOperationException or OperationCanceledException ? e.Message
                    : $"The move stopped ({SafeLog.Describe(e)}). The practice stays whole where it was; start the move again.";
                j.FinishedAt = clock.GetUtcNow();
            });
        }
        finally
        {
            running.TryRemove(job.Id, out _);
        }
    }

    async Task Save(PracticeMoveJob job, Action<PracticeMoveJob> change)
    {
        change(job);
        try
        {
            await using var session = store.LightweightSession();
            session.Store(job);
            await session.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning("Could not record the progress of practice move {Job}: {Error}", job.Id, SafeLog.Describe(e));
        }
    }

    public async Task<PracticeMoveJob?> Find(Guid id, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        return await query.LoadAsync<PracticeMoveJob>(id, ct);
    }

    /// <summary>The moves, newest first (at most the last 200).</summary>
    public async Task<IReadOnlyList<PracticeMoveJob>> List(CancellationToken ct)
    {
        await using var query = store.QuerySession();
        return await query.Query<PracticeMoveJob>().OrderByDescending(j => j.StartedAt).Take(200).ToListAsync(ct);
    }

    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>On shutdown the running moves are cancelled: each leaves its practice whole in its source (or finishes its switch).</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        await stopping.CancelAsync();
        await Task.WhenAny(Task.WhenAll(running.Values), Task.Delay(Timeout.Infinite, ct));
    }

    sealed class LatestProgress : IProgress<PracticeMoveProgress>
    {
        volatile PracticeMoveProgress? latest;
        public PracticeMoveProgress? Latest => latest;
        public void Report(PracticeMoveProgress value) => latest = value;
    }
}

public static class PracticeMoveEndpoints
{
    public static void MapPracticeMoves(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/platform/organizations/{organizationId:guid}/move", Start).WithTags("Platform").WithName("MovePractice")
            .Requires(Permissions.PracticesMove)
            .WithSummary("Move a practice's data to another database (ADR 0031): answers 202 at once with the move to follow at its Location")
            .WithDescription("The practice is read-only while it moves (writes answer 503). 404: no such organisation; 409: already in that " +
                "database, or a move of it is running (so a retried request never starts a second move); 422: not a practice, an unknown database, or only one database configured.")
            .ProducesProblem(404).ProducesProblem(409).ProducesValidationProblem(422);
        var moves = app.MapGroup("/api/v1/platform/practice-moves").WithTags("Platform");
        moves.MapGet("", List).WithName("ListPracticeMoves").Requires(Permissions.PracticesMove).Sorts(Sorting)
            .WithSummary("The practice moves, newest first, with their step and progress; cursor and limit");
        moves.MapGet("/{moveId:guid}", Get).WithName("GetPracticeMove").Requires(Permissions.PracticesMove)
            .WithSummary("One practice move: Running (step, tables copied of all), Done (events and checksum) or Failed (why)")
            .ProducesProblem(404);
    }

    static async Task<Results<Accepted<PracticeMoveJob>, NotFoundProblem>> Start(Guid organizationId, MovePractice body, PracticeMoves moves,
        HttpContext context, CancellationToken ct) =>
        await moves.Start(organizationId, body.Database, Actor.Of(context.User).Name, ct) is { } job
            ? TypedResults.Accepted($"/api/v1/platform/practice-moves/{job.Id}", job)
            : new NotFoundProblem("No organisation with this id.");

    static readonly Sorting<PracticeMoveJob> Sorting = new Sorting<PracticeMoveJob>("-started")
    {
        { "started", "when the move started", j => j.StartedAt },
        { "practice", "practice name", j => j.PracticeName },
        { "status", "Running, Done or Failed", j => j.Status },
        { "to", "the database moved to", j => j.To },
    }.TieBreak(j => j.Id);

    static async Task<Ok<CursorPage<PracticeMoveJob>>> List(PracticeMoves moves, string? sort, string? cursor, int? limit, HttpContext context,
        CancellationToken ct)
    {
        var order = Sorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        return TypedResults.Ok(order.Apply(await moves.List(ct)).Slice(request).WithLink(context));
    }

    static async Task<Results<Ok<PracticeMoveJob>, NotFoundProblem>> Get(Guid moveId, PracticeMoves moves, CancellationToken ct) =>
        await moves.Find(moveId, ct) is { } job ? TypedResults.Ok(job) : new NotFoundProblem("No practice move with this id.");
}
