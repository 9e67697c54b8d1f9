using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Web.Features.Coding;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

// Issue 14, item 3: an encounter page that does not dead-end. Before a coder has the chart, intake staff may correct the date
// and place of service (with a reason, kept in the history), put the encounter on hold with a reason (it leaves the coding
// queue and its turnaround clock stops) and release it again.

/// <summary>The date or place of service corrected before coding started.</summary>
public sealed record EncounterRevised(Guid EncounterId, DateOnly DateOfService, string PlaceOfService, string Reason, string By, DateTimeOffset At);

/// <summary>Put on hold by intake staff (e.g. waiting for the signed note); <paramref name="From"/> is the status it returns to.</summary>
public sealed record EncounterHeld(Guid EncounterId, EncounterStatus From, string Reason, string By, DateTimeOffset At);

/// <summary>Released from an intake hold; <paramref name="HeldFor"/> moves the coding due time, as for a provider query.</summary>
public sealed record EncounterHoldReleased(Guid EncounterId, EncounterStatus To, TimeSpan HeldFor, string Reason, string By, DateTimeOffset At);

public sealed record ReviseEncounter(DateOnly DateOfService, [Required, StringLength(2, MinimumLength = 2)] string PlaceOfService,
    [Required, StringLength(500, MinimumLength = 3)] string Reason);

public sealed record HoldEncounter([Required, StringLength(500, MinimumLength = 3)] string Reason);

public sealed record ReleaseEncounterHold([StringLength(500)] string? Reason = null);

public sealed partial record Encounter
{
    /// <summary>Set while intake staff hold the encounter: the status it returns to, why and since when.</summary>
    public EncounterStatus? HeldFrom { get; init; }
    public string? HoldReason { get; init; }
    public DateTimeOffset? HeldSince { get; init; }

    public bool HeldByIntake => HeldFrom is not null;

    public Encounter Apply(EncounterHeld e) => this with { Status = EncounterStatus.OnHold, HeldFrom = e.From, HoldReason = e.Reason, HeldSince = e.At };

    public Encounter Apply(EncounterHoldReleased e) => this with { Status = e.To, HeldFrom = null, HoldReason = null, HeldSince = null };

    public EncounterRevised Revise(DateOnly dos, string pos, string reason, string by, DateTimeOffset now)
    {
        if (Status is not (EncounterStatus.New or EncounterStatus.Queued) && !HeldByIntake)
            throw new RuleViolation($"The date and place of service can only be corrected before coding starts; this encounter is {Labels.Of(Status).ToLowerInvariant()}.",
                "encounter-locked");
        if (dos > DateOnly.FromDateTime(now.UtcDateTime))
            throw new UnprocessableInput("The date of service is in the future.", new Dictionary<string, string[]> { ["dateOfService"] = ["Not in the future."] });
        if (!Identifiers.PlacesOfService.ContainsKey(pos))
            throw new UnprocessableInput("Unknown place of service.", new Dictionary<string, string[]> { ["placeOfService"] = ["Use a CMS place-of-service code, e.g. 11."] });
        return new(Id, dos, pos, reason, by, now);
    }

    public EncounterHeld Hold(string reason, string by, DateTimeOffset now)
    {
        if (HeldByIntake) throw new RuleViolation("This encounter is already on hold.", "already-on-hold");
        if (Status is not (EncounterStatus.New or EncounterStatus.Queued))
            throw new RuleViolation($"Only an encounter not yet with a coder can be put on hold; this one is {Labels.Of(Status).ToLowerInvariant()}. " +
                "The coder raises a provider query instead.", "encounter-locked");
        return new(Id, Status, reason, by, now);
    }

    public EncounterHoldReleased Release(string? reason, string by, DateTimeOffset now) =>
        HeldFrom is { } from && HeldSince is { } since
            ? new(Id, from, from == EncounterStatus.Queued ? now - since : TimeSpan.Zero, reason ?? "Released", by, now)
            : throw new RuleViolation("This encounter is not on hold.", "not-on-hold");
}

public sealed partial class EncounterDetailsProjection
{
    public static EncounterDetails Apply(EncounterRevised e, EncounterDetails d) =>
        d with { DateOfService = e.DateOfService, PlaceOfService = e.PlaceOfService };
}

public static class EncounterWork
{
    public static Task<EncounterDetails?> Revise(IDocumentSession session, Guid id, long? version, ReviseEncounter input, string actor,
        TimeProvider clock, CancellationToken ct) =>
        Write(session, id, version, ct, e => e.Revise(input.DateOfService, input.PlaceOfService.Trim(), input.Reason.Trim(), actor, clock.GetUtcNow()));

