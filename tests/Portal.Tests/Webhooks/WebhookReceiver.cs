using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.Webhooks;

/// <summary>One request the receiver got: when, the headers we check, and the raw body.</summary>
public sealed record ReceivedWebhook(DateTimeOffset At, string Signature, string Delivery, string Event, string Body, int AnsweredWith);

/// <summary>
/// A real HTTP receiver: Kestrel on a free loopback port, started by the test. <see cref="Plan"/> decides each answer in turn (a status
/// code, or <see cref="Hang"/> to answer only after Portal's timeout); when the plan runs out it answers 200 (recovered).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public const int Hang = -1;
    readonly WebApplication app;
    readonly ConcurrentQueue<int> plan = new();
    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();
    public TimeSpan Delay { get; set; }
    public string Url { get; }

    WebhookReceiver(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var answer = receiver!.plan.TryDequeue(out var next) ? next : 200;
            if (receiver.Delay > TimeSpan.Zero) await Task.Delay(receiver.Delay);
            // Recorded when read (a hung request counts as received), after the configured slowness.
            receiver.Received.Enqueue(new ReceivedWebhook(DateTimeOffset.UtcNow, http.Request.Headers["Portal-Signature"].ToString(),
                http.Request.Headers["Portal-Delivery"].ToString(), http.Request.Headers["Portal-Event"].ToString(), body, answer));
            if (answer == Hang) await Task.Delay(TimeSpan.FromSeconds(5));
            return Results.StatusCode(answer == Hang ? 200 : answer);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, address.TrimEnd('/') + "/hook");
        return receiver;
    }

    /// <summary>The next answers, in order: status codes or <see cref="Hang"/>.</summary>
    public WebhookReceiver Answers(params int[] answers)
    {
        foreach (var a in answers) plan.Enqueue(a);
        return this;
    }

    public async Task<ReceivedWebhook> WaitFor(Func<ReceivedWebhook, bool> match, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < until)
        {
            if (Received.FirstOrDefault(match) is { } found) return found;
            await Task.Delay(25);
        }
        throw new TimeoutException($"The receiver got no matching webhook ({Received.Count} received).");
    }

    /// <summary>Our own check of Portal-Signature, written from the documented scheme, not from Portal's code.</summary>
    public static bool SignatureIsValid(ReceivedWebhook hook, string secret, TimeSpan? tolerance = null)
    {
        var parts = hook.Signature.Split(',').Select(p => p.Split('=', 2)).ToList();
        var t = parts.Single(p => p[0] == "t")[1];
        if (Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(t)) > (tolerance ?? TimeSpan.FromMinutes(5)).TotalSeconds) return false;
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var expected = Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{t}.{hook.Body}"))).ToLowerInvariant();
        return parts.Where(p => p[0] == "v1").Any(p => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(p[1]), Encoding.ASCII.GetBytes(expected)));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
