using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Portal.Billing.Scrubbing;
using Portal.Billing.X12;

namespace Portal.Billing.Tests.X12;

/// <summary>
/// Golden files: cases/_x12/999/*.x12 and cases/_x12/277ca/*.x12 (our own samples in the published layouts) beside
/// *.expected.json = the records, or the refusal (segment, position, reason). PORTAL_GOLDEN_ACCEPT=1 rewrites them.
/// </summary>
public class X12Acknowledgements
{
    static readonly string Root = Path.Combine(GoldenCases.Root, "_x12");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var kind in new[] { "999", "277ca" })
        foreach (var file in Directory.GetFiles(Path.Combine(Root, kind), "*.x12").Order(StringComparer.Ordinal))
            data.Add($"{kind}/{Path.GetFileName(file)}");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void case_matches_its_expected_output(string @case)
    {
        var path = Path.Combine(Root, @case);
        object actual;
        using (var reader = new StreamReader(path))
        {
            try { actual = @case.StartsWith("999/", StringComparison.Ordinal) ? Ack999Reader.Read(reader) : Ack277Reader.Read(reader); }
            catch (X12Rejected e) { actual = new { error = new { segment = e.Segment, position = e.Position, reason = e.Reason } }; }
        }
        var json = JsonSerializer.Serialize(actual, ClaimJson.Options).ReplaceLineEndings("\n") + "\n";
        var expectedPath = Path.ChangeExtension(path, ".expected.json");
        if (Environment.GetEnvironmentVariable("PORTAL_GOLDEN_ACCEPT") == "1") File.WriteAllText(expectedPath, json);
        Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing (run with PORTAL_GOLDEN_ACCEPT=1 and review it).");
        Assert.Equal(File.ReadAllText(expectedPath).ReplaceLineEndings("\n"), json);
    }

    [Fact]
    public void a_277ca_says_which_claim_was_rejected_and_why_in_plain_words()
    {
        using var reader = new StreamReader(Path.Combine(Root, "277ca", "one-rejected.x12"));
        var ack = Ack277Reader.Read(reader);

        var accepted = ack.Claims.Single(c => c.PatientControlNumber == "MFM-000123");
        Assert.Equal(AckOutcome.Accepted, accepted.Outcome);
        Assert.Equal("ACME25011700001", accepted.PayerClaimNumber);
        var rejected = ack.Claims.Single(c => c.PatientControlNumber == "MFM-000200");
        Assert.Equal(AckOutcome.Rejected, rejected.Outcome);
        Assert.Contains("Rejected for invalid information: Entity's National Provider Identifier (NPI) (rendering provider)", rejected.Summary, StringComparison.Ordinal);
        Assert.Equal((1, 1), (ack.Totals.Accepted, ack.Totals.Rejected));
    }

    [Fact]
    public void every_cut_of_a_999_is_refused_with_a_segment_and_position()
    {
        var text = File.ReadAllText(Path.Combine(Root, "999", "rejected-with-errors.x12"));
        for (var cut = 0; cut < text.TrimEnd().Length - 1; cut += 7)
        {
            var e = Assert.Throws<X12Rejected>(() => Ack999Reader.Read(new StringReader(text[..cut])));
            Assert.True(e.Segment >= 1 && e.Position >= 1, e.Message);
        }
    }

    /// <summary>Issue 11's target is 10,000 claims in under 2 s; the test allows 2 s of CPU on this shared machine.</summary>
    [Fact]
    public void reads_a_277ca_and_a_999_for_10000_claims_well_within_2_seconds()
    {
        var ack277 = Synthetic277(10_000);
        var ack999 = Synthetic999(10_000);
        Ack277Reader.Read(new StringReader(Synthetic277(10)));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var a = Ack277Reader.Read(new StringReader(ack277));
        var b = Ack999Reader.Read(new StringReader(ack999));
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Assert.Equal(10_000, a.Claims.Count);
        Assert.Equal(10_000, b.Groups[0].Sets.Count);
        Assert.True(used < TimeSpan.FromSeconds(2), $"{used.TotalMilliseconds:F0} ms CPU");
    }

    public static string Synthetic277(int claims)
    {
        var b = new StringBuilder();
        b.Append("ISA*00*          *00*          *ZZ*CLEARHOUSE01   *ZZ*SUNRISEBILL    *250117*0900*^*00501*000000277*0*P*:~");
        b.Append("GS*HN*CLEARHOUSE01*SUNRISEBILL*20250117*0900*277*X*005010X214~");
        var start = 0;
        void Seg(string s) { b.Append(s).Append('~'); start++; }
        Seg("ST*277*0001*005010X214");
        Seg("BHT*0085*08*277CA0001*20250117*0900*TH");
        Seg("HL*1**20*1"); Seg("NM1*PR*2*ACME HEALTH PLAN*****PI*99999"); Seg("TRN*1*277CA0001"); Seg("DTP*050*D8*20250117"); Seg("DTP*009*D8*20250117");
        Seg("HL*2*1*21*1"); Seg("NM1*41*2*SUNRISE*****46*SUNRISEBILL"); Seg("TRN*2*BATCH1"); Seg("STC*A1:19:PR*20250117*WQ*1000");
        Seg($"QTY*90*{claims - claims / 10}"); Seg($"QTY*AA*{claims / 10}");
        Seg("HL*3*2*19*1"); Seg("NM1*85*2*MAPLE MEDICAL GROUP PC*****XX*1987654328");
        for (var i = 0; i < claims; i++)
        {
            Seg($"HL*{4 + i}*3*PT"); Seg($"NM1*QC*1*DOE*JANE****MI*M{i:D9}"); Seg($"TRN*2*PCN{i:D8}");
            Seg(i % 10 == 9 ? "STC*A7:562:82*20250117*U*470" : "STC*A2:20:PR*20250117*WQ*470");
            if (i % 10 != 9) Seg($"REF*1K*PAYER{i:D10}");
            Seg("DTP*472*D8*20250115");
        }
        Seg($"SE*{start + 1}*0001");
        b.Append("GE*1*277~IEA*1*000000277~");
        return b.ToString();
    }

    public static string Synthetic999(int sets)
    {
        var b = new StringBuilder();
        b.Append("ISA*00*          *00*          *ZZ*CLEARHOUSE01   *ZZ*SUNRISEBILL    *250116*1431*^*00501*000000901*0*P*:~");
        b.Append("GS*FA*CLEARHOUSE01*SUNRISEBILL*20250116*1431*901*X*005010X231A1~");
        var n = 0;
        void Seg(string s) { b.Append(s).Append('~'); n++; }
        Seg("ST*999*0001*005010X231A1"); Seg("AK1*HC*101*005010X222A1");
        for (var i = 0; i < sets; i++)
        {
            Seg($"AK2*837*{i + 1:D4}*005010X222A1");
            if (i % 10 == 9) { Seg("IK3*N4*12*2010AA*8"); Seg("IK4*2*156*7*ILL"); Seg("IK5*R*I5"); }
            else Seg("IK5*A");
        }
        Seg($"AK9*P*{sets}*{sets}*{sets - sets / 10}");
        Seg($"SE*{n + 1}*0001");
        b.Append("GE*1*901~IEA*1*000000901~");
        return b.ToString();
    }
}
