using System.Text.Json;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Webhooks;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Webhooks;

/// <summary>Webhooks (issue 15 item 1) against a real receiver on Kestrel that fails, times out and recovers.</summary>
public class DeliveringWebhooks(PortalApp app) : PortalTest(app)
{
    static string Riverside(string path) => Api(DemoData.RiversidePediatrics, path);

    static async Task<WebhookSubscriptionCreated> Subscribed(HttpClient admin, string url, params string[] events) =>
        await Read<WebhookSubscriptionCreated>(await admin.PostAsJsonAsync(North("webhooks"), new CreateWebhookSubscription(url, events)),
            HttpStatusCode.Created);

    async Task<WebhookDeliveryDetails> DeliveryOnceSettled(HttpClient admin, Guid id, DeliveryStatus expected)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var d = await admin.GetFromJsonAsync<WebhookDeliveryDetails>(North($"webhook-deliveries/{id}"), Json);
            if (d!.Delivery.Status == expected) return d;
            if (DateTime.UtcNow > until) throw new TimeoutException($"Delivery is {d.Delivery.Status} after {d.Delivery.Attempts} tries.");
            await Task.Delay(50);
        }
    }

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    [Fact]
    public async Task a_coded_chart_reaches_the_receiver_signed_with_ids_and_no_names()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var subscription = await Subscribed(admin, receiver.Url, WebhookCatalog.EncounterCoded);
        Assert.StartsWith("whsec_", subscription.Secret);

        await PracticeSettingsAre(admin, qaPercent: 0);
        var coded = await CodedChart(admin, coder);
        (await Send(coder, HttpMethod.Post, Chart(coded.Encounter.Id, "/submit"), null, coded.Version)).EnsureSuccessStatusCode();

        var hook = await receiver.WaitFor(h => h.Event == WebhookCatalog.EncounterCoded);
        Assert.True(WebhookReceiver.SignatureIsValid(hook, subscription.Secret), hook.Signature);
        Assert.False(WebhookReceiver.SignatureIsValid(hook, "whsec_not-the-secret"));
        var body = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal(WebhookCatalog.EncounterCoded, body.GetProperty("type").GetString());
        Assert.Equal(DemoData.NorthClinic, body.GetProperty("practiceId").GetGuid());
        Assert.Equal(coded.Encounter.Id, body.GetProperty("data").GetProperty("encounterId").GetGuid());
        Assert.NotEqual(Guid.Empty, body.GetProperty("id").GetGuid());
        Assert.True(body.TryGetProperty("occurredAt", out _));
        // Minimum necessary: the demo patient's and provider's names never travel in a webhook.
        Assert.DoesNotContain("Tester", hook.Body);
        Assert.DoesNotContain("Tess", hook.Body);

        // The sender records the try once the receiver's answer is back, which can be after the receiver saw the request.
        await DeliveryOnceSettled(admin, Guid.Parse(hook.Delivery), DeliveryStatus.Delivered);
        var deliveries = await admin.GetFromJsonAsync<CursorPage<WebhookDeliveryRow>>(North("webhook-deliveries?status=delivered"), Json);
        var row = Assert.Single(deliveries!.Items);
        Assert.Equal(Guid.Parse(hook.Delivery), row.Id);
        Assert.Equal(200, row.LastStatusCode);
    }

    [Fact]
    public async Task a_failing_then_hanging_receiver_is_retried_with_backoff_until_it_recovers_and_every_try_is_logged()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answers(500, 503, WebhookReceiver.Hang);
        var admin = await App.ClientFor(Users.NorthAdmin);
        var subscription = await Subscribed(admin, receiver.Url, WebhookCatalog.ClaimStateChanged);

        var ping = await Read<WebhookDeliveryRow>(await admin.PostAsync(North($"webhooks/{subscription.Subscription.Id}/ping"), null),
            HttpStatusCode.Accepted);
        var delivered = await DeliveryOnceSettled(admin, ping.Id, DeliveryStatus.Delivered);

        Assert.Equal([500, 503, null, 200], delivered.Attempts.Select(a => a.StatusCode));
        Assert.Equal(["HTTP 500", "HTTP 503", "timeout", null], delivered.Attempts.Select(a => a.Error));
        Assert.InRange(delivered.Attempts[2].DurationMs, 900, 3000);
        // Backoff doubles: the gap before the third try is at least twice the first retry delay (200 ms).
        var gaps = delivered.Attempts.Zip(delivered.Attempts.Skip(1), (a, b) => b.At - a.At - TimeSpan.FromMilliseconds(a.DurationMs)).ToList();
        Assert.True(gaps[0] >= TimeSpan.FromMilliseconds(190), $"first gap {gaps[0]}");
        Assert.True(gaps[1] >= TimeSpan.FromMilliseconds(390), $"second gap {gaps[1]}");
        // Every try carried the same body and event id; each was signed.
        var tries = receiver.Received.Where(h => h.Delivery == ping.Id.ToString()).ToList();
        Assert.Equal(4, tries.Count);
        Assert.Single(tries.Select(t => t.Body).Distinct());
        Assert.All(tries, t => Assert.True(WebhookReceiver.SignatureIsValid(t, subscription.Secret)));
    }

    [Fact]
    public async Task a_slow_receiver_does_not_hold_up_another_subscription()
    {
        await using var slow = await WebhookReceiver.StartAsync();
        await using var fast = await WebhookReceiver.StartAsync();
        slow.Delay = TimeSpan.FromMilliseconds(900);
        var admin = await App.ClientFor(Users.NorthAdmin);
        var slowSub = await Subscribed(admin, slow.Url, WebhookCatalog.EncounterCoded);
        var fastSub = await Subscribed(admin, fast.Url, WebhookCatalog.EncounterCoded);
        for (var i = 0; i < 12; i++)
            (await admin.PostAsync(North($"webhooks/{slowSub.Subscription.Id}/ping"), null)).EnsureSuccessStatusCode();
        await Task.Delay(100);

        var sent = DateTimeOffset.UtcNow;
        (await admin.PostAsync(North($"webhooks/{fastSub.Subscription.Id}/ping"), null)).EnsureSuccessStatusCode();
        var hook = await fast.WaitFor(_ => true, TimeSpan.FromSeconds(5));
        // 12 slow sends at ~0.9 s with 4 in flight per subscription take ~2.7 s; the fast one must not queue behind them.
        Assert.True(hook.At - sent < TimeSpan.FromMilliseconds(700), $"fast receiver waited {hook.At - sent}");
        Assert.True(slow.Received.Count < 12, "the slow receiver's backlog was still being worked");
    }

    [Fact]
    public async Task a_delivery_replays_from_the_api_with_the_same_event_and_a_new_signature()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var admin = await App.ClientFor(Users.NorthAdmin);
        var subscription = await Subscribed(admin, receiver.Url, WebhookCatalog.QueryRaised);
        var ping = await Read<WebhookDeliveryRow>(await admin.PostAsync(North($"webhooks/{subscription.Subscription.Id}/ping"), null),
            HttpStatusCode.Accepted);
        var first = await DeliveryOnceSettled(admin, ping.Id, DeliveryStatus.Delivered);

        var stale = new HttpRequestMessage(HttpMethod.Post, North($"webhook-deliveries/{ping.Id}/replay"));
        stale.Headers.TryAddWithoutValidation("If-Match", ETags.For(first.Delivery.Version - 1));
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.SendAsync(stale)).StatusCode);

        var replay = new HttpRequestMessage(HttpMethod.Post, North($"webhook-deliveries/{ping.Id}/replay"));
        replay.Headers.TryAddWithoutValidation("If-Match", ETags.For(first.Delivery.Version));
        var replayed = await Read<WebhookDeliveryRow>(await admin.SendAsync(replay), HttpStatusCode.Accepted);
        Assert.Equal(1, replayed.Replays);
        await receiver.WaitFor(h => receiver.Received.Count(x => x.Delivery == ping.Id.ToString()) == 2);
        var bodies = receiver.Received.Select(h => h.Body).Distinct().ToList();
        Assert.Single(bodies);
        var done = await DeliveryOnceSettled(admin, ping.Id, DeliveryStatus.Delivered);
        Assert.Equal(2, done.Attempts.Length);
    }

    [Fact]
    public async Task rotating_the_secret_shows_the_new_one_once_and_signs_with_both_for_a_while()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var admin = await App.ClientFor(Users.NorthAdmin);
        var subscription = await Subscribed(admin, receiver.Url, WebhookCatalog.ClaimStateChanged);
        var rotated = await Read<WebhookSubscriptionCreated>(
            await admin.PostAsync(North($"webhooks/{subscription.Subscription.Id}/rotate-secret"), null));
        Assert.NotEqual(subscription.Secret, rotated.Secret);
        Assert.Equal(subscription.Subscription.Version + 1, rotated.Subscription.Version);

        await admin.PostAsync(North($"webhooks/{subscription.Subscription.Id}/ping"), null);
        var hook = await receiver.WaitFor(_ => true);
        Assert.True(WebhookReceiver.SignatureIsValid(hook, rotated.Secret));
        Assert.True(WebhookReceiver.SignatureIsValid(hook, subscription.Secret));
        var listed = await admin.GetStringAsync(North($"webhooks/{subscription.Subscription.Id}"));
        Assert.DoesNotContain(rotated.Secret, listed);
        Assert.DoesNotContain("whsec_", listed);
    }

    [Fact]
    public async Task updates_honour_if_match_and_refuse_bad_urls_and_unknown_events()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var created = await Subscribed(admin, "https://hooks.example.com/portal", WebhookCatalog.ClaimStateChanged);
        var get = await admin.GetAsync(North($"webhooks/{created.Subscription.Id}"));
        Assert.Equal(ETags.For(created.Subscription.Version), get.Headers.ETag!.ToString());

        var update = new UpdateWebhookSubscription("https://hooks.example.com/v2", [WebhookCatalog.DenialCreated], "v2");
        var ok = new HttpRequestMessage(HttpMethod.Put, North($"webhooks/{created.Subscription.Id}")) { Content = JsonContent.Create(update) };
        ok.Headers.TryAddWithoutValidation("If-Match", get.Headers.ETag!.ToString());
        var changed = await Read<WebhookSubscriptionView>(await admin.SendAsync(ok));
        Assert.Equal("https://hooks.example.com/v2", changed.Url);

        var stale = new HttpRequestMessage(HttpMethod.Put, North($"webhooks/{created.Subscription.Id}"))
        {
            Content = JsonContent.Create(update with { Url = "https://hooks.example.com/v3" }),
        };
        stale.Headers.TryAddWithoutValidation("If-Match", get.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.SendAsync(stale)).StatusCode);
        Assert.Equal("https://hooks.example.com/v2", (await admin.GetFromJsonAsync<WebhookSubscriptionView>(North($"webhooks/{created.Subscription.Id}")))!.Url);

        foreach (var bad in new[] { new CreateWebhookSubscription("ftp://hooks.example.com", [WebhookCatalog.DenialCreated]),
                     new CreateWebhookSubscription("https://hooks.example.com", ["claim.exploded"]),
                     new CreateWebhookSubscription("https://user:pw@hooks.example.com", [WebhookCatalog.DenialCreated]) })
        {
            var response = await admin.PostAsJsonAsync(North("webhooks"), bad);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync(North("webhook-deliveries?status=lost"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync(North("webhook-deliveries?cursor=nope"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync(North("webhook-deliveries?limit=500"))).StatusCode);
    }

    [Fact]
    public async Task another_practice_neither_sees_nor_receives_this_practices_webhooks()
    {
        await using var northReceiver = await WebhookReceiver.StartAsync();
        await using var riversideReceiver = await WebhookReceiver.StartAsync();
        var north = await App.ClientFor(Users.NorthAdmin);
        var riverside = await App.ClientFor(Users.RiversideAdmin);
        var northSub = await Subscribed(north, northReceiver.Url, WebhookCatalog.EncounterCoded);
        var riversideSub = await Read<WebhookSubscriptionCreated>(await riverside.PostAsJsonAsync(Riverside("webhooks"),
            new CreateWebhookSubscription(riversideReceiver.Url, [WebhookCatalog.EncounterCoded])), HttpStatusCode.Created);

        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(North("webhooks"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(Riverside($"webhooks/{northSub.Subscription.Id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.PostAsync(Riverside($"webhooks/{northSub.Subscription.Id}/ping"), null)).StatusCode);

        var coder = await App.ClientFor(Users.NorthCoder);
        await PracticeSettingsAre(north, qaPercent: 0);
        var coded = await CodedChart(north, coder);
        (await Send(coder, HttpMethod.Post, Chart(coded.Encounter.Id, "/submit"), null, coded.Version)).EnsureSuccessStatusCode();
        await northReceiver.WaitFor(_ => true);
        await App.WaitForReactionsAsync();
        Assert.Empty(riversideReceiver.Received);
        var riversideDeliveries = await riverside.GetFromJsonAsync<CursorPage<WebhookDeliveryRow>>(Riverside("webhook-deliveries"), Json);
        Assert.Empty(riversideDeliveries!.Items);
        Assert.NotEqual(Guid.Empty, riversideSub.Subscription.Id);
    }

    [Fact]
    public async Task the_deliveries_list_pages_by_cursor_with_a_link_header()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        // No receiver at this address: deliveries stay pending or retrying, which is all this test reads.
        var subscription = await Subscribed(admin, "http://127.0.0.1:9/hook", WebhookCatalog.ClaimStateChanged);
        for (var i = 0; i < 5; i++) await admin.PostAsync(North($"webhooks/{subscription.Subscription.Id}/ping"), null);

        var seen = new List<Guid>();
        string? url = North("webhook-deliveries?limit=2");
        var pages = 0;
        while (url is not null)
        {
            var response = await admin.GetAsync(url);
            var page = await Read<CursorPage<WebhookDeliveryRow>>(response);
            seen.AddRange(page.Items.Select(i => i.Id));
            pages++;
            if (page.Next is null) { Assert.False(response.Headers.Contains("Link")); url = null; }
            else
            {
                var link = response.Headers.GetValues("Link").Single();
                Assert.EndsWith("; rel=\"next\"", link);
                url = link[1..link.IndexOf('>')];
                Assert.Contains("limit=2", url);
            }
        }
        Assert.Equal(3, pages);
        Assert.Equal(5, seen.Distinct().Count());
    }
}
