using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using static Portal.Tests.Coding.CodingGiven;

namespace Portal.Tests.Coding;

public class CodingPagesInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    static readonly string Root = $"/practices/{DemoData.NorthClinic}";

    [Fact]
    public async Task a_coder_pulls_the_next_chart_codes_it_with_the_keyboard_and_submits()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        await PracticeSettingsAre(admin, qaPercent: 0);
        var queued = await QueuedChart(admin);

        await SignIn(Users.NorthCoder);
        await Page.GotoAsync(Root);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Coding queue", Exact = true }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Coding queue" })).ToContainTextAsync(queued.Encounter.PatientName);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Pull next chart" }).ClickAsync();
        await Page.WaitForURLAsync($"**/coding/charts/{queued.Encounter.Id}");
        await Assertions.Expect(Page.Locator("#chart-status")).ToHaveTextAsync("Assigned");
        await Assertions.Expect(Page.Locator(".documentation")).ToContainTextAsync("Follow-up for hypertension.");

        var dx = Page.GetByRole(AriaRole.Combobox, new() { Name = "Add a diagnosis (ICD-10-CM)" });
        await dx.PressSequentiallyAsync("htn");
        await Assertions.Expect(Page.Locator("#dx-add-listbox [role=option]").First).ToContainTextAsync("I10");
        await dx.PressAsync("ArrowDown");
        await dx.PressAsync("Enter");
        var diagnoses = Page.GetByRole(AriaRole.List, new() { Name = "Diagnoses" });
        await Assertions.Expect(diagnoses).ToContainTextAsync("I10");
        await Assertions.Expect(diagnoses.Locator("li.first-listed")).ToContainTextAsync("First-listed");

        var cpt = Page.GetByRole(AriaRole.Combobox, new() { Name = "Add a service (CPT)" });
        await cpt.PressSequentiallyAsync("99213");
        await Assertions.Expect(Page.Locator("#cpt-add-listbox [role=option]").First).ToContainTextAsync("99213");
        await cpt.PressAsync("ArrowDown");
        await cpt.PressAsync("Enter");
        var lines = Page.GetByRole(AriaRole.Table, new() { Name = "Service lines" });
        await Assertions.Expect(lines).ToContainTextAsync("99213");
        await Assertions.Expect(Page.GetByLabel("Line 1 points at A (I10)")).ToBeCheckedAsync();

        await Page.GetByRole(AriaRole.Button, new() { Name = "Save codes" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#coding-work [role=status]")).ToContainTextAsync("Codes saved.");
        await Assertions.Expect(Page.Locator("#chart-status")).ToHaveTextAsync("Assigned"); // the header is as loaded; the list is saved
        await Page.GetByRole(AriaRole.Button, new() { Name = "Submit chart" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#chart-status")).ToHaveTextAsync("Approved");

        var chart = await Read<CodingChart>(await admin.GetAsync(Chart(queued.Encounter.Id)));
        Assert.Equal(["I10"], chart.Diagnoses.Select(d => d.Code));
        Assert.Equal("99213", Assert.Single(chart.Lines).Code);
    }
}
