using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Tests.Browser;

namespace Portal.Tests.Account;

public partial class SigningOut(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task the_sign_out_button_ends_the_session_and_a_copied_cookie_no_longer_works()
    {
        using var browser = new CookieClient(App);
        await browser.SignIn(Users.NorthBiller);
        var home = await browser.Http.GetStringAsync("/");
        var copied = browser.AuthCookie();

        // The layout's own Sign out form, posted as the browser would post it.
        var form = SignOutForm().Match(home);
        Assert.True(form.Success, "The layout has no sign-out form.");
        var response = await browser.Http.PostAsync(form.Groups["action"].Value, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalApp.AntiforgeryToken(form.Value),
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.False(await CookieClient.SignedIn(browser.Http));
        using var attacker = CookieClient.Replaying(App, copied);
        Assert.False(await CookieClient.SignedIn(attacker));
        // Nor can it have a token issued for the user.
        var authorize = await attacker.GetAsync(AccountGiven.Authorize("practice.read", new Dictionary<string, string>
        {
            ["code_challenge"] = AccountGiven.Base64Url(new byte[32]), ["code_challenge_method"] = "S256",
        }));
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        Assert.Contains("/account/sign-in", authorize.Headers.Location!.ToString());
    }

    [Fact]
    public async Task signing_out_ends_only_that_session()
    {
        using var first = new CookieClient(App);
        using var second = new CookieClient(App);
        await first.SignIn(Users.NorthBiller);
        await second.SignIn(Users.NorthBiller);

        var page = await first.Http.GetStringAsync("/account/sign-out");
        await first.Http.PostAsync("/account/sign-out", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalApp.AntiforgeryToken(page),
        }));

        Assert.False(await CookieClient.SignedIn(first.Http));
        Assert.True(await CookieClient.SignedIn(second.Http));
    }

    [Fact]
    public async Task the_sign_out_page_asks_first_and_a_post_without_the_antiforgery_token_signs_nobody_out()
    {
        using var browser = new CookieClient(App);
        await browser.SignIn(Users.NorthBiller);

        var page = await browser.Http.GetStringAsync("/account/sign-out");
        var forged = await browser.Http.PostAsync("/account/sign-out", new FormUrlEncodedContent([]));

        Assert.Contains("Sign out?", page);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.True(await CookieClient.SignedIn(browser.Http));
    }

    [GeneratedRegex("<form[^>]*action=\"(?<action>/account/sign-out)\"[^>]*>.*?</form>", RegexOptions.Singleline)]
    private static partial Regex SignOutForm();
}

public class SigningOutInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task the_sign_out_button_signs_the_user_out()
    {
        await SignIn(Users.NorthCoder);

        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "You are signed out" })).ToBeVisibleAsync();
        await Page.GotoAsync("/");
        Assert.Contains("/account/sign-in", Page.Url);
    }
}
