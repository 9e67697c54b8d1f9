using Microsoft.Playwright;
using Portal.Tests.Accounts;
using Portal.Tests.Browser;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Users;
using Portal.Web.Platform;

namespace Portal.Tests.UserAdmin;

// Identity is not reset between tests: every test adds users with fresh emails and never disables a demo user.
public class ManagingUsers(PortalApp app) : PortalTest(app)
{
    static readonly string NorthUsers = $"/api/v1/organizations/{DemoData.NorthClinic}/users";

    static string NewEmail() => $"user-{Guid.NewGuid():N}@north.example";

    // Issue 9 replaced admin-made temporary passwords with invitations: the admin invites, the invitee chooses the password.
    [Fact]
    public async Task a_practice_admin_invites_a_coder_who_can_then_sign_in()
    {
        var user = await AccountGiven.InvitedUser(App, Users.NorthAdmin, DemoData.NorthClinic, Roles.Coder);
        var admin = await App.ClientFor(Users.NorthAdmin);

        var listed = (await admin.GetItemsAsync<OrganizationUser>(NorthUsers))!.Single(u => u.Email == user.Email);

        Assert.Equal([Roles.Coder], listed.Roles);
        Assert.True(await CanSignIn(user.Email, user.Password));
    }

    [Fact]
    public async Task the_users_api_no_longer_adds_users_with_a_password()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var response = await admin.PostAsJsonAsync(NorthUsers, new { email = NewEmail(), displayName = "New Coder", roles = new[] { Roles.Coder } });

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task a_disabled_user_cannot_sign_in_until_enabled()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var user = await AccountGiven.InvitedUser(App, Users.NorthAdmin, DemoData.NorthClinic, Roles.Biller);
        var id = (await admin.GetItemsAsync<OrganizationUser>(NorthUsers))!.Single(u => u.Email == user.Email).Id;

        var disabled = await admin.PostAsync($"{NorthUsers}/{id}/disable", null);
        Assert.True((await disabled.Content.ReadFromJsonAsync<OrganizationUser>())!.Disabled);
        Assert.False(await CanSignIn(user.Email, user.Password));

        await admin.PostAsync($"{NorthUsers}/{id}/enable", null);
        Assert.True(await CanSignIn(user.Email, user.Password));

