namespace Portal.Web.Features.Claims;

/// <summary>The claims core's part of the claim snapshot: what the work queue and the claim screen need beyond the contract.</summary>
public sealed partial class ClaimView
{
    /// <summary>Sent back to coding and not recoded yet: the claim waits for the chart to be approved again.</summary>
    public bool AwaitingCoding { get; set; }
    public string? ReturnNote { get; set; }
    /// <summary>On a secondary claim: the primary claim whose payment is in <see cref="OtherPayers"/>.</summary>
    public Guid? PrimaryClaimId { get; set; }
    public ClaimOtherPayer[] OtherPayers { get; set; } = [];
    /// <summary>Rule ids of the open findings (errors and warnings not overridden), for the work queue's grouping by edit.</summary>
    public string[] OpenRules { get; set; } = [];
    /// <summary>Errors plus warnings that still need an override: zero means the claim may be marked ready.</summary>
    public int OpenCount { get; set; }

    public void Apply(ClaimPayerNumberRecorded e) { PayerClaimNumber = e.PayerClaimNumber; UpdatedAt = e.At; }

    /// <summary>A finding that blocks "ready": an error, or an overridable warning nobody has overridden.</summary>
    public bool Blocks(ClaimFinding f) =>
        f.Severity == "Error" || f.Overridable && !Overrides.Any(o => o.Rule == f.Rule && o.Position == f.Position);

    public bool IsOverridden(ClaimFinding f) => Overrides.Any(o => o.Rule == f.Rule && o.Position == f.Position);

    /// <summary>Recomputes <see cref="OpenRules"/> and <see cref="OpenCount"/>; called after every scrub and override.</summary>
    internal void Reopen()
    {
        var open = Findings.Where(Blocks).ToArray();
        OpenRules = [.. open.Select(f => f.Rule).Distinct()];
        OpenCount = open.Length;
    }
}
