using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using Portal.Web.Features.Claims;
using Portal.Web.Platform;

namespace Portal.Web.Features.Payments;

// A/R follow-up (issue 12 item 8): claims the payer has not answered within its expected days, and claims near their timely-filing
// limit, in one queue per biller, with claim status notes (call references, what the payer said) and the next follow-up date.

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum FollowUpReason { NoResponse, TimelyFiling }

public sealed record FollowUpNote(string Text, string? Status, DateOnly? NextOn, string By, DateTimeOffset At);

/// <summary>The biller's follow-up of one claim (id = the claim id): owner, status notes, next follow-up date. Revision is its ETag.</summary>
public sealed record ArFollowUp(Guid Id, string? Owner, FollowUpNote[] Notes, DateOnly? NextOn, int Revision, DateTimeOffset UpdatedAt);

/// <summary>One claim in the follow-up queue: why it is there (no response after the payer's expected days; timely filing near or past).</summary>
public sealed record FollowUpRow(Guid ClaimId, string PatientControlNumber, string PatientName, Guid PayerId, string PayerName, DateOnly DateOfService,
    DateOnly? SubmittedOn, string State, decimal Charge, FollowUpReason[] Reasons, int? DaysWithoutAnswer, int ExpectedDays,
    DateOnly TimelyFilingLimit, int DaysToLimit, string Why, string? Owner, FollowUpNote? LastNote, DateOnly? NextOn, int Revision);

public sealed record AddFollowUpNote([Required, MinLength(1), MaxLength(2000)] string Note, [MaxLength(100)] string? Status = null, DateOnly? NextOn = null);
public sealed record AssignFollowUps([Required] Guid[] ClaimIds, [MaxLength(200)] string? Owner);

public static class ArFollowUps
{
    /// <summary>Sent, no answer from the payer yet (no payment, denial or rejection).</summary>
    static readonly ClaimState[] Waiting = [ClaimState.Batched, ClaimState.AcceptedByClearinghouse, ClaimState.AcceptedByPayer];

    /// <summary>Not yet accepted by the payer: the timely-filing clock still runs (a rejected claim was never filed).</summary>
    static readonly ClaimState[] NotFiled = [ClaimState.Draft, ClaimState.Ready, ClaimState.Batched, ClaimState.AcceptedByClearinghouse,
        ClaimState.RejectedByClearinghouse, ClaimState.RejectedByPayer];

    /// <summary>
    /// The queue as of <paramref name="today"/>: claims waiting longer than their payer's expected days, and claims not yet with the
    /// payer within the warning days of the payer's timely-filing limit (or past it), most urgent first. <paramref name="owner"/>:
    /// a name, "-" for nobody's; <paramref name="reason"/> narrows to one kind.
    /// </summary>
    public static async Task<IReadOnlyList<FollowUpRow>> Queue(IQuerySession query, Guid practiceId, DateOnly today, string? owner,
        FollowUpReason? reason, CancellationToken ct)
    {
        var settings = await query.LoadAsync<PaymentSettings>(practiceId, ct) ?? PaymentSettings.Default(practiceId);
        var states = Waiting.Concat(NotFiled).Distinct().ToArray();
        var claims = await query.Query<ClaimView>().Where(c => c.State.IsOneOf(states)).ToListAsync(ct);
        var followUps = (await query.LoadManyAsync<ArFollowUp>(ct, claims.Select(c => c.Id))).ToDictionary(f => f.Id);
        var rows = new List<FollowUpRow>();
        foreach (var c in claims)
        {
            var payer = c.Coverage.PayerId;
            var expected = settings.ResponseDaysFor(payer);
            var submitted = c.SubmittedAt is { } s ? DateOnly.FromDateTime(s.UtcDateTime) : (DateOnly?)null;
            var waiting = submitted is { } on && Waiting.Contains(c.State) ? today.DayNumber - on.DayNumber : (int?)null;
            var limit = c.DateOfService.AddDays(settings.TimelyFilingDaysFor(payer));
            var toLimit = limit.DayNumber - today.DayNumber;
            var reasons = new List<FollowUpReason>();
            var why = new List<string>();
            if (waiting is { } w && w > expected) { reasons.Add(FollowUpReason.NoResponse); why.Add($"no answer from the payer for {w} days (expected within {expected})"); }
            if (NotFiled.Contains(c.State) && toLimit <= settings.TimelyFilingWarnDays)
            {
                reasons.Add(FollowUpReason.TimelyFiling);
                why.Add(toLimit < 0 ? $"timely filing: the limit passed on {limit:yyyy-MM-dd}" : $"timely filing: {toLimit} day(s) left (limit {limit:yyyy-MM-dd})");
            }
            if (reasons.Count == 0 || reason is { } r && !reasons.Contains(r)) continue;
            var f = followUps.GetValueOrDefault(c.Id);
            if (owner is { Length: > 0 } && (owner == "-" ? f?.Owner is not null : !string.Equals(f?.Owner, owner, StringComparison.OrdinalIgnoreCase))) continue;
            rows.Add(new FollowUpRow(c.Id, c.PatientControlNumber, c.PatientName, payer, c.Coverage.PayerName, c.DateOfService, submitted,
                ClaimStates.Label(c.State), c.TotalCharge, [.. reasons], waiting, expected, limit, toLimit, string.Join("; ", why), f?.Owner,
                f?.Notes.LastOrDefault(), f?.NextOn, f?.Revision ?? 0));
        }
        return [.. rows.OrderByDescending(x => x.Reasons.Contains(FollowUpReason.TimelyFiling)).ThenBy(x => x.DaysToLimit)
            .ThenByDescending(x => x.DaysWithoutAnswer ?? 0).ThenBy(x => x.ClaimId)];
    }

