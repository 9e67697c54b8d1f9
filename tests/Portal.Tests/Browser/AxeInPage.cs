using Deque.AxeCore.Commons;
using Microsoft.Playwright;
using Newtonsoft.Json.Linq;

namespace Portal.Tests.Browser;

/// <summary>
/// axe-core run inside the page it checks. Deque's <c>RunAxe</c> runs axe "partially" in the page and then, for every run, opens a
/// new browser page, injects axe-core's 500 KB script into it a second time and finishes the results there (made for pages with
/// cross-origin iframes, which Portal's pages do not have). That second page was most of the browser tests' CPU: the role walk
/// measured alone used 160 s of CPU with it, 54 s with no axe at all (docs/benchmarks.md, "The browser suite's axe runs").
/// Deque's in-page run (<c>RunAxeLegacy</c>) still sent the 500 KB script from .NET through Playwright's driver to the page on every
/// call: ~200 ms of a ~300 ms check. Here the same bundled axe-core is sent once per browser context, as a script the context runs
/// in every new document (<see cref="IBrowserContext.AddInitScriptAsync"/>), and <c>axe.run</c> is called on the document with
/// the same rules and options, so it reports the same violations.
/// </summary>
public static class AxeInPage
{
    static readonly string Source = new BundledAxeScriptProvider().GetScript();

    /// <summary>The contexts that already carry axe in every new document.</summary>
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IBrowserContext, object> Carrying = [];

    /// <summary>
    /// Every rule runs; only the violations come back with all their nodes (axe lists one node of each passed, incomplete or
    /// inapplicable rule), since the tests assert on violations alone and the results cross to .NET as JSON.
    /// </summary>
    const string Run = "async () => typeof window.axe === 'object' ? JSON.stringify(await axe.run(document, { resultTypes: ['violations'] })) : null";

    /// <summary>Makes every document the context opens from now on carry axe-core (a page checking many pages calls it first).</summary>
    public static async Task CarryAxe(this IBrowserContext context)
    {
        if (Carrying.TryAdd(context, new object())) await context.AddInitScriptAsync(Source);
    }

    public static async Task<AxeResult> RunAxeInPage(this IPage page)
    {
        // One round trip when the document carries axe; a document opened before its context carried it (or in a context that
        // never will) gets the script first.
        var json = await page.EvaluateAsync<string?>(Run);
        if (json is null)
        {
            await page.EvaluateAsync(Source);
            json = await page.EvaluateAsync<string>(Run);
        }
        return new AxeResult(JObject.Parse(json));
    }

    /// <summary>The violations issue 14 forbids (serious or critical), one line each: rule id and its help text.</summary>
    public static List<string> SeriousViolations(this AxeResult axe) =>
        axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
}
