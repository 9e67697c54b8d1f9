using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Demo;

namespace Portal.Tests.Webhooks;

public class WebhooksInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task a_practice_admin_subscribes_sees_the_secret_once_pings_filters_and_replays()
    {
        // The first page of a run can take long on a loaded machine (views compile on first use); not what this test is about.
        await Page.GotoAsync("/account/sign-in", new() { Timeout = 90_000 });
        await SignIn(Users.NorthAdmin);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answers(500);
        await Page.GotoAsync($"/practices/{DemoData.NorthClinic}/webhooks");
        await Page.GetByLabel("URL (https)").FillAsync(receiver.Url);
        await Page.GetByRole(AriaRole.Checkbox, new() { Name = "encounter.coded" }).CheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();

        var secret = await Page.Locator("#webhook-secret").InnerTextAsync();
        Assert.StartsWith("whsec_", secret);
        var table = Page.GetByRole(AriaRole.Table, new() { Name = "Webhook subscriptions" });
        await Assertions.Expect(table).ToContainTextAsync(receiver.Url);

        await Page.GetByRole(AriaRole.Button, new() { Name = $"Ping {receiver.Url}" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("A ping is on its way");
        // The first try fails (500); the retry succeeds.
        var hook = await receiver.WaitFor(h => h.AnsweredWith == 200);
        Assert.True(WebhookReceiver.SignatureIsValid(hook, secret));

        await Page.GotoAsync($"/practices/{DemoData.NorthClinic}/webhooks?status=delivered");
        var deliveries = Page.GetByRole(AriaRole.Table, new() { Name = "Webhook deliveries" });
        await Assertions.Expect(deliveries).ToContainTextAsync("Delivered");
        await Assertions.Expect(deliveries).ToContainTextAsync("ping");
        Assert.DoesNotContain(secret, await Page.ContentAsync());

        var axe = await Page.RunAxeInPage();
        var serious = axe.SeriousViolations();
        Assert.True(serious.Count == 0, string.Join("; ", serious));

        await deliveries.GetByRole(AriaRole.Button, new() { Name = "Replay delivery" }).First.ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("queued to be sent again");
        await receiver.WaitFor(_ => receiver.Received.Count(h => h.AnsweredWith == 200) == 2);
    }

    [Fact]
    public async Task another_practices_admin_gets_not_found_and_a_coder_is_refused()
    {
        await SignIn(Users.RiversideAdmin);
        var response = await Page.GotoAsync($"/practices/{DemoData.NorthClinic}/webhooks");
        Assert.Equal(404, response!.Status);
        await Page.Context.ClearCookiesAsync();
        await SignIn(Users.NorthCoder, at: $"/practices/{DemoData.NorthClinic}/webhooks");
        Assert.Contains("access-denied", Page.Url);
    }
}
