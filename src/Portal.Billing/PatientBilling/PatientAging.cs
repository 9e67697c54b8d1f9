namespace Portal.Billing.PatientBilling;

/// <summary>A patient balance by age: 0–30, 31–60, 61–90 and over 90 days since the amount became the patient's.</summary>
public sealed record AgingBuckets(decimal Current, decimal Days31To60, decimal Days61To90, decimal Over90)
{
    public decimal Total => Current + Days31To60 + Days61To90 + Over90;
}

/// <summary>An amount that became the patient's on a date (positive) or a payment/credit (negative).</summary>
public sealed record PatientAmount(DateOnly On, decimal Amount);

public static class PatientAging
{
    /// <summary>
    /// Credits (payments, adjustments in the patient's favour) pay the oldest charges first, the way statements present them;
    /// what is left of each charge sits in the bucket of its age on <paramref name="today"/>. A credit balance is shown as
    /// a negative current bucket.
    /// </summary>
    public static AgingBuckets Buckets(IEnumerable<PatientAmount> amounts, DateOnly today)
    {
        var list = amounts.ToList();
        var credit = -list.Where(a => a.Amount < 0).Sum(a => a.Amount);
        decimal c = 0, b31 = 0, b61 = 0, b91 = 0;
        foreach (var charge in list.Where(a => a.Amount > 0).OrderBy(a => a.On))
        {
            var used = Math.Min(credit, charge.Amount);
            credit -= used;
            var open = charge.Amount - used;
            if (open == 0) continue;
            var age = today.DayNumber - charge.On.DayNumber;
            if (age <= 30) c += open; else if (age <= 60) b31 += open; else if (age <= 90) b61 += open; else b91 += open;
        }
        return new AgingBuckets(c - credit, b31, b61, b91);
    }
}
