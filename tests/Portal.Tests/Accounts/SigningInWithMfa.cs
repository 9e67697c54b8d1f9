using System.Text.RegularExpressions;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Users;
using Portal.Web.Platform;

namespace Portal.Tests.Accounts;

public partial class SigningInWithMfa(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task a_user_turns_on_mfa_and_then_signs_in_with_a_code_or_a_recovery_code_once()
    {
        var user = await AccountGiven.InvitedUser(App, Users.NorthAdmin, DemoData.NorthClinic);
        var key = AccountGiven.AuthenticatorKey(await user.Browser.GetStringAsync("/account/mfa"));

        var wrong = await AccountGiven.PostForm(user.Browser, "/account/mfa", new() { ["code"] = "000000" }, "/account/mfa?handler=Confirm");
        var confirmed = await AccountGiven.PostForm(user.Browser, "/account/mfa", new() { ["code"] = PortalApp.TotpCode(key) },
            "/account/mfa?handler=Confirm");

        Assert.Contains("That code is not right", await wrong.Content.ReadAsStringAsync());
        var page = await confirmed.Content.ReadAsStringAsync();
        Assert.Contains("MFA is on", page);
        var recoveryCodes = RecoveryCode().Matches(page).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(10, recoveryCodes.Count);
        Assert.Equal(HttpStatusCode.OK, (await user.Browser.GetAsync("/")).StatusCode);

        // The password alone now opens nothing but the code step.
        var half = AccountGiven.CookieClient(App);
        var form = await half.GetStringAsync("/account/sign-in");
        var password = await half.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = user.Email, ["Password"] = user.Password, ["__RequestVerificationToken"] = AccountGiven.AntiforgeryToken(form)!,
        }));
        Assert.StartsWith("/account/sign-in/mfa", password.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await half.GetAsync("/")).StatusCode);
        var badCode = await AccountGiven.PostForm(half, password.Headers.Location.OriginalString, new() { ["Code"] = "123456" });
        Assert.Contains("That code is not right", await badCode.Content.ReadAsStringAsync());

        Assert.Equal("/", await PortalApp.SignIn(AccountGiven.CookieClient(App), user.Email, user.Password, key));

        var withRecovery = await SignInWithCode(user, recoveryCodes[0]);
        Assert.Equal(HttpStatusCode.Redirect, withRecovery.StatusCode);
        var reused = await SignInWithCode(user, recoveryCodes[0]);
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.Contains("That code is not right", await reused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task an_organization_that_requires_mfa_sends_its_users_to_enrolment_before_anything_else()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var security = $"/api/v1/organizations/{DemoData.NorthClinic}/security";
        var user = await AccountGiven.InvitedUser(App, Users.NorthAdmin, DemoData.NorthClinic, Roles.Coder);

        var put = await admin.PutAsJsonAsync(security, new OrganizationSecurity(true));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.True((await admin.GetFromJsonAsync<OrganizationSecurity>(security))!.RequireMfa);

        var http = AccountGiven.CookieClient(App);
        var landing = await PortalApp.SignIn(http, user.Email, user.Password, null);
        Assert.Equal("/", landing);
        var home = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/account/mfa", home.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await http.GetAsync($"/practices/{DemoData.NorthClinic}/patients")).StatusCode);
        // No API token either: the authorization endpoint sends them to enrolment too.
        var authorize = await http.GetAsync("/connect/authorize?client_id=portal-swagger&response_type=code&redirect_uri=" +
            Uri.EscapeDataString("http://127.0.0.1/callback") + "&scope=practice.read&code_challenge=" + new string('a', 43) +
            "&code_challenge_method=S256");
        Assert.StartsWith("/account/mfa", authorize.Headers.Location!.OriginalString);

        var mfaPage = await http.GetStringAsync("/account/mfa");
        Assert.Contains("Your organization requires MFA", mfaPage);
        var confirmed = await AccountGiven.PostForm(http, "/account/mfa", new()
        {
            ["code"] = PortalApp.TotpCode(AccountGiven.AuthenticatorKey(mfaPage)),
        }, "/account/mfa?handler=Confirm");
        Assert.Contains("MFA is on", await confirmed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
        Assert.DoesNotContain("Turn MFA off", await http.GetStringAsync("/account/mfa"));
    }

    [Fact]
    public async Task users_of_an_organization_without_the_policy_sign_in_with_the_password_alone()
    {
        var user = await AccountGiven.InvitedUser(App, Users.RiversideAdmin, DemoData.RiversidePediatrics);
        var http = AccountGiven.CookieClient(App);

        Assert.Equal("/", await PortalApp.SignIn(http, user.Email, user.Password, null));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task a_platform_admin_always_needs_the_second_step()
    {
        var http = AccountGiven.CookieClient(App);
        var form = await http.GetStringAsync("/account/sign-in");
        var password = await http.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = Users.PlatformAdmin, ["Password"] = DemoData.Password, ["__RequestVerificationToken"] = AccountGiven.AntiforgeryToken(form)!,
        }));

        Assert.StartsWith("/account/sign-in/mfa", password.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await http.GetAsync("/codes")).StatusCode);
        Assert.Equal("/", await PortalApp.SignIn(AccountGiven.CookieClient(App), Users.PlatformAdmin, DemoData.Password, DemoData.OpsTotpSecret));
    }

    [Fact]
    public async Task a_platform_admin_invited_without_mfa_must_enrol_first()
    {
        var ops = await AccountGiven.InvitedUser(App, Users.PlatformAdmin, DemoData.PortalOperations, Roles.PlatformAdmin);

        var home = await ops.Browser.GetAsync("/codes");

        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/account/mfa", home.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task only_the_organizations_admin_sets_its_security()
    {
        var security = $"/api/v1/organizations/{DemoData.NorthClinic}/security";

        Assert.Equal(HttpStatusCode.Forbidden, (await (await App.ClientFor(Users.NorthCoder)).PutAsJsonAsync(security, new OrganizationSecurity(true))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await App.ClientFor(Users.RiversideAdmin)).PutAsJsonAsync(security, new OrganizationSecurity(true))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await (await App.ClientFor(Users.NorthAdmin)).PutAsJsonAsync(security, new { })).StatusCode);
        Assert.False((await (await App.ClientFor(Users.NorthAdmin)).GetFromJsonAsync<OrganizationSecurity>(security))!.RequireMfa);
    }

    async Task<HttpResponseMessage> SignInWithCode(NewUser user, string code)
    {
        var http = AccountGiven.CookieClient(App);
        var form = await http.GetStringAsync("/account/sign-in");
        var password = await http.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = user.Email, ["Password"] = user.Password, ["__RequestVerificationToken"] = AccountGiven.AntiforgeryToken(form)!,
        }));
        return await AccountGiven.PostForm(http, password.Headers.Location!.OriginalString, new() { ["Code"] = code });
    }

    [GeneratedRegex("<li>([A-Z0-9]{5}-[A-Z0-9]{5})</li>")]
    private static partial Regex RecoveryCode();
}

