using Portal.Billing.Remittance;

namespace Portal.Billing.Tests.Remittance;

public class PostingRules
{
    static Era Example => RemittanceCases.Read("paid-denied-plb.835");

    [Fact]
    public void the_same_claim_payment_in_another_file_has_the_same_key()
    {
        var a = Example;
        var b = RemittanceCases.Read("separators-from-isa.835");
        Assert.Equal(RemittanceKeys.Check(a.Payments[0]), RemittanceKeys.Check(b.Payments[0]));
        Assert.Equal(
            a.Payments[0].Claims.Select(c => RemittanceKeys.ClaimPayment(a.Payments[0], c)),
            b.Payments[0].Claims.Select(c => RemittanceKeys.ClaimPayment(b.Payments[0], c)));
        Assert.NotEqual(RemittanceKeys.FileHash(File.ReadAllBytes(Path.Combine(GoldenCases.Root, "835", "paid-denied-plb.835"))),
            RemittanceKeys.FileHash(File.ReadAllBytes(Path.Combine(GoldenCases.Root, "835", "separators-from-isa.835"))));
    }

    [Fact]
    public void a_line_posts_paid_allowed_contractual_and_patient_share_by_kind()
    {
        var era = Example;
        var posting = Posting.Post(era, "h", RemittanceCases.CandidatesFor(era), DenialRules.Default());
        var line = posting.Claims[0].Lines[1];
        Assert.Equal((56m, 120m, 80m, 50m, 14m, 0m), (line.Paid, line.Allowed, line.Contractual, line.Deductible, line.Coinsurance, line.Copay));
        Assert.Equal(line.Charge, line.Paid + line.Contractual + line.PatientResponsibility + line.OtherAdjustments + line.PayerReductions);
        Assert.False(posting.Claims[0].IsDenied);
        Assert.True(posting.Claims[1].IsDenied);
        Assert.Equal("authorization", posting.Claims[1].Denials.Single().Category);
        Assert.Equal(25m, posting.ProviderAdjustments.Single().Amount);
    }

    [Fact]
    public void an_unbalanced_file_is_refused_whole_and_posts_nothing()
    {
        var era = RemittanceCases.Read("bad-unbalanced.835");
        var refused = Assert.Throws<RemittanceUnbalanced>(() => Posting.Post(era, "h", RemittanceCases.CandidatesFor(era), DenialRules.Default()));
        Assert.Equal(2, refused.Imbalances.Count);
    }

    [Fact]
    public void reversing_entries_negate_the_original_posting()
    {
        var era = Example;
        var posted = Posting.Post(era, "h", RemittanceCases.CandidatesFor(era), DenialRules.Default()).Entries.ToList();
        var ledger = Ledger.Fold(posted.Concat(Posting.Reverse(posted, "rev")));
        Assert.All(ledger.Claims.Values, b => Assert.Equal(Balance.Zero, b));
        Assert.All(Posting.Reverse(posted, "rev"), e => Assert.True(e.Reversal));
    }

    [Fact]
    public void ties_on_patient_control_number_are_broken_by_payer_claim_number_charge_and_dos()
    {
        var clp = Example.Payments[0].Claims[0];
        ClaimCandidate C(string id, string? pcn2, decimal charge, int day) => new(id, "p", "MFM-000123", pcn2, charge, new DateOnly(2025, 1, day));
        Assert.Equal("b", ClaimMatching.Match(clp, [C("a", "OTHER", 350, 15), C("b", "ACME25020100001", 350, 15)]).Claim?.Id);
        Assert.Equal("b", ClaimMatching.Match(clp, [C("a", null, 300, 15), C("b", null, 350, 15)]).Claim?.Id);
        Assert.Equal("b", ClaimMatching.Match(clp, [C("a", null, 350, 14), C("b", null, 350, 15)]).Claim?.Id);
        Assert.NotNull(ClaimMatching.Match(clp, [C("a", null, 350, 15), C("b", null, 350, 15)]).Problem);
        Assert.NotNull(ClaimMatching.Match(clp, []).Problem);
    }

    [Fact]
    public void reason_codes_are_shown_in_plain_words_and_every_denial_rule_names_a_known_category()
    {
        var codes = ReasonCodes.Sample();
        Assert.StartsWith("CO-197: Precertification", codes.Describe("CO", "197", new DateOnly(2025, 1, 1)));
        Assert.Contains("not on the CARC list", codes.Describe("CO", "999", new DateOnly(2025, 1, 1)));
        Assert.NotNull(codes.Rarc("M62", new DateOnly(2025, 1, 1)));
        string[] categories = [DenialCategory.Eligibility, DenialCategory.Authorization, DenialCategory.CodingBundling, DenialCategory.MedicalNecessity,
            DenialCategory.TimelyFiling, DenialCategory.Duplicate, DenialCategory.Cob, DenialCategory.Credentialing, DenialCategory.MissingInformation, DenialCategory.NonCovered];
        Assert.All(DenialRules.Default().All, r => Assert.Contains(r.Category, categories));
        Assert.False(DenialRules.Default().IsDenialReason("45"));
        Assert.Throws<Portal.Billing.CodeFiles.CodeFileRejected>(() => ReasonCodeFile.Read(new StringReader("code,description,start,stop,last_modified\n45,x,2025-13-01,,\n")).ToList());
    }
}