    /// <summary>A claim status note (and optionally the status heard and the next follow-up date) on a claim of the practice.</summary>
    public static async Task<ArFollowUp?> AddNote(IDocumentSession session, Guid claimId, int? expected, AddFollowUpNote input, string by,
        TimeProvider clock, CancellationToken ct)
    {
        if (await session.LoadAsync<ClaimView>(claimId, ct) is null) return null;
        var was = await session.LoadAsync<ArFollowUp>(claimId, ct);
        if (expected is { } v && v != (was?.Revision ?? 0)) throw new JasperFx.ConcurrencyException(typeof(ArFollowUp), claimId);
        var now = clock.GetUtcNow();
        var note = new FollowUpNote(Text(input.Note, "note", 2000), input.Status is { Length: > 0 } st ? Text(st, "status", 100) : null, input.NextOn, by, now);
        var next = new ArFollowUp(claimId, was?.Owner, [.. was?.Notes ?? [], note], input.NextOn ?? was?.NextOn, (was?.Revision ?? 0) + 1, now);
        session.Store(next);
        await session.SaveChangesAsync(ct);
        return next;
    }

    /// <summary>Gives claims (bulk) to a biller's queue; owner null or empty takes them out of anyone's. Unknown claim ids: null (404).</summary>
    public static async Task<int?> Assign(IDocumentSession session, AssignFollowUps input, string by, TimeProvider clock, CancellationToken ct)
    {
        var ids = input.ClaimIds.Distinct().ToArray();
        if (ids.Length == 0 || ids.Length > 500) throw new UnprocessableInput("Give 1 to 500 claim ids.", new Dictionary<string, string[]> { ["claimIds"] = ["1 to 500 ids."] });
        if ((await session.LoadManyAsync<ClaimView>(ct, ids)).Count != ids.Length) return null;
        var owner = string.IsNullOrWhiteSpace(input.Owner) ? null : Text(input.Owner, "owner", 200);
        var now = clock.GetUtcNow();
        var known = (await session.LoadManyAsync<ArFollowUp>(ct, ids)).ToDictionary(f => f.Id);
        foreach (var id in ids)
            session.Store(known.TryGetValue(id, out var f) ? f with { Owner = owner, Revision = f.Revision + 1, UpdatedAt = now }
                : new ArFollowUp(id, owner, [], null, 1, now));
        await session.SaveChangesAsync(ct);
        return ids.Length;
    }

    static string Text(string value, string field, int max)
    {
        var v = value.Trim();
        if (v.Length == 0 || v.Length > max || !TextGuard.IsStorable(v))
            throw new UnprocessableInput($"The {field} must be 1 to {max} characters of text.", new Dictionary<string, string[]> { [field] = [$"1 to {max} characters."] });
        return v;
    }

    public static FollowUpReason? ParseReason(string? reason) =>
        reason switch
        {
            null or "" => null,
            _ when reason.Equals("no-response", StringComparison.OrdinalIgnoreCase) || reason.Equals("NoResponse", StringComparison.OrdinalIgnoreCase) => FollowUpReason.NoResponse,
            _ when reason.Equals("timely-filing", StringComparison.OrdinalIgnoreCase) || reason.Equals("TimelyFiling", StringComparison.OrdinalIgnoreCase) => FollowUpReason.TimelyFiling,
            _ => throw new InvalidInput("reason", "reason must be no-response or timely-filing."),
        };
}
