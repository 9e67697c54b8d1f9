using System.Text.Json.Serialization;

namespace Portal.Web.Features.Payments;

// Payments (issue 12, ADR 0015). Three kinds of streams, all in the practice's tenant:
// - a remittance stream per 835 file received (received → posted or refused);
// - a payer account stream per payer id of the 835s (PLB provider-level adjustments);
// - a denial work item stream per denied claim payment (follow-up: assign, notes, attachments, appeal, resolve, write-off).
// Claim postings themselves go on the claim stream (ClaimPaymentPosted, ClaimDenied, ClaimWrittenOff in Claims/ClaimEvents.cs).

/// <summary>An 835 file arrived (upload, API or inbox). FileHash is SHA-256 of its bytes.</summary>
public sealed record RemittanceReceived(Guid RemittanceId, string FileName, string Source, string FileHash, long Size, string By, DateTimeOffset At);

/// <summary>One check or EFT (ST…SE) of a posted file, as the list and detail pages show it.</summary>
public sealed record RemittanceCheck(string PayerId, string PayerName, string TraceNumber, DateOnly? PaymentDate, decimal Amount, string Method,
    string CheckKey, bool AlreadyPosted, Guid? PostedIn);

/// <summary>A claim payment posted from the file (or skipped because its key was posted before).</summary>
public sealed record RemittanceClaim(Guid? ClaimId, string PatientControlNumber, string PatientName, string PayerClaimNumber, string Status,
    decimal Charge, decimal Paid, decimal PatientResponsibility, string PaymentKey, string Outcome, Guid? WorkItemId);

/// <summary>A PLB amount posted to the payer's account (positive = withheld from the payment).</summary>
public sealed record RemittanceProviderAdjustment(string PayerId, string Reason, string Reference, decimal Amount, bool AlreadyPosted);

/// <summary>Every posting of the file happened in this one transaction; Claims lists posted, skipped (already posted) and unmatched CLPs.</summary>
public sealed record RemittancePosted(Guid RemittanceId, RemittanceCheck[] Checks, RemittanceClaim[] Claims,
    RemittanceProviderAdjustment[] ProviderAdjustments, int Posted, int Skipped, int Unmatched, string By, DateTimeOffset At);

/// <summary>Nothing posted: the file is malformed, foreign or unbalanced. Problems say where (segment, position, loop and amounts).</summary>
public sealed record RemittanceRefused(Guid RemittanceId, string Reason, RemittanceProblem[] Problems, string By, DateTimeOffset At);

/// <summary>One reason a file was refused: segment number, character position, loop and the amounts that disagree.</summary>
public sealed record RemittanceProblem(int Segment, long? Position, string Loop, string Detail, decimal? Expected = null, decimal? Actual = null);

/// <summary>A PLB adjustment on the payer's account (WO recovery, FB forward balance, L6 interest…), from a remittance.</summary>
public sealed record ProviderAdjustmentPosted(Guid AccountId, string PayerId, Guid RemittanceId, string Key, string Reason, string Reference,
    decimal Amount, DateOnly? FiscalPeriodEnd, string By, DateTimeOffset At, Guid? PortalPayerId = null);

// ---- denial work items ----

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum WorkItemState { Open, Appealed, Resolved, WrittenOff }

/// <summary>One denial reason on the claim: group, CARC, amount, and the RARCs that came with it.</summary>
public sealed record DeniedReason(string Group, string Carc, decimal Amount, string? Line, string[] Remarks);

/// <summary>A denied claim payment became a follow-up work item. DueDate = payment date + the payer's appeal window.</summary>
public sealed record DenialWorkItemOpened(Guid WorkItemId, Guid ClaimId, Guid PatientId, string PatientName, string PatientControlNumber,
    string? PayerClaimNumber, Guid PayerId, string PayerName, Guid RemittanceId, DateOnly DateOfService, decimal Charge, decimal DeniedAmount,
    string Category, string NextAction, DeniedReason[] Reasons, DateOnly DueDate, int AppealWindowDays, string By, DateTimeOffset At);

public sealed record DenialWorkItemAssigned(Guid WorkItemId, string? Owner, string By, DateTimeOffset At);
public sealed record DenialNoteAdded(Guid WorkItemId, string Note, string By, DateTimeOffset At);
public sealed record DenialAttachmentAdded(Guid WorkItemId, Guid DocumentId, string FileName, string ContentType, long Size, string By, DateTimeOffset At);

/// <summary>Appealed at a level (1 = first), with the generated letter (a stored document) and the deadline of the next answer.</summary>
public sealed record DenialAppealed(Guid WorkItemId, int Level, Guid LetterId, DateOnly Deadline, string? Note, string By, DateTimeOffset At);

/// <summary>Resolved: paid after appeal, corrected claim accepted, billed to the patient… Recovered in dollars.</summary>
public sealed record DenialResolved(Guid WorkItemId, string Outcome, decimal Recovered, string? Note, string By, DateTimeOffset At);

/// <summary>A write-off above the practice's limit waits for an approver.</summary>
public sealed record DenialWriteOffRequested(Guid WorkItemId, decimal Amount, string Reason, string By, DateTimeOffset At);

/// <summary>Written off (never automatically). Approver when the amount was above the practice's limit.</summary>
public sealed record DenialWrittenOff(Guid WorkItemId, decimal Amount, string Reason, string? Approver, string By, DateTimeOffset At);
