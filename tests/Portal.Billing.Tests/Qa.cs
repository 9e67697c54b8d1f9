using Portal.Billing.Coding;

namespace Portal.Billing.Tests;

public class QaScoring
{
    [Fact]
    public void counts_omissions_and_extras_against_the_union_of_both_code_sets()
    {
        // Coder: E11.9, I10, 99213-25. Auditor: E11.9, E78.5, 99213 (no 25). Union = 5, both have 1 (E11.9).
        var (correct, compared) = QaAccuracy.Compare(["E119", "I10"], [new CodedLine("99213", ["25"])],
            ["E119", "E785"], [new CodedLine("99213", [])]);
        Assert.Equal((1, 5), (correct, compared));
        Assert.Equal(0.2m, QaAccuracy.Ratio(correct, compared));
        Assert.Equal(1m, QaAccuracy.Ratio(0, 0));
    }

    [Fact]
    public void modifier_order_does_not_matter()
    {
        var (correct, compared) = QaAccuracy.Compare([], [new CodedLine("20610", ["RT", "59"])], [], [new CodedLine("20610", ["59", "RT"])]);
        Assert.Equal((1, 1), (correct, compared));
    }

    [Fact]
    public void samples_new_coders_fully_then_targeted_then_by_a_stable_bucket()
    {
        var rules = new QaSamplingRules(NewCoderChartCount: 10, SamplePercent: 20, Targeted: true);
        var id = Guid.Parse("0197a000-0000-7000-8000-000000000123");
        Assert.Equal((true, "new coder: 3 of 10 approved charts"), QaSampling.Decide(rules, id, 3, []));
        Assert.Equal((true, "targeted: high-level E/M 99215"), QaSampling.Decide(rules, id, 50, [new CodedLine("99215", [])]));
        Assert.Equal((true, "targeted: modifier 59 on 20610"), QaSampling.Decide(rules, id, 50, [new CodedLine("20610", ["59"])]));
        var bucket = QaSampling.Bucket(id);
        Assert.Equal(bucket, QaSampling.Bucket(id));
        Assert.Equal(bucket < 20, QaSampling.Decide(rules, id, 50, [new CodedLine("99213", [])]).Sampled);
        Assert.False(QaSampling.Decide(rules with { SamplePercent = 0 }, id, 50, []).Sampled);
        Assert.True(QaSampling.Decide(rules with { SamplePercent = 100 }, id, 50, []).Sampled);
    }
}
