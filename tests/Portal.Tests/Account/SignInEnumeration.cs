using Portal.Web.Platform;

namespace Portal.Tests.Account;

/// <summary>A failed sign-in says the same thing whether the e-mail is unknown, the password wrong, or the account locked or disabled.</summary>
public class SignInEnumeration(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task unknown_email_wrong_password_locked_and_disabled_accounts_get_the_same_answer()
    {
        var wrong = await AccountGiven.NewNorthUser(App, Roles.Biller);
        var locked = await AccountGiven.NewNorthUser(App, Roles.Biller);
        var disabled = await AccountGiven.NewNorthUser(App, Roles.Biller);
        for (var i = 0; i < 5; i++) await Attempt(locked.User.Email, "Wrong-password-1!");
        var admin = await App.ClientFor(Users.NorthAdmin);
        await admin.PostAsync($"{AccountGiven.NorthUsers}/{disabled.User.Id}/disable", null);

        var unknown = await Attempt($"nobody-{Guid.NewGuid():N}@north.example", "Wrong-password-1!");
        var wrongPassword = await Attempt(wrong.User.Email, "Wrong-password-1!");
        var lockedOut = await Attempt(locked.User.Email, locked.TemporaryPassword);
        var disabledAccount = await Attempt(disabled.User.Email, disabled.TemporaryPassword);

        Assert.Equal(HttpStatusCode.OK, unknown.Status);
        Assert.All([wrongPassword, lockedOut, disabledAccount], r => Assert.Equal(unknown, r));
        Assert.DoesNotContain("(no error shown)", unknown.Error);
    }

    async Task<(HttpStatusCode Status, string Error)> Attempt(string email, string password)
    {
        using var browser = new CookieClient(App);
        var response = await browser.SignIn(email, password);
        return (response.StatusCode, CookieClient.SignInError(await response.Content.ReadAsStringAsync()));
    }
}
