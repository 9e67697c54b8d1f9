using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Billing.CodeFiles;
using Portal.Billing.Codes;
using Portal.Billing.Scrubbing;

namespace Portal.Billing.Tests;

/// <summary>
/// Every file under cases/&lt;reader-or-edit-id&gt;/ beside its .expected.json. A reader folder feeds the file to that
/// reader and expects its records or its refusal (line, column, reason); an edit folder (named by edit id) scrubs the
/// claim in the case against the reference files in cases/_reference and expects all findings. Run with
/// PORTAL_GOLDEN_ACCEPT=1 to (re)write the expected files, then review the diff.
/// </summary>
public class GoldenCases
{
    public static readonly string Root = Metadata("CasesDirectory");
    public static readonly string RepositoryRoot = Metadata("RepositoryRoot");

    static string Metadata(string key) => typeof(GoldenCases).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>Reader folders: the reader each one exercises.</summary>
    public static readonly Dictionary<string, Func<string, TextReader, object>> Readers = new()
    {
        ["icd10cm-order"] = (_, r) => Icd10CmOrderFile.Read(r).ToList(),
        ["icd10cm-tabular"] = (_, r) => Tabular(Icd10CmTabularFile.Read(r).ToList()),
        ["hcpcs-anweb"] = (_, r) => HcpcsFile.Read(r).ToList(),
        ["cpt"] = (_, r) => CptFile.Read(r).ToList(),
        ["ncci-ptp"] = (_, r) => NcciPtpFile.Read(r).ToList(),
        ["mue"] = (_, r) => MueFile.Read(r).ToList(),
        ["mce"] = (_, r) => MceFile.Read(r).ToList(),
        ["code-list"] = (name, r) => CodeListFile.Read(r, name.StartsWith("pos", StringComparison.Ordinal) ? CodeSystems.Pos : CodeSystems.Modifier).ToList(),
    };

    /// <summary>Workbook editions (.xlsx files in a reader folder).</summary>
    public static readonly Dictionary<string, Func<Stream, object>> XlsxReaders = new()
    {
        ["hcpcs-anweb"] = s => HcpcsFile.ReadXlsx(s).ToList(),
        ["ncci-ptp"] = s => NcciPtpFile.ReadXlsx(s).ToList(),
        ["mue"] = s => MueFile.ReadXlsx(s).ToList(),
    };

    static object Tabular(List<TabularEntry> entries)
    {
        var facts = new IcdTabular(entries);
        return new
        {
            entries,
            excludes1 = facts.Excludes1Pairs,
            codeFirst = facts.CodeFirstRules,
            seventhCharacters = facts.SeventhCharacterRules,
            manifestations = entries.Where(e => e.Level == TabularLevel.Diagnosis && facts.IsManifestation(e.Code)).Select(e => e.Code),
        };
    }

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Root).Order(StringComparer.Ordinal))
        {
            // cases/835 has its own runner (Remittance/RemittanceCases.cs).
            if (Path.GetFileName(dir).StartsWith('_') || Path.GetFileName(dir) == "835") continue;
            foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
                if (!file.EndsWith(".expected.json", StringComparison.Ordinal))
                    data.Add(Path.GetRelativePath(Root, file).Replace('\\', '/'));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void case_matches_its_expected_output(string @case)
    {
        var path = Path.Combine(Root, @case);
        var folder = @case.Split('/')[0];
        var name = Path.GetFileName(@case);
        object actual;
        if (name.EndsWith(".xlsx", StringComparison.Ordinal)) actual = RunXlsx(path, XlsxReaders[folder]);
        else if (Readers.TryGetValue(folder, out var read)) actual = RunReader(path, name, read);
        else if (Edits.Find(folder) is not null) actual = RunScrub(path);
        else throw new InvalidOperationException($"cases/{folder} is neither a reader nor an edit id.");

        var json = JsonSerializer.Serialize(actual, ClaimJson.Options).ReplaceLineEndings("\n") + "\n";
        var expectedPath = Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(name) + ".expected.json");
        if (Environment.GetEnvironmentVariable("PORTAL_GOLDEN_ACCEPT") == "1") File.WriteAllText(expectedPath, json);
        Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing (run with PORTAL_GOLDEN_ACCEPT=1 and review it).");
        Assert.Equal(File.ReadAllText(expectedPath).ReplaceLineEndings("\n"), json);
    }

    static object RunReader(string path, string name, Func<string, TextReader, object> read)
    {
        string? layout;
        using (var head = new StreamReader(path))
        {
            var buffer = new char[16 * 1024];
            var n = head.ReadBlock(buffer, 0, buffer.Length);
            try { layout = CodeFile.Detect(new string(buffer, 0, n)).ToString(); }
            catch (CodeFileRejected e) { layout = $"unknown: {e.Message}"; }
        }
        using var stream = File.OpenRead(path);
        using var reader = TextLines.Open(stream);
        try { return new { layout, records = read(name, reader) }; }
        catch (CodeFileRejected e) { return new { layout, error = new { line = e.Line, column = e.Column, reason = e.Reason } }; }
    }

    static object RunXlsx(string path, Func<Stream, object> read)
    {
        using var stream = File.OpenRead(path);
        try { return new { layout = "xlsx", records = read(stream) }; }
        catch (CodeFileRejected e) { return new { layout = "xlsx", error = new { line = e.Line, column = e.Column, reason = e.Reason } }; }
    }

    sealed record EditCase(DateOnly AsOf, Claim Claim, List<Claim>? ClaimsOnFile);

    static object RunScrub(string path)
    {
        var input = JsonSerializer.Deserialize<EditCase>(File.ReadAllText(path), ClaimJson.Options)!;
        var findings = Scrubber.Scrub(input.Claim, Reference.Data, new ScrubContext(input.AsOf, new ClaimsOnFile(input.ClaimsOnFile ?? [])));
        return new { findings };
    }
}

