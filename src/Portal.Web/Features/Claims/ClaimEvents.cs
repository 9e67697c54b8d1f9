using System.Text.Json.Serialization;

namespace Portal.Web.Features.Claims;

// The claim stream (ADR 0013): one Marten stream per claim, in the practice's tenant, separate from the encounter's.
// These events are the claims feature's public contract: submission (batches, 999/277CA), payments (835 posting) and
// patient balances append to or read from them. Extend with new events and optional members; never rename or reorder.
// Every event carries the claim id, who (By) and when (At); a person's decision also says why (Reason or Note).

/// <summary>
/// Where a claim stands. draft → ready → batched → accepted/rejected by the clearinghouse (999/277CA) → accepted/rejected by
/// the payer (277CA) → paid / partly paid / denied → closed. Voided ends a claim replaced or cancelled by a frequency 7/8 claim.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum ClaimState
{
    Draft, Ready, Batched, AcceptedByClearinghouse, RejectedByClearinghouse, AcceptedByPayer, RejectedByPayer,
    Paid, PartlyPaid, Denied, Closed, Voided,
}

/// <summary>The party billed on the claim, frozen from the coverage and payer list at creation.</summary>
public sealed record ClaimCoverage(Guid CoverageId, Guid PayerId, string PayerName, string ClearinghousePayerId, string MemberId,
    string SubscriberName, string Relationship, string? GroupNumber, string Responsibility);

/// <summary>A provider on the claim, frozen at creation.</summary>
public sealed record ClaimProviderRef(Guid ProviderId, string Name, string Npi, string Taxonomy);

/// <summary>One diagnosis in claim order (sequence 1 is first-listed; box 21 letters A–L).</summary>
public sealed record ClaimDiagnosis(int Sequence, string Code);

/// <summary>One service line: code, up to 4 modifiers, units, charge in dollars, 1–4 pointers into the diagnoses (1-based).</summary>
public sealed record ClaimLine(int Line, string Code, string[] Modifiers, decimal Units, decimal Charge, int[] Pointers,
    DateOnly DateOfService, string? PlaceOfService = null, string? Ndc11 = null, decimal? NdcQuantity = null, string? NdcUnit = null);

/// <summary>A scrubber finding kept on the claim (rule id from docs/edits.md).</summary>
public sealed record ClaimFinding(string Rule, string Severity, string Message, string? FixHint, int? Position, string? Field,
    bool Overridable, string? Code = null, string? Location = null)
{
    /// <summary>"claim", "diagnosis n" or "line n" (Position is n): where the finding shows on the claim screen.</summary>
    public bool AtLine => Location?.StartsWith("line", StringComparison.Ordinal) == true;
    public bool AtDiagnosis => Location?.StartsWith("diagnosis", StringComparison.Ordinal) == true;
}

/// <summary>
/// A payer that adjudicated the claim before this one (COB, 837P loops 2320/2330/2430): on a secondary claim, the primary
/// with what it paid and adjusted, from its ClaimPaymentPosted events.
/// </summary>
public sealed record ClaimOtherPayer(Guid ClaimId, string PayerName, string ClearinghousePayerId, string MemberId, string SubscriberName,
    string Relationship, string? GroupNumber, string Responsibility, decimal Paid, PostedAdjustment[] Adjustments, PostedLine[] Lines,
    DateOnly? AdjudicatedOn);

/// <summary>An override of an overridable warning, with its reason.</summary>
public sealed record ClaimOverride(string Rule, int? Position, string Reason, string By, DateTimeOffset At);

/// <summary>A CAS adjustment as posted: group (CO, PR, OA, PI), CARC, amount, and the RARCs that explained it.</summary>
public sealed record PostedAdjustment(string Group, string Reason, decimal Amount, decimal? Quantity = null);

/// <summary>One service line's adjudication from an 835 SVC loop.</summary>
public sealed record PostedLine(int? Line, string Code, decimal Charge, decimal Paid, decimal? Allowed, decimal Units,
    PostedAdjustment[] Adjustments, string[] RemarkCodes);

// ---- creation and editing (Features/Claims) ----

/// <summary>
/// A claim drafted from an approved encounter (or as a corrected/void/secondary claim of an earlier one). FrequencyCode 1
/// original, 7 replacement, 8 void; OriginalClaimId and PayerClaimControlNumber name the claim a 7/8 replaces.
/// Responsibility P/S/T: the payer's place in the order (a secondary claim is S with the primary's payment in OtherPayers).
/// </summary>
public sealed record ClaimCreated(Guid ClaimId, Guid EncounterId, Guid PatientId, string PatientName, string Mrn,
    string PatientControlNumber, ClaimCoverage Coverage, ClaimProviderRef BillingProvider, ClaimProviderRef RenderingProvider,
    ClaimProviderRef? ReferringProvider, DateOnly DateOfService, string PlaceOfService, string? PriorAuthorization,
    ClaimDiagnosis[] Diagnoses, ClaimLine[] Lines, string FrequencyCode, Guid? OriginalClaimId, string? PayerClaimControlNumber,
    string Source, string By, DateTimeOffset At, Guid? PrimaryClaimId = null, ClaimOtherPayer[]? OtherPayers = null);

