using Portal.Web.Platform;

namespace Portal.Web.Features.Payments;

/// <summary>835 files found in a practice's inbox (SFTP in-folder or the embedded inbox) go through the one 835 import.</summary>
public sealed class EraInboxHandler(EraImport import) : IInboxFileHandler
{
    public string TransactionSet => "835";

    public async Task<InboxFileResult> HandleAsync(InboxFile file, CancellationToken ct)
    {
        var result = await import.ImportAsync(file.PracticeId, file.Content, file.Name, EraImport.Inbox, file.By, ct);
        // A refused 835 is recorded on the payments page (with where it disagrees), so it leaves the inbox either way: polling it
        // again would only record the same refusal again.
        return new InboxFileResult(true, result.Message, result.RemittanceId, Refused: result.Outcome == EraOutcome.Refused);
    }
}
