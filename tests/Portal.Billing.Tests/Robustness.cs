using System.Text.Json;
using Portal.Billing.CodeFiles;
using Portal.Billing.Codes;
using Portal.Billing.Scrubbing;

namespace Portal.Billing.Tests;

/// <summary>
/// Malformed input never escapes as anything but a refusal: every reader, fed cut and mangled copies of the
/// reference files, either reads them or throws <see cref="CodeFileRejected"/> (which Portal.Web turns into a 422,
/// never a 500); the scrubber returns findings for any claim shape.
/// </summary>
public class MalformedInput
{
    static readonly (string File, Func<Stream, IEnumerable<object>> Read)[] Files =
    [
        ("icd10cm-2026.order.txt", s => Icd10CmOrderFile.Read(TextLines.Open(s))),
        ("icd10cm-2026.tabular.xml", s => Icd10CmTabularFile.Read(TextLines.Open(s))),
        ("hcpcs-2026Q1.anweb.txt", s => HcpcsFile.Read(TextLines.Open(s))),
        ("cpt-2026.csv", s => CptFile.Read(TextLines.Open(s))),
        ("ncci-2026Q1.ptp.txt", s => NcciPtpFile.Read(TextLines.Open(s))),
        ("mue-2026Q1.practitioner.csv", s => MueFile.Read(TextLines.Open(s))),
        ("mce-2026.csv", s => MceFile.Read(TextLines.Open(s))),
        ("pos-2026.csv", s => CodeListFile.Read(TextLines.Open(s), CodeSystems.Pos)),
        ("../ncci-ptp/published-workbook.xlsx", s => NcciPtpFile.ReadXlsx(s)),
        ("../mue/published-workbook.xlsx", s => MueFile.ReadXlsx(s)),
        ("../hcpcs-anweb/published-workbook.xlsx", s => HcpcsFile.ReadXlsx(s)),
    ];

    public static TheoryData<string> FileNames() => [.. Files.Select(f => f.File)];

    [Theory]
    [MemberData(nameof(FileNames))]
    public void a_cut_or_mangled_file_is_read_or_refused_never_crashes(string file)
    {
        var read = Files.Single(f => f.File == file).Read;
        var bytes = File.ReadAllBytes(Path.Combine(GoldenCases.Root, "_reference", file));
        var rng = new Random(file.Length * 7919);
        var variants = new List<byte[]>();
        for (var cut = 0; cut < bytes.Length; cut += Math.Max(1, bytes.Length / 60)) variants.Add(bytes[..cut]);
        for (var i = 0; i < 150; i++)
        {
            var copy = (byte[])bytes.Clone();
            for (var k = 0; k < 1 + rng.Next(4); k++)
                copy[rng.Next(copy.Length)] = (byte)"\t,|\"*\r\n 0x9A<>&\u00ff"[rng.Next(15)];
            variants.Add(copy);
        }
        foreach (var variant in variants)
        {
            try { foreach (var _ in read(new MemoryStream(variant))) { } }
            catch (CodeFileRejected e) { Assert.True(e.Line >= 1 && e.Column >= 1, e.Message); }
        }
    }

    [Fact]
    public void the_scrubber_answers_any_claim_shape()
    {
        var rng = new Random(11);
        string?[] codes = [null, "", " ", "99213", "e11.9", "E11", "S72.001", "F02.80", "ZZZZZZZZZZZZ", "1", "J1100", "93010", "0042T", "..", "Ünïcode"];
        for (var i = 0; i < 500; i++)
        {
            T? Maybe<T>(T value) where T : class => rng.Next(4) == 0 ? null : value;
            var claim = new Claim
            {
                Id = Maybe("C" + i),
                Patient = Maybe(new Patient { Id = Maybe("P"), Sex = Maybe(new[] { "F", "M", "U", "x", "" }[rng.Next(5)]), DateOfBirth = rng.Next(3) == 0 ? null : new DateOnly(1900 + rng.Next(130), 1, 1) }),
                Payer = Maybe(new Payer { Id = "A", TimelyFilingDays = rng.Next(3) == 0 ? null : rng.Next(-5, 400), TimelyFilingMonths = rng.Next(4) == 0 ? rng.Next(0, 30) : null }),
                Coverage = Maybe(new Coverage { EffectiveFrom = new DateOnly(2025, 1, 1), EffectiveTo = rng.Next(2) == 0 ? null : new DateOnly(2024, 1, 1) }),
                BillingProvider = Maybe(new Provider { Npi = Maybe(new[] { "1987654328", "x", "", "12345678901" }[rng.Next(4)]), Taxonomy = Maybe("207Q00000X") }),
                DateOfService = rng.Next(5) == 0 ? null : new DateOnly(2020 + rng.Next(8), 1 + rng.Next(12), 1 + rng.Next(28)),
                FrequencyCode = Maybe(new[] { "1", "7", "8", "x" }[rng.Next(4)]),
                PlaceOfService = Maybe(new[] { "11", "999", "" }[rng.Next(3)]),
                Diagnoses = rng.Next(5) == 0 ? null : [.. Enumerable.Range(0, rng.Next(15)).Select(_ => codes[rng.Next(codes.Length)]!)],
                Lines = rng.Next(5) == 0 ? null : [.. Enumerable.Range(0, rng.Next(8)).Select(_ => new ServiceLine
                {
                    Code = codes[rng.Next(codes.Length)], Modifiers = rng.Next(2) == 0 ? null : [.. Enumerable.Range(0, rng.Next(7)).Select(_ => new[] { "25", "26", "TC", "50", "LT", "", "GA", "GZ", "59", "XU" }[rng.Next(10)])],
                    Units = rng.Next(4) == 0 ? null : rng.Next(-2, 50), Charge = rng.Next(4) == 0 ? null : rng.Next(-100, 500),
                    Pointers = rng.Next(3) == 0 ? null : [.. Enumerable.Range(0, rng.Next(7)).Select(_ => rng.Next(-1, 14))],
                    PlaceOfService = Maybe(new[] { "11", "x" }[rng.Next(2)]),
                    DateOfService = rng.Next(4) == 0 ? new DateOnly(2026, 2, 1) : null,
                })],
            };
            var findings = Scrubber.Scrub(claim, Reference.Data, new ScrubContext(new DateOnly(2026, 3, 1), new ClaimsOnFile([claim with { Id = "other" }])));
            Assert.All(findings, f => Assert.NotNull(Edits.Find(f.Edit)));
        }
    }

    [Fact]
    public void a_claim_in_the_api_json_shape_deserialises()
    {
        var json = File.ReadAllText(Path.Combine(GoldenCases.Root, "required-data", "clean.json"));
        var claim = JsonDocument.Parse(json).RootElement.GetProperty("claim").Deserialize<Claim>(ClaimJson.Options)!;
        Assert.Equal(["E11.9", "I10"], claim.Diagnoses!);
        Assert.Equal([1, 2], claim.Lines![0].Pointers!);
    }
}