/// <summary>The reference data of the edit cases, read from cases/_reference with the readers themselves.</summary>
public static class Reference
{
    static readonly Lazy<InMemoryReferenceData> Lazy = new(Load);
    public static InMemoryReferenceData Data => Lazy.Value;

    static List<T> ReadAll<T>(string file, Func<TextReader, IEnumerable<T>> reader)
    {
        using var stream = File.OpenRead(Path.Combine(GoldenCases.Root, "_reference", file));
        using var text = TextLines.Open(stream);
        return reader(text).ToList();
    }

    static Release R(string system, string version) => new(system, version, CodeSystems.EffectiveFrom(system, version)!.Value);

    static InMemoryReferenceData Load()
    {
        var data = new InMemoryReferenceData()
            .AddCodes(R(CodeSystems.Icd10Cm, "2026"), ReadAll("icd10cm-2026.order.txt", Icd10CmOrderFile.Read))
            .AddCodes(R(CodeSystems.Icd10Cm, "2027"), ReadAll("icd10cm-2027.order.txt", Icd10CmOrderFile.Read))
            .AddTabular(R(CodeSystems.Icd10Cm, "2026"), ReadAll("icd10cm-2026.tabular.xml", Icd10CmTabularFile.Read))
            .AddCodes(R(CodeSystems.Cpt, "2026"), ReadAll("cpt-2026.csv", CptFile.Read))
            .AddCodes(R(CodeSystems.Hcpcs, "2026Q1"), ReadAll("hcpcs-2026Q1.anweb.txt", HcpcsFile.Read).Where(r => r.Kind == CodeKind.Code))
            .AddCodes(R(CodeSystems.Pos, "2026"), ReadAll("pos-2026.csv", r => CodeListFile.Read(r, CodeSystems.Pos)))
            .AddCodes(R(CodeSystems.Modifier, "2026"), ReadAll("modifier-2026.csv", r => CodeListFile.Read(r, CodeSystems.Modifier)))
            .AddPtp(R("ncci", "2026Q1"), ReadAll("ncci-2026Q1.ptp.txt", NcciPtpFile.Read))
            .AddMue(R("mue", "2026Q1"), ReadAll("mue-2026Q1.practitioner.csv", MueFile.Read))
            .AddMce(R("mce", "2026"), ReadAll("mce-2026.csv", MceFile.Read));
        return data;
    }
}
