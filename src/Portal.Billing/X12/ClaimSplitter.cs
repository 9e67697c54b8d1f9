namespace Portal.Billing.X12;

/// <summary>
/// Splits a claim into claims an 837P can carry: at most 50 lines and 12 diagnoses each. Lines keep their order; a
/// part takes lines while it has room for them and for the diagnoses they point to. Each part lists only the
/// diagnoses its lines use, in the original order (so the first-listed diagnosis stays first where it is used), and
/// the lines are re-pointed to the new positions. Parts get the control number plus "-1", "-2"… (CLM01 ≤ 20
/// characters, so the suffix replaces the tail when needed). A secondary claim's line adjudications travel with their
/// lines; the claim-level paid amount becomes the part's share of the line paid amounts, and claim-level adjustments
/// stay on the first part.
/// </summary>
public static class ClaimSplitter
{
    public const int MaxLines = 50;
    public const int MaxDiagnoses = 12;

    public static IReadOnlyList<Claim> Split(Claim claim, int maxLines = MaxLines, int maxDiagnoses = MaxDiagnoses)
    {
        if (claim.Lines.Count <= maxLines && claim.Diagnoses.Count <= maxDiagnoses) return [claim];

        var chunks = new List<List<ServiceLine>>();
        var used = new List<HashSet<int>>();
        foreach (var line in claim.Lines)
        {
            if (line.Pointers.Count is 0 or > 4 || line.Pointers.Any(p => p < 1 || p > claim.Diagnoses.Count))
                throw new ArgumentException($"Claim {claim.PatientControlNumber}: line {line.Code} points outside the claim's diagnoses; fix the pointers before splitting.");
            var current = chunks.Count == 0 ? null : chunks[^1];
            var dx = used.Count == 0 ? null : used[^1];
            if (current is null || current.Count == maxLines || dx!.Union(line.Pointers).Count() > maxDiagnoses)
            {
                chunks.Add(current = []);
                used.Add(dx = []);
            }
            current.Add(line);
            dx!.UnionWith(line.Pointers);
        }

        var parts = new List<Claim>(chunks.Count);
        for (var i = 0; i < chunks.Count; i++)
        {
            var positions = used[i].Order().ToList();
            var map = positions.Select((old, index) => (old, index)).ToDictionary(x => x.old, x => x.index + 1);
            var lines = chunks[i].Select(l => l with { Pointers = l.Pointers.Select(p => map[p]).ToArray() }).ToList();
            parts.Add(claim with
            {
                PatientControlNumber = Suffix(claim.PatientControlNumber, i + 1),
                Diagnoses = positions.Select(p => claim.Diagnoses[p - 1]).ToList(),
                Lines = lines,
                OtherCoverages = claim.OtherCoverages.Select(o => o with
                {
                    PaidAmount = o.PaidAmount is null ? null : PaidShare(o, lines, i),
                    Adjustments = i == 0 ? o.Adjustments : [],
                }).ToList(),
            });
        }
        return parts;
    }

    static decimal? PaidShare(OtherCoverage other, List<ServiceLine> lines, int index)
    {
        var linePaid = lines.SelectMany(l => l.OtherPayerAdjudications).Where(a => a.PayerId == other.Payer.PayerId).ToList();
        if (linePaid.Count > 0) return linePaid.Sum(a => a.PaidAmount);
        return index == 0 ? other.PaidAmount : 0m;
    }

    static string Suffix(string controlNumber, int part)
    {
        var suffix = "-" + part;
        return controlNumber.Length + suffix.Length <= 20 ? controlNumber + suffix : controlNumber[..(20 - suffix.Length)] + suffix;
    }
}
