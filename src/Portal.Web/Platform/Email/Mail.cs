using System.Net;
using System.Threading.Channels;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Portal.Web.Platform.Email;

/// <summary>
/// One mail to one person. Mails carry account business only (invitations, password resets): never patient data,
/// because mail leaves our control. <paramref name="Text"/> is the plain-words body; the HTML body is built from the
/// same paragraphs, HTML-encoded, with the one link as a button.
/// </summary>
public sealed record OutgoingMail(string To, string Subject, IReadOnlyList<string> Paragraphs, string? LinkText = null, string? Link = null)
{
    public string Text => string.Join("\n\n", Link is null ? Paragraphs : [.. Paragraphs, $"{LinkText}: {Link}"]) + "\n\n-- \nPortal\n";

    public string Html
    {
        get
        {
            var body = string.Concat(Paragraphs.Select(p => $"<p>{WebUtility.HtmlEncode(p)}</p>"));
            if (Link is not null)
                body += $"<p><a href=\"{WebUtility.HtmlEncode(Link)}\" style=\"display:inline-block;padding:10px 16px;background:#1f5fbf;color:#fff;text-decoration:none;border-radius:6px\">{WebUtility.HtmlEncode(LinkText)}</a></p>"
                    + $"<p style=\"color:#666;font-size:13px\">Or copy this address into your browser: {WebUtility.HtmlEncode(Link)}</p>";
            return $"<!DOCTYPE html><html><body style=\"font-family:sans-serif;font-size:15px;color:#222\">{body}<p style=\"color:#666\">Portal</p></body></html>";
        }
    }

    public MimeMessage ToMime(MailboxAddress from)
    {
        var message = new MimeMessage();
        message.From.Add(from);
        message.To.Add(MailboxAddress.Parse(To));
        message.Subject = Subject;
        message.Body = new BodyBuilder { TextBody = Text, HtmlBody = Html }.ToMessageBody();
        return message;
    }
}

/// <summary>Sends mail now; the caller learns whether it left.</summary>
public interface IMailSender
{
    Task SendAsync(OutgoingMail mail, CancellationToken ct = default);
}

/// <summary>Portal:Smtp:* settings. No host outside Production: mail goes to a local folder instead (see <see cref="FolderMailSender"/>).</summary>
public sealed record SmtpSettings(string? Host, int Port, string? User, string? Password, string From, bool UseTls, string Folder)
{
    public const string DefaultFrom = "Portal <no-reply@portal.localhost>";

    public static SmtpSettings Read(IConfiguration config, IHostEnvironment env)
    {
        var section = config.GetSection("Portal:Smtp");
        var host = section["Host"];
        if (string.IsNullOrWhiteSpace(host)) host = null;
        var useTls = section.GetValue("UseTls", host is not null && env.IsProduction());
        var from = section["From"];
        if (env.IsProduction() && (host is null || string.IsNullOrWhiteSpace(from)))
            throw new InvalidOperationException(
                "Set Portal:Smtp:Host and Portal:Smtp:From (and Port, User, Password, UseTls as your mail server needs) in production: "
                + "Portal sends invitations and password resets by e-mail.");
        if (env.IsProduction() && string.IsNullOrWhiteSpace(config["Portal:PublicUrl"]))
            throw new InvalidOperationException(
                "Set Portal:PublicUrl (for example https://portal.example.com) in production: links in mails point there.");
        return new SmtpSettings(host, section.GetValue("Port", useTls ? 465 : 25), section["User"], section["Password"],
            string.IsNullOrWhiteSpace(from) ? DefaultFrom : from, useTls, section["Folder"] is { Length: > 0 } folder ? folder : DefaultFolder());
    }

    // <checkout>/.data/mail when running from a checkout (git-ignored), else a temp folder.
    static string DefaultFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
                return Path.Combine(dir.FullName, ".data", "mail");
        return Path.Combine(Path.GetTempPath(), "portal-mail");
    }
}

