using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Demo;
using static Portal.Tests.Coding.CodingGiven;

namespace Portal.Tests.Hardening;

/// <summary>The main pages under the real Content-Security-Policy in chromium: nothing is blocked, and the moved handlers still work.</summary>
public class NoCspViolationsInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    static readonly string Root = $"/practices/{DemoData.NorthClinic}";

    [Fact]
    public async Task main_pages_and_swagger_load_without_a_csp_violation()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var chart = await QueuedChart(admin);
        var violations = new List<string>();
        Page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) violations.Add($"{Page.Url}: {message.Text}");
        };
        Page.PageError += (_, error) => violations.Add($"{Page.Url}: {error}");

        await SignIn(Users.NorthAdmin);
        foreach (var path in new[]
        {
            "/", Root, $"{Root}/encounters", $"{Root}/encounters/new", $"{Root}/encounters/{chart.Encounter.Id}",
            $"{Root}/patients", $"{Root}/patients/{chart.Encounter.PatientId}", $"{Root}/providers", $"{Root}/payers",
            $"{Root}/coding/queue", $"{Root}/coding/charts/{chart.Encounter.Id}", $"{Root}/coding/queries", $"{Root}/coding/qa",
            $"{Root}/coding/qa/reviews", $"{Root}/settings", $"{Root}/engagements", $"{Root}/api-clients", "/codes",
            "/organization/users", "/swagger/index.html",
        })
        {
            await Page.GotoAsync(path);
            await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }
        // Swagger UI fetches and renders the whole OpenAPI document (hundreds of operations) before .info shows: seconds on a loaded
        // CI machine, so the default 5 s expectation failed under load (the page had no CSP violation, it was still "loading").
        await Assertions.Expect(Page.Locator(".swagger-ui .info")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Empty(violations);

        // The handlers that used to be inline: the code-set select submits its form (wwwroot/js/site.js).
        await Page.GotoAsync("/codes");
        await Page.GetByLabel("Code set").SelectOptionAsync("hcpcs");
        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("System=hcpcs"));

        Assert.Empty(violations);
    }
}
