using System.Diagnostics;
using Portal.Billing.Forms;
using Portal.Billing.X12;

namespace Portal.Billing.Tests.X12;

public class TheCms1500
{
    static string Pdf(Claim claim, Cms1500Mode mode, out string path)
    {
        path = Path.Combine(Path.GetTempPath(), $"portal-cms1500-{Guid.NewGuid():N}.pdf");
        using (var file = File.Create(path)) Cms1500.Write(claim, new Cms1500Options(mode, new DateOnly(2025, 1, 16)), file);
        return Run("pdftotext", "-layout", path, "-");
    }

    static string Run(string tool, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} failed: {p.StandardError.ReadToEnd()}");
        return output;
    }

    static string[] Page(string text, int page) => text.Split('\f')[page - 1].Split('\n');

    [Theory]
    [InlineData(Cms1500Mode.FullForm)]
    [InlineData(Cms1500Mode.DataOnly)]
    public void puts_the_key_values_in_their_boxes(Cms1500Mode mode)
    {
        var claim = Samples.TwelveDiagnosesFourModifiersNdcReferringAuth() with
        {
            FrequencyCode = "7", PayerClaimControlNumber = "ACME25020100001",
            Patient = Samples.Jane.Person, PatientRelationship = "01",
        };
        var text = Pdf(claim, mode, out var path);
        try
        {
            var lines = Page(text, 1);
            string LineWith(string value) => lines.FirstOrDefault(l => l.Contains(value, StringComparison.Ordinal)) ?? throw new Xunit.Sdk.XunitException($"'{value}' not on page 1:\n{text}");

            Assert.Contains("X", LineWith("XJK555000111"), StringComparison.Ordinal);              // 1 type and 1a on one row
            Assert.Contains("ROE, JOHN", LineWith("DOE, JANE, Q"), StringComparison.Ordinal);       // 4 insured's name
            Assert.Contains("A. M5450", LineWith("D. M79604"), StringComparison.Ordinal);            // 21 A-D on one row
            Assert.Contains("L. K219", text, StringComparison.Ordinal);
            Assert.Contains("ACME25020100001", LineWith("A. M5450"), StringComparison.Ordinal);     // 22 beside 21 A-D
            Assert.Contains("AUTH-778899", LineWith("I. E785"), StringComparison.Ordinal);          // 23 beside 21 I-L
            Assert.Contains("N400999123456 ML2.5", text, StringComparison.Ordinal);                 // shaded NDC row
            Assert.Matches(@"01 15 25\s+01 15 25\s+11\s+20610\s+50\s+59\s+XU\s+GA\s+ABCD\s+310 55\s+1\s+1555123458", text);
            Assert.Contains("981234567", LineWith("OAK-7"), StringComparison.Ordinal);               // 25 and 26
            Assert.Contains("952 55", LineWith("OAK-7"), StringComparison.Ordinal);                  // 28 total
            Assert.Contains("1234567893", text, StringComparison.Ordinal);                          // 33a
            Assert.Contains("DN SMITH, PAT", LineWith("1245319599"), StringComparison.Ordinal);      // 17, 17b
            if (mode == Cms1500Mode.FullForm) Assert.Contains("HEALTH INSURANCE CLAIM FORM", text, StringComparison.Ordinal);
            else Assert.DoesNotContain("INSURED'S I.D. NUMBER", text, StringComparison.Ordinal);
        }
        finally
        {
            // PORTAL_FORM_SAMPLE=dir keeps a PNG of page 1 (docs/cms1500-*.png were made this way).
            if (Environment.GetEnvironmentVariable("PORTAL_FORM_SAMPLE") is { Length: > 0 } dir)
                Run("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", path, Path.Combine(dir, $"cms1500-{(mode == Cms1500Mode.FullForm ? "full" : "data-only")}"));
            File.Delete(path);
        }
    }

    [Fact]
    public void more_than_six_lines_continue_on_more_pages_with_the_total_on_the_last()
    {
        var claim = Samples.BriefExample() with
        {
            Lines = Enumerable.Range(0, 8).Select(i => new ServiceLine("97110", 10m + i, 1, Samples.Dos, [1])).ToList(),
        };
        var text = Pdf(claim, Cms1500Mode.DataOnly, out var path);
        File.Delete(path);
        var pages = text.Split('\f').Where(p => p.Trim().Length > 0).ToList();
        Assert.Equal(2, pages.Count);
        Assert.Contains("PAGE 1 OF 2", pages[0], StringComparison.Ordinal);
        Assert.DoesNotContain("108 00", pages[0], StringComparison.Ordinal);
        Assert.Contains("108 00", pages[1], StringComparison.Ordinal);   // 10+11+…+17
        Assert.Equal(6, pages[0].Split('\n').Count(l => l.Contains("97110", StringComparison.Ordinal)));
        Assert.Equal(2, pages[1].Split('\n').Count(l => l.Contains("97110", StringComparison.Ordinal)));
    }
}
