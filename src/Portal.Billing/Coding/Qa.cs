using System.Security.Cryptography;

namespace Portal.Billing.Coding;

/// <summary>A coded service line as QA compares it: the code and its modifiers (units and pointers are not scored at code level).</summary>
public sealed record CodedLine(string Code, IReadOnlyList<string> Modifiers);

/// <summary>
/// Code-level QA accuracy (domain brief §9): correct codes ÷ codes in the union of the coder's and the auditor's sets,
/// so both omissions and extras count. Same rules as Portal.Web's <c>Accuracy</c> today, moved here to be shared.
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
        return (coder.Intersect(auditor).Count(), coder.Union(auditor).Count());
    }

    /// <summary>Correct ÷ compared to 4 decimals; nothing compared counts as fully accurate.</summary>
    public static decimal Ratio(int correct, int compared) => compared == 0 ? 1m : Math.Round((decimal)correct / compared, 4);
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
