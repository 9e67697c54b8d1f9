using System.Globalization;
using Portal.Billing.CodeFiles;

namespace Portal.Billing.Remittance;

/// <summary>A CARC or RARC as published (X12 / CMS lists): code, description, start, stop and last-modified dates.</summary>
public sealed record ReasonCode(string Code, string Description, DateOnly? Start, DateOnly? Stop, DateOnly? LastModified)
{
    public bool ValidOn(DateOnly day) => (Start is null || Start <= day) && (Stop is null || day <= Stop);
}

/// <summary>
/// Reads a simple CSV of a published list: <c>code,description,start,stop,last_modified</c> (header row; dates
/// ISO yyyy-MM-dd or MM/dd/yyyy, empty for none). Refuses a file with line and column like the code-file readers.
/// </summary>
public static class ReasonCodeFile
{
    static readonly string[] Header = ["code", "description", "start", "stop", "last_modified"];

    public static IEnumerable<ReasonCode> Read(TextReader reader)
    {
        var first = true;
        foreach (var r in Delimited.Read(TextLines.Read(reader), ','))
        {
            if (r.IsBlank) continue;
            if (first)
            {
                first = false;
                for (var i = 0; i < Header.Length; i++)
                    if (!string.Equals(r[i].Trim(), Header[i], StringComparison.OrdinalIgnoreCase))
                        throw new CodeFileRejected(r.Line, i < r.Count ? r.Cells[i].Column : r.EndColumn, $"expected the header 'code,description,start,stop,last_modified'; column {i + 1} is '{r[i]}'.");
                continue;
            }
            if (r.Count < 5) throw new CodeFileRejected(r.Line, r.EndColumn, $"the record has {r.Count} cells; a reason code needs 5 (code, description, start, stop, last modified).");
            var code = r[0].Trim();
            if (code.Length is 0 or > 6 || !code.All(char.IsLetterOrDigit)) throw new CodeFileRejected(r.Line, r.Cells[0].Column, $"'{code}' is not a reason or remark code.");
            if (r[1].Trim().Length == 0) throw new CodeFileRejected(r.Line, r.Cells[1].Column, "the description is empty.");
            yield return new ReasonCode(code, r[1].Trim(), Date(r, 2), Date(r, 3), Date(r, 4));
        }
        if (first) throw new CodeFileRejected(1, 1, "the file is empty.");
    }

    static DateOnly? Date(DelimitedRecord r, int i)
    {
        var v = r[i].Trim();
        if (v.Length == 0) return null;
        if (DateOnly.TryParseExact(v, ["yyyy-MM-dd", "MM/dd/yyyy", "M/d/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        throw new CodeFileRejected(r.Line, r.Cells[i].Column, $"'{v}' is not a date (yyyy-MM-dd or MM/dd/yyyy).");
    }
}

/// <summary>Plain-words lookup of CARCs and RARCs as of a day (the description shown next to the code).</summary>
public sealed class ReasonCodes(IEnumerable<ReasonCode> carcs, IEnumerable<ReasonCode> rarcs)
{
    readonly ILookup<string, ReasonCode> carc = carcs.ToLookup(c => c.Code, StringComparer.OrdinalIgnoreCase);
    readonly ILookup<string, ReasonCode> rarc = rarcs.ToLookup(c => c.Code, StringComparer.OrdinalIgnoreCase);

    public ReasonCode? Carc(string code, DateOnly asOf) => Pick(carc[code], asOf);
    public ReasonCode? Rarc(string code, DateOnly asOf) => Pick(rarc[code], asOf);

    /// <summary>"CO-45: Charge exceeds …", or the code with "(not on the list)" so an unknown code is still shown.</summary>
    public string Describe(string group, string code, DateOnly asOf) =>
        Carc(code, asOf) is { } c ? $"{group}-{code}: {c.Description}" : $"{group}-{code} (not on the CARC list for {asOf:yyyy-MM-dd})";

    static ReasonCode? Pick(IEnumerable<ReasonCode> versions, DateOnly asOf) =>
        versions.Where(v => v.ValidOn(asOf)).OrderByDescending(v => v.Start).FirstOrDefault()
        ?? versions.OrderByDescending(v => v.Stop).FirstOrDefault();

    /// <summary>The sample lists shipped in the library (Remittance/Data: a handful of real codes, our own short wording).</summary>
    public static ReasonCodes Sample() => new(ReasonCodeFile.Read(Shipped.Open("carc-sample.csv")).ToList(), ReasonCodeFile.Read(Shipped.Open("rarc-sample.csv")).ToList());
}

/// <summary>The denial categories of the follow-up queue (domain brief §7.4).</summary>
public static class DenialCategory
{
    public const string Eligibility = "eligibility", Authorization = "authorization", CodingBundling = "coding-bundling",
        MedicalNecessity = "medical-necessity", TimelyFiling = "timely-filing", Duplicate = "duplicate", Cob = "cob",
        Credentialing = "credentialing", MissingInformation = "missing-information", NonCovered = "non-covered";
}

/// <summary>A CARC's denial category and the suggested next action for the work item.</summary>
public sealed record DenialRule(string Carc, string Category, string NextAction);

/// <summary>
/// CARC → denial category and next action, as data (<c>Remittance/Data/denial-categories.csv</c>:
/// <c>carc,category,next_action</c>). A CARC not in the table is not a denial reason (deductible, copay, contractual
/// CO-45, sequestration…).
/// </summary>
public sealed class DenialRules(IEnumerable<DenialRule> rules)
{
    readonly Dictionary<string, DenialRule> byCarc = rules.ToDictionary(r => r.Carc, StringComparer.OrdinalIgnoreCase);

    public DenialRule? For(string carc) => byCarc.GetValueOrDefault(carc);
    public bool IsDenialReason(string carc) => byCarc.ContainsKey(carc);
    public IReadOnlyCollection<DenialRule> All => byCarc.Values;

    public static DenialRules Read(TextReader reader)
    {
        var rules = new List<DenialRule>();
        var first = true;
        foreach (var r in Delimited.Read(TextLines.Read(reader), ','))
        {
            if (r.IsBlank) continue;
            if (first) { first = false; if (r[0].Trim() == "carc") continue; }
            if (r.Count < 3 || r[0].Trim().Length == 0 || r[1].Trim().Length == 0)
                throw new CodeFileRejected(r.Line, r.EndColumn, "a denial rule needs carc, category and next_action.");
            rules.Add(new DenialRule(r[0].Trim(), r[1].Trim(), r[2].Trim()));
        }
        return new DenialRules(rules);
    }

    public static DenialRules Default() => Read(Shipped.Open("denial-categories.csv"));
}

static class Shipped
{
    public static TextReader Open(string name)
    {
        var asm = typeof(Shipped).Assembly;
        var stream = asm.GetManifestResourceStream($"Portal.Billing.Remittance.Data.{name}")
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing.");
        return TextLines.Open(stream);
    }
}
