using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Users;
using Portal.Web.Platform;

namespace Portal.Tests.Account;

/// <summary>A disabled, demoted or deleted user's cookie and tokens stop working on the very next request (ADR 0008).</summary>
public class AccessEndsAtOnce(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task a_disabled_users_token_and_cookie_are_refused_on_the_next_request()
    {
        var user = await AccountGiven.NewNorthUser(App, Roles.Biller);
        var token = await AccountGiven.BearerFor(App, user.User.Email, user.TemporaryPassword);
        using var browser = new CookieClient(App);
        await browser.SignIn(user.User.Email, user.TemporaryPassword);
        Assert.Equal(HttpStatusCode.OK, (await token.GetAsync("/api/v1/me")).StatusCode);
        Assert.True(await CookieClient.SignedIn(browser.Http));

        var admin = await App.ClientFor(Users.NorthAdmin);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"{AccountGiven.NorthUsers}/{user.User.Id}/disable", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await token.GetAsync("/api/v1/me")).StatusCode);
        Assert.False(await CookieClient.SignedIn(browser.Http));
    }

    [Fact]
    public async Task enabling_the_user_again_does_not_bring_old_tokens_back()
    {
        var user = await AccountGiven.NewNorthUser(App, Roles.Biller);
        var token = await AccountGiven.BearerFor(App, user.User.Email, user.TemporaryPassword);
        var admin = await App.ClientFor(Users.NorthAdmin);

        await admin.PostAsync($"{AccountGiven.NorthUsers}/{user.User.Id}/disable", null);
        await admin.PostAsync($"{AccountGiven.NorthUsers}/{user.User.Id}/enable", null);

        Assert.Equal(HttpStatusCode.Unauthorized, (await token.GetAsync("/api/v1/me")).StatusCode);
        var fresh = await AccountGiven.BearerFor(App, user.User.Email, user.TemporaryPassword);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task a_removed_role_is_refused_on_the_next_request_while_the_rest_still_works()
    {
        var user = await AccountGiven.NewNorthUser(App, Roles.PracticeAdmin, Roles.Biller);
        var token = await AccountGiven.BearerFor(App, user.User.Email, user.TemporaryPassword);
        using var browser = new CookieClient(App);
        await browser.SignIn(user.User.Email, user.TemporaryPassword);
        Assert.Equal(HttpStatusCode.OK, (await token.GetAsync(AccountGiven.NorthUsers)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.Http.GetAsync("/organization/users")).StatusCode);

        var admin = await App.ClientFor(Users.NorthAdmin);
        var changed = await admin.PutAsJsonAsync($"{AccountGiven.NorthUsers}/{user.User.Id}/roles", new ChangeRoles([Roles.Biller]));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await token.GetAsync(AccountGiven.NorthUsers)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await token.GetAsync("/api/v1/me")).StatusCode);
        var page = await browser.Http.GetAsync("/organization/users");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains("/account/access-denied", page.Headers.Location!.ToString());
        Assert.True(await CookieClient.SignedIn(browser.Http));
    }

    [Fact]
    public async Task a_deleted_users_token_and_cookie_are_refused_on_the_next_request()
    {
        var user = await AccountGiven.NewNorthUser(App, Roles.Biller);
        var token = await AccountGiven.BearerFor(App, user.User.Email, user.TemporaryPassword);
        using var browser = new CookieClient(App);
        await browser.SignIn(user.User.Email, user.TemporaryPassword);

        // Portal has no delete-user operation yet (accounts are disabled, which keeps the audit trail); delete it in the store.
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            Assert.True((await users.DeleteAsync((await users.FindByIdAsync(user.User.Id.ToString()))!)).Succeeded);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await token.GetAsync("/api/v1/me")).StatusCode);
        Assert.False(await CookieClient.SignedIn(browser.Http));
    }

    [Fact]
    public async Task a_disabled_user_cannot_refresh_a_token()
    {
        var user = await AccountGiven.NewNorthUser(App, Roles.Biller);
        var refresh = await AccountGiven.RefreshTokenFor(App, user.User.Email, user.TemporaryPassword);
        var admin = await App.ClientFor(Users.NorthAdmin);

        await admin.PostAsync($"{AccountGiven.NorthUsers}/{user.User.Id}/disable", null);

        using var http = App.Anonymous();
        var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["client_id"] = "portal-swagger", ["refresh_token"] = refresh,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_grant", await response.Content.ReadAsStringAsync());
    }
}
