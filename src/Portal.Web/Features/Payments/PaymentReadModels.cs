using System.Text.Json.Serialization;

namespace Portal.Web.Features.Payments;

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum RemittanceState { Received, Posted, Refused }

/// <summary>An 835 file as the remittance list and detail show it: inline snapshot of its stream.</summary>
public sealed class RemittanceView
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public RemittanceState State { get; set; }
    public string FileName { get; set; } = "";
    public string Source { get; set; } = "";
    public string FileHash { get; set; } = "";
    public long Size { get; set; }
    public string ReceivedBy { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
    public RemittanceCheck[] Checks { get; set; } = [];
    public RemittanceClaim[] Claims { get; set; } = [];
    public RemittanceProviderAdjustment[] ProviderAdjustments { get; set; } = [];
    public int Posted { get; set; }
    public int Skipped { get; set; }
    public int Unmatched { get; set; }
    public decimal Amount { get; set; }
    /// <summary>The first check's payer: what the list sorts on by payer (stored with the document, so the database can order by it).</summary>
    public string? PayerName => Checks.Length > 0 ? Checks[0].PayerName : null;
    public string? RefusalReason { get; set; }
    public RemittanceProblem[] Problems { get; set; } = [];

    public void Apply(RemittanceReceived e)
    {
        Id = e.RemittanceId; FileName = e.FileName; Source = e.Source; FileHash = e.FileHash; Size = e.Size; ReceivedBy = e.By; ReceivedAt = e.At;
        State = RemittanceState.Received;
    }

    public void Apply(RemittancePosted e)
    {
        State = RemittanceState.Posted; Checks = e.Checks; Claims = e.Claims; ProviderAdjustments = e.ProviderAdjustments;
        Posted = e.Posted; Skipped = e.Skipped; Unmatched = e.Unmatched; Amount = e.Checks.Sum(c => c.Amount);
    }

    public void Apply(RemittanceRefused e) { State = RemittanceState.Refused; RefusalReason = e.Reason; Problems = e.Problems; }
}

/// <summary>The bytes of an 835 as received (id = the remittance id), kept to post unmatched claims later and for audit.</summary>
public sealed record RemittanceFile(Guid Id, string FileName, byte[] Content);

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum UnmatchedState { Open, Linked }

/// <summary>
/// A CLP no claim matched: the unmatched queue. PaymentIndex/ClaimIndex find it again in the stored file; linking it to a
/// claim by hand posts it then, with the same claim-payment key (so it still posts once).
/// </summary>
public sealed record UnmatchedClaimPayment(Guid Id, Guid RemittanceId, int PaymentIndex, int ClaimIndex, string PayerId, string PayerName,
    string TraceNumber, string PatientControlNumber, string PayerClaimNumber, string PatientName, string Status, decimal Charge, decimal Paid,
    DateOnly? DateOfService, string PaymentKey, string Problem, UnmatchedState State, DateTimeOffset ReceivedAt, Guid? ClaimId = null,
    string? LinkedBy = null, DateTimeOffset? LinkedAt = null);

/// <summary>A payer's account: provider-level adjustments (PLB) from its 835s. Id derived from the 835 payer id.</summary>
public sealed class PayerAccount
{
    public Guid Id { get; set; }
    public string PayerId { get; set; } = "";
    public decimal ProviderAdjustments { get; set; }
    public int Count { get; set; }

    public void Apply(ProviderAdjustmentPosted e) { Id = e.AccountId; PayerId = e.PayerId; ProviderAdjustments += e.Amount; Count++; }

    public static Guid IdFor(string payerId) =>
        new(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes("payer-account:" + payerId.Trim().ToUpperInvariant())));
}

/// <summary>
/// Follow-up settings of a practice (id = practice id): write-off approval limit and appeal windows; for A/R follow-up, the days a payer
/// is expected to answer a claim (default 30), its timely-filing limit from the date of service (default 90) and how many days before
/// that limit the alarm starts (default 15), each with per-payer overrides.
/// </summary>
public sealed record PaymentSettings(Guid Id, decimal WriteOffApprovalAbove, int AppealWindowDays, Dictionary<Guid, int> PayerAppealWindowDays,
    string? UpdatedBy = null, DateTimeOffset? UpdatedAt = null, int ResponseDays = PaymentSettings.DefaultResponseDays,
    Dictionary<Guid, int>? PayerResponseDays = null, int TimelyFilingDays = PaymentSettings.DefaultTimelyFilingDays,
    Dictionary<Guid, int>? PayerTimelyFilingDays = null, int TimelyFilingWarnDays = PaymentSettings.DefaultTimelyFilingWarnDays)
{
    // Clean electronic claims are commonly answered within 14–30 days (prompt-pay laws); timely filing runs from 90 days (many
    // commercial plans) to 365 days (Medicare): 90 is the cautious default until the biller enters each contract's limit.
    public const int DefaultResponseDays = 30, DefaultTimelyFilingDays = 90, DefaultTimelyFilingWarnDays = 15;

    public int ResponseDaysFor(Guid payerId) => PayerResponseDays is { } d && d.TryGetValue(payerId, out var n) ? n : ResponseDays;
    public int TimelyFilingDaysFor(Guid payerId) => PayerTimelyFilingDays is { } d && d.TryGetValue(payerId, out var n) ? n : TimelyFilingDays;

    // Commercial and Medicare Advantage plans commonly allow 60–180 days for a provider appeal; Medicare's first level
    // (redetermination) is 120 days. 90 days is a cautious default until the biller enters the contract's window per payer.
    public const int DefaultAppealWindowDays = 90;
    public const decimal DefaultWriteOffApprovalAbove = 100m;

    public static PaymentSettings Default(Guid practiceId) => new(practiceId, DefaultWriteOffApprovalAbove, DefaultAppealWindowDays, []);

    public int WindowFor(Guid payerId) => PayerAppealWindowDays.TryGetValue(payerId, out var d) ? d : AppealWindowDays;
}

