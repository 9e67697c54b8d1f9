using Portal.Billing.Kpi;

namespace Portal.Billing.Tests.Kpi;

/// <summary>The worked example in docs/payments.md ("KPIs: a worked example"), figure by figure.</summary>
public class KpiExample
{
    static readonly DateOnly AsOf = new(2025, 6, 30);

    [Fact]
    public void the_worked_example_in_the_docs_holds()
    {
        OpenItem[] ar =
        [
            new(new DateOnly(2025, 6, 10), 12_000m, "Acme"), new(new DateOnly(2025, 5, 20), 8_000m, "Acme"),
            new(new DateOnly(2025, 4, 15), 5_000m, "Bolt"), new(new DateOnly(2025, 3, 20), 3_000m, "Bolt"),
            new(new DateOnly(2025, 1, 5), 2_000m, "Acme"), new(new DateOnly(2025, 6, 1), -500m, "Acme"),
        ];
        var aging = Kpis.Aging(ar, AsOf);
        Assert.Equal(new AgingBuckets(12_000m, 8_000m, 5_000m, 3_000m, 2_000m), aging);
        Assert.Equal(30_000m, aging.Total);
        Assert.Equal(0.1667m, aging.PercentOver90);
        Assert.Equal(33.3m, Kpis.DaysInAr(aging.Total, 81_000m, 90));
        Assert.Equal(0.931m, Kpis.NetCollectionRate(54_000m, 81_000m, 23_000m));
        Assert.Equal(0.6667m, Kpis.GrossCollectionRate(54_000m, 81_000m));

        var outcomes = Enumerable.Range(0, 200).Select(i => new ClaimOutcome(
            Submitted: true, AcceptedFirstTime: i >= 10, Adjudicated: i < 180, PaidFirstPass: i < 180 && i >= 18, Denied: i >= 10 && i < 25)).ToList();
        Assert.Equal(0.95m, Kpis.CleanClaimRate(outcomes));
        Assert.Equal(0.9m, Kpis.FirstPassResolutionRate(outcomes));
        Assert.Equal(0.0833m, Kpis.DenialRate(outcomes));
        var top = Kpis.TopCarcs([("197", 900m), ("50", 200m), ("197", 100m), ("16", 80m)], 2);
        Assert.Equal([("197", 2, 1_000m), ("50", 1, 200m)], top);
        Assert.Contains("| Days in A/R | 30,000 ÷ (81,000 ÷ 90) | **33.3** days |", File.ReadAllText(Path.Combine(GoldenCases.RepositoryRoot, "docs", "payments.md")));
    }
}
