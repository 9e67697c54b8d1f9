using Microsoft.Playwright;
using Portal.Web.Features.Demo;

namespace Portal.Tests.Browser;

public class PortalShellInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task a_practice_admin_signs_in_and_opens_the_practice()
    {
        await SignIn(Users.NorthAdmin);

        await Page.GetByRole(AriaRole.Link, new() { Name = "North Clinic Family Medicine" }).ClickAsync();

        await Page.WaitForURLAsync($"**/practices/{DemoData.NorthClinic}");
        Assert.Equal("North Clinic Family Medicine", await Page.Locator("h1").InnerTextAsync());
        Assert.Contains("Nora Admin", await Page.Locator("header").InnerTextAsync());
    }

    [Fact]
    public async Task a_wrong_password_shows_a_clear_message()
    {
        await Page.GotoAsync("/account/sign-in");
        await Page.GetByLabel("Email").FillAsync(Users.NorthBiller);
        await Page.GetByLabel("Password").FillAsync("Not-the-password-1!");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        Assert.Contains("not right", await Page.GetByRole(AriaRole.Alert).InnerTextAsync());
    }

    /// <summary>
    /// The browser tests' accessibility check (<see cref="AxeInPage"/>) finds what it should: on a page of ours with a low-contrast
    /// text, an unlabelled field and a heading level skipped, axe run in the page reports each at its usual impact.
    /// </summary>
    [Fact]
    public async Task the_accessibility_check_reports_contrast_labels_and_heading_order()
    {
        await Page.GotoAsync("/account/sign-in");
        await Page.EvaluateAsync("""
            () => { const m = document.querySelector('main');
              m.insertAdjacentHTML('beforeend', '<p style="color:#bbb;background:#fff">pale words</p><input type="text"><h4>Skipped</h4>'); }
            """);

        var axe = await Page.RunAxeInPage();

        var found = axe.Violations.ToDictionary(v => v.Id, v => v.Impact);
        Assert.Equal("serious", found.GetValueOrDefault("color-contrast"));
        Assert.Equal("critical", found.GetValueOrDefault("label"));
        Assert.Equal("moderate", found.GetValueOrDefault("heading-order"));
    }

    /// <summary>
    /// Without an icon the browser asks for /favicon.ico once a page has loaded and logs the 404 as a console error: a browser
    /// test that asserts no console errors and stays on a page long enough (CodingScreenInBrowser, under load) failed on it.
    /// </summary>
    [Fact]
    public async Task every_page_names_an_icon_that_exists_and_favicon_ico_answers()
    {
        await Page.GotoAsync("/account/sign-in");
        var icon = await Page.Locator("head link[rel=icon]").GetAttributeAsync("href", new() { Timeout = 2_000 });
        Assert.NotNull(icon);
        foreach (var url in new[] { icon, "/favicon.ico" })
        {
            var response = await Page.APIRequest.GetAsync(url);
            Assert.Equal(200, response.Status);
            Assert.StartsWith("image/", response.Headers["content-type"]);
        }
    }

    [Fact]
    public async Task a_vendor_coder_switches_between_engaged_practices()
    {
        var riversideAdmin = await App.ClientFor(Users.RiversideAdmin);
        await riversideAdmin.PostAsJsonAsync($"/api/v1/practices/{DemoData.RiversidePediatrics}/engagements",
            new Portal.Web.Features.Tenancy.GrantEngagement(DemoData.AcmeCoding));
        await SignIn(Users.VendorCoder);

        await Page.GetByLabel("Practice", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Riverside Pediatrics" });
        await Page.WaitForURLAsync($"**/practices/{DemoData.RiversidePediatrics}");
        Assert.Equal("Riverside Pediatrics", await Page.Locator("h1").InnerTextAsync());

        await Page.GetByLabel("Practice", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "North Clinic Family Medicine" });
        await Page.WaitForURLAsync($"**/practices/{DemoData.NorthClinic}");
        Assert.Equal("North Clinic Family Medicine", await Page.Locator("h1").InnerTextAsync());
    }

    [Fact]
    public async Task a_practice_admin_revokes_and_grants_an_engagement()
    {
        await SignIn(Users.NorthAdmin, at: $"/practices/{DemoData.NorthClinic}/engagements");

        Page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await Page.GetByLabel("Reason for revoking Acme Coding Services").FillAsync("Contract paused");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#engagements .badge.bad")).ToHaveTextAsync("Revoked");

        await Page.GetByLabel("Vendor", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Acme Coding Services" });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Engage" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#engagements .badge.ok")).ToHaveTextAsync("Active");
    }
}
