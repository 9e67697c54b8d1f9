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
    /// <summary>The write model: whether intake holds the encounter, and why.</summary>
    public Encounter? State { get; private set; }
    public string? Notice { get; private set; }
    public bool CanSend => Encounter.Status == EncounterStatus.New && User.Allows(Permissions.CodingSend, HttpContext.CurrentPractice());
    public bool CanHold => State is { HeldByIntake: false } && Encounter.Status is EncounterStatus.New or EncounterStatus.Queued
        && User.Allows(Permissions.EncounterHold, HttpContext.CurrentPractice());
    public bool CanRelease => State is { HeldByIntake: true } && User.Allows(Permissions.EncounterHold, HttpContext.CurrentPractice());
    public bool CanRevise => CanWrite && (Encounter.Status is EncounterStatus.New or EncounterStatus.Queued || State?.HeldByIntake == true);
    public long MaxDocumentBytes => documents.Value.MaxBytes;
    public VisitNotesPanel Notes => new(Encounter, CanWrite, $"{Root}/encounters/{Encounter.Id}?handler=Notes",
        Error is null ? null : string.Join(" ", FieldErrors.Values.SelectMany(m => m).Prepend(Error)));

    public async Task<IActionResult> OnGetAsync(Guid encounterId, [FromServices] IDocumentSession session, CancellationToken ct)
    {
        if (!await Load(encounterId, ct)) return NotFound();
        Notice = Request.Query["done"].ToString() switch
        {
            "sent" => "Sent to coding: it waits in the queue for the next coder.",
            "held" => "Put on hold. It stays out of the coding queue until you release it.",
            "released" => "Released from hold.",
            "revised" => "Saved. The correction and its reason are in the history below.",
            _ => null,
        };
        await PhiAudit.Record(session, HttpContext, PhiAudit.View, nameof(Intake.Encounter), Encounter.Id, Encounter.PatientId, ct);
        return Page();
    }

    /// <summary>Send a registered encounter to coding (priority 0–9), then show where it stands (POST-redirect-GET).</summary>
    public Task<IActionResult> OnPostSendAsync(Guid encounterId, int priority, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct) =>
        Act(encounterId, "sent", async () => await Coding.CodingWrites.Queue(session, encounterId, null, new Coding.SendToCoding(Math.Clamp(priority, 0, 9)),
            HttpContext.RequiredPractice().PracticeId, User.Actor(), clock, ct) is not null, ct);

    public Task<IActionResult> OnPostHoldAsync(Guid encounterId, string? reason, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct) =>
        Act(encounterId, "held", async () => await EncounterWork.Hold(session, encounterId, null, new HoldEncounter(Required(reason, "reason", "Say why it is on hold.")),
            User.Actor(), clock, ct) is not null, ct);

    public Task<IActionResult> OnPostReleaseAsync(Guid encounterId, string? reason, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct) =>
        Act(encounterId, "released", async () => await EncounterWork.Release(session, encounterId, null, new ReleaseEncounterHold(reason), User.Actor(), clock, ct) is not null, ct);

    public Task<IActionResult> OnPostReviseAsync(Guid encounterId, long version, DateOnly? dateOfService, string? placeOfService, string? reason,
        [FromServices] IDocumentSession session, [FromServices] TimeProvider clock, CancellationToken ct) =>
        Act(encounterId, "revised", async () => await EncounterWork.Revise(session, encounterId, version,
            new ReviseEncounter(dateOfService ?? throw Missing("dateOfService", "Enter the date of service."), placeOfService?.Trim() ?? "",
                Required(reason, "reason", "Say why you correct it.")), User.Actor(), clock, ct) is not null, ct);

    static UnprocessableInput Missing(string field, string message) =>
        new("Some fields need attention.", new Dictionary<string, string[]> { [field] = [message] });

    static string Required(string? value, string field, string message) =>
        value?.Trim() is { Length: >= 3 } v ? v : throw Missing(field, message + " (at least 3 characters)");

    async Task<IActionResult> Act(Guid encounterId, string done, Func<Task<bool>> write, CancellationToken ct)
    {
        var found = true;
        if (await TryWrite(async () => found = await write()) && found)
            return Redirect($"{Root}/encounters/{encounterId}?done={done}");
        if (!found || !await Load(encounterId, ct)) return NotFound();
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
        State = await query.LoadAsync<Encounter>(encounterId, ct);
        History = await IntakeQueries.History(query, encounterId, ct);
        return true;
    }
}