    public static Task<EncounterDetails?> Hold(IDocumentSession session, Guid id, long? version, HoldEncounter input, string actor,
        TimeProvider clock, CancellationToken ct) =>
        Write(session, id, version, ct, e => e.Hold(input.Reason.Trim(), actor, clock.GetUtcNow()));

    public static Task<EncounterDetails?> Release(IDocumentSession session, Guid id, long? version, ReleaseEncounterHold input, string actor,
        TimeProvider clock, CancellationToken ct) =>
        Write(session, id, version, ct, e => e.Release(PatientWrites.Blank(input.Reason), actor, clock.GetUtcNow()));

    static async Task<EncounterDetails?> Write(IDocumentSession session, Guid id, long? version, CancellationToken ct, Func<Encounter, object> decide)
    {
        var stream = await PatientWrites.Fetch<Encounter>(session, id, version, ct);
        if (stream.Aggregate is null) return null;
        stream.AppendOne(decide(stream.Aggregate));
        await session.SaveChangesAsync(ct);
        var details = await session.LoadAsync<EncounterDetails>(id, ct);
        return details?.WithState((await session.Events.FetchLatest<Encounter>(id, ct))!);
    }

    /// <summary>Where the encounter stands, in one plain sentence, and what happens next.</summary>
    public static string WhereItStands(EncounterDetails e, Encounter? state) => e.Status switch
    {
        EncounterStatus.New => "Registered. Next: send it to coding.",
        EncounterStatus.Queued => "In the coding queue, waiting for a coder.",
        EncounterStatus.Assigned => "A coder has it and will start soon.",
        EncounterStatus.InProgress => "Being coded.",
        EncounterStatus.OnHold when state?.HeldByIntake == true => $"On hold: {state.HoldReason}. Release it when the reason is resolved.",
        EncounterStatus.OnHold => "On hold: the coder is waiting for the provider's answer to a query.",
        EncounterStatus.ReadyForQa => "Coded; waiting for a QA review.",
        EncounterStatus.Returned => "Returned by QA to the coder for corrections.",
        EncounterStatus.Approved => "Coded and approved: ready for the claim.",
        _ => Labels.Of(e.Status),
    };

    public static void MapEncounterWork(this IEndpointRouteBuilder app)
    {
        var encounters = app.MapGroup("/api/v1/practices/{practiceId:guid}/encounters").WithTags("Encounters");
        encounters.MapPut("/{encounterId:guid}/service", ReviseApi).WithName("ReviseEncounterService").HonoursIfMatch()
            .Requires(Permissions.IntakeWrite)
            .WithSummary("Correct the date and place of service before coding starts, saying why (kept in the history)")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        encounters.MapPost("/{encounterId:guid}/hold", HoldApi).WithName("HoldEncounter").HonoursIfMatch()
            .Requires(Permissions.EncounterHold)
            .WithSummary("Put an encounter not yet with a coder on hold, with a reason; it leaves the coding queue")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412);
        encounters.MapPost("/{encounterId:guid}/hold/release", ReleaseApi).WithName("ReleaseEncounterHold").HonoursIfMatch()
            .Requires(Permissions.EncounterHold)
            .WithSummary("Release an encounter from hold: back where it was, the coding due time moved by the time on hold")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412);
    }

    static Results<Ok<EncounterDetails>, NotFoundProblem> Answer(HttpContext context, EncounterDetails? e)
    {
        if (e is null) return new NotFoundProblem("No encounter with this id in this practice.");
        context.Response.Headers.ETag = ETags.For(e.Version);
        return TypedResults.Ok(e);
    }

    static async Task<Results<Ok<EncounterDetails>, NotFoundProblem>> ReviseApi(Guid encounterId, ReviseEncounter body, HttpContext context,
        IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Answer(context, await Revise(session, encounterId, ETags.Parse(context.Request.Headers.IfMatch), body, context.User.Actor(), clock, ct));

    static async Task<Results<Ok<EncounterDetails>, NotFoundProblem>> HoldApi(Guid encounterId, HoldEncounter body, HttpContext context,
        IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Answer(context, await Hold(session, encounterId, ETags.Parse(context.Request.Headers.IfMatch), body, context.User.Actor(), clock, ct));

    static async Task<Results<Ok<EncounterDetails>, NotFoundProblem>> ReleaseApi(Guid encounterId, ReleaseEncounterHold body, HttpContext context,
        IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Answer(context, await Release(session, encounterId, ETags.Parse(context.Request.Headers.IfMatch), body, context.User.Actor(), clock, ct));
}
