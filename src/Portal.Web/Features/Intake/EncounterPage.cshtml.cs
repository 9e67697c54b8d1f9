using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

public sealed record VisitNotesPanel(EncounterDetails Encounter, bool CanWrite, string PostUrl, string? Error);

public class EncounterPageModel(IQuerySession query, IOptions<DocumentOptions> documents) : IntakePageModel
{
    public EncounterDetails Encounter { get; private set; } = default!;
    public IReadOnlyList<HistoryEntry> History { get; private set; } = [];
    public long MaxDocumentBytes => documents.Value.MaxBytes;
    public VisitNotesPanel Notes => new(Encounter, CanWrite, $"{Root}/encounters/{Encounter.Id}?handler=Notes",
        Error is null ? null : string.Join(" ", FieldErrors.Values.SelectMany(m => m).Prepend(Error)));

    public async Task<IActionResult> OnGetAsync(Guid encounterId, [FromServices] IDocumentSession session, CancellationToken ct)
    {
        if (!await Load(encounterId, ct)) return NotFound();
        await PhiAudit.Record(session, HttpContext, PhiAudit.View, nameof(Intake.Encounter), Encounter.Id, Encounter.PatientId, ct);
        return Page();
    }

    public async Task<IActionResult> OnGetDocumentAsync(Guid encounterId, Guid documentId, [FromServices] IDocumentSession session,
        CancellationToken ct)
    {
        var document = await session.LoadAsync<EncounterDocument>(documentId, ct);
        var encounter = await session.LoadAsync<Encounter>(encounterId, ct);
        if (document is null || encounter is null || document.EncounterId != encounterId
            || !await Coding.VendorVisibility.MaySeeEncounter(session, User, encounterId, ct)) return NotFound();
        await PhiAudit.Record(session, HttpContext, PhiAudit.Download, nameof(EncounterDocument), document.Id, encounter.PatientId, ct);
        DocumentTypes.ServeAsAttachment(Response, document);
        return File(document.Content, DocumentTypes.ServedType(document));
    }

    /// <summary>htmx: revise the notes against the version the user saw; answers the notes panel.</summary>
    public async Task<IActionResult> OnPostNotesAsync(Guid encounterId, long version, ReviseVisitNotes input,
        [FromServices] IDocumentSession session, [FromServices] TimeProvider clock, CancellationToken ct)
    {
        var found = true;
        await TryWrite(async () => found = await EncounterWrites.ReviseNotes(session, encounterId, version, input, User.Actor(), clock, ct) is not null);
        if (!found || !await Load(encounterId, ct)) return NotFound();
        Response.Headers.Vary = "HX-Request";
        return Partial("_VisitNotes", Notes);
    }

    public async Task<IActionResult> OnPostDocumentAsync(Guid encounterId, IFormFile? file, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct)
    {
        var found = true;
        if (file is null || file.Length == 0) Error = $"Choose {DocumentTypes.Accepted} to attach.";
        else
        {
            await using var content = file.OpenReadStream();
            if (await TryWrite(async () => found = await EncounterWrites.AttachDocument(session, encounterId, null, file.FileName, content,
                    MaxDocumentBytes, User.Actor(), clock, ct) is not null) && found)
                return Redirect($"{Root}/encounters/{encounterId}");
        }
        if (!found || !await Load(encounterId, ct)) return NotFound();
        return Page();
    }

    async Task<bool> Load(Guid encounterId, CancellationToken ct)
    {
        var encounter = await EncounterDetails.Read(query, encounterId, ct);
        if (encounter is null || !await Coding.VendorVisibility.MaySeeEncounter(query, User, encounterId, ct)) return false;
        Encounter = encounter;
        History = await IntakeQueries.History(query, encounterId, ct);
        return true;
    }
}
