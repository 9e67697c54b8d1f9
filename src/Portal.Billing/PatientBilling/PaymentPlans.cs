using System.Text.Json.Serialization;

namespace Portal.Billing.PatientBilling;

public sealed record Instalment(int Number, DateOnly DueOn, decimal Amount);

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum InstalmentState { Paid, PartlyPaid, Due, Upcoming, Missed }

public sealed record InstalmentStatus(int Number, DateOnly DueOn, decimal Amount, decimal Paid, InstalmentState State);

public sealed record PlanStatus(IReadOnlyList<InstalmentStatus> Instalments, decimal Paid, decimal Remaining, int Missed, bool Completed)
{
    public bool InGoodStanding => Missed == 0;
}

public static class PaymentPlans
{
    /// <summary>
    /// Splits <paramref name="total"/> into <paramref name="count"/> monthly instalments to the cent. Every instalment is the
    /// total divided evenly, rounded down to the cent; the cents left over go on the first instalment, so the schedule always
    /// adds up to the total and no later instalment is larger than the first. A due day past the month's end moves to its last day.
    /// </summary>
    public static IReadOnlyList<Instalment> Schedule(decimal total, int count, DateOnly firstDue)
    {
        if (total <= 0m) throw new ArgumentOutOfRangeException(nameof(total), "A plan needs a positive total.");
        if (count is < 1 or > 60) throw new ArgumentOutOfRangeException(nameof(count), "A plan has 1 to 60 instalments.");
        var cents = (long)decimal.Round(total * 100m, 0, MidpointRounding.AwayFromZero);
        var each = cents / count;
        if (each == 0) throw new ArgumentOutOfRangeException(nameof(count), "Each instalment must be at least one cent.");
        var first = each + cents % count;
        return Enumerable.Range(0, count)
            .Select(i => new Instalment(i + 1, AddMonthsClamped(firstDue, i), (i == 0 ? first : each) / 100m))
            .ToList();
    }

    static DateOnly AddMonthsClamped(DateOnly start, int months)
    {
        var month = new DateOnly(start.Year, start.Month, 1).AddMonths(months);
        return new DateOnly(month.Year, month.Month, Math.Min(start.Day, DateTime.DaysInMonth(month.Year, month.Month)));
    }

    /// <summary>
    /// Where a plan stands on <paramref name="today"/>: payments since the plan began fill instalments in order (oldest first).
    /// An instalment not fully paid <paramref name="graceDays"/> days after its due date is missed; the practice follows it up.
    /// </summary>
    public static PlanStatus Status(IReadOnlyList<Instalment> schedule, decimal paidSincePlan, DateOnly today, int graceDays)
    {
        var left = Math.Max(0m, paidSincePlan);
        var rows = new List<InstalmentStatus>(schedule.Count);
        foreach (var i in schedule)
        {
            var paid = Math.Min(left, i.Amount);
            left -= paid;
            var state = paid == i.Amount ? InstalmentState.Paid
                : today.DayNumber > i.DueOn.DayNumber + graceDays ? InstalmentState.Missed
                : today >= i.DueOn ? InstalmentState.Due
                : paid > 0 ? InstalmentState.PartlyPaid
                : InstalmentState.Upcoming;
            rows.Add(new InstalmentStatus(i.Number, i.DueOn, i.Amount, paid, state));
        }
        var total = schedule.Sum(i => i.Amount);
        var paidTotal = rows.Sum(r => r.Paid);
        return new PlanStatus(rows, paidTotal, total - paidTotal, rows.Count(r => r.State == InstalmentState.Missed), paidTotal >= total);
    }
}
