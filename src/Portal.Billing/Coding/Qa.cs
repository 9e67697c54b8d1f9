using System.Security.Cryptography;

namespace Portal.Billing.Coding;

/// <summary>A coded service line as QA compares it: the code and its modifiers (units and pointers are not scored at code level).</summary>
public sealed record CodedLine(string Code, IReadOnlyList<string> Modifiers);

/// <summary>
/// Code-level QA accuracy (domain brief §9): correct codes ÷ codes in the union of the coder's and the auditor's sets,
/// so both omissions and extras count, except that a changed code (99214 → 99213, E11.9 → E11.65: the auditor replaced a
/// code by one of the same family, <see cref="QaComparison.Pair"/>) is one code compared, not an omission plus an addition.
/// </summary>
public static class QaAccuracy
{
    /// <summary>Each diagnosis code, and each procedure code with its modifiers in order (99213-25 ≠ 99213).</summary>
    public static HashSet<string> Codes(IEnumerable<string> diagnoses, IEnumerable<CodedLine> lines) =>
    [
        .. diagnoses.Select(d => "dx:" + d),
        .. lines.Select(l => "px:" + string.Join('-', [l.Code, .. l.Modifiers.Order(StringComparer.Ordinal)])),
    ];

    public static (int Correct, int Compared) Compare(IEnumerable<string> coderDiagnoses, IEnumerable<CodedLine> coderLines,
        IEnumerable<string> auditorDiagnoses, IEnumerable<CodedLine> auditorLines)
    {
        var coder = Codes(coderDiagnoses, coderLines);
        var auditor = Codes(auditorDiagnoses, auditorLines);
        static string Family(string key) => key.StartsWith("dx:", StringComparison.Ordinal)
            ? "dx:" + QaComparison.DiagnosisFamily(key[3..]) : "px:" + QaComparison.ProcedureFamily(key[3..].Split('-')[0]);
        var changed = QaComparison.Pair(auditor.Except(coder), coder.Except(auditor), Family).Changed.Count;
        return (coder.Intersect(auditor).Count(), coder.Union(auditor).Count() - changed);
    }

    /// <summary>Correct ÷ compared to 4 decimals; nothing compared counts as fully accurate.</summary>
    public static decimal Ratio(int correct, int compared) => compared == 0 ? 1m : Math.Round((decimal)correct / compared, 4);
}

/// <summary>A service line as QA classifies it: code, modifiers, units and the diagnosis codes its pointers name, in order.</summary>
public sealed record QaLine(string Code, IReadOnlyList<string> Modifiers, int Units, IReadOnlyList<int> Pointers);

/// <summary>One QA error: its type (<see cref="QaComparison.Types"/>), the auditor's code it is about, and a sentence.</summary>
public sealed record QaFinding(string Type, string Code, string Detail);

/// <summary>
/// What QA changed, by error type (domain brief §9: record the error type and the dollar impact), derived from the coder's
/// and the auditor's codes so every review is classified the same way: missed-diagnosis / unsupported-diagnosis (a
/// diagnosis only the auditor / only the coder listed), specificity (a diagnosis replaced by one of the same category),
/// sequencing (the first-listed diagnosis changed while the coder had it further down), missed-procedure /
/// unsupported-procedure, em-level (an E/M visit replaced by another level: 99214 → 99213 is one error),
/// changed-procedure (another code of the same family), and modifier, units and pointer on the same procedure.
/// </summary>
public static class QaComparison
{
    public const string MissedDiagnosis = "missed-diagnosis", UnsupportedDiagnosis = "unsupported-diagnosis", Sequencing = "sequencing",
        MissedProcedure = "missed-procedure", UnsupportedProcedure = "unsupported-procedure", Modifier = "modifier", Units = "units",
        Pointer = "pointer", Specificity = "specificity", EmLevel = "em-level", ChangedProcedure = "changed-procedure";

