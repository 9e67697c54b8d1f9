namespace Portal.Billing.Remittance;

/// <summary>
/// One disagreement found by <see cref="Balancing.Check"/>: the loop (file, claim, line, patient share), where
/// (segment number, patient control number, line), and the two amounts that should be equal. <see cref="Refuses"/>
/// is false only for the patient-share check (CLP05 vs the PR total), which the guide asks to flag, not to refuse.
/// </summary>
public sealed record Imbalance(string Loop, int Segment, string Where, string Rule, decimal Expected, decimal Actual, bool Refuses = true)
{
    public override string ToString() => $"Segment {Segment}, {Loop} {Where}: {Rule}: expected {Expected:0.00}, found {Actual:0.00}.";
}

/// <summary>
/// The balancing rules of 005010X221A1 (domain brief §5.2), checked on the whole file before anything posts:
/// line SVC02 − Σ line CAS = SVC03; claim CLP03 − Σ claim and line CAS = CLP04; payment BPR02 = Σ CLP04 − Σ PLB
/// (BPR03 D = a debit, so BPR02 counts negative). AMT*B6 (allowed) is informational and not balanced.
/// </summary>
public static class Balancing
{
    public static IReadOnlyList<Imbalance> Check(Era era)
    {
        var found = new List<Imbalance>();
        foreach (var p in era.Payments)
        {
            decimal paid = 0;
            foreach (var c in p.Claims)
            {
                paid += c.Paid;
                decimal adjusted = c.Adjustments.Sum(a => a.Amount);
                foreach (var (line, n) in c.Lines.Select((l, i) => (l, i + 1)))
                {
                    var lineAdjusted = line.Adjustments.Sum(a => a.Amount);
                    adjusted += lineAdjusted;
                    if (line.Charge - lineAdjusted != line.Paid)
                        found.Add(new Imbalance("2110 service line", line.Segment, $"claim {c.PatientControlNumber} line {n} ({line.Procedure.Code})",
                            "SVC02 − Σ CAS = SVC03", line.Paid, line.Charge - lineAdjusted));
                }
                if (c.Charge - adjusted != c.Paid)
                    found.Add(new Imbalance("2100 claim", c.Segment, $"claim {c.PatientControlNumber}", "CLP03 − Σ CAS (claim and lines) = CLP04", c.Paid, c.Charge - adjusted));
                var patientShare = c.Adjustments.Concat(c.Lines.SelectMany(l => l.Adjustments)).Where(a => a.Group == "PR").Sum(a => a.Amount);
                if (c.PatientResponsibility is { } pr && pr != patientShare)
                    found.Add(new Imbalance("2100 claim", c.Segment, $"claim {c.PatientControlNumber}", "CLP05 = Σ PR adjustments", pr, patientShare, Refuses: false));
            }
            var withheld = p.ProviderAdjustments.Sum(a => a.Amount);
            var bpr = p.CreditDebit == "D" ? -p.Amount : p.Amount;
            if (paid - withheld != bpr)
                found.Add(new Imbalance("payment", p.Segment, $"transaction {p.ControlNumber} (trace {p.TraceNumber})", "BPR02 = Σ CLP04 − Σ PLB", bpr, paid - withheld));
        }
        return found;
    }

    /// <summary>The file or the refusal: an unbalanced file is refused as a whole, naming every imbalance.</summary>
    public static Era Require(Era era)
    {
        var refusing = Check(era).Where(i => i.Refuses).ToList();
        if (refusing.Count == 0) return era;
        throw new RemittanceUnbalanced(refusing);
    }
}

public sealed class RemittanceUnbalanced(IReadOnlyList<Imbalance> imbalances)
    : Exception($"The 835 does not balance ({imbalances.Count} imbalance(s)); nothing may post from it. " + string.Join(" ", imbalances))
{
    public IReadOnlyList<Imbalance> Imbalances { get; } = imbalances;
}
