using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Portal.Web.Features.Claims.Submission;

public sealed record ReadyGroup(string PayerName, int Claims, decimal Charge);

/// <summary>The biller's submission desk: ready claims, batches, acknowledgements, and (for admins) the trading-partner settings.</summary>
public class IndexModel(IQuerySession query) : PageModel
{
    public TradingPartnerSettings? Settings { get; private set; }
    public bool HasBillingProfile { get; private set; }
    public IReadOnlyList<ReadyGroup> Ready { get; private set; } = [];
    public IReadOnlyList<ClaimBatchView> Batches { get; private set; } = [];
    public IReadOnlyList<Acknowledgement> Acknowledgements { get; private set; } = [];
    public bool CanSend => User.Allows(Permissions.SubmissionSend, HttpContext.CurrentPractice());
    public bool CanEditSettings => User.Allows(Permissions.SubmissionSettings, HttpContext.CurrentPractice());
    public string? Message { get; private set; }
    public string? Error { get; private set; }
    public IReadOnlyList<InboxCheck.FileOutcome> InboxFiles { get; private set; } = [];
    public Dictionary<string, string[]> SettingsErrors { get; private set; } = [];
    public UpdateTradingPartnerSettings? Draft { get; private set; }

    Guid PracticeId => HttpContext.RequiredPractice().PracticeId;

    public async Task OnGetAsync(CancellationToken ct) => await Load(ct);

    public async Task<IActionResult> OnGetFileAsync(Guid batchId, [FromServices] SubmissionStorage storage, CancellationToken ct)
    {
        var batch = await query.LoadAsync<ClaimBatchView>(batchId, ct);
        if (batch is null) return NotFound();
        var path = storage.BatchFile(PracticeId, batch.FileName);
        return System.IO.File.Exists(path) ? PhysicalFile(path, "application/edi-x12", batch.FileName) : NotFound();
    }

    public async Task<IActionResult> OnPostBatchAsync([FromServices] IDocumentStore store, [FromServices] SubmissionStorage storage,
        [FromServices] ClaimTransports transports, [FromServices] TimeProvider clock, CancellationToken ct)
    {
        try
        {
            var batches = await SubmissionWrites.CreateAndSend(store, storage, transports, PracticeId, new CreateBatches(), User.Actor(), clock, ct);
            Message = $"{batches.Count} batch{(batches.Count == 1 ? "" : "es")} created: " + string.Join(", ", batches.Select(b =>
                $"{b.InterchangeControlNumber} ({b.PayerName ?? "clearinghouse"}, {b.ClaimCount} claim{(b.ClaimCount == 1 ? "" : "s")}, {(b.State == BatchState.Sent ? "sent" : "not sent: see the batch")})"));
        }
        catch (UnprocessableInput e) { Error = e.Message; }
        await Load(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostResendAsync(Guid batchId, [FromServices] IDocumentSession session, [FromServices] SubmissionStorage storage,
        [FromServices] ClaimTransports transports, [FromServices] TimeProvider clock, CancellationToken ct)
    {
        if (await session.LoadAsync<ClaimBatchView>(batchId, ct) is not { } batch) return NotFound();
        try
        {
            var send = await BatchWrites.Send(session, transports, storage, PracticeId, batchId, resend: true, User.Actor(), clock, ct);
            if (send.Succeeded) Message = $"Batch {batch.InterchangeControlNumber} sent again (same control numbers): {send.Detail}.";
            else Error = $"Batch {batch.InterchangeControlNumber} could not be sent: {send.Detail}";
        }
        catch (Exception e) when (e is UnprocessableInput or RuleViolation) { Error = e.Message; }
        await Load(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostUploadAsync(IFormFile? file, [FromServices] IDocumentStore store, [FromServices] TimeProvider clock,
        CancellationToken ct)
    {
        if (file is null || file.Length == 0) Error = "Choose a 999 or 277CA file to upload.";
        else if (file.Length > AcknowledgementImport.MaxBytes) Error = "The file is larger than 50 MB.";
        else
        {
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, ct);
            try
            {
                var name = Path.GetFileName(file.FileName);
                var result = await BatchWrites.Retrying(store, PracticeId.ToString(), session =>
                    AcknowledgementImport.Import(session, PracticeId, buffer.ToArray(), name[..Math.Min(name.Length, 200)], "upload", User.Actor(), clock.GetUtcNow(), ct));
                Message = result.Message;
            }
            catch (UnprocessableInput e) { Error = "The file was refused and nothing was changed. " + e.Message; }
        }
        await Load(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostInboxAsync([FromServices] InboxCheck check, CancellationToken ct)
    {
        await Load(ct);
        if (Settings is null) Error = "Set up the trading partner first: there is no inbox to check.";
        else
        {
            try
            {
                InboxFiles = await check.RunAsync(PracticeId, Settings, User.Actor(), ct);
                Message = InboxFiles.Count == 0 ? "The inbox is empty." : $"{InboxFiles.Count(f => f.Outcome == "imported")} of {InboxFiles.Count} files imported.";
            }
            catch (TransportFailed e) { Error = "The inbox could not be read: " + e.Message; }
            await Load(ct);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostSettingsAsync(UpdateTradingPartnerSettings input, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, long? version, CancellationToken ct)
    {
        if (input.Transport != TransportKind.Sftp) input = input with { Sftp = null };
        var errors = input.Errors();
        if (errors.Count > 0)
        {
            SettingsErrors = errors;
            Draft = input;
            Error = "Check the trading-partner settings: " + string.Join(" ", errors.Values.SelectMany(v => v));
        }
        else
        {
            try
            {
                await SubmissionWrites.SaveSettings(session, PracticeId, version, input, User.Actor(), clock, ct);
                Message = "Trading-partner settings saved.";
            }
            catch (Exception e) when (e.IsStaleWrite())
            {
                Error = "Someone changed the settings since you opened the page. Your change was not saved; here are theirs.";
            }
        }
        await Load(ct);
        return Page();
    }

    async Task Load(CancellationToken ct)
    {
        Settings = await TradingPartnerSettings.For(query, PracticeId, ct);
        HasBillingProfile = await BillingProfile.For(query, PracticeId, ct) is not null;
        var ready = await query.Query<ClaimView>().Where(c => c.State == ClaimState.Ready).ToListAsync(ct);
        Ready = [.. ready.GroupBy(c => c.Coverage.PayerName).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ReadyGroup(g.Key, g.Count(), g.Sum(c => c.TotalCharge)))];
        Batches = await query.Query<ClaimBatchView>().OrderByDescending(b => b.Sequence).Take(50).ToListAsync(ct);
        Acknowledgements = await query.Query<Acknowledgement>().OrderByDescending(a => a.Sequence).Take(20).ToListAsync(ct);
    }

    public static string StateText(BatchState state) => state switch
    {
        BatchState.Created => "Created, not sent",
        BatchState.Sent => "Sent",
        BatchState.Accepted => "999 accepted",
        BatchState.AcceptedWithErrors => "999 accepted with errors",
        BatchState.PartiallyAccepted => "999 partially accepted",
        _ => "999 rejected",
    };
}
