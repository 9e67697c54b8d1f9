using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Users;
using Portal.Web.Platform;
using System.Text.RegularExpressions;

namespace Portal.Tests.Accounts;

// Identity is not reset between tests: every invitation goes to a fresh address.
public class InvitingUsers(PortalApp app) : PortalTest(app)
{
    static readonly string NorthInvitations = $"/api/v1/organizations/{DemoData.NorthClinic}/invitations";

    [Fact]
    public async Task the_invitee_gets_a_mail_sets_a_password_and_is_signed_in_with_the_invited_roles()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var email = AccountGiven.NewEmail();

        var invited = await admin.PostAsJsonAsync(NorthInvitations, new InviteUser(email, "Ines Invitee", [Roles.Biller]));

        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var view = (await invited.Content.ReadFromJsonAsync<InvitationView>())!;
        Assert.Equal("pending", view.Status);
        Assert.Contains((await admin.GetItemsAsync<InvitationView>(NorthInvitations))!, i => i.Email == email);
        var mail = await App.Mail.WaitForMessageTo(email);
        Assert.Equal("no-reply@portal.test", mail.From);
        Assert.Contains("North Clinic Family Medicine", mail.Subject);
        Assert.Contains("Nora Admin invited you", mail.Text);
        Assert.Contains("/account/accept-invitation", mail.Html);

