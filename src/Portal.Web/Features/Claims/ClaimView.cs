namespace Portal.Web.Features.Claims;

/// <summary>
/// The claim as it stands: an inline snapshot of its stream (id = claim id, in the practice's tenant), queryable for the work
/// queue, batching and remittance matching. A partial class: each part of the claims, submission and payments features applies
/// its own events in its own file. Money in dollars, to the cent.
/// </summary>
public sealed partial class ClaimView
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public ClaimState State { get; set; }
    public Guid EncounterId { get; set; }
    public Guid PatientId { get; set; }
    public string PatientName { get; set; } = "";
    public string Mrn { get; set; } = "";
    /// <summary>CLM01, echoed back by 999/277CA (REF*D9 / TRN) and 835 (CLP01).</summary>
    public string PatientControlNumber { get; set; } = "";
    public ClaimCoverage Coverage { get; set; } = null!;
    public ClaimProviderRef BillingProvider { get; set; } = null!;
    public ClaimProviderRef RenderingProvider { get; set; } = null!;
    public ClaimProviderRef? ReferringProvider { get; set; }
    public DateOnly DateOfService { get; set; }
    public string PlaceOfService { get; set; } = "";
    public string? PriorAuthorization { get; set; }
    public ClaimDiagnosis[] Diagnoses { get; set; } = [];
    public ClaimLine[] Lines { get; set; } = [];
    public string FrequencyCode { get; set; } = "1";
    public Guid? OriginalClaimId { get; set; }
    public string? PayerClaimControlNumber { get; set; }
    public Guid? ReplacementClaimId { get; set; }
    public ClaimFinding[] Findings { get; set; } = [];
    public ClaimOverride[] Overrides { get; set; } = [];
    public int ErrorCount { get; set; }
    public int WarningCount { get; set; }
    public DateOnly? ScrubbedAsOf { get; set; }
    public decimal TotalCharge { get; set; }
    public decimal Paid { get; set; }
    public decimal Adjusted { get; set; }
    public decimal PatientResponsibility { get; set; }
    public decimal WrittenOff { get; set; }
    /// <summary>What the payer still owes: charge − paid − adjustments other than PR − written off (never below zero on display).</summary>
    public decimal PayerBalance => TotalCharge - Paid - Adjusted - PatientResponsibility - WrittenOff;
    /// <summary>The payer's claim number (277CA or 835 CLP07): REF*F8 of a corrected or void claim.</summary>
    public string? PayerClaimNumber { get; set; }
    public Guid? BatchId { get; set; }
    public string? InterchangeControlNumber { get; set; }
    public string[] LastRejectionReasons { get; set; } = [];
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? SubmittedAt { get; set; }

    public void Apply(ClaimCreated e)
    {
        Id = e.ClaimId; EncounterId = e.EncounterId; PatientId = e.PatientId; PatientName = e.PatientName; Mrn = e.Mrn;
        PatientControlNumber = e.PatientControlNumber; Coverage = e.Coverage; BillingProvider = e.BillingProvider;
        RenderingProvider = e.RenderingProvider; ReferringProvider = e.ReferringProvider; DateOfService = e.DateOfService;
        PlaceOfService = e.PlaceOfService; PriorAuthorization = e.PriorAuthorization; Diagnoses = e.Diagnoses; Lines = e.Lines;
        FrequencyCode = e.FrequencyCode; OriginalClaimId = e.OriginalClaimId; PayerClaimControlNumber = e.PayerClaimControlNumber;
        State = ClaimState.Draft; CreatedBy = e.By; CreatedAt = e.At; UpdatedAt = e.At;
        TotalCharge = Sum(e.Lines);
        PrimaryClaimId = e.PrimaryClaimId; OtherPayers = e.OtherPayers ?? [];
    }

    public void Apply(ClaimCodesChanged e)
    {
        Diagnoses = e.Diagnoses; Lines = e.Lines; TotalCharge = Sum(e.Lines); UpdatedAt = e.At;
        AwaitingCoding = false;
        if (State == ClaimState.Ready) State = ClaimState.Draft;
    }

    public void Apply(ClaimDetailsChanged e)
    {
        PlaceOfService = e.PlaceOfService ?? PlaceOfService;
        PriorAuthorization = e.PriorAuthorization ?? PriorAuthorization;
        ReferringProvider = e.ReferringProvider ?? ReferringProvider;
        Coverage = e.Coverage ?? Coverage;
        UpdatedAt = e.At;
        if (State == ClaimState.Ready) State = ClaimState.Draft;
    }

    public void Apply(ClaimScrubbed e)
    {
        Findings = e.Findings; ScrubbedAsOf = e.AsOf; UpdatedAt = e.At;
        ErrorCount = e.Findings.Count(f => f.Severity == "Error");
        WarningCount = e.Findings.Count(f => f.Severity != "Error");
        Reopen();
    }

    public void Apply(ClaimWarningOverridden e)
    {
        Overrides = [.. Overrides.Where(o => !(o.Rule == e.Rule && o.Position == e.Position)), new ClaimOverride(e.Rule, e.Position, e.Reason, e.By, e.At)];
        UpdatedAt = e.At;
        Reopen();
    }

    public void Apply(ClaimMarkedReady e) { State = ClaimState.Ready; UpdatedAt = e.At; }
    public void Apply(ClaimHeld e) { State = ClaimState.Draft; UpdatedAt = e.At; }
    public void Apply(ClaimReturnedToCoding e) { State = ClaimState.Draft; AwaitingCoding = true; ReturnNote = e.Note; UpdatedAt = e.At; }
    public void Apply(ClaimVoided e) { State = ClaimState.Voided; ReplacementClaimId = e.ReplacementClaimId; UpdatedAt = e.At; }
    public void Apply(ClaimClosed e) { State = ClaimState.Closed; UpdatedAt = e.At; }

    public void Apply(ClaimBatched e)
    {
        State = ClaimState.Batched; BatchId = e.BatchId; InterchangeControlNumber = e.InterchangeControlNumber;
        SubmittedAt ??= e.At; UpdatedAt = e.At;
    }

    public void Apply(ClaimAcceptedByClearinghouse e) { State = ClaimState.AcceptedByClearinghouse; UpdatedAt = e.At; }
    public void Apply(ClaimRejectedByClearinghouse e) { State = ClaimState.RejectedByClearinghouse; LastRejectionReasons = e.Reasons; UpdatedAt = e.At; }
    public void Apply(ClaimAcceptedByPayer e) { State = ClaimState.AcceptedByPayer; PayerClaimNumber = e.PayerClaimNumber ?? PayerClaimNumber; UpdatedAt = e.At; }
    public void Apply(ClaimRejectedByPayer e) { State = ClaimState.RejectedByPayer; LastRejectionReasons = e.Reasons; UpdatedAt = e.At; }

    public void Apply(ClaimPaymentPosted e)
    {
        Paid += e.Paid;
        PatientResponsibility += e.PatientResponsibility;
        Adjusted += e.Adjustments.Where(a => a.Group != "PR").Sum(a => a.Amount);
        PayerClaimNumber = e.PayerClaimNumber ?? PayerClaimNumber;
        if (!e.Reversal)
            State = PayerBalance <= 0m ? ClaimState.Paid : ClaimState.PartlyPaid;
        else if (Paid == 0m && PatientResponsibility == 0m)
            State = ClaimState.AcceptedByPayer;
        UpdatedAt = e.At;
    }

    public void Apply(ClaimDenied e) { State = ClaimState.Denied; UpdatedAt = e.At; }
    public void Apply(ClaimWrittenOff e) { WrittenOff += e.Amount; UpdatedAt = e.At; }

    static decimal Sum(ClaimLine[] lines)
    {
        var total = 0m;
        foreach (var l in lines) total += l.Charge;
        return total;
    }
}
