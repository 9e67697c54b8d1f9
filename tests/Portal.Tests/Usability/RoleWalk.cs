using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Coding;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Usability;

/// <summary>
/// Issue 14: every role's pages, walked in one signed-in browser context per role (the menu and the home cards decide which
/// pages): each page state answers without error, reads in plain words (no internal PascalCase status names), passes axe with
/// no critical or serious violation, and is usable at 375, 768 and 1280 px (no horizontal scroll of the page body, its heading
/// and primary actions on screen).
/// </summary>
public partial class RoleWalk(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    public static readonly int[] Widths = [1280, 768, 375];

    public static TheoryData<string> Everyone => new()
    {
        Users.NorthCoder, Users.NorthQa, Users.NorthProvider, Users.NorthAdmin, Users.NorthBiller, Users.VendorAdmin, Users.VendorCoder,
        Users.PlatformAdmin,
    };

    [Theory, MemberData(nameof(Everyone))]
    public async Task every_page_of_a_role_reads_plainly_passes_axe_and_fits_every_width(string email)
    {
        await DayOfWork();
        await SignIn(email);
        var visited = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var shapes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var failures = new List<string>();
        var queue = new Queue<string>(["/"]);
        while (queue.Count > 0 && visited.Count < 30)
        {
            var url = queue.Dequeue();
            // One page of each shape: the second chart of a queue shows nothing the first did not.
            if (!shapes.Add(Id().Replace(url, "{id}")) || !visited.Add(url)) continue;
            failures.AddRange(await Check(url));
            foreach (var link in await Links())
                if (!visited.Contains(link)) queue.Enqueue(link);
        }
        Assert.True(visited.Count >= 3, $"{email} reached only {string.Join(", ", visited)}");
        Assert.True(failures.Count == 0, $"{email}:\n" + string.Join("\n", failures));
    }

    /// <summary>The pages a person of this role reaches: the menu, and the links on the home cards.</summary>
    async Task<IReadOnlyList<string>> Links()
    {
        var hrefs = await Page.Locator("nav.side a[href], main .home-card a[href], main table a[href]").EvaluateAllAsync<string[]>(
            "els => els.map(e => e.getAttribute('href'))");
        return [.. hrefs.Where(h => h.StartsWith('/') && !h.StartsWith("/swagger") && !h.StartsWith("/health") && !h.Contains("format=csv")
            && !h.Contains("handler=")).Distinct().Take(40)];
    }

    async Task<List<string>> Check(string url)
    {
        var failures = new List<string>();
        await Page.SetViewportSizeAsync(1280, 820);
        var response = await Page.GotoAsync(url);
        if (response is null || response.Status >= 400)
        {
            failures.Add($"{url}: HTTP {response?.Status}");
            return failures;
        }

        var text = await Page.Locator("main").InnerTextAsync();
        var options = await Page.Locator("main option").AllInnerTextsAsync();
        foreach (Match m in InternalName().Matches(text + "\n" + string.Join("\n", options)))
            if (!Allowed.Contains(m.Value)) failures.Add($"{url}: shows the internal name '{m.Value}'");

        var axe = await Page.RunAxe();
        failures.AddRange(axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{url}: axe {v.Impact} {v.Id}: {v.Help} ({string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))})"));

        foreach (var width in Widths)
        {
            await Page.SetViewportSizeAsync(width, 800);
            var overflow = await Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            if (overflow > 1)
            {
                var culprits = await Page.EvaluateAsync<string[]>("""
                    () => { const w = document.documentElement.clientWidth;
                      return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1
                          && e.parentElement && e.parentElement.getBoundingClientRect().right <= w + 1)
                        .slice(0, 3).map(e => e.outerHTML.slice(0, 120)); }
                    """);
                failures.Add($"{url} at {width}px: the page scrolls sideways by {overflow}px ({string.Join(" | ", culprits)})");
            }
            // The heading and every primary action outside a table (tables scroll inside themselves) are on screen.
            var offscreen = await Page.EvaluateAsync<string[]>("""
                () => [...document.querySelectorAll('main h1, main a.button, main button[type=submit]')]
                    .filter(e => !e.closest('table') && !e.closest('[hidden]') && e.offsetParent !== null)
                    .filter(e => { const r = e.getBoundingClientRect(); return r.left < -1 || r.right > document.documentElement.clientWidth + 1; })
                    .map(e => e.outerHTML.slice(0, 80))
                """);
            failures.AddRange(offscreen.Select(o => $"{url} at {width}px: off screen: {o}"));
        }
        return failures;
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Id();

    // PascalCase words of two or more parts: ReadyForQa, InProgress, OnHold, VendorCoder …
    [GeneratedRegex(@"\b[A-Z][a-z]+(?:[A-Z][a-z0-9]+)+\b")]
    private static partial Regex InternalName();

    /// <summary>Product names that are written this way.</summary>
    static readonly HashSet<string> Allowed = ["PostgreSQL", "JavaScript", "OpenAPI", "GitHub"];

    /// <summary>North Clinic's morning: a chart waiting for QA, one on hold for the provider's answer, one waiting for a coder.</summary>
    async Task DayOfWork()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        await PracticeSettingsAre(admin, 100);
        var ids = await QueuedCharts(admin, 3);
        var first = await CodeNext(coder);
        (await Send(coder, HttpMethod.Post, Chart(first.Encounter.Id, "/submit"), null, first.Version)).EnsureSuccessStatusCode();
        var second = await CodeNext(coder);
        (await coder.PostAsJsonAsync(Chart(second.Encounter.Id, "/queries"),
            new RaiseProviderQuery("Was the hypertension follow-up the main reason for the visit?"))).EnsureSuccessStatusCode();
        await LinkProviderUser(admin, second.Encounter.RenderingProviderId, Users.NorthProvider);
        Assert.Equal(3, ids.Count);
    }
}
