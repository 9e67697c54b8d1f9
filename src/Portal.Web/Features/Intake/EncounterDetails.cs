using Marten.Events.Aggregation;

namespace Portal.Web.Features.Intake;

public sealed record DocumentSummary(Guid Id, string FileName, string ContentType, long Size, string UploadedBy, DateTimeOffset UploadedAt);

/// <summary>The encounter details screen and GET /encounters/{id}.</summary>
public sealed record EncounterDetails(Guid Id, EncounterStatus Status, Guid PatientId, string PatientName, string Mrn,
    Guid RenderingProviderId, string RenderingProviderName, Guid BillingProviderId, string BillingProviderName,
    DateOnly DateOfService, string PlaceOfService, Guid? CoverageId, string? PayerName, string? VisitNotes,
    DocumentSummary[] Documents, string OpenedBy, DateTimeOffset OpenedAt, long Version)
{
    public string PlaceOfServiceName => Identifiers.PlacesOfService.GetValueOrDefault(PlaceOfService, "");
}

public sealed partial class EncounterDetailsProjection : SingleStreamProjection<EncounterDetails, Guid>
{
    public static EncounterDetails Create(EncounterOpened e) =>
        new(e.EncounterId, EncounterStatus.New, e.PatientId, e.PatientName, e.Mrn, e.RenderingProviderId, e.RenderingProviderName,
            e.BillingProviderId, e.BillingProviderName, e.DateOfService, e.PlaceOfService, e.CoverageId, e.PayerName, e.VisitNotes,
            [], e.By, e.At, 1);

    public static EncounterDetails Apply(VisitNotesRevised e, EncounterDetails d) => d with { VisitNotes = e.VisitNotes };

    public static EncounterDetails Apply(DocumentAttached e, EncounterDetails d) =>
        d with { Documents = [.. d.Documents, new DocumentSummary(e.DocumentId, e.FileName, e.ContentType, e.Size, e.By, e.At)] };
}

/// <summary>One row of the encounter list (worklist, filters, CSV export).</summary>
public sealed record EncounterListRow(Guid Id, EncounterStatus Status, DateOnly DateOfService, string PlaceOfService,
    Guid PatientId, string PatientName, string Mrn, Guid RenderingProviderId, string RenderingProviderName,
    string BillingProviderName, string? PayerName, int Documents, DateTimeOffset OpenedAt);

public sealed partial class EncounterListRowProjection : SingleStreamProjection<EncounterListRow, Guid>
{
    public static EncounterListRow Create(EncounterOpened e) =>
        new(e.EncounterId, EncounterStatus.New, e.DateOfService, e.PlaceOfService, e.PatientId, e.PatientName, e.Mrn,
            e.RenderingProviderId, e.RenderingProviderName, e.BillingProviderName, e.PayerName, 0, e.At);

    public static EncounterListRow Apply(DocumentAttached _, EncounterListRow r) => r with { Documents = r.Documents + 1 };
}
