using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Portal.Tests.Browser.BrowserFixture))]

namespace Portal.Tests.Browser;

/// <summary>One headless Debian chromium for the run, driven by Playwright; nothing is downloaded.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>
    /// Debian's chromium-headless-shell (the same Blink as chromium, without the browser's window, GPU and compositor
    /// processes: what Playwright itself runs for headless tests). Measured on the suite's heaviest browser class it used
    /// 57 % less CPU than the full <c>/usr/bin/chromium</c> in its headless mode (docs/benchmarks.md, "Test suite"), and chromium
    /// was two thirds of the suite's CPU. The full chromium is still used when the shell is not installed, or when
    /// <c>PORTAL_CHROMIUM</c> names it.
    /// </summary>
    public const string HeadlessShell = "/usr/bin/chromium-headless-shell";

    IPlaywright? playwright;
    public IBrowser Browser { get; private set; } = default!;

    /// <summary>
    /// The sign-in cookies of each demo user, taken the first time a test signs in through the page (issue 14, item 13):
    /// later tests start signed in and skip the sign-in page, the password hash and, for the operator, the TOTP step. Sessions
    /// live in the identity schema, which Respawn does not reset; a cookie refused since (a test signed out, an account
    /// changed) is noticed on the first page and the test signs in through the page again. Kept per app (each test stream has
    /// its own, ADR 0033), under the app's address and the e-mail.
    /// </summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<BrowserContextCookiesResult>> SignedIn { get; } = new();

    public int PageSignIns, ReusedSignIns;
    public long PageSignInMilliseconds;

    public async ValueTask InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("PORTAL_CHROMIUM") is { Length: > 0 } configured ? configured
            : new[] { HeadlessShell, "/usr/bin/chromium" }.FirstOrDefault(File.Exists)
              ?? throw new InvalidOperationException(
                  $"Browser tests need Debian's chromium-headless-shell at {HeadlessShell}: apt-get install -y chromium-headless-shell.");
        if (!File.Exists(executable)) throw new InvalidOperationException($"PORTAL_CHROMIUM names {executable}, which does not exist.");
        playwright = await Playwright.CreateAsync();
        // Expectations wait as long as actions do: a 2-core CI machine under load answers an htmx search in seconds, not ms.
        Assertions.SetDefaultExpectTimeout(15_000);
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // --in-process-gpu: the compositor's GPU process (software, with --disable-gpu) as a thread of the browser process;
            // the two used 14–16 s of CPU in RoleWalkSecondHalf alone, 13–14 s as one (alternated runs, docs/benchmarks.md session 13).
            // PORTAL_CHROMIUM_ARGS adds switches, to measure others.
            Args = ["--no-sandbox", "--disable-gpu", "--in-process-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic", .. DisableFeatures(),
                    .. (Environment.GetEnvironmentVariable("PORTAL_CHROMIUM_ARGS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)],
        });
    }

    /// <summary>
    /// Chromium's <c>--disable-features</c>: Playwright's own list, plus <c>RenderDocument</c>. With RenderDocument (on by default
    /// in the Chromium we run, 156) every cross-document navigation swaps in a new frame for the new document, even within a
    /// site, instead of reusing the old one; the browser tests navigate thousands of times, and a load of a Portal page cost
    /// ~143 ms of chromium's CPU with it and ~100 ms without (alternated; docs/benchmarks.md, session 18). Chromium keeps the last
    /// <c>--disable-features</c> of its command line, so Playwright's list (read from its driver's bundle) is repeated here;
    /// when it cannot be read, RenderDocument stays on rather than Playwright's switches being dropped
    /// (<see cref="PlaywrightSwitches"/> notices that).
    /// </summary>
    static string[] DisableFeatures()
    {
        var playwrights = File.Exists(PlaywrightBundle) ? PlaywrightDisabledFeatures(File.ReadAllText(PlaywrightBundle)) : null;
        if (playwrights is null)
        {
            Console.WriteLine($"Browser tests: Playwright's disabled features were not found in {PlaywrightBundle}; chromium keeps RenderDocument.");
            return [];
        }
        return ["--disable-features=" + string.Join(',', playwrights.Append("RenderDocument").Distinct())];
    }

    /// <summary>The JavaScript bundle of Playwright's driver, as copied into the test output.</summary>
    internal static readonly string PlaywrightBundle = Path.Combine(AppContext.BaseDirectory, ".playwright", "package", "lib", "coreBundle.js");

    /// <summary>The feature names of Playwright's <c>disabledFeatures = [ … ]</c> (comments left out); null when not there.</summary>
    internal static IReadOnlyList<string>? PlaywrightDisabledFeatures(string bundle)
    {
        const string list = "disabledFeatures = [";
        var start = bundle.IndexOf(list, StringComparison.Ordinal);
        if (start < 0) return null;
        var names = new List<string>();
        foreach (var line in bundle[(start + list.Length)..].Split('\n'))
        {
            var code = line.Split("//")[0].Trim();
            if (code.StartsWith(']')) return names.Count > 0 ? names : null;
            names.AddRange(System.Text.RegularExpressions.Regex.Matches(code, "\"([A-Za-z0-9]+)\"").Select(m => m.Groups[1].Value));
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (PageSignIns + ReusedSignIns > 0)
            Console.WriteLine($"Browser sign-ins: {PageSignIns} through the page ({(PageSignIns == 0 ? 0 : PageSignInMilliseconds / PageSignIns)} ms each " +
                $"on average), {ReusedSignIns} reused from an earlier test.");
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
    }
}

