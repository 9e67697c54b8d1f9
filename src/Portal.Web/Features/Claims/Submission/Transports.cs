using Renci.SshNet;
using Renci.SshNet.Common;

namespace Portal.Web.Features.Claims.Submission;

/// <summary>
/// Where submission files live on this machine: <c>Portal:Submission:Directory</c> (default &lt;checkout&gt;/.data/submission when
/// running from a checkout, else &lt;temp&gt;/portal-submission). Per practice: <c>batches/</c> (every 837P as written, kept for
/// download and re-sending), <c>outbox/</c> and <c>inbox/</c> (the embedded transport), <c>inbox/processed/</c>. Several web nodes
/// must share this folder (a network volume).
/// </summary>
public sealed class SubmissionStorage(string root)
{
    public string Root { get; } = root;

    public static SubmissionStorage From(IConfiguration config) =>
        new(config["Portal:Submission:Directory"] is { Length: > 0 } dir ? Path.GetFullPath(dir) : DefaultRoot());

    public string Practice(Guid practiceId, string part)
    {
        var dir = Path.Combine(Root, practiceId.ToString("N"), part);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public string BatchFile(Guid practiceId, string fileName) => Path.Combine(Practice(practiceId, "batches"), SafeName(fileName));
    public string Outbox(Guid practiceId) => Practice(practiceId, "outbox");
    public string Inbox(Guid practiceId) => Practice(practiceId, "inbox");

    /// <summary>A file name from elsewhere (an SFTP listing, an upload) as a plain name: no folders, no dot-dot.</summary>
    public static string SafeName(string name)
    {
        var file = Path.GetFileName(name.Replace('\\', '/'));
        if (file.Length == 0 || file is "." or ".." || file.Any(c => char.IsControl(c) || c == '/'))
            throw new ArgumentException($"'{name}' is not a plain file name.");
        return file;
    }

    static string DefaultRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
                return Path.Combine(dir.FullName, ".data", "submission");
        return Path.Combine(Path.GetTempPath(), "portal-submission");
    }
}

/// <summary>A file waiting in a practice's inbox (the outbox folder's sibling, or the SFTP remote in-folder).</summary>
public sealed record InboxEntry(string Name, long Size);

/// <summary>
/// How batches travel to the clearinghouse and acknowledgements come back. One implementation per <see cref="TransportKind"/>,
/// registered in DI; <see cref="ClaimTransports.For"/> picks the practice's. A new transport (AS2, a clearinghouse's REST API)
/// is a new kind plus one class.
/// </summary>
public interface IClaimTransport
{
    TransportKind Kind { get; }

    /// <summary>Delivers the batch file; returns where it went, in words for the send log. Throws on failure.</summary>
    Task<string> SendAsync(Guid practiceId, TradingPartnerSettings settings, string localPath, string fileName, CancellationToken ct);

    Task<IReadOnlyList<InboxEntry>> ListInboxAsync(Guid practiceId, TradingPartnerSettings settings, CancellationToken ct);

    Task<byte[]> ReadAsync(Guid practiceId, TradingPartnerSettings settings, InboxEntry entry, CancellationToken ct);

    /// <summary>Moves an imported file to <c>processed/</c> beside the inbox so the next check does not fetch it again.</summary>
    Task MarkProcessedAsync(Guid practiceId, TradingPartnerSettings settings, InboxEntry entry, CancellationToken ct);
}

public sealed class ClaimTransports(IEnumerable<IClaimTransport> transports)
{
    public IClaimTransport For(TradingPartnerSettings settings) =>
        transports.FirstOrDefault(t => t.Kind == settings.Transport)
        ?? throw new InvalidOperationException($"No transport is registered for {settings.Transport}.");
}

/// <summary>
/// The embedded default: a copy of the batch in the practice's outbox folder (for a program that watches it, or for download from
/// the portal and the API), and acknowledgements dropped into the practice's inbox folder.
/// </summary>
public sealed class OutboxTransport(SubmissionStorage storage) : IClaimTransport
{
    public TransportKind Kind => TransportKind.Outbox;

    public Task<string> SendAsync(Guid practiceId, TradingPartnerSettings settings, string localPath, string fileName, CancellationToken ct)
    {
        var target = Path.Combine(storage.Outbox(practiceId), SubmissionStorage.SafeName(fileName));
        var part = target + ".part";
        File.Copy(localPath, part, overwrite: true);
        File.Move(part, target, overwrite: true);
        return Task.FromResult($"outbox folder ({fileName})");
    }

    public Task<IReadOnlyList<InboxEntry>> ListInboxAsync(Guid practiceId, TradingPartnerSettings settings, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<InboxEntry>>([.. new DirectoryInfo(storage.Inbox(practiceId)).EnumerateFiles()
            .Where(f => !f.Name.EndsWith(".part", StringComparison.Ordinal)).OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => new InboxEntry(f.Name, f.Length))]);

    public Task<byte[]> ReadAsync(Guid practiceId, TradingPartnerSettings settings, InboxEntry entry, CancellationToken ct) =>
        File.ReadAllBytesAsync(Path.Combine(storage.Inbox(practiceId), SubmissionStorage.SafeName(entry.Name)), ct);

