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