    public static readonly string[] Types =
        [MissedDiagnosis, UnsupportedDiagnosis, Specificity, Sequencing, MissedProcedure, UnsupportedProcedure, EmLevel, ChangedProcedure,
         Modifier, Units, Pointer];

    /// <summary>The category of a diagnosis (its first three characters: E11.9 and E11.65 are both E11).</summary>
    public static string DiagnosisFamily(string code) => code.Length >= 3 ? code[..3] : code;

    /// <summary>E/M visits of one kind share a family (99211–99215 office, established); other CPT/HCPCS codes share their first four characters.</summary>
    public static string ProcedureFamily(string code) => code.Length >= 4 ? code[..4] : code;

    public static bool IsEm(string code) => code.Length == 5 && code.StartsWith("992", StringComparison.Ordinal);

    /// <summary>
    /// Pairs codes only the auditor has with codes only the coder has, of the same family, in order: each pair is one changed
    /// code (one error); the rest stay omissions and additions.
    /// </summary>
    public static (List<(string Auditor, string Coder)> Changed, List<string> Missed, List<string> Extra) Pair(
        IEnumerable<string> onlyAuditor, IEnumerable<string> onlyCoder, Func<string, string> family)
    {
        var extra = onlyCoder.ToList();
        var missed = new List<string>();
        var changed = new List<(string, string)>();
        foreach (var code in onlyAuditor)
        {
            var match = extra.FindIndex(c => family(c) == family(code));
            if (match < 0) { missed.Add(code); continue; }
            changed.Add((code, extra[match]));
            extra.RemoveAt(match);
        }
        return (changed, missed, extra);
    }

    /// <summary>Every error between the coder's codes and the auditor's; diagnoses as stored (E119), shown with the dot (E11.9).</summary>
    public static IReadOnlyList<QaFinding> Findings(IReadOnlyList<string> coderDx, IReadOnlyList<QaLine> coderLines,
        IReadOnlyList<string> auditorDx, IReadOnlyList<QaLine> auditorLines)
    {
        var errors = new List<QaFinding>();
        var (dxChanged, dxMissed, dxExtra) = Pair(auditorDx.Except(coderDx), coderDx.Except(auditorDx), DiagnosisFamily);
        errors.AddRange(dxMissed.Select(c => new QaFinding(MissedDiagnosis, c, $"{Dx(c)} was not coded.")));
        errors.AddRange(dxExtra.Select(c => new QaFinding(UnsupportedDiagnosis, c, $"{Dx(c)} is not supported by the documentation.")));
        errors.AddRange(dxChanged.Select(p => new QaFinding(Specificity, p.Auditor, $"{Dx(p.Auditor)}, not {Dx(p.Coder)}.")));
        if (auditorDx.Count > 0 && coderDx.Count > 0 && auditorDx[0] != coderDx[0] && coderDx.Contains(auditorDx[0]))
            errors.Add(new QaFinding(Sequencing, auditorDx[0], $"{Dx(auditorDx[0])} is first-listed, not {Dx(coderDx[0])}."));

        var coderByCode = coderLines.ToLookup(l => l.Code);
        var auditorByCode = auditorLines.ToLookup(l => l.Code);
        var (pxChanged, pxMissed, pxExtra) = Pair(auditorByCode.Select(g => g.Key).Except(coderByCode.Select(g => g.Key)),
            coderByCode.Select(g => g.Key).Except(auditorByCode.Select(g => g.Key)), ProcedureFamily);
        errors.AddRange(pxMissed.Select(code => new QaFinding(MissedProcedure, code, $"{code} was not coded.")));
        errors.AddRange(pxExtra.Select(code => new QaFinding(UnsupportedProcedure, code, $"{code} is not supported by the documentation.")));
        errors.AddRange(pxChanged.Select(p => new QaFinding(IsEm(p.Auditor) ? EmLevel : ChangedProcedure, p.Auditor, $"{p.Auditor}, not {p.Coder}.")));
        foreach (var group in auditorByCode.Where(g => coderByCode.Contains(g.Key)))
        {
            // The same code on several lines is matched line by line, in order.
            foreach (var (a, c) in group.Zip(coderByCode[group.Key]))
            {
                var (am, cm) = (a.Modifiers.Order(StringComparer.Ordinal).ToArray(), c.Modifiers.Order(StringComparer.Ordinal).ToArray());
                if (!am.SequenceEqual(cm))
                    errors.Add(new QaFinding(Modifier, a.Code, $"Modifiers {Show(am)}, not {Show(cm)}."));
                if (a.Units != c.Units)
                    errors.Add(new QaFinding(Units, a.Code, $"{a.Units} units, not {c.Units}."));
                var (ap, cp) = (Pointed(a, auditorDx), Pointed(c, coderDx));
                if (!ap.SequenceEqual(cp))
                    errors.Add(new QaFinding(Pointer, a.Code, $"Points at {Show(ap)}, not {Show(cp)}."));
            }
        }
        return errors;
    }