/// <summary>Base for browser tests: a fresh context (cookies) per test, signed in through the real sign-in page.</summary>
public abstract class BrowserTest(PortalApp app, BrowserFixture browser) : PortalTest(app)
{
    /// <summary>Off for a test that must see the sign-in page itself.</summary>
    protected virtual bool ReuseSignIn => true;

    IBrowserContext? context;
    protected IPage Page { get; private set; } = default!;

    /// <summary>The run's chromium, for a test that needs more contexts than its own (RoleWalk checks pages side by side).</summary>
    protected IBrowser Browser => browser.Browser;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseAddress.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = 1366, Height = 820 },
        });
        context.SetDefaultTimeout(15_000);
        Page = await context.NewPageAsync();
        Page.Request += (_, r) => Note($"-> {r.Method} {r.Url}");
        Page.Response += (_, r) => Note($"<- {r.Status} {r.Request.Method} {r.Url}");
        Page.RequestFailed += (_, r) => Note($"!! {r.Method} {r.Url} failed: {r.Failure}");
        Page.Console += (_, m) => { if (m.Type is "error" or "warning") Note($"console {m.Type}: {m.Text}"); };
        Page.PageError += (_, e) => Note($"page error: {e}");
        Page.FrameNavigated += (_, f) => { if (f.ParentFrame is null) Note($"navigated to {f.Url}"); };
    }

    /// <summary>
    /// What the page did (requests, answers, console errors, navigations), kept for a test that fails: it is written to
    /// <see cref="FailureLog"/>, which <c>.ci/run</c> prints at the end, because a failed expectation alone rarely says why.
    /// </summary>
    readonly System.Collections.Concurrent.ConcurrentQueue<string> journal = new();
    readonly long started = System.Diagnostics.Stopwatch.GetTimestamp();
    public static readonly string FailureLog = Path.Combine(Path.GetTempPath(), "portal-browser-failures.log");
    static readonly SemaphoreSlim FailureLogGate = new(1, 1);

    void Note(string line)
    {
        journal.Enqueue($"{System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds,8:0} ms  {line}");
        while (journal.Count > 80) journal.TryDequeue(out _);
    }

    public override async ValueTask DisposeAsync()
    {
        if (TestContext.Current.TestState?.Result == TestResult.Failed && Page is not null)
        {
            try
            {
                var state = await Page.EvaluateAsync<string>("""
                    () => 'active element: ' + (document.activeElement?.id || document.activeElement?.tagName) + '\n' +
                          [...document.querySelectorAll('input[role=combobox]')].map(i => `#${i.id} = ${JSON.stringify(i.value)}`).join('\n') + '\n' +
                          [...document.querySelectorAll('[role=listbox]')].map(l => `#${l.id}: ${l.hidden ? 'hidden' : 'shown'}, ${l.children.length} items ${JSON.stringify(l.innerText.slice(0, 200))}`).join('\n') + '\n' +
                          'busy: ' + [...document.querySelectorAll('.htmx-request, .htmx-swapping, .htmx-settling')].map(e => e.id || e.tagName).join(', ')
                    """);
                // Both test streams (ADR 0033) may write a failure at once: one at a time, so neither is lost or interleaved.
                await FailureLogGate.WaitAsync();
                try
                {
                    await File.AppendAllTextAsync(FailureLog,
                        $"== {TestContext.Current.Test?.TestDisplayName}\nurl: {Page.Url}\n{state}\n{string.Join('\n', journal)}\n\n");
                }
                finally { FailureLogGate.Release(); }
            }
            catch (Exception e) when (e is PlaywrightException or IOException) { }
        }
        if (context is not null) await context.DisposeAsync();
        await base.DisposeAsync();
    }

    string SignInKey(string email) => $"{App.BaseAddress} {email}";

    /// <summary>
    /// Signs the test's context in as <paramref name="email"/> and leaves its page at <paramref name="at"/> (the home page when
    /// not given). Cookies of an earlier sign-in are tried first, on that page itself: one page load instead of the home page
    /// and then the test's own first page.
    /// </summary>
    protected async Task SignIn(string email, string? password = null, string? totpSecret = null, string? at = null)
    {
        var reusable = ReuseSignIn && password is null && totpSecret is null;
        if (reusable && browser.SignedIn.TryGetValue(SignInKey(email), out var cookies))
        {
            await context!.AddCookiesAsync(cookies.Select(c => new Microsoft.Playwright.Cookie
            {
                Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, Expires = c.Expires, HttpOnly = c.HttpOnly,
                Secure = c.Secure, SameSite = c.SameSite,
            }));
            await Page.GotoAsync(at ?? "/");
            if (!new Uri(Page.Url).AbsolutePath.StartsWith("/account/"))
            {
                Interlocked.Increment(ref browser.ReusedSignIns);
                return;
            }
            browser.SignedIn.TryRemove(SignInKey(email), out _);
            await context!.ClearCookiesAsync();
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // The first page of a run compiles its views and warms the app: on a loaded machine that alone can pass 15 s.
        await Page.GotoAsync("/account/sign-in", new() { Timeout = 60_000 });
        await Page.GetByLabel("Email").FillAsync(email);
        await Page.GetByLabel("Password").FillAsync(password ?? Portal.Web.Features.Demo.DemoData.Password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // Signed in once the next page commits (the session cookie came with the redirect). Not its load event: in 3 of ~16 runs of
        // a role-walk half alone Playwright never reported "load" (nor "domcontentloaded") for the home page after the redirect,
        // though the page had answered and was idle, and the wait ran out; what follows waits for what it needs.
        await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath != "/account/sign-in", new() { WaitUntil = WaitUntilState.Commit });
        totpSecret ??= email == Users.PlatformAdmin ? Portal.Web.Features.Demo.DemoData.OpsTotpSecret : null;
        if (new Uri(Page.Url).AbsolutePath == "/account/sign-in/mfa" && totpSecret is not null)
        {
            await Page.GetByLabel("Code").FillAsync(PortalApp.TotpCode(totpSecret));
            await Page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
            await Page.WaitForURLAsync(url => !url.Contains("/account/sign-in"));
        }
        Interlocked.Increment(ref browser.PageSignIns);
        Interlocked.Add(ref browser.PageSignInMilliseconds, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (reusable && !new Uri(Page.Url).AbsolutePath.StartsWith("/account/")) browser.SignedIn[SignInKey(email)] = await context!.CookiesAsync();
        if (at is not null) await Page.GotoAsync(at);
    }
}
