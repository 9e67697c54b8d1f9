using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Portal.Web.Features.PatientBalances;

namespace Portal.Tests;

/// <summary>
/// A local stand-in for the Stripe API (Kestrel on a free port), so tests run offline: the endpoints Portal calls answer with
/// bodies in Stripe's documented shapes (checkout.session, payment_intent, refund, customer, subscription, invoice, meter event),
/// and its checkout page is a small HTML page whose button "pays" and delivers the webhooks to Portal, signed with the webhook
/// secret exactly as Stripe signs them. Portal reaches it through Portal:Stripe:ApiBase.
/// </summary>
public sealed class FakeStripe : IAsyncDisposable
{
    public const string WebhookSecret = "whsec_portal_test_secret";
    public const string SecretKey = "sk_test_portal_fake";
    WebApplication? app;
    int counter;

    public string ApiBase { get; private set; } = "";
    /// <summary>Where webhooks go (Portal's /webhooks/stripe), set once Portal listens.</summary>
    public Uri? PortalBase { get; set; }
    /// <summary>Refunds made through the API also deliver charge.refunded (as Stripe does); turn off to test ordering.</summary>
    public bool DeliverRefundWebhooks { get; set; } = true;

    public ConcurrentDictionary<string, JsonObject> Sessions { get; } = new();
    public ConcurrentDictionary<string, JsonObject> Refunds { get; } = new();
    public ConcurrentDictionary<string, JsonObject> Customers { get; } = new();
    public ConcurrentDictionary<string, JsonObject> Subscriptions { get; } = new();
    public ConcurrentDictionary<string, JsonObject> MeterEvents { get; } = new();
    public ConcurrentBag<(string Path, string? Account, string? IdempotencyKey)> Requests { get; } = new();
    readonly ConcurrentDictionary<string, string> idempotent = new();

    public void Clear()
    {
        Sessions.Clear(); Refunds.Clear(); Customers.Clear(); Subscriptions.Clear(); MeterEvents.Clear(); Requests.Clear(); idempotent.Clear();
        DeliverRefundWebhooks = true;
    }

