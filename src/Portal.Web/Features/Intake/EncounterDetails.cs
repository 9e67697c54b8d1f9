using Marten.Events.Aggregation;

namespace Portal.Web.Features.Intake;

public sealed record DocumentSummary(Guid Id, string FileName, string ContentType, long Size, string UploadedBy, DateTimeOffset UploadedAt);

/// <summary>
/// The encounter details screen and GET /encounters/{id}. The projection keeps what intake records (it changes on intake events
/// only, so coding writes don't touch it); <see cref="Status"/> and <see cref="Version"/> come from the encounter stream's
/// snapshot when read (<see cref="Read"/>, <see cref="WithState"/>).
/// </summary>
public sealed record EncounterDetails(Guid Id, EncounterStatus Status, Guid PatientId, string PatientName, string Mrn,
    Guid RenderingProviderId, string RenderingProviderName, Guid BillingProviderId, string BillingProviderName,
    DateOnly DateOfService, string PlaceOfService, Guid? CoverageId, string? PayerName, string? VisitNotes,
    DocumentSummary[] Documents, string OpenedBy, DateTimeOffset OpenedAt, long Version)
{
    public string PlaceOfServiceName => Identifiers.PlacesOfService.GetValueOrDefault(PlaceOfService, "");

    /// <summary>ICD-10-CM codes the provider documented (FHIR Condition), for the coder to read; not the chart's codes.</summary>
    public DocumentedCode[] DocumentedDiagnoses { get; init; } = [];

    /// <summary>CPT/HCPCS codes the provider documented (FHIR Procedure), for the coder to read.</summary>
    public DocumentedCode[] DocumentedProcedures { get; init; } = [];

    public EncounterDetails WithState(Encounter e) => this with { Status = e.Status, Version = e.Version };

    /// <summary>The details with the stream's current status and version, in one round trip; null when there is no such encounter.</summary>
    public static async Task<EncounterDetails?> Read(Marten.IQuerySession query, Guid encounterId, CancellationToken ct)
    {
        var batch = query.CreateBatchQuery();
        var details = batch.Load<EncounterDetails>(encounterId);
        var encounter = batch.Load<Encounter>(encounterId);
        await batch.Execute(ct);
        return await details is { } d && await encounter is { } e ? d.WithState(e) : null;
    }
}

public sealed partial class EncounterDetailsProjection : SingleStreamProjection<EncounterDetails, Guid>
{
    public static EncounterDetails Create(EncounterOpened e) =>
        new(e.EncounterId, EncounterStatus.New, e.PatientId, e.PatientName, e.Mrn, e.RenderingProviderId, e.RenderingProviderName,
            e.BillingProviderId, e.BillingProviderName, e.DateOfService, e.PlaceOfService, e.CoverageId, e.PayerName, e.VisitNotes,
            [], e.By, e.At, 1);

    public static EncounterDetails Apply(VisitNotesRevised e, EncounterDetails d) => d with { VisitNotes = e.VisitNotes };

    public static EncounterDetails Apply(EncounterCodesDocumented e, EncounterDetails d) => d with
    {
        DocumentedDiagnoses = [.. d.DocumentedDiagnoses, .. e.Diagnoses],
        DocumentedProcedures = [.. d.DocumentedProcedures, .. e.Procedures],
    };

    public static EncounterDetails Apply(DocumentAttached e, EncounterDetails d) =>
        d with { Documents = [.. d.Documents, new DocumentSummary(e.DocumentId, e.FileName, e.ContentType, e.Size, e.By, e.At)] };
}

/// <summary>One row of the encounter list (worklist, filters, CSV export): the intake view of <see cref="Coding.CodingQueueRow"/>.</summary>
public sealed record EncounterListRow(Guid Id, EncounterStatus Status, DateOnly DateOfService, string PlaceOfService,
    Guid PatientId, string PatientName, string Mrn, Guid RenderingProviderId, string RenderingProviderName,
    string BillingProviderName, string? PayerName, int Documents, DateTimeOffset OpenedAt)
{
    public static EncounterListRow From(Coding.CodingQueueRow r) =>
        new(r.Id, r.Status, r.DateOfService, r.PlaceOfService, r.PatientId, r.PatientName, r.Mrn, r.RenderingProviderId,
            r.RenderingProviderName, r.BillingProviderName, r.PayerName, r.Documents, r.OpenedAt);
}
