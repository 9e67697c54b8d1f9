using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Portal.Tests.Browser.BrowserFixture))]

namespace Portal.Tests.Browser;

/// <summary>One headless Debian chromium for the run, driven by Playwright; nothing is downloaded.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    IPlaywright? playwright;
    public IBrowser Browser { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("PORTAL_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(executable))
            throw new InvalidOperationException($"Browser tests need Debian's chromium at {executable}: apt-get install -y chromium.");
        playwright = await Playwright.CreateAsync();
        // Expectations wait as long as actions do: a 2-core CI machine under load answers an htmx search in seconds, not ms.
        Assertions.SetDefaultExpectTimeout(15_000);
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
    }
}

/// <summary>Base for browser tests: a fresh context (cookies) per test, signed in through the real sign-in page.</summary>
public abstract class BrowserTest(PortalApp app, BrowserFixture browser) : PortalTest(app)
{
    IBrowserContext? context;
    protected IPage Page { get; private set; } = default!;

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
    }

    public override async ValueTask DisposeAsync()
    {
        if (context is not null) await context.DisposeAsync();
        await base.DisposeAsync();
    }

    protected async Task SignIn(string email, string? password = null, string? totpSecret = null)
    {
        await Page.GotoAsync("/account/sign-in");
        await Page.GetByLabel("Email").FillAsync(email);
        await Page.GetByLabel("Password").FillAsync(password ?? Portal.Web.Features.Demo.DemoData.Password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath != "/account/sign-in");
        totpSecret ??= email == Users.PlatformAdmin ? Portal.Web.Features.Demo.DemoData.OpsTotpSecret : null;
        if (new Uri(Page.Url).AbsolutePath == "/account/sign-in/mfa" && totpSecret is not null)
        {
            await Page.GetByLabel("Code").FillAsync(PortalApp.TotpCode(totpSecret));
            await Page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
            await Page.WaitForURLAsync(url => !url.Contains("/account/sign-in"));
        }
    }
}
