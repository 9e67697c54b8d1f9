namespace Portal.Billing.Remittance;

/// <summary>
/// Sums of one account (a line, a claim, a patient or a payer). <see cref="Open"/> is what is still with the payer:
/// charged − paid − contractual − patient responsibility − other adjustments. For an adjudicated line it is 0, which is
/// the money identity charge = paid + contractual + patient responsibility + other adjustments.
/// </summary>
public sealed record Balance(decimal Charged, decimal Paid, decimal Contractual, decimal PatientResponsibility, decimal OtherAdjustments,
    decimal Interest, decimal ProviderAdjustments)
{
    public static readonly Balance Zero = new(0, 0, 0, 0, 0, 0, 0);
    public decimal Open => Charged - Paid - Contractual - PatientResponsibility - OtherAdjustments;

    /// <summary>Cash from the payer: payments less what PLB withheld (Σ BPR02 over the payer's checks).</summary>
    public decimal Cash => Paid - ProviderAdjustments;

    public Balance Add(PostingEntry e) => e.Kind switch
    {
        EntryKind.Charge => this with { Charged = Charged + e.Amount },
        EntryKind.Payment => this with { Paid = Paid + e.Amount },
        EntryKind.Contractual => this with { Contractual = Contractual + e.Amount },
        EntryKind.Deductible or EntryKind.Coinsurance or EntryKind.Copay or EntryKind.PatientOther => this with { PatientResponsibility = PatientResponsibility + e.Amount },
        EntryKind.OtherAdjustment or EntryKind.PayerReduction or EntryKind.Correction => this with { OtherAdjustments = OtherAdjustments + e.Amount },
        EntryKind.Interest => this with { Interest = Interest + e.Amount },
        EntryKind.ProviderAdjustment => this with { ProviderAdjustments = ProviderAdjustments + e.Amount },
        _ => this,
    };
}

/// <summary>
/// The ledger as a fold over posting entries (the web layer's projection does the same per event): balances per
/// line (claim id + line key), claim, patient and payer. Entries are never edited, so replaying them gives the same
/// balances; a reversal brings the accounts back by adding the opposite amounts.
/// </summary>
public sealed class Ledger
{
    public Dictionary<(string ClaimId, string LineKey), Balance> Lines { get; } = [];
    public Dictionary<string, Balance> Claims { get; } = [];
    public Dictionary<string, Balance> Patients { get; } = [];
    public Dictionary<string, Balance> Payers { get; } = [];

    public static Ledger Fold(IEnumerable<PostingEntry> entries)
    {
        var ledger = new Ledger();
        foreach (var e in entries) ledger.Apply(e);
        return ledger;
    }

    public Ledger Apply(PostingEntry e)
    {
        if (e.ClaimId.Length > 0)
        {
            Claims[e.ClaimId] = Claims.GetValueOrDefault(e.ClaimId, Balance.Zero).Add(e);
            if (e.LineKey is not null) Lines[(e.ClaimId, e.LineKey)] = Lines.GetValueOrDefault((e.ClaimId, e.LineKey), Balance.Zero).Add(e);
        }
        if (e.PatientId.Length > 0) Patients[e.PatientId] = Patients.GetValueOrDefault(e.PatientId, Balance.Zero).Add(e);
        Payers[e.PayerId] = Payers.GetValueOrDefault(e.PayerId, Balance.Zero).Add(e);
        return this;
    }
}