        var http = AccountGiven.CookieClient(App);
        var accepted = await AccountGiven.Accept(http, mail.LinkTo("/account/accept-invitation"), name: "Ines Invitee");

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
        var user = (await admin.GetItemsAsync<OrganizationUser>($"/api/v1/organizations/{DemoData.NorthClinic}/users"))!
            .Single(u => u.Email == email);
        Assert.Equal([Roles.Biller], user.Roles);
        Assert.Equal("Ines Invitee", user.DisplayName);
        Assert.DoesNotContain((await admin.GetItemsAsync<InvitationView>(NorthInvitations))!, i => i.Email == email);
        var audit = await admin.GetItemsAsync<UserAdminAuditEntry>($"/api/v1/organizations/{DemoData.NorthClinic}/user-audit");
        Assert.Equal(["invitation-accepted", "user-invited"], audit!.Where(e => e.UserEmail == email).Select(e => e.Action));
    }

    [Fact]
    public async Task an_invitation_link_works_once()
    {
        var email = AccountGiven.NewEmail();
        var link = await AccountGiven.Invitation(App, Users.NorthAdmin, DemoData.NorthClinic, email);
        Assert.Equal(HttpStatusCode.Redirect, (await AccountGiven.Accept(AccountGiven.CookieClient(App), link)).StatusCode);

        var again = AccountGiven.CookieClient(App);
        var page = await again.GetStringAsync(link.PathAndQuery);
        var reused = await AccountGiven.Accept(again, link, "Another-Password-2026!");

        Assert.Contains("This invitation link no longer works", page);
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.Contains("no longer works", await reused.Content.ReadAsStringAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PortalApp.SignIn(AccountGiven.CookieClient(App), email, "Another-Password-2026!", null));
    }

    [Fact]
    public async Task an_expired_invitation_link_is_refused_and_a_resent_one_works()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var email = AccountGiven.NewEmail();
        var link = await AccountGiven.Invitation(App, Users.NorthAdmin, DemoData.NorthClinic, email);
        var invitationId = Guid.Parse(System.Web.HttpUtility.ParseQueryString(link.Query)["invitation"]!);
        // Eight days later: the test moves the expiry back rather than the clock forward.
        await using (var session = App.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            var invitation = (await session.LoadAsync<Invitation>(invitationId))!;
            session.Store(invitation with { ExpiresAt = DateTimeOffset.UtcNow.AddDays(-1) });
            await session.SaveChangesAsync();
        }

        var expired = await AccountGiven.Accept(AccountGiven.CookieClient(App), link);
        Assert.Contains("no longer works", await expired.Content.ReadAsStringAsync());
        Assert.Equal("expired", (await admin.GetItemsAsync<InvitationView>(NorthInvitations))!.Single(i => i.Id == invitationId).Status);

        App.Mail.Clear();
        var resent = await admin.PostAsync($"{NorthInvitations}/{invitationId}/resend", null);
        Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        var newLink = (await App.Mail.WaitForMessageTo(email)).LinkTo("/account/accept-invitation");
        Assert.NotEqual(link, newLink);
        Assert.Equal(HttpStatusCode.Redirect, (await AccountGiven.Accept(AccountGiven.CookieClient(App), newLink)).StatusCode);
    }

    [Fact]
    public async Task resending_replaces_the_link_and_revoking_closes_it()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var email = AccountGiven.NewEmail();
        var first = await AccountGiven.Invitation(App, Users.NorthAdmin, DemoData.NorthClinic, email);
        var id = Guid.Parse(System.Web.HttpUtility.ParseQueryString(first.Query)["invitation"]!);
        App.Mail.Clear();
        await admin.PostAsync($"{NorthInvitations}/{id}/resend", null);
        var second = (await App.Mail.WaitForMessageTo(email)).LinkTo("/account/accept-invitation");

        Assert.Contains("no longer works", await (await AccountGiven.Accept(AccountGiven.CookieClient(App), first)).Content.ReadAsStringAsync());

        var revoked = await admin.PostAsync($"{NorthInvitations}/{id}/revoke", null);
        Assert.Equal("revoked", (await revoked.Content.ReadFromJsonAsync<InvitationView>())!.Status);
        Assert.Contains("no longer works", await (await AccountGiven.Accept(AccountGiven.CookieClient(App), second)).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"{NorthInvitations}/{id}/revoke", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"{NorthInvitations}/{id}/resend", null)).StatusCode);
        Assert.DoesNotContain((await admin.GetItemsAsync<InvitationView>(NorthInvitations))!, i => i.Id == id);
    }

    [Fact]
    public async Task an_existing_user_or_an_open_invitation_is_a_conflict()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var email = AccountGiven.NewEmail();

        var existing = await admin.PostAsJsonAsync(NorthInvitations, new InviteUser(Users.NorthCoder, "Copy", [Roles.Coder]));
        var first = await admin.PostAsJsonAsync(NorthInvitations, new InviteUser(email, "Twice Invited", [Roles.Coder]));
        var second = await admin.PostAsJsonAsync(NorthInvitations, new InviteUser(email.ToUpperInvariant(), "Twice Invited", [Roles.Coder]));

        Assert.Equal(HttpStatusCode.Conflict, existing.StatusCode);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task parallel_invitations_of_one_address_open_exactly_one()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var email = AccountGiven.NewEmail();

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            admin.PostAsJsonAsync(NorthInvitations, new InviteUser(email, "Raced Invitee", [Roles.Coder]))));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.Created), a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));
        Assert.Single((await admin.GetItemsAsync<InvitationView>(NorthInvitations))!, i => i.Email == email);
    }

    [Fact]
    public async Task roles_must_belong_to_the_organization_and_other_organizations_get_404()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var riversideAdmin = await App.ClientFor(Users.RiversideAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var invited = (await (await admin.PostAsJsonAsync(NorthInvitations, new InviteUser(AccountGiven.NewEmail(), "Someone", [Roles.Coder])))
            .Content.ReadFromJsonAsync<InvitationView>())!;

        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            (await admin.PostAsJsonAsync(NorthInvitations, new InviteUser(AccountGiven.NewEmail(), "Wrong", [Roles.VendorCoder]))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest,
            (await admin.PostAsJsonAsync(NorthInvitations, new { email = "not-an-email", displayName = "X Y", roles = new[] { Roles.Coder } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riversideAdmin.GetAsync(NorthInvitations)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riversideAdmin.PostAsync(
            $"/api/v1/organizations/{DemoData.RiversidePediatrics}/invitations/{invited.Id}/revoke", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coder.GetAsync(NorthInvitations)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await App.AppClient("north-app")).GetAsync(NorthInvitations)).StatusCode);
    }

    [Fact]
    public async Task a_link_with_a_wrong_secret_is_refused()
    {
        var link = await AccountGiven.Invitation(App, Users.NorthAdmin, DemoData.NorthClinic, AccountGiven.NewEmail());
        var forged = new Uri(Regex.Replace(link.ToString(), "token=[^&]+", "token=forged"));

        var page = await AccountGiven.CookieClient(App).GetStringAsync(forged.PathAndQuery);

        Assert.Contains("This invitation link no longer works", page);
    }

    [Fact]
    public async Task the_users_page_lists_open_invitations_revokes_them_and_sets_the_mfa_policy()
    {
        var email = AccountGiven.NewEmail();
        await AccountGiven.Invitation(App, Users.NorthAdmin, DemoData.NorthClinic, email);
        var page = await App.SignedInBrowser(Users.NorthAdmin);
        var html = await page.GetStringAsync("/organization/users");
        Assert.Contains(email, html);
        var id = Regex.Match(html, "name=\"invitationId\" value=\"([0-9a-f-]+)\"").Groups[1].Value;

        var revoked = await AccountGiven.PostForm(page, "/organization/users", new() { ["invitationId"] = id }, "/organization/users?handler=Revoke");
        var required = await AccountGiven.PostForm(page, "/organization/users", new() { ["RequireMfa"] = "true" }, "/organization/users?handler=Security");

        Assert.Contains($"The invitation to {email} is revoked", await revoked.Content.ReadAsStringAsync());
        Assert.Contains("MFA is now required", await required.Content.ReadAsStringAsync());
        var admin = await App.ClientFor(Users.NorthAdmin);
        Assert.DoesNotContain((await admin.GetItemsAsync<InvitationView>(NorthInvitations))!, i => i.Email == email);
        Assert.True((await admin.GetFromJsonAsync<OrganizationSecurity>($"/api/v1/organizations/{DemoData.NorthClinic}/security"))!.RequireMfa);
    }
}
