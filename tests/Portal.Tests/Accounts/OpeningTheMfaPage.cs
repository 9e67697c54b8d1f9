using Portal.Web.Features.Demo;
using Portal.Web.Platform;

namespace Portal.Tests.Accounts;

public class OpeningTheMfaPage(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task only_looking_at_the_enrolment_page_ends_no_session_and_no_token()
    {
        var user = await AccountGiven.InvitedUser(App, Users.NorthAdmin, DemoData.NorthClinic, Roles.Biller);
        var api = await Portal.Tests.Account.AccountGiven.BearerFor(App, user.Email, user.Password);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/me")).StatusCode);

        // A first visit makes the authenticator key; it must not change the security stamp every request checks.
        Assert.Equal(HttpStatusCode.OK, (await user.Browser.GetAsync("/account/mfa")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.Browser.GetAsync("/account/mfa")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.Browser.GetAsync("/")).StatusCode);
    }
}
