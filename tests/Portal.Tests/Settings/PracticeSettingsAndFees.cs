using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Settings;

namespace Portal.Tests.Settings;

public class PracticeSettingsAndFees(PortalApp app) : PortalTest(app)
{
    static readonly string North = $"/api/v1/practices/{DemoData.NorthClinic}";

    [Fact]
    public async Task a_practice_starts_with_default_settings_that_its_admin_changes()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var before = await admin.GetFromJsonAsync<PracticeSettings>($"{North}/settings");

        var response = await admin.PutAsJsonAsync($"{North}/settings", new UpdatePracticeSettings(24, 100, null, null));

        Assert.Equal(48, before!.TurnaroundHours);
        var after = (await response.Content.ReadFromJsonAsync<PracticeSettings>())!;
        Assert.Equal((24, 100, before.NewCoderChartCount), (after.TurnaroundHours, after.QaSamplePercent, after.NewCoderChartCount));
        Assert.Equal("Nora Admin", after.UpdatedBy);
        var riverside = await (await App.ClientFor(Users.RiversideAdmin))
            .GetFromJsonAsync<PracticeSettings>($"/api/v1/practices/{DemoData.RiversidePediatrics}/settings");
        Assert.Equal(48, riverside!.TurnaroundHours);
    }

    [Fact]
    public async Task settings_out_of_range_get_400_and_change_nothing()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var response = await admin.PutAsJsonAsync($"{North}/settings", new UpdatePracticeSettings(0, 150, null, null));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(48, (await admin.GetFromJsonAsync<PracticeSettings>($"{North}/settings"))!.TurnaroundHours);
    }

    [Fact]
    public async Task only_admins_change_settings_and_billers_set_fees()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var coder = await App.ClientFor(Users.NorthCoder);

        Assert.Equal(HttpStatusCode.Forbidden, (await biller.PutAsJsonAsync($"{North}/settings", new UpdatePracticeSettings(24, null, null, null))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await biller.PutAsJsonAsync($"{North}/fee-schedule/99213", new SetFee("99213", 130m))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coder.PutAsJsonAsync($"{North}/fee-schedule/99213", new SetFee("99213", 1m))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await coder.GetAsync($"{North}/fee-schedule")).StatusCode);
    }

    [Fact]
    public async Task fees_are_set_listed_exported_and_removed()
    {
        var biller = await App.ClientFor(Users.NorthBiller);

        await biller.PutAsJsonAsync($"{North}/fee-schedule/99999", new SetFee("99999", 12.345m));
        var fees = await biller.GetItemsAsync<FeeScheduleEntry>($"{North}/fee-schedule");
        var csv = await biller.GetStringAsync($"{North}/fee-schedule?format=csv");
        var removed = await biller.DeleteAsync($"{North}/fee-schedule/99999");
        var again = await biller.DeleteAsync($"{North}/fee-schedule/99999");

        Assert.Equal(12.35m, fees!.Single(f => f.Code == "99999").Amount);
        Assert.Contains("99999,12.35", csv);
        Assert.StartsWith("code,amount", csv);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task a_bad_fee_gets_400()
    {
        var biller = await App.ClientFor(Users.NorthBiller);

        var mismatch = await biller.PutAsJsonAsync($"{North}/fee-schedule/99213", new SetFee("99214", 10m));
        var negative = await biller.PutAsJsonAsync($"{North}/fee-schedule/99213", new SetFee("99213", -5m));
        var badCode = await biller.PutAsJsonAsync($"{North}/fee-schedule/9921", new SetFee("9921", 5m));

        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badCode.StatusCode);
        Assert.Equal(120m, (await biller.GetItemsAsync<FeeScheduleEntry>($"{North}/fee-schedule"))!.Single(f => f.Code == "99213").Amount);
    }

    [Fact]
    public async Task another_practice_gets_404()
    {
        var riverside = await App.ClientFor(Users.RiversideAdmin);
        var browser = await App.SignedInBrowser(Users.RiversideAdmin);

        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync($"{North}/settings")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.PutAsJsonAsync($"{North}/fee-schedule/99213", new SetFee("99213", 1m))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/practices/{DemoData.NorthClinic}/settings")).StatusCode);
    }
}

public class SettingsInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task a_practice_admin_changes_turnaround_and_sets_a_fee()
    {
        await SignIn(Users.NorthAdmin, at: $"/practices/{DemoData.NorthClinic}");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Coding settings & fees" }).ClickAsync();

        await Page.GetByLabel("Turnaround (hours)").FillAsync("24");
        var targeted = Page.GetByLabel("Also review every high-level E/M");
        await Assertions.Expect(targeted).ToBeCheckedAsync();
        await targeted.UncheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        Assert.Contains("Settings saved", await Page.GetByRole(AriaRole.Status).InnerTextAsync());
        Assert.Equal("24", await Page.GetByLabel("Turnaround (hours)").InputValueAsync());
        await Assertions.Expect(targeted).Not.ToBeCheckedAsync();
        await targeted.CheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Assertions.Expect(targeted).ToBeCheckedAsync();

        await Page.GetByLabel("Code", new() { Exact = true }).FillAsync("99417");
        await Page.GetByLabel("Charge ($)").FillAsync("65");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Set charge" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#fees tr", new() { HasText = "99417" })).ToContainTextAsync("$65.00");
    }
}
