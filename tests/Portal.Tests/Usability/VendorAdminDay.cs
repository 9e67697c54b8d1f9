using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Portal.Tests.Browser;
using static Portal.Tests.Coding.CodingGiven;

namespace Portal.Tests.Usability;

/// <summary>
/// Issue 14, "done when", the vendor admin's day: every client's backlog side by side on the home page, then the coders who
/// work a client chosen, then the firm's queue; no dead end, no serious axe violation, and each page fits 375 px.
/// </summary>
public class VendorAdminDay(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task the_vendor_admin_sees_every_clients_backlog_chooses_coders_and_opens_the_firms_queue()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var queued = await QueuedChart(admin);

        await SignIn(Users.VendorAdmin, at: "/");
        var board = Page.Locator("table.vendor-board");
        await Assertions.Expect(board).ToContainTextAsync("North Clinic Family Medicine");
        await Assertions.Expect(board.Locator("tr", new() { HasText = "North Clinic Family Medicine" }).Locator("td").First).Not.ToHaveTextAsync("0");
        await Fits("/");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Choose coders per client" }).ClickAsync();
        await Page.WaitForURLAsync("**/vendor/clients");
        var form = Page.GetByRole(AriaRole.Form, new() { Name = "Coders for North Clinic Family Medicine" });
        await form.GetByLabel("Only these coders:").CheckAsync();
        await form.GetByLabel(Users.VendorCoder).CheckAsync();
        await form.GetByRole(AriaRole.Button, new() { Name = "Save coders for North Clinic Family Medicine" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("coders are updated");
        await Assertions.Expect(Page.GetByRole(AriaRole.Form, new() { Name = "Coders for North Clinic Family Medicine" })
            .GetByLabel(Users.VendorCoder)).ToBeCheckedAsync();
        await Fits("/vendor/clients");

        await Page.GotoAsync("/");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Open the firm's queue" }).ClickAsync();
        await Page.WaitForURLAsync("**/vendor/queue");
        await Assertions.Expect(Page.Locator("main")).ToContainTextAsync(queued.Encounter.PatientName);
        await Fits("/vendor/queue");
    }

    async Task Fits(string page)
    {
        var axe = await Page.RunAxeInPage();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{page}: {v.Id}").ToList();
        Assert.True(serious.Count == 0, string.Join(", ", serious));
        foreach (var width in RoleWalk.Widths)
        {
            await Page.SetViewportSizeAsync(width, 800);
            Assert.False(await Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth"),
                $"{page} scrolls sideways at {width} px.");
        }
        await Page.SetViewportSizeAsync(1366, 820);
    }
}
