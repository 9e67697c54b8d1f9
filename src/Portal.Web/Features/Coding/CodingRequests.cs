using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Features.Coding;

/// <summary>Put an encounter into the coding queue. Priority 0 (routine) to 9 (urgent); the due time is now + the practice's turnaround SLA.</summary>
public sealed record SendToCoding([Range(0, 9)] int Priority = 0);

/// <summary>A lead gives the chart to a coder (user id): a coder of the practice or a vendor coder of an engaged firm.</summary>
public sealed record AssignChart([Required] Guid? CoderId, [StringLength(500)] string? Reason = null);

/// <summary>Give the chart back to the queue (unassigned), saying why.</summary>
public sealed record ReleaseChart([Required, StringLength(500, MinimumLength = 3)] string Reason);

/// <summary>
/// The diagnoses in claim order (the first is first-listed), ICD-10-CM, at most 12; they replace the previous list.
/// OverrideReason is required when an age or sex edit warns and the code is nevertheless right.
/// </summary>
public sealed record CodeDiagnoses([Required, MinLength(1), MaxLength(12)] string[] Codes, [StringLength(500)] string? OverrideReason = null);

/// <summary>
/// One service line: CPT/HCPCS code, up to 4 modifiers, units, and up to 4 pointers (1-based) into the diagnoses.
/// Charge: omit it to use the practice's fee schedule (fee × units; 422 when the code has no fee), or give the line total.
/// </summary>
public sealed record ServiceLineInput([Required, StringLength(5, MinimumLength = 5)] string Code, string[]? Modifiers = null,
    [Range(1, 999)] int Units = 1, [Range(typeof(decimal), "0", "999999.99")] decimal? Charge = null, int[]? DiagnosisPointers = null);

/// <summary>The service lines, which replace the previous ones. Pointers default to the first-listed diagnosis.</summary>
public sealed record CodeServiceLines([Required, MinLength(1), MaxLength(50)] ServiceLineInput[] Lines,
    [StringLength(500)] string? OverrideReason = null);

/// <summary>
/// The diagnoses and the service lines in one write, as the coding screen's Save: both are checked together (the lines against
/// the new diagnoses) and saved all or nothing. Either may be left out (unchanged), not both. With Submit the chart is also
/// submitted as coded, in the same write (as POST …/submit would: QA sampling, approval), or nothing is saved.
/// </summary>
public sealed record CodeChart(CodeDiagnoses? Diagnoses, CodeServiceLines? Lines, bool Submit = false);

/// <summary>
/// A query to the encounter's rendering provider. Open-ended without Options; with Options it is multiple choice and
/// "Other" and "Unable to determine" are always added (AHIMA/ACDIS: never lead the provider to one answer).
/// </summary>
public sealed record RaiseProviderQuery([Required, StringLength(2000, MinimumLength = 10)] string Question, string[]? Options = null);

/// <summary>The provider's answer: Choice (one of the options) for a multiple-choice query; Comment for an open one or with "Other".</summary>
public sealed record AnswerProviderQuery([StringLength(200)] string? Choice = null, [StringLength(2000)] string? Comment = null);

/// <summary>
/// QA accepts the chart as coded (no Diagnoses/Lines), or corrects it: the given diagnoses and/or lines replace the
/// coder's, and Reason is required.
/// </summary>
public sealed record ReviewChart([MaxLength(12)] string[]? Diagnoses = null, [MaxLength(50)] ServiceLineInput[]? Lines = null,
    [StringLength(1000)] string? Reason = null);

/// <summary>QA sends the chart back to its coder, saying what to fix.</summary>
public sealed record ReturnChart([Required, StringLength(1000, MinimumLength = 3)] string Reason);

/// <summary>The coder disputes QA's correction of their chart, saying why their codes were right.</summary>
public sealed record FileQaRebuttal([Required, StringLength(2000, MinimumLength = 10)] string Reason);

/// <summary>Accept the rebuttal (the coder's codes become the chart's again) or reject it (the note says why the review stands).</summary>
public sealed record DecideQaRebuttal(bool Accept, [StringLength(2000)] string? Note = null);

/// <summary>What "next chart" gave the caller: the practice (the vendor queue spans several) and the coding screen.</summary>
public sealed record PulledChart(Guid PracticeId, string PracticeName, CodingChart Chart);
