using System.Text.Json.Serialization;

namespace Portal.Billing.PatientBilling;

/// <summary>A statement cycle's notices, in order. After the final notice the account is ready for collections (a person decides).</summary>
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum Notice { First, Second, Final }

/// <summary>
/// The practice's statement policy. A first notice goes out when the balance reaches <see cref="MinimumBalance"/>; each
/// following notice after the interval for the notice before it (<see cref="NoticeIntervals"/>: days after the first before the
/// second, after the second before the final, after the final before the account shows as ready for collections). No patient
/// gets two statements within <see cref="MinimumDaysBetween"/> days, whatever the intervals say.
/// </summary>
public sealed record StatementPolicy(decimal MinimumBalance, int MinimumDaysBetween, int[] NoticeIntervals, int DueInDays)
{
    public static readonly StatementPolicy Default = new(5.00m, 25, [30, 30, 30], 21);

    public IEnumerable<string> Problems()
    {
        if (MinimumBalance < 0) yield return "The minimum balance cannot be negative.";
        if (MinimumDaysBetween is < 0 or > 365) yield return "Days between statements must be 0 to 365.";
        if (NoticeIntervals.Length != 3 || NoticeIntervals.Any(d => d is < 1 or > 365))
            yield return "Give three notice intervals (second, final, collections), each 1 to 365 days.";
        if (DueInDays is < 1 or > 120) yield return "Due in days must be 1 to 120.";
    }
}

/// <summary>What a statement run knows of one patient's account when it decides.</summary>
/// <param name="NoticesInCycle">Statements sent since the balance last reached zero (0 = none yet).</param>
public sealed record StatementCandidate(Guid PatientId, decimal Balance, DateOnly? LastStatementOn, int NoticesInCycle,
    bool OnHold, bool InCollections, bool OnPlanInGoodStanding);

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum SkipReason { BelowMinimum, StatementTooRecent, OnHold, InCollections, OnPaymentPlan, NotYetDue, ReadyForCollections }

/// <summary>A run's decision for one patient: which notice, due when; or why not.</summary>
public sealed record StatementDecision(Guid PatientId, Notice? Notice, DateOnly? DueDate, SkipReason? Skipped, decimal AmountDue)
{
    public bool Send => Notice is not null;
}

public static class StatementRules
{
    /// <summary>
    /// Which patients get a statement on <paramref name="today"/>, and which notice. Order of refusals matters only for the
    /// reason shown: collections, hold and plans first (a person decided), then money, then dates.
    /// </summary>
    public static StatementDecision Decide(StatementPolicy policy, StatementCandidate c, DateOnly today)
    {
        StatementDecision Skip(SkipReason reason) => new(c.PatientId, null, null, reason, c.Balance);
        if (c.InCollections) return Skip(SkipReason.InCollections);
        if (c.OnHold) return Skip(SkipReason.OnHold);
        if (c.OnPlanInGoodStanding) return Skip(SkipReason.OnPaymentPlan);
        if (c.Balance <= 0m || c.Balance < policy.MinimumBalance) return Skip(SkipReason.BelowMinimum);
        if (c.LastStatementOn is { } last && today.DayNumber - last.DayNumber < policy.MinimumDaysBetween)
            return Skip(SkipReason.StatementTooRecent);

        var notice = NextNotice(policy, c.NoticesInCycle, c.LastStatementOn, today, out var reason);
        return notice is null ? Skip(reason!.Value) : new(c.PatientId, notice, today.AddDays(policy.DueInDays), null, c.Balance);
    }

    public static IReadOnlyList<StatementDecision> Select(StatementPolicy policy, IEnumerable<StatementCandidate> candidates, DateOnly today) =>
        candidates.Select(c => Decide(policy, c, today)).ToList();

    /// <summary>The dunning schedule: first at once, then each notice after its interval; after the final, none (collections review).</summary>
    public static Notice? NextNotice(StatementPolicy policy, int noticesInCycle, DateOnly? lastStatementOn, DateOnly today, out SkipReason? reason)
    {
        reason = null;
        if (noticesInCycle <= 0 || lastStatementOn is null) return Notice.First;
        if (noticesInCycle >= 3)
        {
            reason = SkipReason.ReadyForCollections;
            return null;
        }
        var wait = policy.NoticeIntervals[noticesInCycle - 1];
        if (today.DayNumber - lastStatementOn.Value.DayNumber < wait)
        {
            reason = SkipReason.NotYetDue;
            return null;
        }
        return noticesInCycle == 1 ? Notice.Second : Notice.Final;
    }

    /// <summary>True once the final notice's interval has passed with the balance still open: a person may send it to collections.</summary>
    public static bool ReadyForCollections(StatementPolicy policy, int noticesInCycle, DateOnly? lastStatementOn, DateOnly today) =>
        noticesInCycle >= 3 && lastStatementOn is { } last && today.DayNumber - last.DayNumber >= policy.NoticeIntervals[2];
}