sealed class SmtpMailSender(SmtpSettings settings) : IMailSender
{
    public async Task SendAsync(OutgoingMail mail, CancellationToken ct = default)
    {
        using var client = new SmtpClient();
        // Port 465 speaks TLS from the first byte; other ports upgrade with STARTTLS when UseTls is on.
        var security = !settings.UseTls ? SecureSocketOptions.None
            : settings.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
        await client.ConnectAsync(settings.Host!, settings.Port, security, ct);
        if (!string.IsNullOrEmpty(settings.User)) await client.AuthenticateAsync(settings.User, settings.Password ?? "", ct);
        await client.SendAsync(mail.ToMime(MailboxAddress.Parse(settings.From)), ct);
        await client.DisconnectAsync(true, ct);
    }
}

/// <summary>
/// The embedded default outside Production: each mail becomes an .eml file in Portal:Smtp:Folder (default
/// &lt;checkout&gt;/.data/mail), which the Development mailbox page (/dev/mailbox) lists and any mail client opens.
/// </summary>
public sealed class FolderMailSender(SmtpSettings settings, TimeProvider clock) : IMailSender
{
    public string Folder => settings.Folder;

    public async Task SendAsync(OutgoingMail mail, CancellationToken ct = default)
    {
        Directory.CreateDirectory(settings.Folder);
        var message = mail.ToMime(MailboxAddress.Parse(settings.From));
        message.Date = clock.GetUtcNow();
        var path = Path.Combine(settings.Folder, $"{clock.GetUtcNow():yyyyMMddTHHmmssfff}-{Guid.NewGuid():N}.eml");
        await message.WriteToAsync(path, ct);
    }

    /// <summary>The newest mails first.</summary>
    public async Task<IReadOnlyList<(string File, MimeMessage Message)>> Read(int limit, CancellationToken ct)
    {
        if (!Directory.Exists(settings.Folder)) return [];
        var result = new List<(string, MimeMessage)>();
        foreach (var file in Directory.GetFiles(settings.Folder, "*.eml").OrderDescending().Take(limit))
            result.Add((Path.GetFileName(file), await MimeMessage.LoadAsync(file, ct)));
        return result;
    }
}

/// <summary>
/// Mails sent after the answer: the forgot-password page answers at once whether or not the address has an account,
/// so its timing does not tell either. A lost mail (crash before sending) is re-requested by the user.
/// </summary>
public sealed class MailQueue
{
    readonly Channel<OutgoingMail> channel = Channel.CreateBounded<OutgoingMail>(new BoundedChannelOptions(1000)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    public void Enqueue(OutgoingMail mail) => channel.Writer.TryWrite(mail);

    internal ChannelReader<OutgoingMail> Reader => channel.Reader;
}

sealed class MailQueueWorker(MailQueue queue, IMailSender sender, ILogger<MailQueueWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var mail in queue.Reader.ReadAllAsync(stoppingToken))
        {
            try { await sender.SendAsync(mail, stoppingToken); }
            // Addresses and subjects stay out of the log; the mail server's own log has them.
            catch (Exception e) when (e is not OperationCanceledException) { log.LogError(e, "A queued mail could not be sent."); }
        }
    }
}

public static class MailSetup
{
    public static void AddPortalMail(this WebApplicationBuilder builder)
    {
        var settings = SmtpSettings.Read(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(settings);
        if (settings.Host is not null) builder.Services.AddSingleton<IMailSender, SmtpMailSender>();
        else
        {
            builder.Services.AddSingleton<FolderMailSender>();
            builder.Services.AddSingleton<IMailSender>(s => s.GetRequiredService<FolderMailSender>());
        }
        builder.Services.AddSingleton<MailQueue>();
        builder.Services.AddHostedService<MailQueueWorker>();
        builder.Services.AddSingleton<PortalLinks>();
    }
}

/// <summary>
/// Absolute links for mails. Portal:PublicUrl when set (required in Production, so a forged Host header can never
/// point a reset link at someone else's server); otherwise the request's own address, as in development and tests;
/// without a request (the demo seeder), the first address the app listens on.
/// </summary>
public sealed class PortalLinks(IConfiguration config)
{
    public string Absolute(HttpRequest? request, string pathAndQuery)
    {
        var root = config["Portal:PublicUrl"] is { Length: > 0 } configured ? configured
            : request is not null ? $"{request.Scheme}://{request.Host}{request.PathBase}"
            : ListeningAddress();
        return root.TrimEnd('/') + pathAndQuery;
    }

    string ListeningAddress()
    {
        var first = config["urls"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return first is null ? "http://localhost:5080" : first.Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://0.0.0.0", "://localhost");
    }
}
