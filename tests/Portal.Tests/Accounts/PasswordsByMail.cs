using Portal.Web.Features.Demo;

namespace Portal.Tests.Accounts;

public class PasswordsByMail(PortalApp app) : PortalTest(app)
{
    const string NewPassword = "Reset-Password-2026!";

    [Fact]
    public async Task a_reset_link_sets_a_new_password_once()
    {
        var user = await AccountGiven.InvitedUser(App, Users.NorthAdmin, DemoData.NorthClinic);
        App.Mail.Clear();

        await RequestReset(user.Email);
        var link = (await App.Mail.WaitForMessageTo(user.Email)).LinkTo("/account/reset-password");
        var http = AccountGiven.CookieClient(App);
        var reset = await Reset(http, link, NewPassword);

        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        Assert.Equal("/account/sign-in", reset.Headers.Location!.OriginalString);
        Assert.Contains("Your password is changed", await http.GetStringAsync("/account/sign-in"));
        Assert.Equal("/", await PortalApp.SignIn(AccountGiven.CookieClient(App), user.Email, NewPassword, null));
        await Assert.ThrowsAsync<InvalidOperationException>(() => PortalApp.SignIn(AccountGiven.CookieClient(App), user.Email, user.Password, null));

        var reused = await Reset(AccountGiven.CookieClient(App), link, "Third-Password-2026!");
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.Contains("This link no longer works", await reused.Content.ReadAsStringAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PortalApp.SignIn(AccountGiven.CookieClient(App), user.Email, "Third-Password-2026!", null));
    }

    [Fact]
    public async Task the_answer_is_the_same_for_an_unknown_email_and_no_mail_leaves()
    {
        var known = await RequestReset(Users.NorthBiller);
        var unknown = await RequestReset($"nobody-{Guid.NewGuid():N}@north.example");

        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Equal(await known.Content.ReadAsStringAsync(), await unknown.Content.ReadAsStringAsync());
        Assert.Contains("If an account uses that email", await unknown.Content.ReadAsStringAsync());
        await App.Mail.WaitForMessageTo(Users.NorthBiller);
        Assert.DoesNotContain(App.Mail.Messages, m => m.To.Any(t => t.StartsWith("nobody-")));
    }

    [Fact]
    public async Task a_forged_reset_token_is_refused()
    {
        var user = await AccountGiven.InvitedUser(App, Users.NorthAdmin, DemoData.NorthClinic);
        await RequestReset(user.Email);
        var link = (await App.Mail.WaitForMessageTo(user.Email, m => m.Subject.Contains("Reset"))).LinkTo("/account/reset-password");
        var forged = new Uri(System.Text.RegularExpressions.Regex.Replace(link.ToString(), "token=[^&]+", "token=Q2ZESjhGb3JnZWQ"));

        Assert.Contains("This link no longer works", await AccountGiven.CookieClient(App).GetStringAsync(forged.PathAndQuery));
    }

    [Fact]
    public async Task the_sign_in_page_links_to_the_reset()
    {
        var page = await AccountGiven.CookieClient(App).GetStringAsync("/account/sign-in");

        Assert.Contains("href=\"/account/forgot-password\"", page);
    }

    [Fact]
    public async Task a_signed_in_user_changes_their_password_with_the_current_one()
    {
        var user = await AccountGiven.InvitedUser(App, Users.NorthAdmin, DemoData.NorthClinic);

        var wrong = await AccountGiven.PostForm(user.Browser, "/account/password", new()
        {
            ["CurrentPassword"] = "Not-The-Password-1!", ["NewPassword"] = NewPassword, ["ConfirmPassword"] = NewPassword,
        });
        var weak = await AccountGiven.PostForm(user.Browser, "/account/password", new()
        {
            ["CurrentPassword"] = user.Password, ["NewPassword"] = "short", ["ConfirmPassword"] = "short",
        });
        var changed = await AccountGiven.PostForm(user.Browser, "/account/password", new()
        {
            ["CurrentPassword"] = user.Password, ["NewPassword"] = NewPassword, ["ConfirmPassword"] = NewPassword,
        });

        Assert.Contains("Your current password is not right", await wrong.Content.ReadAsStringAsync());
        Assert.DoesNotContain("Your password is changed", await weak.Content.ReadAsStringAsync());
        Assert.Contains("Your password is changed", await changed.Content.ReadAsStringAsync());
        Assert.Equal("/", await PortalApp.SignIn(AccountGiven.CookieClient(App), user.Email, NewPassword, null));
        await Assert.ThrowsAsync<InvalidOperationException>(() => PortalApp.SignIn(AccountGiven.CookieClient(App), user.Email, user.Password, null));
    }

    [Fact]
    public async Task changing_the_password_needs_a_signed_in_user()
    {
        var response = await AccountGiven.CookieClient(App).GetAsync("/account/password");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/sign-in", response.Headers.Location!.OriginalString);
    }

    async Task<HttpResponseMessage> RequestReset(string email) =>
        await AccountGiven.PostForm(AccountGiven.CookieClient(App), "/account/forgot-password", new() { ["Email"] = email });

    static async Task<HttpResponseMessage> Reset(HttpClient http, Uri link, string password)
    {
        var page = await http.GetStringAsync(link.PathAndQuery);
        var query = System.Web.HttpUtility.ParseQueryString(link.Query);
        return await http.PostAsync(link.PathAndQuery, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["user"] = query["user"]!, ["Token"] = query["token"]!, ["NewPassword"] = password, ["ConfirmPassword"] = password,
            ["__RequestVerificationToken"] = AccountGiven.AntiforgeryToken(page) ?? AccountGiven.AntiforgeryToken(await http.GetStringAsync("/account/sign-in"))!,
        }));
    }
}
