using System.Net.Http.Headers;
using System.Text.Json;
using Portal.Tests.Accounts;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Settings;
using Portal.Web.Features.Tenancy;
using Portal.Web.Features.Users;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.ApiPlatform;

/// <summary>
/// Issue 15 item 2, one test per update that used to be on IfMatchOnUpdates' NotYet list: the read gives an ETag, a write with a
/// stale one answers 412 and changes nothing, and the write with the current one succeeds and moves the ETag on.
/// </summary>
public class IfMatchPerOperation(PortalApp app) : PortalTest(app)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string url, object? body, string? ifMatch)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await client.SendAsync(request);
    }

    static async Task<T> Ok<T>(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<T>(body, Json)!;
    }

    static async Task Stale(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task update_practice_settings()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var first = await Send(admin, HttpMethod.Put, North("settings"), new UpdatePracticeSettings(24, null, null, null), null);
        var v1 = first.Headers.ETag!.ToString();
        await Ok<PracticeSettings>(first);
        Assert.Equal(v1, (await admin.GetAsync(North("settings"))).Headers.ETag!.ToString());
        var second = await Send(admin, HttpMethod.Put, North("settings"), new UpdatePracticeSettings(36, null, null, null), v1);
        var v2 = second.Headers.ETag!.ToString();
        Assert.NotEqual(v1, v2);

        await Stale(await Send(admin, HttpMethod.Put, North("settings"), new UpdatePracticeSettings(99, null, null, null), v1));
        var now = await admin.GetFromJsonAsync<PracticeSettings>(North("settings"));
        Assert.Equal(36, now!.TurnaroundHours);
    }

    [Fact]
    public async Task set_fee()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var created = await Ok<FeeScheduleEntry>(await Send(admin, HttpMethod.Put, North("fee-schedule/99213"), new SetFee("99213", 100m), null));
        var changed = await Ok<FeeScheduleEntry>(await Send(admin, HttpMethod.Put, North("fee-schedule/99213"), new SetFee("99213", 110m),
            ETags.For(created.Version)));
        Assert.Equal(created.Version + 1, changed.Version);

        await Stale(await Send(admin, HttpMethod.Put, North("fee-schedule/99213"), new SetFee("99213", 999m), ETags.For(created.Version)));
        var fees = await admin.GetItemsAsync<FeeScheduleEntry>(North("fee-schedule"));
        Assert.Equal(110m, fees!.Single(f => f.Code == "99213").Amount);
        Assert.Equal(changed.Version, fees!.Single(f => f.Code == "99213").Version);
    }

    async Task<(HttpClient Admin, OrganizationUser User)> NewNorthUser()
    {
        var user = await AccountGiven.InvitedUser(App, Users.NorthAdmin, DemoData.NorthClinic, Roles.Coder);
        var admin = await App.ClientFor(Users.NorthAdmin);
        var listed = await admin.GetItemsAsync<OrganizationUser>($"/api/v1/organizations/{DemoData.NorthClinic}/users", Json);
        return (admin, listed!.Single(u => u.Email == user.Email));
    }

    static string UserUrl(Guid id, string tail) => $"/api/v1/organizations/{DemoData.NorthClinic}/users/{id}/{tail}";

    [Fact]
    public async Task change_user_roles()
    {
        var (admin, user) = await NewNorthUser();
        Assert.NotNull(user.ETag);
        var changed = await Ok<OrganizationUser>(await Send(admin, HttpMethod.Put, UserUrl(user.Id, "roles"), new ChangeRoles([Roles.Biller]), user.ETag));
        Assert.NotEqual(user.ETag, changed.ETag);

        await Stale(await Send(admin, HttpMethod.Put, UserUrl(user.Id, "roles"), new ChangeRoles([Roles.QaReviewer]), user.ETag));
        var listed = await admin.GetItemsAsync<OrganizationUser>($"/api/v1/organizations/{DemoData.NorthClinic}/users", Json);
        Assert.Equal([Roles.Biller], listed!.Single(u => u.Id == user.Id).Roles);
    }

    [Fact]
    public async Task disable_and_enable_user()
    {
        var (admin, user) = await NewNorthUser();
        var disabled = await Ok<OrganizationUser>(await Send(admin, HttpMethod.Post, UserUrl(user.Id, "disable"), null, user.ETag));
        Assert.True(disabled.Disabled);

        await Stale(await Send(admin, HttpMethod.Post, UserUrl(user.Id, "enable"), null, user.ETag));
        var listed = await admin.GetItemsAsync<OrganizationUser>($"/api/v1/organizations/{DemoData.NorthClinic}/users", Json);
        Assert.True(listed!.Single(u => u.Id == user.Id).Disabled);

        var enabled = await Ok<OrganizationUser>(await Send(admin, HttpMethod.Post, UserUrl(user.Id, "enable"), null, disabled.ETag));
        Assert.False(enabled.Disabled);
        await Stale(await Send(admin, HttpMethod.Post, UserUrl(user.Id, "disable"), null, disabled.ETag));
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(admin, HttpMethod.Post, UserUrl(user.Id, "disable"), null, "W/\"not a stamp\"")).StatusCode);
    }

    async Task<(HttpClient Admin, InvitationView Invitation)> OpenInvitation()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var invited = await Ok<InvitationView>(await admin.PostAsJsonAsync($"/api/v1/organizations/{DemoData.NorthClinic}/invitations",
            new InviteUser(AccountGiven.NewEmail("north.example"), "Ida Etag", [Roles.Coder])));
        return (admin, invited);
    }

    static string InvitationUrl(Guid id, string tail) => $"/api/v1/organizations/{DemoData.NorthClinic}/invitations/{id}/{tail}";

    [Fact]
    public async Task resend_invitation()
    {
        var (admin, invitation) = await OpenInvitation();
        var resent = await Ok<InvitationView>(await Send(admin, HttpMethod.Post, InvitationUrl(invitation.Id, "resend"), null, ETags.For(invitation.Version)));
        Assert.Equal(invitation.Version + 1, resent.Version);
        await Stale(await Send(admin, HttpMethod.Post, InvitationUrl(invitation.Id, "resend"), null, ETags.For(invitation.Version)));
        await Stale(await Send(admin, HttpMethod.Post, InvitationUrl(invitation.Id, "revoke"), null, ETags.For(invitation.Version)));
        var open = await admin.GetItemsAsync<InvitationView>($"/api/v1/organizations/{DemoData.NorthClinic}/invitations", Json);
        Assert.Equal(resent.Version, open!.Single(i => i.Id == invitation.Id).Version);
    }

    [Fact]
    public async Task revoke_invitation()
    {
        var (admin, invitation) = await OpenInvitation();
        await Stale(await Send(admin, HttpMethod.Post, InvitationUrl(invitation.Id, "revoke"), null, ETags.For(invitation.Version + 5)));
        Assert.Equal("pending", (await admin.GetItemsAsync<InvitationView>($"/api/v1/organizations/{DemoData.NorthClinic}/invitations", Json))!
            .Single(i => i.Id == invitation.Id).Status);
        var revoked = await Ok<InvitationView>(await Send(admin, HttpMethod.Post, InvitationUrl(invitation.Id, "revoke"), null, ETags.For(invitation.Version)));
        Assert.Equal("revoked", revoked.Status);
    }

    [Fact]
    public async Task set_organization_security()
    {
        var admin = await App.ClientFor(Users.VendorAdmin);
        var url = $"/api/v1/organizations/{DemoData.AcmeCoding}/security";
        var read = await admin.GetAsync(url);
        var etag = read.Headers.ETag!.ToString();
        await Stale(await Send(admin, HttpMethod.Put, url, new OrganizationSecurity(true), "W/\"999\""));
        Assert.False((await admin.GetFromJsonAsync<OrganizationSecurity>(url))!.RequireMfa);
        var kept = await Send(admin, HttpMethod.Put, url, new OrganizationSecurity(false), etag);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.Equal(etag, kept.Headers.ETag!.ToString());
    }

    [Fact]
    public async Task assign_vendor_client_coders()
    {
        var admin = await App.ClientFor(Users.VendorAdmin);
        var client = (await admin.GetItemsAsync<VendorClient>("/api/v1/vendor/clients", Json))!.Single(c => c.PracticeId == DemoData.NorthClinic);
        var url = $"/api/v1/vendor/clients/{client.EngagementId}/coders";
        var none = await Ok<VendorClient>(await Send(admin, HttpMethod.Put, url, new AssignClientCoders([]), ETags.For(client.Version)));
        Assert.Equal(client.Version + 1, none.Version);

        await Stale(await Send(admin, HttpMethod.Put, url, new AssignClientCoders(null), ETags.For(client.Version)));
        var after = (await admin.GetItemsAsync<VendorClient>("/api/v1/vendor/clients", Json))!.Single(c => c.PracticeId == DemoData.NorthClinic);
        Assert.False(after.AllCoders);
        Assert.Equal(none.Version, after.Version);
    }

    /// <summary>
    /// Issue 15 item 2: an organisation had two counters (Version for its security settings, Revision for the operator's suspension), so
    /// the operator's ETag did not see the admin's change and the admin's did not see the operator's. One version now: each write moves it,
    /// and a write with the other's stale ETag is 412.
    /// </summary>
    [Fact]
    public async Task an_organization_has_one_version_for_its_security_settings_and_its_suspension()
    {
        const string Platform = "/api/v1/platform/organizations";
        var ops = await App.ClientFor(Users.PlatformAdmin);
        var admin = await App.ClientFor(Users.VendorAdmin);
        var security = $"/api/v1/organizations/{DemoData.AcmeCoding}/security";
        var suspension = $"{Platform}/{DemoData.AcmeCoding}/suspension";
        async Task<OrganizationSummary> Listed() =>
            (await ops.GetFromJsonAsync<CursorPage<OrganizationSummary>>($"{Platform}?limit=200", Json))!.Items.Single(o => o.Id == DemoData.AcmeCoding);

        var read = await Listed();
        var etag = (await admin.GetAsync(security)).Headers.ETag!.ToString();
        Assert.Equal(ETags.For(read.Version), etag);

        // The firm's admin changes its security settings (and back): the operator's ETag is stale now.
        var on = await Send(admin, HttpMethod.Put, security, new OrganizationSecurity(true), etag);
        var off = await Send(admin, HttpMethod.Put, security, new OrganizationSecurity(false), on.Headers.ETag!.ToString());
        var current = off.Headers.ETag!.ToString();
        Assert.Equal(ETags.For((await Listed()).Version), current);
        await Stale(await Send(ops, HttpMethod.Post, suspension, new SuspendOrganization("Unpaid invoices"), ETags.For(read.Version)));
        Assert.Null((await Listed()).SuspendedAt);

        var suspended = await Ok<OrganizationSummary>(await Send(ops, HttpMethod.Post, suspension, new SuspendOrganization("Unpaid invoices"), current));
        Assert.NotEqual(current, ETags.For(suspended.Version));
        await Stale(await Send(ops, HttpMethod.Delete, suspension, null, current));
        var active = await Ok<OrganizationSummary>(await Send(ops, HttpMethod.Delete, suspension, null, ETags.For(suspended.Version)));
        Assert.Null(active.SuspendedAt);

        // And the admin's ETag from before the suspension is stale for the security settings.
        await Stale(await Send(admin, HttpMethod.Put, security, new OrganizationSecurity(true), current));
        Assert.Equal(ETags.For(active.Version), (await admin.GetAsync(security)).Headers.ETag!.ToString());
    }
}
