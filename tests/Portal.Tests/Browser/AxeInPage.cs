using Deque.AxeCore.Commons;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using Newtonsoft.Json.Linq;

namespace Portal.Tests.Browser;

/// <summary>
/// axe-core run inside the page it checks. Deque's <c>RunAxe</c> runs axe "partially" in the page and then, for every run, opens a
/// new browser page, injects axe-core's 500 KB script into it a second time and finishes the results there (made for pages with
/// cross-origin iframes, which Portal's pages do not have). That second page was most of the browser tests' CPU: the role walk
/// measured alone used 160 s of CPU with it, 54 s with no axe at all (docs/benchmarks.md, "The browser suite's axe runs").
/// Deque's in-page run (<c>RunAxeLegacy</c>) still sent the 500 KB script from .NET through Playwright's driver to the page on every
/// call: ~200 ms of a ~300 ms check. Here a document that lacks axe-core loads the same bundle from the test host
/// (<see cref="AxeScriptRoute"/>, a script of the page's own origin that the browser caches), only when it is checked (ADR 0049),
/// and <c>axe.run</c> is called on the document with the same rules and options, so it reports the same violations.
/// </summary>
public static class AxeInPage
{
    static readonly string Source = new BundledAxeScriptProvider().GetScript();

    /// <summary>
    /// Loads axe-core into the document when it lacks it (from <see cref="AxeScriptRoute.Path"/>), then runs it: every rule; only
    /// the violations come back with all their nodes (axe lists one node of each passed, incomplete or inapplicable rule), since the
    /// tests assert on violations alone and the results cross to .NET as JSON. Null when axe-core cannot load from the page's origin.
    /// </summary>
    const string Run = """
        async path => {
          if (typeof window.axe !== 'object' && path) await new Promise(resolve => {
            const s = document.createElement('script');
            s.src = path; s.onload = resolve; s.onerror = resolve;
            document.head.appendChild(s);
          });
          return typeof window.axe === 'object' ? JSON.stringify(await axe.run(document, { resultTypes: ['violations'] })) : null;
        }
        """;

    public static async Task<AxeResult> RunAxeInPage(this IPage page)
    {
        // One round trip, loading axe-core from the test host when the document lacks it; a page of another origin (which does
        // not serve it) is sent the script.
        var json = await page.EvaluateAsync<string?>(Run, AxeScriptRoute.Path);
        if (json is null)
        {
            await page.EvaluateAsync(Source);
            json = await page.EvaluateAsync<string>(Run, "");
        }
        return new AxeResult(JObject.Parse(json));
    }

    /// <summary>axe-core's bundle, for <see cref="AxeScriptRoute"/>.</summary>
    internal static readonly byte[] SourceBytes = System.Text.Encoding.UTF8.GetBytes(Source);

    /// <summary>The violations issue 14 forbids (serious or critical), one line each: rule id and its help text.</summary>
    public static List<string> SeriousViolations(this AxeResult axe) =>
        axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
}

/// <summary>
/// Serves axe-core's bundle at <see cref="Path"/> from the test hosts (never from Portal itself), cacheable, so a browser test
/// loads it into the documents it checks as a script of the page's own origin (the CSP's <c>script-src 'self'</c>): the browser
/// keeps it in its cache, and no page that is not checked runs it.
/// </summary>
public sealed class AxeScriptRoute : Microsoft.AspNetCore.Hosting.IStartupFilter
{
    public const string Path = "/__tests/axe.min.js";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (context.Request.Path == Path)
            {
                context.Response.ContentType = "text/javascript; charset=utf-8";
                context.Response.Headers.CacheControl = "public, max-age=86400, immutable";
                await context.Response.Body.WriteAsync(AxeInPage.SourceBytes);
                return;
            }
            await nextMiddleware();
        });
        next(app);
    };
}
