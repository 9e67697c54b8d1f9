using Portal.Web.Features.Codes;

namespace Portal.Web.Features.Coding;

// Coding events on the encounter stream (domain brief §9). Each carries who (By), when (At) and, where a person
// decides, why (Reason): the /history endpoint reads those three by name. Facts a projection needs to place the
// chart (the status after a submit or an answer) are decided once by the aggregate and frozen in the event.

/// <summary>Who works a chart: a practice coder, a vendor's coder (VendorId set) or a registered app acting as coder.</summary>
public sealed record Coder(Guid Id, string Name, Guid? VendorId);

/// <summary>One diagnosis in claim order (Sequence 1 is first-listed; CMS-1500 box 21 letters A–L).</summary>
public sealed record CodedDiagnosis(int Sequence, string Code, string Description);

/// <summary>One procedure line (CMS-1500 box 24): code, up to 4 modifiers, units, charge and up to 4 pointers into the diagnoses (1-based).</summary>
public sealed record ServiceLine(int Line, string Code, string Description, string[] Modifiers, int Units, decimal Charge, int[] DiagnosisPointers);

/// <summary>A question to the rendering provider (AHIMA/ACDIS compliant: non-leading, with "other" and "unable to determine").</summary>
public sealed record ProviderQuery(Guid QueryId, Guid ProviderId, string ProviderName, string Question, string[] Options,
    string RaisedBy, DateTimeOffset RaisedAt, string? Answer = null, string? AnsweredBy = null, DateTimeOffset? AnsweredAt = null)
{
    public bool Open => AnsweredAt is null;
}

public sealed record ChartQueued(Guid EncounterId, int Priority, DateTimeOffset DueAt, int TurnaroundHours, string By, DateTimeOffset At);

public sealed record ChartAssigned(Guid EncounterId, Coder Coder, bool Pulled, string? Reason, string By, DateTimeOffset At);

public sealed record ChartReleased(Guid EncounterId, Guid CoderId, string Reason, string By, DateTimeOffset At);

/// <summary>The coder's first code on an assigned (or returned) chart: the chart is in progress.</summary>
public sealed record CodingStarted(Guid EncounterId, string By, DateTimeOffset At);

public sealed record DiagnosesCoded(Guid EncounterId, CodedDiagnosis[] Diagnoses, CodeFinding[] Warnings, string? Reason, string By,
    DateTimeOffset At);

public sealed record ServiceLinesCoded(Guid EncounterId, ServiceLine[] Lines, CodeFinding[] Warnings, string? Reason, string By,
    DateTimeOffset At);

public sealed record ProviderQueryRaised(Guid EncounterId, Guid QueryId, Guid ProviderId, string ProviderName, string Question,
    string[] Options, string By, DateTimeOffset At);

/// <summary>ChartResumed: no other query is open, so the chart goes back to its coder (in progress).</summary>
/// <param name="OnBehalfOf">The provider's name when a practice admin answered for a provider (who may have no login); null when the provider answered.</param>
public sealed record ProviderQueryAnswered(Guid EncounterId, Guid QueryId, string Answer, bool ChartResumed, TimeSpan HeldFor,
    string By, DateTimeOffset At, string? OnBehalfOf = null);

/// <summary>SampledForQa decides the next state: ready for QA, or approved straight away (a ChartApproved follows).</summary>
public sealed record ChartSubmitted(Guid EncounterId, Guid CoderId, bool SampledForQa, string Sampling, string By, DateTimeOffset At);

public sealed record ChartApproved(Guid EncounterId, Guid CoderId, string Reason, string By, DateTimeOffset At);

/// <summary>
/// A QA review. Corrected: the reviewer's diagnoses and lines replace the coder's. Accuracy is code-level:
/// Correct ÷ Compared, where Compared = |coder's codes ∪ reviewer's codes| (domain brief §9).
/// </summary>
/// <summary>
/// QA's verdict. Errors and ChargeImpact (reviewer's charges − coder's: below zero the coder over-coded, above under-coded) and
/// the coder's own codes (kept so an accepted rebuttal can restore them) are absent from reviews recorded before they existed.
/// </summary>
public sealed record ChartReviewed(Guid EncounterId, Guid CoderId, string CoderName, bool Corrected, CodedDiagnosis[] Diagnoses,
    ServiceLine[] Lines, int Correct, int Compared, decimal Accuracy, string? Reason, string By, DateTimeOffset At,
    QaError[]? Errors = null, decimal ChargeImpact = 0, CodedDiagnosis[]? CoderDiagnoses = null, ServiceLine[]? CoderLines = null);

/// <summary>One difference QA found between the coder's codes and the reviewer's (see <see cref="QaErrors"/> for the types).</summary>
public sealed record QaError(string Type, string Code, string Detail);

/// <summary>The coder disputes QA's correction of their chart.</summary>
public sealed record QaRebuttalFiled(Guid EncounterId, Guid CoderId, string Reason, string By, DateTimeOffset At);

/// <summary>
/// A QA reviewer or the practice admin decides a rebuttal. Accepted: the coder's codes were right; they are the chart's codes again
/// (Diagnoses, Lines) and the review no longer counts against the coder. Rejected: the review stands, with a note saying why.
/// </summary>
public sealed record QaRebuttalDecided(Guid EncounterId, Guid CoderId, bool Accepted, string? Note, CodedDiagnosis[] Diagnoses,
    ServiceLine[] Lines, string By, DateTimeOffset At);

public sealed record ChartReturned(Guid EncounterId, Guid CoderId, string Reason, string By, DateTimeOffset At);

/// <summary>
/// The biller sent the approved chart's claim back to coding with a note (Reason): the chart is its coder's to work again, and its
/// next approval gives the claim the new codes (the claims feature's reaction).
/// </summary>
public sealed record ChartReturnedByBilling(Guid EncounterId, Guid ClaimId, string Reason, string By, DateTimeOffset At);

public static class CodingStatus
{
    public static Intake.EncounterStatus After(ProviderQueryAnswered e, Intake.EncounterStatus current) =>
        e.ChartResumed ? Intake.EncounterStatus.InProgress : current;

    public static Intake.EncounterStatus After(ChartSubmitted e) =>
        e.SampledForQa ? Intake.EncounterStatus.ReadyForQa : Intake.EncounterStatus.Approved;
}
