using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Portal.Web.Features.Claims.Submission;

/// <summary>One batch: control numbers, the send log, the 999's verdict and each claim as it stands now, with rejection reasons.</summary>
public class BatchModel(IQuerySession query) : PageModel
{
    public BatchDetail Detail { get; private set; } = default!;
    public bool CanSend => User.Allows(Permissions.SubmissionSend, HttpContext.CurrentPractice());
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid batchId, CancellationToken ct) =>
        await Load(batchId, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid batchId, [FromServices] IDocumentSession session, [FromServices] SubmissionStorage storage,
        [FromServices] ClaimTransports transports, [FromServices] TimeProvider clock, CancellationToken ct)
    {
        if (await session.LoadAsync<ClaimBatchView>(batchId, ct) is null) return NotFound();
        try
        {
            var send = await BatchWrites.Send(session, transports, storage, HttpContext.RequiredPractice().PracticeId, batchId, resend: true,
                User.Actor(), clock, ct);
            if (send.Succeeded) Message = $"Sent again with the same control numbers: {send.Detail}.";
            else Error = "Could not send: " + send.Detail;
        }
        catch (Exception e) when (e is UnprocessableInput or RuleViolation) { Error = e.Message; }
        await Load(batchId, ct);
        return Page();
    }

    async Task<bool> Load(Guid batchId, CancellationToken ct)
    {
        if (await SubmissionReads.Batch(query, batchId, ct) is not { } detail) return false;
        Detail = detail;
        return true;
    }
}
