namespace Portal.Billing.Kpi;

/// <summary>A receivable: its age basis (date of service) and what is still open, by payer and responsible party.</summary>
public sealed record OpenItem(DateOnly ServiceDate, decimal Open, string Payer = "", string Party = "insurance");

/// <summary>A claim as the rates see it (domain brief §8).</summary>
public sealed record ClaimOutcome(bool Submitted, bool AcceptedFirstTime, bool Adjudicated, bool PaidFirstPass, bool Denied);

public sealed record AgingBuckets(decimal Days0To30, decimal Days31To60, decimal Days61To90, decimal Days91To120, decimal Over120)
{
    public decimal Total => Days0To30 + Days31To60 + Days61To90 + Days91To120 + Over120;
    public decimal? PercentOver90 => Kpis.Ratio(Days91To120 + Over120, Total);
    public decimal? PercentOver120 => Kpis.Ratio(Over120, Total);
}

/// <summary>
/// Revenue-cycle KPIs (domain brief §8) as pure functions over plain inputs; the caller picks the period, date basis
/// and cohort and says so next to the number. Rates are fractions (0.95), null when the denominator is 0.
/// Credit balances (negative open amounts) are kept out of A/R, as the brief asks.
/// </summary>
public static class Kpis
{
    public static decimal? Ratio(decimal numerator, decimal denominator) =>
        denominator == 0 ? null : Math.Round(numerator / denominator, 4, MidpointRounding.AwayFromZero);

    /// <summary>Days in A/R = ending A/R ÷ (gross charges of the last <paramref name="days"/> days ÷ days).</summary>
    public static decimal? DaysInAr(decimal endingAr, decimal grossChargesOfPeriod, int days = 90) =>
        grossChargesOfPeriod == 0 ? null : Math.Round(endingAr / (grossChargesOfPeriod / days), 1, MidpointRounding.AwayFromZero);

    /// <summary>Aging by days from the date of service to <paramref name="asOf"/>: 0–30, 31–60, 61–90, 91–120, over 120.</summary>
    public static AgingBuckets Aging(IEnumerable<OpenItem> items, DateOnly asOf)
    {
        decimal a = 0, b = 0, c = 0, d = 0, e = 0;
        foreach (var i in items)
        {
            if (i.Open <= 0) continue;
            var age = asOf.DayNumber - i.ServiceDate.DayNumber;
            if (age <= 30) a += i.Open; else if (age <= 60) b += i.Open; else if (age <= 90) c += i.Open; else if (age <= 120) d += i.Open; else e += i.Open;
        }
        return new AgingBuckets(a, b, c, d, e);
    }

    public static IReadOnlyDictionary<string, AgingBuckets> AgingBy(IEnumerable<OpenItem> items, DateOnly asOf, Func<OpenItem, string> key) =>
        items.GroupBy(key).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => Aging(g, asOf));

    /// <summary>Claims accepted on first submission with no hold or rejection ÷ claims submitted.</summary>
    public static decimal? CleanClaimRate(IEnumerable<ClaimOutcome> claims)
    {
        var submitted = claims.Where(c => c.Submitted).ToList();
        return Ratio(submitted.Count(c => c.AcceptedFirstTime), submitted.Count);
    }

    /// <summary>Claims paid on first submission without denial, resubmission or appeal ÷ claims adjudicated.</summary>
    public static decimal? FirstPassResolutionRate(IEnumerable<ClaimOutcome> claims)
    {
        var adjudicated = claims.Where(c => c.Adjudicated).ToList();
        return Ratio(adjudicated.Count(c => c.PaidFirstPass), adjudicated.Count);
    }

    /// <summary>Denied claims ÷ adjudicated claims.</summary>
    public static decimal? DenialRate(IEnumerable<ClaimOutcome> claims)
    {
        var adjudicated = claims.Where(c => c.Adjudicated).ToList();
        return Ratio(adjudicated.Count(c => c.Denied), adjudicated.Count);
    }

    /// <summary>The most frequent denial CARCs with their counts and amounts (ties by amount, then code).</summary>
    public static IReadOnlyList<(string Carc, int Count, decimal Amount)> TopCarcs(IEnumerable<(string Carc, decimal Amount)> denials, int top = 10) =>
        denials.GroupBy(d => d.Carc).Select(g => (g.Key, g.Count(), g.Sum(d => d.Amount)))
            .OrderByDescending(t => t.Item2).ThenByDescending(t => t.Item3).ThenBy(t => t.Key, StringComparer.Ordinal).Take(top).ToList();

    /// <summary>Payments ÷ (charges − contractual adjustments), same cohort.</summary>
    public static decimal? NetCollectionRate(decimal payments, decimal charges, decimal contractual) => Ratio(payments, charges - contractual);

    /// <summary>Payments ÷ gross charges.</summary>
    public static decimal? GrossCollectionRate(decimal payments, decimal charges) => Ratio(payments, charges);
}
