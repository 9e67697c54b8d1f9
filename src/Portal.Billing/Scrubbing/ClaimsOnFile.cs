namespace Portal.Billing.Scrubbing;

/// <summary>
/// Claims already on file for the practice, indexed by patient, provider and date of service: NCCI pairs, MUE day
/// totals and duplicates look across them. Build it once per batch; voided claims are left out.
/// </summary>
public sealed class ClaimsOnFile
{
    public static readonly ClaimsOnFile None = new([]);

    readonly Dictionary<(string Patient, string Npi, DateOnly Dos), List<(Claim Claim, int Line)>> lines = [];

    public ClaimsOnFile(IEnumerable<Claim> claims)
    {
        foreach (var claim in claims)
        {
            if (claim.Voided || claim.Patient?.Id is not { } patient || claim.ProviderNpi is not { } npi || claim.Lines is null) continue;
            for (var i = 0; i < claim.Lines.Count; i++)
            {
                if ((claim.Lines[i].DateOfService ?? claim.DateOfService) is not { } dos) continue;
                var key = (patient, npi, dos);
                if (!lines.TryGetValue(key, out var list)) lines[key] = list = [];
                list.Add((claim, i));
            }
        }
    }

    /// <summary>Lines of other claims (not <paramref name="self"/>, by id) for the patient, provider and date.</summary>
    public IEnumerable<(Claim Claim, int Line)> LinesFor(string? patient, string? npi, DateOnly dos, Claim self)
    {
        if (patient is null || npi is null || !lines.TryGetValue((patient, npi, dos), out var list)) yield break;
        foreach (var entry in list)
            if (!ReferenceEquals(entry.Claim, self) && (self.Id is null || entry.Claim.Id != self.Id))
                yield return entry;
    }
}