public class MfaAndApiTokens(PortalApp app) : PortalTest(app)
{
    const string Redirect = "http://127.0.0.1/callback";

    [Fact]
    public async Task a_refresh_token_stops_working_once_the_organization_requires_mfa_of_a_user_without_it()
    {
        var user = await AccountGiven.InvitedUser(App, Users.NorthAdmin, DemoData.NorthClinic, Roles.Coder);
        var verifier = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var challenge = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var authorize = await user.Browser.GetAsync("/connect/authorize?client_id=portal-swagger&response_type=code&redirect_uri=" +
            Uri.EscapeDataString(Redirect) + "&scope=" + Uri.EscapeDataString("practice.read offline_access") +
            "&code_challenge=" + challenge + "&code_challenge_method=S256&state=t");
        var code = Uri.UnescapeDataString(Regex.Match(authorize.Headers.Location!.ToString(), "[?&]code=([^&]+)").Groups[1].Value);
        var tokens = await Token(new()
        {
            ["grant_type"] = "authorization_code", ["client_id"] = "portal-swagger", ["code"] = code,
            ["redirect_uri"] = Redirect, ["code_verifier"] = verifier,
        });
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        var refresh = (await tokens.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("refresh_token").GetString()!;

        await (await App.ClientFor(Users.NorthAdmin)).PutAsJsonAsync($"/api/v1/organizations/{DemoData.NorthClinic}/security", new OrganizationSecurity(true));
        var refreshed = await Token(new() { ["grant_type"] = "refresh_token", ["client_id"] = "portal-swagger", ["refresh_token"] = refresh });

        Assert.Equal(HttpStatusCode.BadRequest, refreshed.StatusCode);
        Assert.Contains("invalid_grant", await refreshed.Content.ReadAsStringAsync());
    }

    async Task<HttpResponseMessage> Token(Dictionary<string, string> form) =>
        await App.Anonymous().PostAsync("/connect/token", new FormUrlEncodedContent(form));
}
