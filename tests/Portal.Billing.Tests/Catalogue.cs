using System.Text.Json;
using Portal.Billing.CodeFiles;
using Portal.Billing.Scrubbing;

namespace Portal.Billing.Tests;

public class TheEditCatalogue
{
    public static TheoryData<string> EditIds() => [.. Edits.All.Select(e => e.Id)];

    [Theory]
    [MemberData(nameof(EditIds))]
    public void has_a_clean_and_a_dirty_golden_case_per_edit(string id)
    {
        var dir = Path.Combine(GoldenCases.Root, id);
        Assert.True(Directory.Exists(dir), $"cases/{id} is missing: a new edit is a new folder of cases first.");
        var outcomes = Directory.GetFiles(dir, "*.expected.json")
            .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("findings").EnumerateArray()
                .Any(x => x.GetProperty("edit").GetString() == id))
            .ToList();
        Assert.Contains(true, outcomes);
        Assert.Contains(false, outcomes);
    }

    /// <summary>docs/edits.md carries the catalogue as a table between markers; PORTAL_GOLDEN_ACCEPT=1 rewrites it.</summary>
    [Fact]
    public void ids_are_unique_and_docs_edits_md_lists_the_catalogue()
    {
        Assert.Equal(Edits.All.Count, Edits.All.Select(e => e.Id).Distinct().Count());
        var path = Path.Combine(GoldenCases.RepositoryRoot, "docs", "edits.md");
        var doc = File.ReadAllText(path).ReplaceLineEndings("\n");
        const string begin = "<!-- edits:begin -->\n", end = "<!-- edits:end -->";
        var table = "| Id | Severity | Overridable | What it means | Fix hint | Source |\n|---|---|---|---|---|---|\n" + string.Concat(Edits.All.Select(e =>
            $"| `{e.Id}` | {e.Severity.ToString().ToLowerInvariant()} | {(e.Overridable ? "yes" : "no")} | {e.Title} | {e.FixHint} | {e.Source} |\n"));
        var start = doc.IndexOf(begin, StringComparison.Ordinal) + begin.Length;
        var stop = doc.IndexOf(end, StringComparison.Ordinal);
        Assert.True(start >= begin.Length && stop >= start, "docs/edits.md lacks the edits:begin / edits:end markers.");
        if (Environment.GetEnvironmentVariable("PORTAL_GOLDEN_ACCEPT") == "1")
            File.WriteAllText(path, doc[..start] + table + doc[stop..]);
        else Assert.Equal(table, doc[start..stop]);
    }

    [Fact]
    public void errors_are_never_overridable()
    {
        Assert.All(Edits.All.Where(e => e.Severity == Severity.Error), e => Assert.False(e.Overridable, e.Id));
    }
}

public class TheScrubber
{
    [Fact]
    public void reports_every_finding_of_a_bad_claim_at_once()
    {
        var claim = new Claim
        {
            Id = "CLM-9", Patient = new Patient { Id = "P9", Sex = "U" }, Payer = new Payer { Id = "ACME", TimelyFilingDays = 90 },
            BillingProvider = new Provider { Npi = "1987654321" }, DateOfService = new DateOnly(2026, 1, 15), FrequencyCode = "1",
            PlaceOfService = "11", Diagnoses = ["F02.80", "E11.9", "E10.9", "N40.0"],
            Lines = [new ServiceLine { Code = "93000", Units = 1, Charge = 0 }, new ServiceLine { Code = "93010", Units = 0, Charge = 10, Pointers = [9] }],
        };

        var ids = Scrubber.Scrub(claim, Reference.Data, new ScrubContext(new DateOnly(2026, 4, 10))).Select(f => f.Edit).ToHashSet();

        Assert.Superset(new HashSet<string>
        {
            "npi-check-digit", "timely-filing-near", "dx-manifestation-first", "dx-excludes1", "patient-sex-unknown",
            "line-charge", "line-pointer-missing", "line-units", "line-pointer-invalid", "ncci-ptp-not-allowed",
        }, ids);
    }

    [Fact]
    public void never_defaults_a_missing_pointer_to_the_first_diagnosis()
    {
        var claim = new Claim
        {
            DateOfService = new DateOnly(2026, 1, 15), Diagnoses = ["I10"],
            Lines = [new ServiceLine { Code = "99213", Units = 1, Charge = 100 }],
        };
        var findings = Scrubber.Scrub(claim, Reference.Data, new ScrubContext(new DateOnly(2026, 1, 20)));
        var pointer = Assert.Single(findings, f => f.Edit == "line-pointer-missing");
        Assert.Equal(new Location(Place.Line, 1, "pointers"), pointer.Location);
        Assert.Equal(Severity.Error, pointer.Severity);
    }

    [Theory]
    [InlineData("1987654328", true)] // domain brief §2.1 worked example
    [InlineData("1555123458", true)]
    [InlineData("1987654321", false)]
    [InlineData("198765432", false)]
    [InlineData("198765432X", false)]
    public void checks_the_npi_luhn_digit_with_the_80840_prefix(string npi, bool valid) =>
        Assert.Equal(valid, Identifiers.IsValidNpi(npi));
}

public class TheReaders
{
    [Fact]
    public void give_all_records_or_an_error_never_part_of_a_file()
    {
        var text = "00001 A09     1 " + "Infectious gastroenteritis".PadRight(60) + " Infectious gastroenteritis\n00002 B07     0 Viral";
        var result = CodeFile.ReadAll(Icd10CmOrderFile.Read(new StringReader(text)));
        Assert.Null(result.Records);
        Assert.Equal((2, 22), (result.Error!.Line, result.Error.Column));
    }

    [Fact]
    public void stream_records_one_at_a_time()
    {
        // 200,000 lines generated on the fly: the reader must yield the first before the source is exhausted.
        static IEnumerable<string> Lines()
        {
            yield return "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\tModifier\tPTP Edit Rationale";
            for (var i = 0; i < 200_000; i++) yield return $"{10000 + i % 80000:00000}\t{90000 + i % 9999:00000}\t\t20260101\t*\t1\tSynthetic rationale {i}";
        }
        var source = Lines().GetEnumerator();
        var produced = 0;
        var reader = new EnumeratorReader(source, () => produced++);
        using var records = NcciPtpFile.Read(reader).GetEnumerator();
        Assert.True(records.MoveNext());
        Assert.True(produced < 1_000, $"{produced} lines were read before the first record.");
    }

    sealed class EnumeratorReader(IEnumerator<string> lines, Action onLine) : TextReader
    {
        string pending = "";
        int at;
        public override int Read(char[] buffer, int index, int count)
        {
            if (at == pending.Length)
            {
                if (!lines.MoveNext()) return 0;
                onLine();
                pending = lines.Current + "\n";
                at = 0;
            }
            var n = Math.Min(count, pending.Length - at);
            pending.CopyTo(at, buffer, index, n);
            at += n;
            return n;
        }
    }
}

public class TheLibrary
{
    [Fact]
    public void references_no_web_database_or_orm_assembly()
    {
        var referenced = typeof(Scrubber).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(referenced, n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            || n.StartsWith("Marten", StringComparison.Ordinal) || n.StartsWith("Npgsql", StringComparison.Ordinal)
            || n.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) || n.StartsWith("JasperFx", StringComparison.Ordinal));
    }
}
