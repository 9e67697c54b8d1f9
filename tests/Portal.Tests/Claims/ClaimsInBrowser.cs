using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Demo;
using static Portal.Tests.Claims.ClaimsGiven;
using static Portal.Tests.Coding.CodingGiven;

namespace Portal.Tests.Claims;

public class ClaimsInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    static readonly string Root = $"/practices/{DemoData.NorthClinic}";

    async Task NoSeriousAxeViolations()
    {
        var axe = await Page.RunAxeInPage();
        var serious = axe.SeriousViolations();
        Assert.True(serious.Count == 0, string.Join("; ", serious));
    }

    async Task PageBodyDoesNotScrollSideways()
    {
        var (scroll, client) = (await Page.EvaluateAsync<int>("document.documentElement.scrollWidth"),
            await Page.EvaluateAsync<int>("document.documentElement.clientWidth"));
        var widest = scroll <= client + 1 ? "" : await Page.EvaluateAsync<string>("""
            () => [...document.querySelectorAll('body *')].filter(e => !e.closest('.table-scroll') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')
            """);
        Assert.True(scroll <= client + 1, $"The page is {scroll}px wide in a {client}px window: {widest}");
    }

    [Fact]
    public async Task a_biller_fixes_a_scrubber_error_in_place_marks_the_claim_ready_and_downloads_the_cms1500()
    {
        var (_, claim) = await ApprovedClaim(App);
        // The chart's line loses its diagnosis pointers: the scrubber's line-pointer-missing error is the biller's to fix.
        var biller = await App.ClientFor(Users.NorthBiller);
        var broken = await Read<ClaimView>(await Send(biller, HttpMethod.Put, ClaimsUrl($"/{claim.Id}/codes"),
            new ChangeClaimCodes(["I10", "E11.9"], [new ClaimLineInput("99213")]), claim.Version));
        Assert.Contains("line-pointer-missing", broken.OpenRules);

        await SignIn(Users.NorthBiller, at: Root);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Claims", Exact = true }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "What needs fixing" })).ToBeVisibleAsync();
        var table = Page.GetByRole(AriaRole.Table, new() { Name = "Claims" });
        await Assertions.Expect(table).ToContainTextAsync(claim.PatientName);
        await NoSeriousAxeViolations();

        await Page.GetByRole(AriaRole.Link, new() { Name = claim.PatientControlNumber }).ClickAsync();
        await Page.WaitForURLAsync($"**/claims/{claim.Id}");
        var lines = Page.GetByRole(AriaRole.Table, new() { Name = "Service lines" });
        await Assertions.Expect(lines).ToContainTextAsync("line-pointer-missing");
        await NoSeriousAxeViolations();

        await Page.GetByLabel("Line 1 diagnosis pointers").FillAsync("1,2");
        await Page.GetByLabel("Why (kept in the history)").FillAsync("Pointed the visit at both diagnoses");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save codes" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Codes saved and checked again.");
        await Assertions.Expect(lines).Not.ToContainTextAsync("line-pointer-missing");

        // Any warning that needs a reason gets one, then the claim is ready.
        while (await Page.GetByRole(AriaRole.Button, new() { Name = "Override" }).CountAsync() > 0)
        {
            await Page.GetByPlaceholder("Why it does not apply").First.FillAsync("Reviewed with the provider");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Override" }).First.ClickAsync();
            await Assertions.Expect(Page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Warning overridden.");
        }
        await Page.GetByRole(AriaRole.Button, new() { Name = "Mark ready" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status).First).ToContainTextAsync("The claim is ready to send.");
        await Assertions.Expect(Page.Locator(".subtitle .badge").First).ToHaveTextAsync("Ready to send");
        await Assertions.Expect(Page.Locator(".timeline")).ToContainTextAsync("Pointed the visit at both diagnoses");

        var download = await Page.RunAndWaitForDownloadAsync(() =>
            Page.GetByRole(AriaRole.Link, new() { Name = "Download CMS-1500 (PDF)" }).ClickAsync());
        Assert.EndsWith(".pdf", download.SuggestedFilename);
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));

        var done = await Read<ClaimView>(await biller.GetAsync(ClaimsUrl($"/{claim.Id}")));
        Assert.Equal(ClaimState.Ready, done.State);
        Assert.Equal([1, 2], done.Lines[0].Pointers);
    }

    [Theory]
    [InlineData(375)]
    [InlineData(768)]
    [InlineData(1280)]
    public async Task the_queue_and_the_claim_are_usable_at_phone_tablet_and_desktop_widths(int width)
    {
        var (_, claim) = await ApprovedClaim(App);
        await Page.SetViewportSizeAsync(width, 800);
        await SignIn(Users.NorthBiller, at: $"{Root}/claims");
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Claims" })).ToContainTextAsync(claim.PatientControlNumber);
        await PageBodyDoesNotScrollSideways();

        await Page.GotoAsync($"{Root}/claims/{claim.Id}");
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Save codes" })).ToBeVisibleAsync();
        await PageBodyDoesNotScrollSideways();

        await Page.GotoAsync($"{Root}/billing-profile");
        await Assertions.Expect(Page.GetByLabel("NPI")).ToHaveValueAsync("1234567893");
        await PageBodyDoesNotScrollSideways();
        await NoSeriousAxeViolations();
    }
}