        var audit = await admin.GetItemsAsync<UserAdminAuditEntry>($"/api/v1/organizations/{DemoData.NorthClinic}/user-audit");
        Assert.Equal(["user-enabled", "user-disabled", "invitation-accepted", "user-invited"],
            audit!.Where(e => e.UserEmail == user.Email).Select(e => e.Action));
        Assert.All(audit!.Where(e => e.UserEmail == user.Email && e.Action != "invitation-accepted"), e => Assert.Equal("Nora Admin", e.Actor));
        Assert.Equal(HttpStatusCode.NotFound,
            (await (await App.ClientFor(Users.RiversideAdmin)).GetAsync($"/api/v1/organizations/{DemoData.NorthClinic}/user-audit")).StatusCode);
    }

    [Fact]
    public async Task roles_are_replaced_and_must_belong_to_the_organization()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var user = await AccountGiven.InvitedUser(App, Users.NorthAdmin, DemoData.NorthClinic, Roles.Coder);
        var id = (await admin.GetItemsAsync<OrganizationUser>(NorthUsers))!.Single(u => u.Email == user.Email).Id;

        var changed = await admin.PutAsJsonAsync($"{NorthUsers}/{id}/roles", new ChangeRoles([Roles.QaReviewer, Roles.Coder]));
        var vendorRole = await admin.PutAsJsonAsync($"{NorthUsers}/{id}/roles", new ChangeRoles([Roles.VendorCoder]));

        Assert.Equal([Roles.Coder, Roles.QaReviewer], (await changed.Content.ReadFromJsonAsync<OrganizationUser>())!.Roles.Order());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, vendorRole.StatusCode);
    }

    [Fact]
    public async Task an_existing_email_is_a_conflict()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var response = await admin.PostAsJsonAsync($"/api/v1/organizations/{DemoData.NorthClinic}/invitations",
            new InviteUser(Users.NorthCoder, "Copy", [Roles.Coder]));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task an_admin_cannot_disable_or_demote_themselves()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var me = (await admin.GetItemsAsync<OrganizationUser>(NorthUsers))!.Single(u => u.Email == Users.NorthAdmin);

        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"{NorthUsers}/{me.Id}/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict,
            (await admin.PutAsJsonAsync($"{NorthUsers}/{me.Id}/roles", new ChangeRoles([Roles.Coder]))).StatusCode);
    }

    [Fact]
    public async Task other_organizations_and_non_admins_get_404_and_403()
    {
        var riversideAdmin = await App.ClientFor(Users.RiversideAdmin);
        var northCoder = await App.ClientFor(Users.NorthCoder);
        var northAdmin = await App.ClientFor(Users.NorthAdmin);
        var coder = (await northAdmin.GetItemsAsync<OrganizationUser>(NorthUsers))!.Single(u => u.Email == Users.NorthCoder);

        Assert.Equal(HttpStatusCode.NotFound, (await riversideAdmin.GetAsync(NorthUsers)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riversideAdmin.PostAsync(
            $"/api/v1/organizations/{DemoData.RiversidePediatrics}/users/{coder.Id}/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await northCoder.GetAsync(NorthUsers)).StatusCode);
        // Apps act for a practice, not for a person: no app is given users.admin.
        Assert.Equal(HttpStatusCode.Forbidden, (await (await App.AppClient("north-app")).GetAsync(NorthUsers)).StatusCode);
    }

    [Fact]
    public async Task a_vendor_admin_manages_the_vendors_users_with_vendor_roles()
    {
        var vendorAdmin = await App.ClientFor(Users.VendorAdmin);
        var url = $"/api/v1/organizations/{DemoData.AcmeCoding}/invitations";

        var invited = await vendorAdmin.PostAsJsonAsync(url, new InviteUser($"user-{Guid.NewGuid():N}@acme.example", "Offshore Coder", [Roles.VendorCoder]));
        var practiceRole = await vendorAdmin.PostAsJsonAsync(url, new InviteUser($"user-{Guid.NewGuid():N}@acme.example", "Wrong", [Roles.PracticeAdmin]));

        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, practiceRole.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await vendorAdmin.GetAsync(NorthUsers)).StatusCode);
    }

    async Task<bool> CanSignIn(string email, string password)
    {
        using var http = AccountGiven.CookieClient(App);
        try { await PortalApp.SignIn(http, email, password, null); return true; }
        catch (InvalidOperationException) { return false; }
    }
}

public class UsersInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task a_practice_admin_invites_a_user_and_disables_another()
    {
        var colleague = await AccountGiven.InvitedUser(App, Users.NorthAdmin, DemoData.NorthClinic, Roles.Coder);
        var colleagueName = "Invited Person";
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var email = $"user-{suffix}@north.example";
        var name = $"Pat Newhire {suffix}";
        await SignIn(Users.NorthAdmin);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();

        await Page.GetByLabel("Email").FillAsync(email);
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await Page.GetByLabel("Role").SelectOptionAsync(new SelectOptionValue { Label = "Coder" });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Send invitation" }).ClickAsync();

        Assert.Contains($"Invitation sent to {email}", await Page.GetByRole(AriaRole.Status).InnerTextAsync());
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Open invitations" })).ToContainTextAsync(name);
        Assert.Contains(name, (await App.Mail.WaitForMessageTo(email)).Text);

        Page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await Page.Locator("#users tr", new() { HasText = colleague.Email })
            .GetByRole(AriaRole.Button, new() { Name = $"Disable {colleagueName}" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#users tr", new() { HasText = colleague.Email }).Locator(".badge")).ToHaveTextAsync("Disabled");
    }
}