/// <summary>The whole diagnosis and line lists after an edit (replace-the-list, as ADR 0007).</summary>
public sealed record ClaimCodesChanged(Guid ClaimId, ClaimDiagnosis[] Diagnoses, ClaimLine[] Lines, string? Reason, string By,
    DateTimeOffset At);

/// <summary>Header fields a biller fixes in place (any null member is unchanged).</summary>
public sealed record ClaimDetailsChanged(Guid ClaimId, string? PlaceOfService, string? PriorAuthorization, ClaimProviderRef? ReferringProvider,
    ClaimCoverage? Coverage, string? Reason, string By, DateTimeOffset At);

/// <summary>The billing core's scrubber ran on the claim's current content; Findings replace the previous ones.</summary>
public sealed record ClaimScrubbed(Guid ClaimId, ClaimFinding[] Findings, DateOnly AsOf, string By, DateTimeOffset At);

public sealed record ClaimWarningOverridden(Guid ClaimId, string Rule, int? Position, string Reason, string By, DateTimeOffset At);

/// <summary>No errors and every warning overridden: the claim may be batched.</summary>
public sealed record ClaimMarkedReady(Guid ClaimId, string By, DateTimeOffset At);

/// <summary>Taken out of ready (a fix after ready, or a hold), with why.</summary>
public sealed record ClaimHeld(Guid ClaimId, string Reason, string By, DateTimeOffset At);

/// <summary>Sent back to coding with a note for the coder.</summary>
public sealed record ClaimReturnedToCoding(Guid ClaimId, Guid EncounterId, string Note, string By, DateTimeOffset At);

/// <summary>Voided: replaced by a corrected claim (ReplacementClaimId) or cancelled with a frequency 8 claim.</summary>
public sealed record ClaimVoided(Guid ClaimId, Guid? ReplacementClaimId, string Reason, string By, DateTimeOffset At);

/// <summary>The biller recorded the payer's claim number (ICN/DCN from the payer's portal or a letter) for a corrected or void claim.</summary>
public sealed record ClaimPayerNumberRecorded(Guid ClaimId, string PayerClaimNumber, string? Reason, string By, DateTimeOffset At);

public sealed record ClaimClosed(Guid ClaimId, string Reason, string By, DateTimeOffset At);

// ---- submission (Features/Claims/Submission: batches, 999, 277CA) ----

/// <summary>Put in an 837P batch with the batch's persisted control numbers (ISA13, GS06, ST02).</summary>
public sealed record ClaimBatched(Guid ClaimId, Guid BatchId, string InterchangeControlNumber, string GroupControlNumber,
    string TransactionSetControlNumber, string By, DateTimeOffset At);

/// <summary>The clearinghouse accepted it (999 accepted + 277CA A1/A2 from the clearinghouse).</summary>
public sealed record ClaimAcceptedByClearinghouse(Guid ClaimId, Guid AcknowledgementId, string? StatusCode, string By, DateTimeOffset At);

/// <summary>Rejected by the clearinghouse (999 R/E or 277CA A3/A4…): back to the work queue with reasons in plain words.</summary>
public sealed record ClaimRejectedByClearinghouse(Guid ClaimId, Guid AcknowledgementId, string[] Codes, string[] Reasons, string By,
    DateTimeOffset At);

/// <summary>The payer accepted it into adjudication (277CA from the payer); PayerClaimNumber when the payer assigned one.</summary>
public sealed record ClaimAcceptedByPayer(Guid ClaimId, Guid AcknowledgementId, string? PayerClaimNumber, string By, DateTimeOffset At);

public sealed record ClaimRejectedByPayer(Guid ClaimId, Guid AcknowledgementId, string[] Codes, string[] Reasons, string By, DateTimeOffset At);

// ---- payments (Features/Payments: 835 posting) ----

/// <summary>
/// One CLP of an 835 posted to the claim (Reversal: CLP02=22, amounts as they appear, i.e. negative). PaymentKey is unique per
/// practice (payer + check + CLP01 + CLP07 …) so the same claim payment never posts twice. PatientResponsibility is the sum of
/// the PR adjustments (deductible 1, coinsurance 2, copay 3, …) the patient owes after this payer.
/// </summary>
public sealed record ClaimPaymentPosted(Guid ClaimId, Guid PatientId, Guid RemittanceId, string PaymentKey, Guid PayerId, string ClaimStatusCode,
    decimal Charge, decimal Paid, decimal PatientResponsibility, PostedAdjustment[] Adjustments, PostedLine[] Lines,
    string? PayerClaimNumber, string CheckNumber, DateOnly PaymentDate, bool Reversal, string By, DateTimeOffset At);

/// <summary>The payer denied the claim (CLP02=4, or a denial CARC on every line); a follow-up work item is opened from it.</summary>
public sealed record ClaimDenied(Guid ClaimId, Guid PatientId, Guid RemittanceId, string[] ReasonCodes, decimal DeniedAmount, string Category,
    string By, DateTimeOffset At);

/// <summary>An amount written off with a reason (never automatic for denials); Approver when above the practice's limit.</summary>
public sealed record ClaimWrittenOff(Guid ClaimId, Guid PatientId, decimal Amount, string Reason, string? Approver, string By, DateTimeOffset At);
