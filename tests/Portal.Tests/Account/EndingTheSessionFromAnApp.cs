using System.Text.RegularExpressions;
using Portal.Web.Features.Demo;

namespace Portal.Tests.Account;

/// <summary>OpenID Connect RP-initiated logout: /connect/endsession asks on GET and signs out only on the confirming POST.</summary>
public partial class EndingTheSessionFromAnApp(PortalApp app) : PortalTest(app)
{
    static readonly string EndSession = "/connect/endsession?" + string.Join('&', new Dictionary<string, string>
    {
        ["client_id"] = "portal-swagger", ["post_logout_redirect_uri"] = DemoSeeder.DevPostLogoutRedirectUri, ["state"] = "s-42",
    }.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}"));

    [Fact]
    public async Task a_get_only_asks_and_signs_nobody_out()
    {
        using var browser = new CookieClient(App);
        await browser.SignIn(Users.NorthBiller);

        var response = await browser.Http.GetAsync(EndSession);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Sign out of Portal?", await response.Content.ReadAsStringAsync());
        Assert.True(await CookieClient.SignedIn(browser.Http));
    }

    [Fact]
    public async Task the_confirming_post_signs_out_and_returns_to_the_registered_address()
    {
        using var browser = new CookieClient(App);
        await browser.SignIn(Users.NorthBiller);
        var copied = browser.AuthCookie();
        var page = await browser.Http.GetStringAsync(EndSession);

        var response = await browser.Http.PostAsync("/connect/endsession", new FormUrlEncodedContent(HiddenFields(page)));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith(DemoSeeder.DevPostLogoutRedirectUri, location);
        Assert.Contains("state=s-42", location);
        Assert.False(await CookieClient.SignedIn(browser.Http));
        using var replay = CookieClient.Replaying(App, copied);
        Assert.False(await CookieClient.SignedIn(replay));
    }

    [Fact]
    public async Task a_post_without_the_antiforgery_token_signs_nobody_out()
    {
        using var browser = new CookieClient(App);
        await browser.SignIn(Users.NorthBiller);

        var response = await browser.Http.PostAsync("/connect/endsession", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = "portal-swagger", ["post_logout_redirect_uri"] = DemoSeeder.DevPostLogoutRedirectUri,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(await CookieClient.SignedIn(browser.Http));
    }

    [Fact]
    public async Task without_a_redirect_address_the_post_returns_to_the_portal()
    {
        using var browser = new CookieClient(App);
        await browser.SignIn(Users.NorthBiller);
        var page = await browser.Http.GetStringAsync("/connect/endsession");

        var response = await browser.Http.PostAsync("/connect/endsession", new FormUrlEncodedContent(HiddenFields(page)));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.ToString());
        Assert.False(await CookieClient.SignedIn(browser.Http));
    }

    [Fact]
    public async Task an_unregistered_redirect_address_is_refused()
    {
        using var browser = new CookieClient(App);
        await browser.SignIn(Users.NorthBiller);

        var response = await browser.Http.GetAsync(
            "/connect/endsession?client_id=portal-swagger&post_logout_redirect_uri=" + Uri.EscapeDataString("https://evil.example/"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(await CookieClient.SignedIn(browser.Http));
    }

    static Dictionary<string, string> HiddenFields(string html) =>
        HiddenInput().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));

    [GeneratedRegex("<input (?=[^>]*type=\"hidden\")(?=[^>]*name=\"(?<name>[^\"]+)\")(?=[^>]*value=\"(?<value>[^\"]*)\")[^>]*>")]
    private static partial Regex HiddenInput();
}
