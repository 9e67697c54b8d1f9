using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Marten;
using X12 = Portal.Billing.X12;

namespace Portal.Web.Features.Claims.Submission;

/// <summary>One file per payer (each payer's claims in their own interchange) or one file per run for the clearinghouse.</summary>
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum BatchGrouping { Payer, Clearinghouse }

/// <summary>How batches leave Portal: the embedded outbox folder (download, or a folder another program watches) or SFTP.</summary>
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum TransportKind { Outbox, Sftp }

/// <summary>
/// An SFTP account at the clearinghouse. CredentialName names a secret in configuration, never the secret itself:
/// <c>Portal:Submission:Credentials:{name}:Password</c>, <c>…:PrivateKeyPath</c> or <c>…:PrivateKey</c> (PEM/OpenSSH text),
/// optionally <c>…:Passphrase</c>. HostKeySha256: the server's host key fingerprint (base64 SHA-256, as <c>ssh-keygen -lf</c>
/// prints after "SHA256:"); when set, any other key is refused.
/// </summary>
public sealed record SftpAccount(string Host, int Port, string User, string CredentialName, string RemoteOutFolder, string RemoteInFolder,
    string? HostKeySha256 = null);

/// <summary>The whole trading-partner set-up, replaced at once (PUT).</summary>
public sealed record TradingPartnerSettingsChanged(Guid PracticeId, string SubmitterName, string SubmitterId, string SenderQualifier,
    string ContactName, string ContactPhone, string ReceiverName, string ReceiverId, string ReceiverQualifier, string Usage,
    string ClearinghouseName, BatchGrouping Grouping, TransportKind Transport, SftpAccount? Sftp, string By, DateTimeOffset At);

/// <summary>
/// Who the practice's 837P files come from and go to (ISA06/08, GS02/03, loops 1000A/B), test or production (ISA15), and how
/// they travel. A stream per practice (id from <see cref="SubmissionIds.Settings"/>), so every change is kept with who made it;
/// this is its inline snapshot. ETag = Version.
/// </summary>
public sealed class TradingPartnerSettings
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public Guid PracticeId { get; set; }
    public string SubmitterName { get; set; } = "";
    public string SubmitterId { get; set; } = "";
    public string SenderQualifier { get; set; } = "ZZ";
    public string ContactName { get; set; } = "";
    public string ContactPhone { get; set; } = "";
    public string ReceiverName { get; set; } = "";
    public string ReceiverId { get; set; } = "";
    public string ReceiverQualifier { get; set; } = "ZZ";
    /// <summary>ISA15: T test, P production.</summary>
    public string Usage { get; set; } = "T";
    public string ClearinghouseName { get; set; } = "";
    public BatchGrouping Grouping { get; set; }
    public TransportKind Transport { get; set; }
    public SftpAccount? Sftp { get; set; }
    public string UpdatedBy { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>False until an administrator saves the settings (the API then answers the defaults with version 0).</summary>
    public bool Configured => Version > 0;

    public void Apply(TradingPartnerSettingsChanged e)
    {
        PracticeId = e.PracticeId; SubmitterName = e.SubmitterName; SubmitterId = e.SubmitterId; SenderQualifier = e.SenderQualifier;
        ContactName = e.ContactName; ContactPhone = e.ContactPhone; ReceiverName = e.ReceiverName; ReceiverId = e.ReceiverId;
        ReceiverQualifier = e.ReceiverQualifier; Usage = e.Usage; ClearinghouseName = e.ClearinghouseName; Grouping = e.Grouping;
        Transport = e.Transport; Sftp = e.Sftp; UpdatedBy = e.By; UpdatedAt = e.At;
    }

    public X12.TradingPartners ToX12() => new(SubmitterName, SubmitterId, ContactName, ContactPhone, ReceiverName, ReceiverId)
    {
        SenderQualifier = SenderQualifier, ReceiverQualifier = ReceiverQualifier, Usage = Usage[0],
    };

    public static Task<TradingPartnerSettings?> For(IQuerySession session, Guid practiceId, CancellationToken ct) =>
        session.LoadAsync<TradingPartnerSettings>(SubmissionIds.Settings(practiceId), ct);
}

