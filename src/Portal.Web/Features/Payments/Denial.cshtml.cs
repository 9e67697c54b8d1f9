using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Portal.Web.Features.Intake;

namespace Portal.Web.Features.Payments;

public class DenialModel(IQuerySession query, TimeProvider clock) : PaymentsPageModel
{
    public DenialWorkItem Item { get; private set; } = default!;
    public PaymentSettings Settings { get; private set; } = default!;

    async Task<bool> Load(Guid workItemId, CancellationToken ct)
    {
        if (await query.LoadAsync<DenialWorkItem>(workItemId, ct) is not { } item) return false;
        Item = item;
        Settings = await query.LoadAsync<PaymentSettings>(Practice.PracticeId, ct) ?? PaymentSettings.Default(Practice.PracticeId);
        return true;
    }

    public async Task<IActionResult> OnGetAsync(Guid workItemId, CancellationToken ct) => await Load(workItemId, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnGetDocumentAsync(Guid workItemId, Guid documentId, CancellationToken ct)
    {
        var doc = await query.LoadAsync<WorkItemDocument>(documentId, ct);
        if (doc is null || doc.WorkItemId != workItemId) return NotFound();
        PaymentEndpoints.Serve(Response, doc);
        return File(doc.Content, doc.ContentType == "text/plain" ? "text/plain; charset=utf-8" : doc.ContentType);
    }

    async Task<IActionResult> Act(Guid workItemId, Func<IDocumentSession, Task> write, string done, IDocumentSession session, CancellationToken ct)
    {
        if (!await Load(workItemId, ct)) return NotFound();
        if (await TryWrite(() => write(session))) Notice = done;
        await Load(workItemId, ct);
        return Page();
    }

    public Task<IActionResult> OnPostNoteAsync(Guid workItemId, string? note, [FromServices] IDocumentSession session, CancellationToken ct) =>
        Act(workItemId, s => FollowUpWrites.AddNote(s, workItemId, null, new AddWorkItemNote(note ?? ""), User.Actor(), clock, ct), "Note added.", session, ct);

    public Task<IActionResult> OnPostAppealAsync(Guid workItemId, string? argument, [FromServices] IDocumentSession session, CancellationToken ct) =>
        Act(workItemId, s => FollowUpWrites.Appeal(s, Practice.PracticeId, workItemId, null, new AppealDenial(argument, null), User.Actor(), clock, ct),
            "Appealed: the letter is ready below.", session, ct);

    public Task<IActionResult> OnPostResolveAsync(Guid workItemId, string? outcome, decimal recovered, [FromServices] IDocumentSession session, CancellationToken ct) =>
        Act(workItemId, s => FollowUpWrites.Resolve(s, workItemId, null, new ResolveDenial(outcome ?? "", recovered, null), User.Actor(), clock, ct),
            "Resolved.", session, ct);

    public Task<IActionResult> OnPostWriteOffAsync(Guid workItemId, decimal amount, string? reason, [FromServices] IDocumentSession session, CancellationToken ct) =>
        Act(workItemId, s => FollowUpWrites.WriteOff(s, Practice.PracticeId, workItemId, null, new WriteOffDenial(amount, reason ?? ""), User.Actor(), clock, ct),
            "Write-off recorded (or sent for approval when above the limit).", session, ct);

    public Task<IActionResult> OnPostApproveAsync(Guid workItemId, [FromServices] IDocumentSession session, CancellationToken ct) =>
        Act(workItemId, s => FollowUpWrites.ApproveWriteOff(s, workItemId, null, User.Actor(), clock, ct), "Write-off approved.", session, ct);

    public Task<IActionResult> OnPostAssignAsync(Guid workItemId, string? owner, [FromServices] IDocumentSession session, CancellationToken ct) =>
        Act(workItemId, s => FollowUpWrites.Assign(s, new AssignWorkItems([workItemId], owner), User.Actor(), clock, ct), "Owner changed.", session, ct);

    public Task<IActionResult> OnPostAttachAsync(Guid workItemId, IFormFile? file, [FromServices] IDocumentSession session,
        [FromServices] IOptions<DocumentOptions> options, CancellationToken ct) =>
        Act(workItemId, async s =>
        {
            if (file is null) throw new Platform.UnprocessableInput("Choose a file to attach.");
            await using var content = file.OpenReadStream();
            await FollowUpWrites.Attach(s, workItemId, file.FileName, content, options.Value.MaxBytes, User.Actor(), clock, ct);
        }, "Attached.", session, ct);
}
