using System.Diagnostics;
using System.Reflection;
using Portal.Billing.X12;

namespace Portal.Billing.Tests.X12;

/// <summary>Runs tests/Portal.Billing.Tests/x12/validate-837p.js (node-x12 + the implementation guide tables) over a file.</summary>
public static class Validator
{
    public static readonly string Directory = typeof(Validator).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "X12ValidatorDirectory").Value!;

    public static (int ExitCode, string Output) Run(string x12)
    {
        var path = Path.Combine(Path.GetTempPath(), $"portal-837p-{Guid.NewGuid():N}.x12");
        File.WriteAllText(path, x12);
        try
        {
            var start = new ProcessStartInfo("node", ["validate-837p.js", path])
            {
                WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        finally { File.Delete(path); }
    }

    public static void AssertValid(string x12)
    {
        var (code, output) = Run(x12);
        Assert.True(code == 0, $"validate-837p.js rejected the file:\n{output}\n{x12.Replace("~", "~\n", StringComparison.Ordinal)}");
    }
}

public class TheEdi837Writer
{
    static string Write(ClaimBatch batch, Separators? separators = null)
    {
        var text = new StringWriter();
        Edi837Writer.Write(batch, text, separators);
        return text.ToString();
    }

    [Fact]
    public void writes_the_domain_briefs_example_segment_for_segment()
    {
        var expected = string.Join("", File.ReadAllLines(Path.Combine(GoldenCases.Root, "_x12", "brief-example-837p.x12")));
        Assert.Equal(expected, Write(Samples.Batch(Samples.BriefExample())));
    }

    public static TheoryData<string> EdgeCases() => [.. Batches.Keys];

    static readonly Dictionary<string, Func<ClaimBatch>> Batches = new()
    {
        ["brief-example"] = () => Samples.Batch(Samples.BriefExample()),
        ["patient-not-subscriber"] = () => Samples.Batch(Samples.PatientNotSubscriber()),
        ["secondary-with-cob"] = () => Samples.Batch(Samples.Secondary()),
        ["12-dx-4-modifiers-ndc-referring-prior-auth-mj"] = () => Samples.Batch(Samples.TwelveDiagnosesFourModifiersNdcReferringAuth()),
        ["corrected-and-void"] = () => Samples.Batch(Samples.Corrected(), Samples.Void()),
        ["60-lines-split"] = () => Samples.Batch([.. ClaimSplitter.Split(Samples.Long())]),
        ["several-providers-subscribers-patients"] = () => Samples.Batch(
            Samples.BriefExample(), Samples.PatientNotSubscriber(), Samples.TwelveDiagnosesFourModifiersNdcReferringAuth(),
            Samples.PatientNotSubscriber() with { PatientControlNumber = "MFM-000201" },
            Samples.PatientNotSubscriber() with { PatientControlNumber = "MFM-000202", Patient = Samples.Jane.Person, PatientRelationship = "01" },
            Samples.Secondary(), Samples.Corrected(),
            Samples.BriefExample() with { BillingProvider = Samples.Oak, PatientControlNumber = "OAK-9" }),
    };

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void every_edge_case_passes_the_independent_validator(string name)
    {
        Validator.AssertValid(Write(Batches[name]()));
    }

    [Fact]
    public void other_separators_and_test_usage_validate_too()
    {
        var batch = Samples.Batch(Samples.Secondary(), Samples.PatientNotSubscriber());
        batch = batch with { Partners = batch.Partners with { Usage = 'T' } };
        var x12 = Write(batch, new Separators('|', '>', '!', '\n'));
        Assert.Contains("|T|>\n", x12, StringComparison.Ordinal);
        Validator.AssertValid(x12);
    }

    [Fact]
    public void free_text_loses_delimiters_and_money_has_no_trailing_zeros()
    {
        var claim = Samples.BriefExample() with
        {
            BillingProvider = Samples.Maple with { Name = new PartyName("MAPLE*MEDICAL~GROUP:PC") },
            Lines = [new ServiceLine("99213", 120.50m, 1, Samples.Dos, [1]), new ServiceLine("99214", 120.55m, 1.5m, Samples.Dos, [1]), new ServiceLine("99215", 120.00m, 1, Samples.Dos, [1]),
                new ServiceLine("36415", 0.1m, 1, Samples.Dos, [1]), new ServiceLine("36416", 1234567890.12m, 1, Samples.Dos, [1])],
        };
        var x12 = Write(Samples.Batch(claim));
        Assert.Contains("NM1*85*2*MAPLE MEDICAL GROUP PC*****XX", x12, StringComparison.Ordinal);
        Assert.Contains("SV1*HC:99213*120.5*UN*1***1~", x12, StringComparison.Ordinal);
        Assert.Contains("SV1*HC:99214*120.55*UN*1.5***1~", x12, StringComparison.Ordinal);
        Assert.Contains("SV1*HC:99215*120*UN*1***1~", x12, StringComparison.Ordinal);
        Assert.Contains("SV1*HC:36415*0.1*UN*1***1~", x12, StringComparison.Ordinal);
        Assert.Contains("SV1*HC:36416*1234567890.12*UN", x12, StringComparison.Ordinal);
        Assert.Contains("CLM*MFM-000123*1234568251.27***11:B:1", x12, StringComparison.Ordinal);
        Validator.AssertValid(x12);
    }

    [Fact]
    public void refuses_claims_the_837p_cannot_carry()
    {
        Assert.Throws<ArgumentException>(() => Write(Samples.Batch(Samples.Long())));
        Assert.Throws<ArgumentException>(() => Write(Samples.Batch(Samples.Corrected() with { PayerClaimControlNumber = null })));
        Assert.Throws<ArgumentException>(() => Write(Samples.Batch(Samples.PatientNotSubscriber() with { PatientRelationship = null })));
    }

    public static TheoryData<string, string, string> Breakages() => new()
    {
        { "wrong SE count", "SE*31*0001~", "SE*30*0001~" },
        { "bad HL parent", "HL*2*1*22*0~", "HL*2*7*22*0~" },
        { "missing required segment (REF*EI)", "REF*EI*991234567~", "" },
        { "too-long element (N402 state)", "N4*SPRINGFIELD*IL*627011234~", "N4*SPRINGFIELD*ILL*627011234~" },
        { "wrong GE count", "GE*1*101~", "GE*2*101~" },
        { "IEA control number mismatch", "IEA*1*000000101~", "IEA*1*000000102~" },
        { "bad code value (SBR09)", "******12~", "******Q9~" },
        { "HI not ABK first", "HI*ABK:E119", "HI*ABF:E119" },
        { "pointer past the diagnoses", "SV1*HC:17110*200*UN*1***3~", "SV1*HC:17110*200*UN*1***4~" },
        { "CLM02 not the sum of lines", "CLM*MFM-000123*350*", "CLM*MFM-000123*351*" },
        { "line without DTP*472", "DTP*472*D8*20250115~REF*6R*MFM123L2~", "REF*6R*MFM123L2~" },
        { "HL04 says children but none follow", "HL*2*1*22*0~", "HL*2*1*22*1~" },
    };

    [Theory]
    [MemberData(nameof(Breakages))]
    public void the_validator_catches_a_broken_file(string what, string find, string replace)
    {
        var good = Write(Samples.Batch(Samples.BriefExample()));
        Assert.Contains(find, good, StringComparison.Ordinal);
        var broken = good.Replace(find, replace, StringComparison.Ordinal);
        // Removing a segment changes the count; keep SE01 right so the validator must find the real fault.
        var removed = find.Count(c => c == '~') - replace.Count(c => c == '~');
        if (removed > 0 && what != "wrong SE count") broken = broken.Replace("SE*31*", $"SE*{31 - removed}*", StringComparison.Ordinal);
        var (code, output) = Validator.Run(broken);
        Assert.True(code == 1, $"{what}: the validator accepted the broken file:\n{output}");
        Assert.DoesNotContain("valid 837P", output, StringComparison.Ordinal);
    }
}

public class TheClaimSplitter
{
    [Fact]
    public void splits_60_lines_over_16_diagnoses_into_claims_of_at_most_50_lines_and_12_diagnoses()
    {
        var claim = Samples.Long();
        var parts = ClaimSplitter.Split(claim);

        Assert.True(parts.Count >= 2);
        Assert.All(parts, p => Assert.InRange(p.Lines.Count, 1, 50));
        Assert.All(parts, p => Assert.InRange(p.Diagnoses.Count, 1, 12));
        Assert.Equal(claim.Lines.Select(l => l.LineId), parts.SelectMany(p => p.Lines).Select(l => l.LineId));
        Assert.Equal(claim.TotalCharge, parts.Sum(p => p.TotalCharge));
        Assert.Equal(parts.Count, parts.Select(p => p.PatientControlNumber).Distinct().Count());
        Assert.All(parts, p => Assert.True(p.PatientControlNumber.Length <= 20));
        // Every line still points to the same diagnosis codes, now at their positions in its part.
        var original = claim.Lines.ToDictionary(l => l.LineId!, l => l.Pointers.Select(x => claim.Diagnoses[x - 1]).ToList());
        foreach (var part in parts)
        foreach (var line in part.Lines)
            Assert.Equal(original[line.LineId!], line.Pointers.Select(x => part.Diagnoses[x - 1]).ToList());
    }

    [Fact]
    public void leaves_a_claim_that_fits_alone()
    {
        var claim = Samples.BriefExample();
        Assert.Same(claim, Assert.Single(ClaimSplitter.Split(claim)));
    }

    [Fact]
    public void keeps_line_adjudications_with_their_lines_on_a_secondary_claim()
    {
        var parts = ClaimSplitter.Split(Samples.Secondary(), maxLines: 1);
        Assert.Equal(2, parts.Count);
        Assert.Equal([80m, 56m], parts.Select(p => p.OtherCoverages[0].PaidAmount!.Value));
        Validator.AssertValid(new Func<string>(() => { var w = new StringWriter(); Edi837Writer.Write(Samples.Batch([.. parts]), w); return w.ToString(); })());
    }
}