/// <summary>
/// Replace the trading-partner settings. Ids as the clearinghouse assigned them (ISA06/ISA08 take 15 characters; letters,
/// digits, and . - _ only). Usage T (test) until the clearinghouse moves the practice to production (P).
/// </summary>
public sealed partial record UpdateTradingPartnerSettings(string? SubmitterName, string? SubmitterId, string? ContactName, string? ContactPhone,
    string? ReceiverName, string? ReceiverId, string? ClearinghouseName, string? Usage = "T", string? SenderQualifier = "ZZ",
    string? ReceiverQualifier = "ZZ", BatchGrouping Grouping = BatchGrouping.Payer, TransportKind Transport = TransportKind.Outbox,
    SftpAccount? Sftp = null)
{
    static readonly string[] Qualifiers = ["01", "14", "20", "27", "28", "29", "30", "33", "ZZ"];

    /// <summary>Field errors in plain words (empty when the settings can be used).</summary>
    public Dictionary<string, string[]> Errors()
    {
        var errors = new Dictionary<string, string[]>();
        void Check(string field, bool ok, string message) { if (!ok) errors[field] = [message]; }
        Check("submitterName", Text(SubmitterName, 60), "Give the submitter's name (the practice or the billing company), up to 60 characters.");
        Check("submitterId", Id(SubmitterId), "Give the submitter id the clearinghouse assigned: 2 to 15 letters, digits, '.', '-' or '_'.");
        Check("contactName", Text(ContactName, 60), "Give a contact name for the clearinghouse (1000A PER), up to 60 characters.");
        Check("contactPhone", ContactPhone is { } phone && phone.Count(char.IsAsciiDigit) is >= 10 and <= 15 && phone.All(c => char.IsAsciiDigit(c) || " -+().".Contains(c)),
            "Give the contact's phone number with 10 to 15 digits.");
        Check("receiverName", Text(ReceiverName, 60), "Give the receiver's name (the clearinghouse), up to 60 characters.");
        Check("receiverId", Id(ReceiverId), "Give the receiver id of the clearinghouse: 2 to 15 letters, digits, '.', '-' or '_'.");
        Check("clearinghouseName", Text(ClearinghouseName, 60), "Name the clearinghouse, up to 60 characters.");
        Check("usage", Usage is "T" or "P", "Usage is T (test) or P (production).");
        Check("senderQualifier", Qualifiers.Contains(SenderQualifier), "The sender id qualifier is one of " + string.Join(", ", Qualifiers) + ".");
        Check("receiverQualifier", Qualifiers.Contains(ReceiverQualifier), "The receiver id qualifier is one of " + string.Join(", ", Qualifiers) + ".");
        if (Transport == TransportKind.Sftp)
        {
            if (Sftp is not { } s) errors["sftp"] = ["The SFTP transport needs its account: host, port, user, credential name and the two remote folders."];
            else
            {
                Check("sftp.host", s.Host is { Length: > 0 and <= 253 } h && HostName().IsMatch(h), "Give the SFTP server's host name or address.");
                Check("sftp.port", s.Port is > 0 and <= 65535, "The SFTP port is between 1 and 65535.");
                Check("sftp.user", s.User is { Length: > 0 and <= 64 } && !s.User.Any(char.IsControl), "Give the SFTP user name.");
                Check("sftp.credentialName", s.CredentialName is { } c && CredentialName().IsMatch(c),
                    "Name the credential in configuration (Portal:Submission:Credentials:<name>): 1 to 64 letters, digits, '.', '-' or '_'.");
                Check("sftp.remoteOutFolder", Folder(s.RemoteOutFolder), "Give the remote folder claims go to, e.g. /inbound (no '..').");
                Check("sftp.remoteInFolder", Folder(s.RemoteInFolder), "Give the remote folder acknowledgements come from, e.g. /outbound (no '..').");
                Check("sftp.hostKeySha256", s.HostKeySha256 is null || Fingerprint().IsMatch(s.HostKeySha256),
                    "The host key fingerprint is the base64 SHA-256 that ssh-keygen -lf prints after 'SHA256:'.");
            }
        }
        return errors;
    }

    public TradingPartnerSettingsChanged ToEvent(Guid practiceId, string by, DateTimeOffset at) => new(practiceId, SubmitterName!.Trim(),
        SubmitterId!.Trim(), SenderQualifier!, ContactName!.Trim(), ContactPhone!.Trim(), ReceiverName!.Trim(), ReceiverId!.Trim(), ReceiverQualifier!,
        Usage!, ClearinghouseName!.Trim(), Grouping, Transport,
        Transport == TransportKind.Sftp && Sftp is { } s ? s with { Host = s.Host.Trim(), HostKeySha256 = s.HostKeySha256?.TrimEnd('=') } : null, by, at);

    static bool Text(string? value, int max) => value is { } v && v.Trim().Length is > 0 && v.Trim().Length <= max && !v.Any(char.IsControl) && !v.Any(c => "*~:^|".Contains(c));
    static bool Id(string? value) => value is { } v && SenderId().IsMatch(v.Trim());
    static bool Folder(string? value) => value is { Length: > 0 and <= 200 } v && !v.Split('/').Contains("..") && !v.Any(char.IsControl);

    [GeneratedRegex("^[A-Za-z0-9._-]{2,15}$")] private static partial Regex SenderId();
    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")] private static partial Regex CredentialName();
    [GeneratedRegex("^[A-Za-z0-9.:-]+$")] private static partial Regex HostName();
    [GeneratedRegex("^[A-Za-z0-9+/]{43}=?$")] private static partial Regex Fingerprint();
}

/// <summary>Stream ids derived from the practice, so each practice has exactly one settings stream and one counter per sender.</summary>
public static class SubmissionIds
{
    public static Guid Settings(Guid practiceId) => Derived(practiceId, "trading-partner");

    /// <summary>The control-number counter of a practice and a sender (qualifier + id as in ISA05/ISA06).</summary>
    public static Guid Counter(Guid practiceId, string qualifier, string senderId) =>
        Derived(practiceId, $"control-numbers:{qualifier}:{senderId.ToUpperInvariant()}");

    static Guid Derived(Guid practiceId, string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{practiceId:N}:{name}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8 (custom)
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
