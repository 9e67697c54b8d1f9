using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Platform;

namespace Portal.Web.Features.Payments;

/// <summary>The A/R follow-up queue: claims without an answer and timely-filing alarms; "mine" is the signed-in biller's queue.</summary>
public class FollowUpModel(IQuerySession query, TimeProvider clock) : PaymentsPageModel
{
    public IReadOnlyList<FollowUpRow> Rows { get; private set; } = [];
    public PaymentSettings Settings { get; private set; } = default!;
    [BindProperty(SupportsGet = true)] public string? Reason { get; set; }
    [BindProperty(SupportsGet = true)] public string? Owner { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        FollowUpReason? reason = Reason is { Length: > 0 } && Enum.TryParse<FollowUpReason>(Reason, true, out var r) ? r : null;
        Settings = await query.LoadAsync<PaymentSettings>(Practice.PracticeId, ct) ?? PaymentSettings.Default(Practice.PracticeId);
        Rows = await ArFollowUps.Queue(query, Practice.PracticeId, PaymentEndpoints.Today(clock), Owner == "me" ? User.Actor() : Owner, reason, ct);
    }

    public async Task<IActionResult> OnPostNoteAsync(Guid claimId, string? note, string? status, DateOnly? nextOn, [FromServices] IDocumentSession session,
        CancellationToken ct)
    {
        if (await TryWrite(async () =>
            {
                if (await ArFollowUps.AddNote(session, claimId, null, new AddFollowUpNote(note ?? "", status, nextOn), User.Actor(), clock, ct) is null)
                    throw new RuleViolation("No such claim in this practice.");
            })) Notice = "Note added.";
        await OnGetAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostTakeAsync(Guid claimId, [FromServices] IDocumentSession session, CancellationToken ct)
    {
        if (await TryWrite(async () =>
            {
                if (await ArFollowUps.Assign(session, new AssignFollowUps([claimId], User.Actor()), User.Actor(), clock, ct) is null)
                    throw new RuleViolation("No such claim in this practice.");
            })) Notice = "The claim is in your queue.";
        await OnGetAsync(ct);
        return Page();
    }
}
