using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Coding;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Usability;

/// <summary>The walk of the first half of <see cref="RoleWalk.Everyone"/> (see there why two classes).</summary>
public sealed class RoleWalkFirstHalf(PortalApp app, BrowserFixture browser) : RoleWalk(app, browser)
{
    public static TheoryData<string> Roles => [.. FirstHalf];

    [Theory, MemberData(nameof(Roles))]
    public Task every_page_of_a_role_reads_plainly_passes_axe_and_fits_every_width(string email) => Walk(email);
}

/// <summary>The walk of the second half of <see cref="RoleWalk.Everyone"/>.</summary>
public sealed class RoleWalkSecondHalf(PortalApp app, BrowserFixture browser) : RoleWalk(app, browser)
{
    public static TheoryData<string> Roles => [.. SecondHalf];

    [Theory, MemberData(nameof(Roles))]
    public Task every_page_of_a_role_reads_plainly_passes_axe_and_fits_every_width(string email) => Walk(email);
}

/// <summary>
/// Issue 14: every role's pages, walked in one signed-in browser context per role (the menu and the home cards decide which
/// pages): each page state answers without error, reads in plain words (no internal PascalCase status names), passes axe with
/// no critical or serious violation, and is usable at 375, 768 and 1280 px (no horizontal scroll of the page body, its heading
/// and primary actions on screen). A page whose content another role's walk already checked (the same claim page under the
/// biller's and the admin's menus) is read for words and links only (ADR 0045).
/// <para>
/// The walk is a third of the suite's test time, and a test class runs in one stream (ADR 0033): as one class it kept its
/// stream busy long after the other had finished. Its roles are therefore walked by two classes, halves of about equal
/// cost (measured, docs/benchmarks.md "Suite after ADR 0039"), which the streams place apart (ADR 0039).
/// </para>
/// </summary>
public abstract partial class RoleWalk(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    public static readonly int[] Widths = [1280, 768, 375];

    // Per role, one loaded run (s): admin 62, biller 62, provider 38, QA 30, the firm's admin 23, coder 23, vendor coder 23, ops less.
    protected static readonly string[] FirstHalf = [Users.NorthAdmin, Users.NorthProvider, Users.NorthCoder, Users.VendorCoder];
    protected static readonly string[] SecondHalf = [Users.NorthBiller, Users.NorthQa, Users.VendorAdmin, Users.PlatformAdmin];

    /// <summary>Every demo role with pages of its own: the two halves together.</summary>
    public static IReadOnlyList<string> Everyone => [.. FirstHalf, .. SecondHalf];

    /// <summary>
    /// Pages checked at once, each in a browser context of its own signed in with the same cookies (a context is a renderer
    /// process of its own, so axe and layout run side by side; issue 14, item 13): the walk cost ~100 s per role one page at
    /// a time on a loaded 2-core machine.
    /// </summary>
    const int PagesAtOnce = 3;

    protected async Task Walk(string email)
    {
        await DayOfWork();
        await SignIn(email);
        var pages = new List<IPage> { Page };
        var cookies = await Page.Context.CookiesAsync();
        for (var i = 1; i < PagesAtOnce; i++)
        {
            var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = App.BaseAddress.ToString().TrimEnd('/') });
            await context.AddCookiesAsync(cookies.Select(c => new Microsoft.Playwright.Cookie
            {
                Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, Expires = c.Expires, HttpOnly = c.HttpOnly,
                Secure = c.Secure, SameSite = c.SameSite,
            }));
            extraContexts.Add(context);
            pages.Add(await context.NewPageAsync());
        }

        // Three pages at once on two cores take longer each than one alone: a navigation may take more than the usual 15 s.
        foreach (var page in pages) page.SetDefaultTimeout(30_000);

        var visited = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var shapes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var failures = new List<string>();
        var queue = new Queue<string>(["/"]);
        while (queue.Count > 0 && visited.Count < 30)
        {
            // A wave: the next pages of the breadth-first walk that are in the queue now, as many as there are pages. The walk
            // reaches the same pages in the same order as one page at a time: the links a page adds go behind the wave.
            var wave = new List<string>();
            while (queue.Count > 0 && wave.Count < pages.Count && visited.Count < 30)
            {
                var url = queue.Dequeue();
                // One page of each shape: the second chart of a queue shows nothing the first did not.
                if (!shapes.Add(Id().Replace(url, "{id}")) || !visited.Add(url)) continue;
                wave.Add(url);
            }
            var checks = await Task.WhenAll(wave.Select((url, i) => Check(pages[i], url, once: url != "/")));
            foreach (var (pageFailures, links) in checks)
            {
                failures.AddRange(pageFailures);
                foreach (var link in links)
                    if (!visited.Contains(link)) queue.Enqueue(link);
            }
        }
        Assert.True(visited.Count >= 3, $"{email} reached only {string.Join(", ", visited)}");
        Assert.True(failures.Count == 0, $"{email}:\n" + string.Join("\n", failures));
    }

    readonly List<IBrowserContext> extraContexts = [];

    public override async ValueTask DisposeAsync()
    {
        foreach (var context in extraContexts) await context.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>
    /// The content (<c>main</c>, antiforgery tokens left out) of every page already checked with axe and at every width in this
    /// run, by any role's walk.
    /// </summary>
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> CheckedContent = new();

    /// <summary>
    /// Loads <paramref name="url"/> and checks it: no error, plain words, axe, the three widths; returns the failures and the links
    /// to walk on. With <paramref name="once"/>, a page whose content another role's walk (or an earlier page) already checked
    /// is read for its words and links only: a third of the walk's pages are the same content under another role's menu (the
    /// biller's and the admin's claim pages, …), and axe and three layouts of identical content find the same. The menu itself
    /// is checked on each role's home page and every page of distinct content (docs/benchmarks.md, session 13).
    /// </summary>
    internal static async Task<(List<string> Failures, IReadOnlyList<string> Links)> Check(IPage page, string url, bool once = false)
    {
        var failures = new List<string>();
        // A page is left at the last width; the next loads at the first (a resize lays out the page it leaves: only when needed).
        if (page.ViewportSize?.Width != Widths[0]) await page.SetViewportSizeAsync(Widths[0], 800);
        var response = await page.GotoAsync(url);
        if (response is null || response.Status >= 400)
        {
            failures.Add($"{url}: HTTP {response?.Status}");
            return (failures, []);
        }

        // Words, options, content and links in one evaluate in the page's own world: a locator would first load Playwright's
        // selector engine into each new document (~85 ms of chromium's CPU a page, docs/benchmarks.md session 18).
        var read = await page.EvaluateAsync<Read>(ReadScript);
        foreach (Match m in InternalName().Matches(read.Text + "\n" + string.Join("\n", read.Options)))
            if (!Allowed.Contains(m.Value)) failures.Add($"{url}: shows the internal name '{m.Value}'");
        var links = Links(read.Hrefs);

        if (once)
        {
            var key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(read.Content)));
            if (!CheckedContent.TryAdd(key, 0)) return (failures, links);
        }

        var axe = await page.RunAxeInPage();
        failures.AddRange(axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{url}: axe {v.Impact} {v.Id}: {v.Help} ({string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))})"));

        foreach (var width in Widths)
        {
            // The page was loaded at the first width: no second layout for it.
            if (width != Widths[0]) await page.SetViewportSizeAsync(width, 800);
            // One round trip per width: the sideways scroll (with the elements that cause it) and the primary actions off screen.
            var fit = await page.EvaluateAsync<Fit>(FitScript);
            if (fit.Overflow > 1)
                failures.Add($"{url} at {width}px: the page scrolls sideways by {fit.Overflow}px ({string.Join(" | ", fit.Culprits)})");
            failures.AddRange(fit.Offscreen.Select(o => $"{url} at {width}px: off screen: {o}"));
        }
        // The menu and the cards are the same at every width: the links read at the first serve.
        return (failures, links);
    }

    /// <summary>The pages a person of this role reaches: the menu, and the links on the home cards and in tables.</summary>
    static IReadOnlyList<string> Links(IEnumerable<string> hrefs) =>
        [.. hrefs.Where(h => h.StartsWith('/') && !h.StartsWith("/swagger") && !h.StartsWith("/health") && !h.Contains("format=csv")
            && !h.Contains("handler=")).Distinct().Take(40)];

    sealed class Read
    {
        public string Text { get; set; } = "";
        public string[] Options { get; set; } = [];
        public string Content { get; set; } = "";
        public string[] Hrefs { get; set; } = [];
    }

    /// <summary>
    /// What <see cref="Check"/> reads of a page: <c>main</c>'s words as shown (its <c>innerText</c>, which a locator's
    /// <c>InnerTextAsync</c> returns too) and its options' words; its content for <see cref="CheckedContent"/> (<c>main</c> as
    /// rendered, without the per-request antiforgery tokens); the links of the menu, the home cards and the tables.
    /// </summary>
    const string ReadScript = """
        () => {
          const main = document.querySelector('main');
          const copy = main.cloneNode(true);
          copy.querySelectorAll('input[name=__RequestVerificationToken]').forEach(i => i.removeAttribute('value'));
          return {
            text: main.innerText,
            options: [...main.querySelectorAll('option')].map(o => o.innerText),
            content: copy.outerHTML,
            hrefs: [...document.querySelectorAll('nav.side a[href], main .home-card a[href], main table a[href]')].map(e => e.getAttribute('href')),
          };
        }
        """;

    sealed class Fit
    {
        public int Overflow { get; set; }
        public string[] Culprits { get; set; } = [];
        public string[] Offscreen { get; set; } = [];
    }

    /// <summary>
    /// How the page fits the viewport: the sideways scroll of the page body and, when there is one, the first elements that stick
    /// out of a parent that fits; and the heading and every primary action outside a table (tables scroll inside themselves) that
    /// is not on screen.
    /// </summary>
    const string FitScript = """
        () => {
          const w = document.documentElement.clientWidth;
          const overflow = document.documentElement.scrollWidth - w;
          const culprits = overflow <= 1 ? [] : [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w + 1 && e.parentElement && e.parentElement.getBoundingClientRect().right <= w + 1)
            .slice(0, 3).map(e => e.outerHTML.slice(0, 120));
          const offscreen = [...document.querySelectorAll('main h1, main a.button, main button[type=submit]')]
            .filter(e => !e.closest('table') && !e.closest('[hidden]') && e.offsetParent !== null)
            .filter(e => { const r = e.getBoundingClientRect(); return r.left < -1 || r.right > w + 1; })
            .map(e => e.outerHTML.slice(0, 80));
          return { overflow, culprits, offscreen };
        }
        """;

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