/// <summary>A file kept with a work item: an attachment the biller added or a generated appeal letter.</summary>
public sealed record WorkItemDocument(Guid Id, Guid WorkItemId, string FileName, string ContentType, byte[] Content, string By, DateTimeOffset At);

public sealed record WorkItemNote(string Text, string By, DateTimeOffset At);
public sealed record WorkItemAttachment(Guid DocumentId, string FileName, string ContentType, long Size, string By, DateTimeOffset At);
public sealed record WorkItemAppeal(int Level, Guid LetterId, DateOnly Deadline, string? Note, string By, DateTimeOffset At);
public sealed record WorkItemWriteOff(decimal Amount, string Reason, string RequestedBy, DateTimeOffset At);

/// <summary>A denial follow-up work item as the queue and detail show it: inline snapshot of its stream.</summary>
public sealed class DenialWorkItem
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public WorkItemState State { get; set; }
    public Guid ClaimId { get; set; }
    public Guid PatientId { get; set; }
    public string PatientName { get; set; } = "";
    public string PatientControlNumber { get; set; } = "";
    public string? PayerClaimNumber { get; set; }
    public Guid PayerId { get; set; }
    public string PayerName { get; set; } = "";
    public Guid RemittanceId { get; set; }
    public DateOnly DateOfService { get; set; }
    public decimal Charge { get; set; }
    public decimal DeniedAmount { get; set; }
    public string Category { get; set; } = "";
    public string NextAction { get; set; } = "";
    public DeniedReason[] Reasons { get; set; } = [];
    public string Carcs { get; set; } = "";
    public DateOnly DueDate { get; set; }
    /// <summary>The payment date of the remittance that denied it (the period the dashboard counts it in).</summary>
    public DateOnly DeniedOn { get; set; }
    public int AppealWindowDays { get; set; }
    public string? Owner { get; set; }
    public WorkItemNote[] Notes { get; set; } = [];
    public WorkItemAttachment[] Attachments { get; set; } = [];
    public WorkItemAppeal[] Appeals { get; set; } = [];
    public WorkItemWriteOff? PendingWriteOff { get; set; }
    public decimal WrittenOff { get; set; }
    public string? WriteOffReason { get; set; }
    public string? Approver { get; set; }
    public string? Outcome { get; set; }
    public decimal Recovered { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>The corrected claim (frequency 7) sent from this item, in the claims work queue.</summary>
    public Guid? CorrectedClaimId { get; set; }
    public string? CorrectedControlNumber { get; set; }

    public void Apply(DenialWorkItemOpened e)
    {
        Id = e.WorkItemId; ClaimId = e.ClaimId; PatientId = e.PatientId; PatientName = e.PatientName; PatientControlNumber = e.PatientControlNumber;
        PayerClaimNumber = e.PayerClaimNumber; PayerId = e.PayerId; PayerName = e.PayerName; RemittanceId = e.RemittanceId;
        DateOfService = e.DateOfService; Charge = e.Charge; DeniedAmount = e.DeniedAmount; Category = e.Category; NextAction = e.NextAction;
        Reasons = e.Reasons; Carcs = string.Join(" ", e.Reasons.Select(r => $"{r.Group}-{r.Carc}").Distinct());
        DueDate = e.DueDate; DeniedOn = e.DueDate.AddDays(-e.AppealWindowDays); AppealWindowDays = e.AppealWindowDays; State = WorkItemState.Open; OpenedAt = e.At; UpdatedAt = e.At;
    }

    public void Apply(DenialWorkItemAssigned e) { Owner = e.Owner; UpdatedAt = e.At; }
    public void Apply(DenialNoteAdded e) { Notes = [.. Notes, new WorkItemNote(e.Note, e.By, e.At)]; UpdatedAt = e.At; }

    public void Apply(DenialAttachmentAdded e)
    {
        Attachments = [.. Attachments, new WorkItemAttachment(e.DocumentId, e.FileName, e.ContentType, e.Size, e.By, e.At)];
        UpdatedAt = e.At;
    }

    public void Apply(DenialAppealed e)
    {
        Appeals = [.. Appeals, new WorkItemAppeal(e.Level, e.LetterId, e.Deadline, e.Note, e.By, e.At)];
        State = WorkItemState.Appealed; DueDate = e.Deadline; UpdatedAt = e.At;
    }

    public void Apply(DenialCorrectedClaimCreated e)
    {
        CorrectedClaimId = e.CorrectedClaimId; CorrectedControlNumber = e.CorrectedControlNumber;
        Notes = [.. Notes, new WorkItemNote($"Corrected claim {e.CorrectedControlNumber} (frequency 7, payer claim {e.PayerClaimNumber}) sent to the claims work queue: {e.Reason}", e.By, e.At)];
        UpdatedAt = e.At;
    }

    public void Apply(DenialResolved e) { State = WorkItemState.Resolved; Outcome = e.Outcome; Recovered = e.Recovered; PendingWriteOff = null; UpdatedAt = e.At; }
    public void Apply(DenialWriteOffRequested e) { PendingWriteOff = new WorkItemWriteOff(e.Amount, e.Reason, e.By, e.At); UpdatedAt = e.At; }

    public void Apply(DenialWrittenOff e)
    {
        State = WorkItemState.WrittenOff; WrittenOff = e.Amount; WriteOffReason = e.Reason; Approver = e.Approver; PendingWriteOff = null;
        UpdatedAt = e.At;
    }

    public bool IsClosed => State is WorkItemState.Resolved or WorkItemState.WrittenOff;
}
