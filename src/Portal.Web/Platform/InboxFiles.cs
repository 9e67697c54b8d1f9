namespace Portal.Web.Platform;

/// <summary>
/// The extension point for files found in a practice's inbox (SFTP in-folder or the embedded inbox folder), keyed by ST01. Claim
/// submission registers 999 and 277; the payments feature registers one for 835 (<c>services.AddSingleton&lt;IInboxFileHandler, …&gt;()</c>).
/// A file whose transaction set has no handler is left where it is, untouched. A handler returns Processed = true when the file
/// may be moved to <c>processed/</c>.
/// </summary>
public interface IInboxFileHandler
{
    /// <summary>ST01 of the files this handler takes: "835", "999", "277"…</summary>
    string TransactionSet { get; }

    Task<InboxFileResult> HandleAsync(InboxFile file, CancellationToken ct);
}

public sealed record InboxFile(Guid PracticeId, string Name, byte[] Content, string By);

public sealed record InboxFileResult(bool Processed, string Message, Guid? AcknowledgementId = null, bool Refused = false);
