using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;

namespace Portal.Tests;

/// <summary>
/// A small real SMTP server on a free loopback port: Portal's MailKit client delivers to it over TCP, and it keeps
/// each message (parsed by MimeKit) for tests to assert on. Speaks EHLO/HELO, MAIL FROM, RCPT TO, DATA (with
/// dot-unstuffing), RSET, NOOP and QUIT; no TLS, no AUTH.
/// </summary>
public sealed partial class TestSmtpServer : IAsyncDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stop = new();
    readonly List<DeliveredMail> delivered = [];
    readonly SemaphoreSlim arrived = new(0);
    Task? accepting;

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public void Start()
    {
        listener.Start();
        accepting = Task.Run(AcceptLoop);
    }

    /// <summary>Forget everything delivered so far (the fixture does it before every test).</summary>
    public void Clear()
    {
        lock (delivered) delivered.Clear();
    }

    public IReadOnlyList<DeliveredMail> Messages
    {
        get { lock (delivered) return [.. delivered]; }
    }

    /// <summary>The newest message to <paramref name="email"/>, waiting up to 10 seconds for it (queued mails arrive after the answer).</summary>
    public async Task<DeliveredMail> WaitForMessageTo(string email, Func<DeliveredMail, bool>? where = null, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var found = Messages.LastOrDefault(m => m.To.Contains(email, StringComparer.OrdinalIgnoreCase) && (where?.Invoke(m) ?? true));
            if (found is not null) return found;
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"No mail to {email} arrived.");
            await arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            _ = Task.Run(() => Serve(client));
        }
    }

    async Task Serve(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        // Latin-1 maps bytes to chars one to one, so the DATA bytes reach MimeKit unchanged.
        var reader = new StreamReader(stream, Encoding.Latin1);
        var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 portal-test-smtp ready");
        string? from = null;
        var to = new List<string>();
        while (await reader.ReadLineAsync(stop.Token) is { } line)
        {
            var verb = (line.Length >= 4 ? line[..4] : line).ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                    await writer.WriteAsync("250-portal-test-smtp\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n");
                    break;
                case "HELO":
                    await writer.WriteLineAsync("250 portal-test-smtp");
                    break;
                case "MAIL":
                    from = Address().Match(line).Groups[1].Value;
                    to.Clear();
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "RCPT":
                    if (from is null) { await writer.WriteLineAsync("503 MAIL first"); break; }
                    to.Add(Address().Match(line).Groups[1].Value);
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "DATA":
                    if (to.Count == 0) { await writer.WriteLineAsync("503 RCPT first"); break; }
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync(stop.Token) is { } dataLine && dataLine != ".")
                        data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                    var message = await MimeMessage.LoadAsync(new MemoryStream(Encoding.Latin1.GetBytes(data.ToString())));
                    lock (delivered) delivered.Add(new DeliveredMail(from!, [.. to], message));
                    arrived.Release();
                    from = null;
                    to.Clear();
                    await writer.WriteLineAsync("250 OK queued");
                    break;
                case "RSET":
                    from = null;
                    to.Clear();
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "NOOP":
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 Bye");
                    return;
                default:
                    await writer.WriteLineAsync("502 Command not implemented");
                    break;
            }
        }
    }

    [GeneratedRegex("<([^>]*)>")]
    private static partial Regex Address();

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        if (accepting is not null) await accepting;
    }
}

/// <summary>One message as the SMTP server received it: envelope sender and recipients, and the parsed message.</summary>
public sealed partial record DeliveredMail(string From, IReadOnlyList<string> To, MimeMessage Message)
{
    public string Subject => Message.Subject ?? "";
    public string Text => Message.TextBody ?? "";
    public string Html => Message.HtmlBody ?? "";

    /// <summary>The first link in the text body to this path, e.g. "/account/accept-invitation".</summary>
    public Uri LinkTo(string path) =>
        Links().Matches(Text).Select(m => new Uri(m.Value)).FirstOrDefault(u => u.AbsolutePath == path)
        ?? throw new InvalidOperationException($"The mail '{Subject}' has no link to {path}:\n{Text}");

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex Links();
}
