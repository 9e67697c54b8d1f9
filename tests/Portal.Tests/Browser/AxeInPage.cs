using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Portal.Tests.Browser;

/// <summary>
/// axe-core run inside the page it checks. Deque's <c>RunAxe</c> runs axe "partially" in the page and then, for every run, opens a
/// new browser page, injects axe-core's 500 KB script into it a second time and finishes the results there (made for pages with
/// cross-origin iframes, which Portal's pages do not have). That second page was most of the browser tests' CPU: the role walk
/// measured alone used 160 s of CPU with it, 54 s with no axe at all (docs/benchmarks.md, "The browser suite's axe runs").
/// The in-page run is the same axe-core with the same rules and options on the same document, so it reports the same violations.
/// </summary>
public static class AxeInPage
{
    /// <summary>
    /// Every rule runs; only the violations come back with all their nodes (axe lists one node of each passed, incomplete or
    /// inapplicable rule), since the tests assert on violations alone and the results cross to .NET as JSON.
    /// </summary>
    static readonly AxeRunOptions ViolationsOnly = new() { ResultTypes = [ResultType.Violations] };

    public static Task<AxeResult> RunAxeInPage(this IPage page, AxeRunOptions? options = null)
    {
#pragma warning disable CS0618 // Deque marks the in-page run "legacy"; it is axe-core's own axe.run, which the partial run wraps.
        return page.RunAxeLegacy(options: options ?? ViolationsOnly);
#pragma warning restore CS0618
    }

    /// <summary>The violations issue 14 forbids (serious or critical), one line each: rule id and its help text.</summary>
    public static List<string> SeriousViolations(this AxeResult axe) =>
        axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
}