    static string[] Pointed(QaLine line, IReadOnlyList<string> diagnoses) =>
        [.. line.Pointers.Select(p => p >= 1 && p <= diagnoses.Count ? Dx(diagnoses[p - 1]) : $"#{p}")];

    static string Show(string[] values) => values.Length == 0 ? "none" : string.Join(", ", values);

    static string Dx(string code) => Portal.Billing.Codes.CodeSystems.Display(Portal.Billing.Codes.CodeSystems.Icd10Cm, code);
}

/// <summary>The practice's QA sampling settings.</summary>
public sealed record QaSamplingRules(int NewCoderChartCount, int SamplePercent, bool Targeted);

/// <summary>
/// Whether a submitted chart goes to QA: every chart of a coder with fewer approved charts than
/// <see cref="QaSamplingRules.NewCoderChartCount"/>; targeted samples (high-level E/M, modifiers 25/59/X{EPSU});
/// otherwise a deterministic <see cref="QaSamplingRules.SamplePercent"/> share by a hash of the encounter id, stable
/// across retries and tests. Same rules as Portal.Web's <c>QaSampling</c> today.
/// </summary>
public static class QaSampling
{
    public static readonly string[] HighLevelVisits = ["99204", "99205", "99214", "99215"];
    public static readonly string[] TargetedModifiers = ["25", "59", "XE", "XP", "XS", "XU"];

    public static (bool Sampled, string Why) Decide(QaSamplingRules rules, Guid encounterId, int approvedCharts, IReadOnlyList<CodedLine> lines)
    {
        if (approvedCharts < rules.NewCoderChartCount)
            return (true, $"new coder: {approvedCharts} of {rules.NewCoderChartCount} approved charts");
        if (rules.Targeted && Targeted(lines) is { } risk)
            return (true, "targeted: " + risk);
        var bucket = Bucket(encounterId);
        return bucket < rules.SamplePercent
            ? (true, $"sampled: bucket {bucket} < {rules.SamplePercent}%")
            : (false, $"not sampled: bucket {bucket} ≥ {rules.SamplePercent}%");
    }

    /// <summary>Why the lines make the chart a targeted sample, or null.</summary>
    public static string? Targeted(IReadOnlyList<CodedLine> lines) =>
        lines.FirstOrDefault(l => HighLevelVisits.Contains(l.Code)) is { } visit ? $"high-level E/M {visit.Code}"
        : lines.FirstOrDefault(l => l.Modifiers.Any(TargetedModifiers.Contains)) is { } modified
            ? $"modifier {modified.Modifiers.First(TargetedModifiers.Contains)} on {modified.Code}"
        : null;

    public static int Bucket(Guid id) => (int)(BitConverter.ToUInt32(SHA256.HashData(id.ToByteArray()), 0) % 100);
}