    public void Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.MapPost("/v1/checkout/sessions", (Delegate)CreateSession);
        app.MapGet("/v1/checkout/sessions/{id}", (string id) => Sessions.TryGetValue(id, out var s) ? Json(s) : NotFound("checkout.session", id));
        app.MapGet("/checkout/{id}", CheckoutPage);
        app.MapPost("/checkout/{id}/pay", Pay);
        app.MapPost("/v1/refunds", (Delegate)CreateRefund);
        app.MapPost("/v1/customers", (Delegate)CreateCustomer);
        app.MapPost("/v1/subscriptions", (Delegate)CreateSubscription);
        app.MapPost("/v1/billing/meter_events", (Delegate)CreateMeterEvent);
        app.MapGet("/v1/invoices", (Delegate)ListInvoices);
        app.StartAsync().GetAwaiter().GetResult();
        ApiBase = app.Urls.First();
    }

    string Next(string prefix) => $"{prefix}_test_{Interlocked.Increment(ref counter):D6}{Guid.NewGuid():N}"[..(prefix.Length + 30)];

    static IResult Json(JsonNode node) => Results.Text(node.ToJsonString(), "application/json");

    static IResult NotFound(string type, string id) => Results.Text(
        new JsonObject { ["error"] = new JsonObject { ["type"] = "invalid_request_error", ["code"] = "resource_missing", ["message"] = $"No such {type}: '{id}'" } }
            .ToJsonString(), "application/json", statusCode: 404);

    static JsonObject Metadata(IFormCollection form, string prefix)
    {
        var m = new JsonObject();
        foreach (var key in form.Keys.Where(k => k.StartsWith(prefix + "[", StringComparison.Ordinal)))
            m[key[(prefix.Length + 1)..^1]] = form[key].ToString();
        return m;
    }

    async Task<IResult?> Replay(HttpContext http, string path)
    {
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        Requests.Add((path, http.Request.Headers["Stripe-Account"].FirstOrDefault(), key.Length == 0 ? null : key));
        await Task.CompletedTask;
        return key.Length > 0 && idempotent.TryGetValue(key, out var body) ? Results.Text(body, "application/json") : null;
    }

    IResult Remember(HttpContext http, JsonObject body)
    {
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        var text = body.ToJsonString();
        if (key.Length > 0) idempotent[key] = text;
        return Results.Text(text, "application/json");
    }

    async Task<IResult> CreateSession(HttpContext http)
    {
        if (await Replay(http, "/v1/checkout/sessions") is { } replay) return replay;
        var form = await http.Request.ReadFormAsync();
        var id = Next("cs");
        var amount = long.Parse(form["line_items[0][price_data][unit_amount]"].ToString()) * long.Parse(form["line_items[0][quantity]"].FirstOrDefault() ?? "1");
        var session = new JsonObject
        {
            ["id"] = id, ["object"] = "checkout.session", ["mode"] = form["mode"].ToString(), ["status"] = "open", ["payment_status"] = "unpaid",
            ["amount_total"] = amount, ["amount_subtotal"] = amount, ["currency"] = form["line_items[0][price_data][currency]"].ToString(),
            ["url"] = $"{ApiBase}/checkout/{id}", ["success_url"] = form["success_url"].ToString(), ["cancel_url"] = form["cancel_url"].ToString(),
            ["metadata"] = Metadata(form, "metadata"), ["payment_intent"] = null, ["livemode"] = false,
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["x_account"] = http.Request.Headers["Stripe-Account"].FirstOrDefault(),
            ["x_pi_metadata"] = Metadata(form, "payment_intent_data[metadata]"),
        };
        Sessions[id] = session;
        return Remember(http, Public(session));
    }

    static JsonObject Public(JsonObject o)
    {
        var copy = (JsonObject)o.DeepClone();
        foreach (var k in copy.Select(p => p.Key).Where(k => k.StartsWith("x_")).ToList()) copy.Remove(k);
        return copy;
    }

    IResult CheckoutPage(string id) => Sessions.TryGetValue(id, out var s)
        ? Results.Content($"""
            <!DOCTYPE html><html lang="en"><head><title>Fake Stripe Checkout</title></head><body><main>
            <h1>Fake Stripe Checkout</h1><p>Amount: <span id="amount">{(long)s["amount_total"]! / 100m:0.00}</span> USD</p>
            <form method="post" action="/checkout/{id}/pay"><label for="card">Card number</label><input id="card" name="card" value="4242424242424242">
            <button type="submit">Pay</button></form></main></body></html>
            """, "text/html")
        : Results.NotFound();

    /// <summary>The patient pays: the session completes, a PaymentIntent succeeds, and both events go to Portal (as Stripe sends them).</summary>
    async Task<IResult> Pay(string id)
    {
        if (!Sessions.TryGetValue(id, out var s)) return Results.NotFound();
        var (completed, succeeded) = Complete(id);
        await Deliver(completed);
        await Deliver(succeeded);
        return Results.Redirect(s["success_url"]!.ToString());
    }

    /// <summary>Marks the session paid and returns its two events (checkout.session.completed, payment_intent.succeeded), not yet sent.</summary>
    public (string Completed, string Succeeded) Complete(string sessionId)
    {
        var s = Sessions[sessionId];
        var intent = s["payment_intent"]?.ToString() ?? Next("pi");
        s["payment_intent"] = intent;
        s["status"] = "complete";
        s["payment_status"] = "paid";
        var account = s["x_account"]?.ToString();
        var pi = new JsonObject
        {
            ["id"] = intent, ["object"] = "payment_intent", ["amount"] = s["amount_total"]!.DeepClone(), ["amount_received"] = s["amount_total"]!.DeepClone(),
            ["currency"] = "usd", ["status"] = "succeeded", ["latest_charge"] = "ch_" + intent[3..], ["metadata"] = s["x_pi_metadata"]!.DeepClone(),
        };
        return (Event("checkout.session.completed", Public(s), account), Event("payment_intent.succeeded", pi, account));
    }

    /// <summary>A Stripe event envelope (API version 2025-xx, as the Events API documents it).</summary>
    public string Event(string type, JsonObject data, string? account, string? id = null)
    {
        var e = new JsonObject
        {
            ["id"] = id ?? Next("evt"), ["object"] = "event", ["api_version"] = "2025-09-30.clover", ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["type"] = type, ["livemode"] = false, ["pending_webhooks"] = 1, ["data"] = new JsonObject { ["object"] = data.DeepClone() },
        };
        if (account is not null) e["account"] = account;
        return e.ToJsonString();
    }

    public JsonObject ChargeRefunded(string intent, long amount, long refunded, params (string Id, long Amount)[] refunds) => new()
    {
        ["id"] = "ch_" + intent[3..], ["object"] = "charge", ["payment_intent"] = intent, ["amount"] = amount, ["amount_refunded"] = refunded,
        ["refunded"] = amount == refunded, ["currency"] = "usd",
        ["refunds"] = new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray([.. refunds.Select(r => (JsonNode)new JsonObject { ["id"] = r.Id, ["object"] = "refund", ["amount"] = r.Amount, ["status"] = "succeeded" })]),
        },
    };

    public static JsonObject DisputeCreated(string intent, long amount, string id = "dp_test_1") => new()
    {
        ["id"] = id, ["object"] = "dispute", ["charge"] = "ch_" + intent[3..], ["payment_intent"] = intent, ["amount"] = amount,
        ["currency"] = "usd", ["reason"] = "fraudulent", ["status"] = "needs_response",
    };

    /// <summary>Posts an event to Portal's webhook, signed with <paramref name="secret"/> (default: the right one) at <paramref name="at"/>.</summary>
    public async Task<HttpResponseMessage> Deliver(string payload, string? secret = null, DateTimeOffset? at = null)
    {
        using var http = new HttpClient { BaseAddress = PortalBase };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.Add("Stripe-Signature", StripeSignature.Header(payload, secret ?? WebhookSecret, at ?? DateTimeOffset.UtcNow));
        return await http.SendAsync(request);
    }

    async Task<IResult> CreateRefund(HttpContext http)
    {
        if (await Replay(http, "/v1/refunds") is { } replay) return replay;
        var form = await http.Request.ReadFormAsync();
        var intent = form["payment_intent"].ToString();
        var session = Sessions.Values.FirstOrDefault(s => s["payment_intent"]?.ToString() == intent);
        if (session is null) return NotFound("payment_intent", intent);
        var amount = form.ContainsKey("amount") ? long.Parse(form["amount"].ToString()) : (long)session["amount_total"]!;
        var id = Next("re");
        var refund = new JsonObject
        {
            ["id"] = id, ["object"] = "refund", ["amount"] = amount, ["currency"] = "usd", ["payment_intent"] = intent, ["charge"] = "ch_" + intent[3..],
            ["status"] = "succeeded", ["reason"] = form["reason"].ToString(), ["metadata"] = Metadata(form, "metadata"),
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        Refunds[id] = refund;
        var result = Remember(http, refund);
        if (DeliverRefundWebhooks)
        {
            var all = Refunds.Values.Where(r => r["payment_intent"]!.ToString() == intent).Select(r => (r["id"]!.ToString(), (long)r["amount"]!)).ToArray();
            var total = (long)session["amount_total"]!;
            var payload = Event("charge.refunded", ChargeRefunded(intent, total, all.Sum(r => r.Item2), all), session["x_account"]?.ToString());
            _ = Task.Run(async () => { await Task.Delay(50); await Deliver(payload); });
        }
        return result;
    }

    async Task<IResult> CreateCustomer(HttpContext http)
    {
        if (await Replay(http, "/v1/customers") is { } replay) return replay;
        var form = await http.Request.ReadFormAsync();
        var id = Next("cus");
        var c = new JsonObject { ["id"] = id, ["object"] = "customer", ["name"] = form["name"].ToString(), ["email"] = form["email"].ToString(),
            ["metadata"] = Metadata(form, "metadata"), ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() };
        Customers[id] = c;
        return Remember(http, c);
    }

    async Task<IResult> CreateSubscription(HttpContext http)
    {
        if (await Replay(http, "/v1/subscriptions") is { } replay) return replay;
        var form = await http.Request.ReadFormAsync();
        var id = Next("sub");
        var items = new JsonArray();
        for (var i = 0; form.ContainsKey($"items[{i}][price]"); i++)
            items.Add(new JsonObject { ["id"] = Next("si"), ["object"] = "subscription_item", ["price"] = new JsonObject { ["id"] = form[$"items[{i}][price]"].ToString(), ["object"] = "price" } });
        var s = new JsonObject
        {
            ["id"] = id, ["object"] = "subscription", ["customer"] = form["customer"].ToString(), ["status"] = "active",
            ["items"] = new JsonObject { ["object"] = "list", ["data"] = items }, ["metadata"] = Metadata(form, "metadata"),
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        Subscriptions[id] = s;
        return Remember(http, s);
    }

    async Task<IResult> CreateMeterEvent(HttpContext http)
    {
        if (await Replay(http, "/v1/billing/meter_events") is { } replay) return replay;
        var form = await http.Request.ReadFormAsync();
        var identifier = form["identifier"].FirstOrDefault() ?? Next("mev");
        // Stripe refuses a second meter event with the same identifier within 24 hours.
        if (MeterEvents.ContainsKey(identifier))
            return Results.Text(new JsonObject { ["error"] = new JsonObject { ["type"] = "invalid_request_error", ["code"] = "duplicate_meter_event",
                ["message"] = $"An event with identifier {identifier} already exists." } }.ToJsonString(), "application/json", statusCode: 400);
        var e = new JsonObject
        {
            ["object"] = "billing.meter_event", ["event_name"] = form["event_name"].ToString(), ["identifier"] = identifier, ["livemode"] = false,
            ["payload"] = Metadata(form, "payload"), ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["timestamp"] = long.TryParse(form["timestamp"], out var ts) ? ts : DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        MeterEvents[identifier] = e;
        return Remember(http, e);
    }

    IResult ListInvoices(HttpContext http)
    {
        var customer = http.Request.Query["customer"].ToString();
        var data = new JsonArray();
        if (Customers.ContainsKey(customer))
            data.Add(new JsonObject
            {
                ["id"] = "in_test_" + customer[^8..], ["object"] = "invoice", ["customer"] = customer, ["status"] = "paid", ["number"] = "PORTAL-0001",
                ["amount_due"] = 19900, ["amount_paid"] = 19900, ["currency"] = "usd", ["created"] = DateTimeOffset.UtcNow.AddDays(-3).ToUnixTimeSeconds(),
                ["period_start"] = DateTimeOffset.UtcNow.AddDays(-33).ToUnixTimeSeconds(), ["period_end"] = DateTimeOffset.UtcNow.AddDays(-3).ToUnixTimeSeconds(),
                ["hosted_invoice_url"] = $"{ApiBase}/invoice/{customer}",
            });
        return Json(new JsonObject { ["object"] = "list", ["data"] = data, ["has_more"] = false, ["url"] = "/v1/invoices" });
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }
}
