using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Playwright;
using Portal.Tests.Account;
using Portal.Tests.Browser;
using Portal.Web.Features.Demo;
using Portal.Web.Platform;

namespace Portal.Tests.ApiPlatform;

/// <summary>Issue 14, item 9: Swagger UI signs in the signed-in user with authorization code + PKCE on the address it was opened from.</summary>
public class SwaggerSignIn(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task swagger_ui_opened_on_the_apps_own_loopback_port_gets_a_code_for_the_signed_in_user()
    {
        // The fixture listens on a random loopback port, not 5080: before, portal-swagger refused that redirect.
        var redirect = new Uri(App.BaseAddress, SwaggerOrigins.RedirectPath).AbsoluteUri;
        using var anonymous = App.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/swagger/index.html")).StatusCode);

        using var browser = new CookieClient(App);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignIn(Users.NorthCoder)).StatusCode);
        var verifier = AccountGiven.Base64Url(RandomNumberGenerator.GetBytes(32));
        var authorize = await browser.Http.GetAsync(Authorize(redirect, verifier));
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        Assert.StartsWith(redirect + "?", authorize.Headers.Location!.AbsoluteUri);
        var code = AccountGiven.CodeFrom(authorize);
        Assert.NotNull(code);

        var token = await browser.Http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = "portal-swagger", ["code"] = code!,
            ["redirect_uri"] = redirect, ["code_verifier"] = verifier,
        }));
        var body = await token.Content.ReadAsStringAsync();
        Assert.True(token.IsSuccessStatusCode, body);
        using var api = new HttpClient { BaseAddress = App.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString());
        var me = await api.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Contains("coder", await me.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task a_forged_host_header_registers_no_redirect_and_the_code_goes_nowhere()
    {
        using var forged = App.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/swagger/index.html");
        request.Headers.Host = "evil.example";
        Assert.Equal(HttpStatusCode.OK, (await forged.SendAsync(request)).StatusCode);

        using var browser = new CookieClient(App);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignIn(Users.NorthCoder)).StatusCode);
        var answer = await browser.Http.GetAsync(Authorize("http://evil.example/swagger/oauth2-redirect.html", "x".PadRight(43, 'x')));
        Assert.NotEqual(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Null(answer.Headers.Location);
    }

    [Theory]
    [InlineData("http://127.0.0.1:41234/swagger/oauth2-redirect.html", true)]
    [InlineData("http://localhost:8080/swagger/oauth2-redirect.html", true)]
    [InlineData("http://[::1]:5080/swagger/oauth2-redirect.html", true)]
    [InlineData("https://portal.example.com/swagger/oauth2-redirect.html", true)]
    [InlineData("https://api.example.org/swagger/oauth2-redirect.html", true)]
    [InlineData("https://portal.example.com:8443/swagger/oauth2-redirect.html", false)]
    [InlineData("https://evil.example/swagger/oauth2-redirect.html", false)]
    [InlineData("http://localhost.evil.example/swagger/oauth2-redirect.html", false)]
    [InlineData("http://127.0.0.1.evil.example/swagger/oauth2-redirect.html", false)]
    [InlineData("ftp://127.0.0.1/swagger/oauth2-redirect.html", false)]
    public void only_configured_or_loopback_origins_are_accepted(string redirect, bool accepted)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Portal:PublicUrl"] = "https://portal.example.com/", ["Portal:Swagger:Origins"] = "https://api.example.org; https://other.example.net",
        }).Build();
        Assert.Equal(accepted, SwaggerOrigins.Accepts(new Uri(redirect), SwaggerOrigins.Configured(config)));
    }

    static string Authorize(string redirect, string verifier) =>
        "/connect/authorize?" + string.Join('&', new Dictionary<string, string>
        {
            ["client_id"] = "portal-swagger", ["response_type"] = "code", ["redirect_uri"] = redirect, ["scope"] = "practice.read",
            ["state"] = "s", ["code_challenge_method"] = "S256",
            ["code_challenge"] = AccountGiven.Base64Url(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier))),
        }.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}"));
}

/// <summary>The real Swagger UI in chromium: Authorize as the signed-in user (code + PKCE), then as a registered app (client credentials).</summary>
public class SwaggerSignInInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task the_signed_in_user_and_a_registered_app_authorize_in_swagger_ui()
    {
        await SignIn(Users.NorthAdmin, at: "/swagger/index.html");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).First.ClickAsync();
        var dialog = Page.Locator(".modal-ux");
        var codeFlow = dialog.Locator(".auth-container").Filter(new() { HasText = "authorizationCode" });
        await codeFlow.Locator("label[for='practice.read-authorizationCode-checkbox-oauth2']").ClickAsync();
        var popup = await Page.RunAndWaitForPopupAsync(() => codeFlow.Locator("button.authorize", new() { HasText = "Authorize" }).ClickAsync());
        var closed = new TaskCompletionSource();
        popup.Close += (_, _) => closed.TrySetResult();
        if (!popup.IsClosed) await closed.Task.WaitAsync(TimeSpan.FromSeconds(15));
        await Assertions.Expect(codeFlow.Locator("button", new() { HasText = "Logout" })).ToBeVisibleAsync();
        // One OAuth2 scheme: sign the user out of Swagger UI, then authorize as the practice's registered app.
        await codeFlow.Locator("button", new() { HasText = "Logout" }).ClickAsync();

        var appFlow = dialog.Locator(".auth-container").Filter(new() { HasText = "clientCredentials" });
        await appFlow.Locator("#client_id_clientCredentials").FillAsync("north-app");
        await appFlow.Locator("#client_secret_clientCredentials").FillAsync("north-app-dev-secret");
        await appFlow.Locator("label[for='practice.read-clientCredentials-checkbox-oauth2']").ClickAsync();
        await appFlow.Locator("button.authorize", new() { HasText = "Authorize" }).ClickAsync();
        await Assertions.Expect(appFlow.Locator("button", new() { HasText = "Logout" })).ToBeVisibleAsync();
    }
}
