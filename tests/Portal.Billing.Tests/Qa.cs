using Portal.Billing.Coding;

namespace Portal.Billing.Tests;

public class QaScoring
{
    [Fact]
    public void counts_omissions_and_extras_against_the_union_of_both_code_sets()
    {
        // Coder: E11.9, I10, 99213-25. Auditor: E11.9, E78.5, 99213 (no 25). Union = 5, both have 1 (E11.9); 99213-25 → 99213
        // is one changed code (issue 14, item 7), so 4 codes are compared.
        var (correct, compared) = QaAccuracy.Compare(["E119", "I10"], [new CodedLine("99213", ["25"])],
            ["E119", "E785"], [new CodedLine("99213", [])]);
        Assert.Equal((1, 4), (correct, compared));
        Assert.Equal(0.25m, QaAccuracy.Ratio(correct, compared));
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

/// <summary>Issue 14, item 7: a changed code counts as one error (99214 → 99213 is one E/M level error, not an omission plus an addition).</summary>
public class QaChangedCodes
{
    static QaLine L(string code, int units = 1, string[]? modifiers = null, int[]? pointers = null) =>
        new(code, modifiers ?? [], units, pointers ?? [1]);

    static string[] Shown(IEnumerable<QaFinding> findings) => [.. findings.Select(f => $"{f.Type} {f.Code}: {f.Detail}").Order()];

    [Fact]
    public void an_em_level_changed_is_one_em_level_error_and_one_code_compared()
    {
        var findings = QaComparison.Findings(["I10"], [L("99214")], ["I10"], [L("99213")]);
        Assert.Equal(["em-level 99213: 99213, not 99214."], Shown(findings));
        Assert.Equal((1, 2), QaAccuracy.Compare(["I10"], [new CodedLine("99214", [])], ["I10"], [new CodedLine("99213", [])]));
    }

    [Fact]
    public void golden_review_with_every_kind_of_error()
    {
        // Coder: E11.9, I10 / 99214, 36415, 20610-RT x1 → I10. Auditor: E11.65, I10, E78.5 / 99213, 81002, 20610-LT x2 → E11.65.
        string[] coderDx = ["E119", "I10"], auditorDx = ["E1165", "I10", "E785"];
        QaLine[] coder = [L("99214"), L("36415"), L("20610", 1, ["RT"], [2])];
        QaLine[] auditor = [L("99213"), L("81002"), L("20610", 2, ["LT"], [1])];

        Assert.Equal(
        [
            "em-level 99213: 99213, not 99214.",
            "missed-diagnosis E785: E78.5 was not coded.",
            "missed-procedure 81002: 81002 was not coded.",
            "modifier 20610: Modifiers LT, not RT.",
            "pointer 20610: Points at E11.65, not I10.",
            "specificity E1165: E11.65, not E11.9.",
            "units 20610: 2 units, not 1.",
            "unsupported-procedure 36415: 36415 is not supported by the documentation.",
        ], Shown(QaComparison.Findings(coderDx, coder, auditorDx, auditor)));
    }

    [Fact]
    public void only_codes_of_the_same_family_pair_up_and_in_order()
    {
        var (changed, missed, extra) = QaComparison.Pair(["99213", "E785"], ["99215", "99214", "I10"], QaComparison.ProcedureFamily);
        Assert.Equal(new[] { ("99213", "99215") }, changed);
        Assert.Equal(["E785"], missed);
        Assert.Equal(["99214", "I10"], extra);
    }

    [Fact]
    public void sequencing_is_reported_when_the_first_listed_diagnosis_moved()
    {
        var findings = QaComparison.Findings(["I10", "E119"], [], ["E119", "I10"], []);
        Assert.Equal(["sequencing E119: E11.9 is first-listed, not I10."], Shown(findings));
    }
}