    public Task MarkProcessedAsync(Guid practiceId, TradingPartnerSettings settings, InboxEntry entry, CancellationToken ct)
    {
        var inbox = storage.Inbox(practiceId);
        var done = Directory.CreateDirectory(Path.Combine(inbox, "processed")).FullName;
        var name = SubmissionStorage.SafeName(entry.Name);
        File.Move(Path.Combine(inbox, name), Path.Combine(done, name), overwrite: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// SFTP to the clearinghouse with SSH.NET: uploads to the remote out-folder under a temporary name, then renames, so the
/// clearinghouse never picks up half a file; reads the remote in-folder and moves what was imported to <c>processed/</c> there.
/// Secrets come from configuration by the settings' credential name; the host key is checked when the settings pin it.
/// </summary>
public sealed class SftpTransport(IConfiguration config) : IClaimTransport
{
    public TransportKind Kind => TransportKind.Sftp;

    public Task<string> SendAsync(Guid practiceId, TradingPartnerSettings settings, string localPath, string fileName, CancellationToken ct) =>
        Run(settings, client =>
        {
            var account = settings.Sftp!;
            var name = SubmissionStorage.SafeName(fileName);
            var target = Join(account.RemoteOutFolder, name);
            using (var file = File.OpenRead(localPath)) client.UploadFile(file, target + ".part", canOverride: true);
            if (client.Exists(target)) client.DeleteFile(target);
            client.RenameFile(target + ".part", target);
            return $"sftp://{account.Host}:{account.Port}{target}";
        }, ct);

    public Task<IReadOnlyList<InboxEntry>> ListInboxAsync(Guid practiceId, TradingPartnerSettings settings, CancellationToken ct) =>
        Run<IReadOnlyList<InboxEntry>>(settings, client =>
            [.. client.ListDirectory(settings.Sftp!.RemoteInFolder).Where(f => f.IsRegularFile && !f.Name.EndsWith(".part", StringComparison.Ordinal))
                .OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => new InboxEntry(f.Name, f.Length))], ct);

    public Task<byte[]> ReadAsync(Guid practiceId, TradingPartnerSettings settings, InboxEntry entry, CancellationToken ct) =>
        Run(settings, client =>
        {
            using var buffer = new MemoryStream();
            client.DownloadFile(Join(settings.Sftp!.RemoteInFolder, SubmissionStorage.SafeName(entry.Name)), buffer);
            return buffer.ToArray();
        }, ct);

    public Task MarkProcessedAsync(Guid practiceId, TradingPartnerSettings settings, InboxEntry entry, CancellationToken ct) =>
        Run(settings, client =>
        {
            var folder = settings.Sftp!.RemoteInFolder;
            var done = Join(folder, "processed");
            if (!client.Exists(done)) client.CreateDirectory(done);
            var name = SubmissionStorage.SafeName(entry.Name);
            if (client.Exists(Join(done, name))) client.DeleteFile(Join(done, name));
            client.RenameFile(Join(folder, name), Join(done, name));
            return true;
        }, ct);

    static string Join(string folder, string name) => folder.TrimEnd('/') + "/" + name;

    Task<T> Run<T>(TradingPartnerSettings settings, Func<SftpClient, T> work, CancellationToken ct) => Task.Run(() =>
    {
        var account = settings.Sftp ?? throw new TransportFailed("The SFTP transport has no account in the trading-partner settings.");
        using var client = new SftpClient(Connection(account));
        client.HostKeyReceived += (_, e) =>
            e.CanTrust = account.HostKeySha256 is not { } pinned || string.Equals(e.FingerPrintSHA256.TrimEnd('='), pinned.TrimEnd('='), StringComparison.Ordinal);
        try
        {
            client.Connect();
            return work(client);
        }
        catch (SshConnectionException e) when (e.Message.Contains("host key", StringComparison.OrdinalIgnoreCase))
        {
            throw new TransportFailed($"The SFTP server {account.Host}:{account.Port} did not show the host key the settings pin.");
        }
        catch (SshAuthenticationException)
        {
            throw new TransportFailed($"The SFTP server {account.Host}:{account.Port} refused the credential '{account.CredentialName}' for user {account.User}.");
        }
        catch (SftpPathNotFoundException e)
        {
            throw new TransportFailed($"A folder on the SFTP server {account.Host}:{account.Port} does not exist: {e.Message}");
        }
        catch (Exception e) when (e is SshException or System.Net.Sockets.SocketException or IOException or TimeoutException)
        {
            throw new TransportFailed($"The SFTP server {account.Host}:{account.Port} could not be reached or failed: {e.Message}");
        }
        finally
        {
            if (client.IsConnected) client.Disconnect();
        }
    }, ct);

    Renci.SshNet.ConnectionInfo Connection(SftpAccount account)
    {
        var secret = config.GetSection($"Portal:Submission:Credentials:{account.CredentialName}");
        AuthenticationMethod method;
        if (secret["PrivateKeyPath"] is { Length: > 0 } path)
            method = new PrivateKeyAuthenticationMethod(account.User, Key(File.ReadAllBytes(path), secret["Passphrase"]));
        else if (secret["PrivateKey"] is { Length: > 0 } pem)
            method = new PrivateKeyAuthenticationMethod(account.User, Key(System.Text.Encoding.UTF8.GetBytes(pem), secret["Passphrase"]));
        else if (secret["Password"] is { } password)
            method = new PasswordAuthenticationMethod(account.User, password);
        else
            throw new TransportFailed($"No credential named '{account.CredentialName}' is configured (Portal:Submission:Credentials:{account.CredentialName}).");
        return new Renci.SshNet.ConnectionInfo(account.Host, account.Port, account.User, method) { Timeout = TimeSpan.FromSeconds(20) };
    }

    static PrivateKeyFile Key(byte[] bytes, string? passphrase) =>
        passphrase is { Length: > 0 } ? new PrivateKeyFile(new MemoryStream(bytes), passphrase) : new PrivateKeyFile(new MemoryStream(bytes));
}

/// <summary>The transport could not deliver or fetch; the message is for the send log and the biller.</summary>
public sealed class TransportFailed(string message) : Exception(message);
