using System.Security.Cryptography;

namespace Portal.Tests.Account;

/// <summary>Only S256 PKCE: "plain" (or no method, which means plain) would let anyone who saw the request redeem the code.</summary>
public class Pkce(PortalApp app) : PortalTest(app)
{
    [Theory]
    [InlineData("plain")]
    [InlineData(null)]
    public async Task a_plain_code_challenge_is_refused(string? method)
    {
        using var browser = new CookieClient(App);
        await browser.SignIn(Users.NorthBiller);
        var pkce = new Dictionary<string, string> { ["code_challenge"] = AccountGiven.Base64Url(RandomNumberGenerator.GetBytes(32)) };
        if (method is not null) pkce["code_challenge_method"] = method;

        var response = await browser.Http.GetAsync(AccountGiven.Authorize("practice.read", pkce));

        // OpenIddict refuses it before looking at the redirect address, so the answer is a 400 here, not a redirect with a code.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("invalid_request", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task an_s256_code_challenge_gets_a_code_and_a_token()
    {
        var api = await AccountGiven.BearerFor(App, Users.NorthBiller, Portal.Web.Features.Demo.DemoData.Password);

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task discovery_lists_only_s256()
    {
        using var http = App.Anonymous();

        var doc = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        Assert.Equal(["S256"], doc.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(m => m.GetString()));
    }
}
