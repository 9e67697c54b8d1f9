using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Demo;
using Portal.Web.Platform;

namespace Portal.Tests.Accounts;

public class AccountsInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task an_invitee_follows_the_link_in_the_mail_chooses_a_password_and_is_signed_in()
    {
        var email = AccountGiven.NewEmail("acme.example");
        var link = await AccountGiven.Invitation(App, Users.VendorAdmin, DemoData.AcmeCoding, email, Roles.VendorCoder);

        await Page.GotoAsync(link.PathAndQuery);
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Join Acme Coding Services" })).ToBeVisibleAsync();
        await Page.GetByLabel("Your name").FillAsync("Vera Vendorcoder");
        await Page.GetByLabel("Password", new() { Exact = true }).FillAsync(AccountGiven.Password);
        await Page.GetByLabel("Password again").FillAsync(AccountGiven.Password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create my account" }).ClickAsync();

        await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await Assertions.Expect(Page.Locator(".who")).ToContainTextAsync("Vera Vendorcoder");
        await Assertions.Expect(Page.Locator(".who")).ToContainTextAsync("Vendor coder");

        await Page.GotoAsync(link.PathAndQuery);
        await Assertions.Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("It was used already");
    }

    [Fact]
    public async Task a_user_scans_the_key_turns_on_mfa_and_signs_in_with_a_code()
    {
        var user = await AccountGiven.InvitedUser(App, Users.NorthAdmin, DemoData.NorthClinic, Roles.Biller);
        await SignIn(user.Email, user.Password);

        await Page.GotoAsync("/account/mfa");
        await Assertions.Expect(Page.GetByRole(AriaRole.Img, new() { Name = "QR code for your authenticator app" }).Locator("svg")).ToBeVisibleAsync();
        var key = (await Page.Locator("#authenticator-key").InnerTextAsync()).Replace(" ", "");
        await Page.GetByLabel("Code from the app").FillAsync(PortalApp.TotpCode(key));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Turn on MFA" }).ClickAsync();

        await Assertions.Expect(Page.GetByRole(AriaRole.List, new() { Name = "Recovery codes" }).Locator("li")).ToHaveCountAsync(10);

        await Page.Context.ClearCookiesAsync();
        await Page.GotoAsync("/account/sign-in");
        await Page.GetByLabel("Email").FillAsync(user.Email);
        await Page.GetByLabel("Password").FillAsync(user.Password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/sign-in/mfa");
        await Page.GetByLabel("Code").FillAsync(PortalApp.TotpCode(key));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();

        await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await Assertions.Expect(Page.Locator(".who")).ToContainTextAsync("Invited Person");
    }
}
