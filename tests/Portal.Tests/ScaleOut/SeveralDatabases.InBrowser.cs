using Microsoft.Playwright;
using Portal.Tests.Usability;
using Portal.Web.Platform;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.ScaleOut;

/// <summary>The operator's move form, in a real chromium: it only shows when Portal has several databases.</summary>
public sealed partial class SeveralDatabases
{
    [Fact]
    public async Task the_operator_moves_a_practice_from_the_organisations_page_in_the_browser_and_watches_it_finish()
    {
        await app.EnsureIn(Riverside, TenantDatabases.Main);
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseAddress.ToString().TrimEnd('/'), ViewportSize = new ViewportSize { Width = 1366, Height = 820 },
        });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/sign-in", new() { Timeout = 60_000 });
        await page.GetByLabel("Email").FillAsync(Users.PlatformAdmin);
        await page.GetByLabel("Password").FillAsync(Portal.Web.Features.Demo.DemoData.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByLabel("Code").FillAsync(PortalApp.TotpCode(Portal.Web.Features.Demo.DemoData.OpsTotpSecret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/account/sign-in"));

        await page.GotoAsync("/platform/organizations");
        var form = page.Locator($"#move-{Riverside}");
        await Expect(form).ToBeVisibleAsync();
        await form.SelectOptionAsync("second");
        await page.GetByRole(AriaRole.Button, new() { Name = "Move Riverside", Exact = false }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("moving");

        // The moves table asks every 2 s while a move runs and stops once it has ended.
        var moves = page.Locator("#practice-moves");
        await Expect(moves.Locator("tr").Nth(1)).ToContainTextAsync("Moved", new() { Timeout = 90_000 });
        await Expect(moves).Not.ToHaveAttributeAsync("hx-trigger", "every 2s");
        await app.Databases.ReloadAsync(default);
        Assert.Equal("second", app.Databases.DatabaseOf(Riverside.ToString()));

        // The page in this state: axe and the three widths, as the role walk checks every page.
        var (failures, _) = await RoleWalk.Check(page, "/platform/organizations");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        await app.EnsureIn(Riverside, TenantDatabases.Main);
    }
}
