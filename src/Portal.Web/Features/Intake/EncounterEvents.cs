using System.Text.Json.Serialization;
namespace Portal.Web.Features.Intake;

/// <summary>
/// Where an encounter is in the revenue cycle. Intake opens encounters as <see cref="New"/>; the coding workflow
/// adds its states after it, never renumbering these
/// (Features/Coding: queued → assigned → in progress ⇄ on hold → ready for QA ⇄ returned → approved).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum EncounterStatus { New, Queued, Assigned, InProgress, OnHold, ReadyForQa, Returned, Approved }

// The encounter stream: intake writes the first events; coding adds EncounterAssigned, DiagnosisCoded, … later.
// Names and ids are copied in at the time of the event, so lists need no joins and history shows what was true then.
public sealed record EncounterOpened(Guid EncounterId, Guid PatientId, string PatientName, string Mrn,
    Guid RenderingProviderId, string RenderingProviderName, Guid BillingProviderId, string BillingProviderName,
    DateOnly DateOfService, string PlaceOfService, Guid? CoverageId, string? PayerName, string? VisitNotes,
    string Source, string By, DateTimeOffset At);

public sealed record VisitNotesRevised(Guid EncounterId, string VisitNotes, string Reason, string By, DateTimeOffset At);

public sealed record DocumentAttached(Guid EncounterId, Guid DocumentId, string FileName, string ContentType, long Size,
    string By, DateTimeOffset At);

/// <summary>A diagnosis or procedure code the provider documented, as the source system sent it (a FHIR Condition or Procedure).</summary>
/// <param name="System">icd10cm, cpt or hcpcs.</param>
public sealed record DocumentedCode(string System, string Code, string? Display);

/// <summary>
/// Codes the provider documented for the visit, imported with it (FHIR Condition and Procedure). They are documentation for
/// the coder to read, not the chart's codes: coding still selects and sequences diagnoses and service lines itself.
/// Appended only with codes the encounter did not have yet, so an import sent twice documents nothing twice.
/// </summary>
public sealed record EncounterCodesDocumented(Guid EncounterId, DocumentedCode[] Diagnoses, DocumentedCode[] Procedures, string Source,
    string By, DateTimeOffset At);
