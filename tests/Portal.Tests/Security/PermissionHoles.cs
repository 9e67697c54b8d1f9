using System.Net.Http.Headers;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using Portal.Web.Features.ApiClients;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Security;

/// <summary>The holes the security review found (issue 9, items 1–3 and the app half of item 4), each shut and kept shut.</summary>
public class PermissionHoles(PortalApp app) : PortalTest(app)
{
    static readonly Guid NorthId = DemoData.NorthClinic;

    [Fact]
    public async Task a_practice_cannot_give_its_apps_platform_scopes()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        foreach (var scope in new[] { Scopes.CodeSetsAdmin, Scopes.UsersAdmin })
        {
            var response = await admin.PostAsJsonAsync(North("api-clients"), new RegisterApiClient("Escalation " + scope, [Scopes.PracticeRead, scope]));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        var listed = await admin.GetItemsAsync<ApiClient>(North("api-clients"));
        Assert.DoesNotContain(listed!, c => c.Name.StartsWith("Escalation"));
    }

    [Fact]
    public async Task an_app_holding_a_platform_scope_still_cannot_use_platform_operations()
    {
        // An app registered before the fix (or by hand) with codesets.admin and users.admin: its token carries the scopes,
        // and the table still refuses, because apps may not do platform operations whatever their scopes say.
        var applications = App.Services.GetRequiredService<IOpenIddictApplicationManager>();
        await applications.CreateAsync(ApiClientWrites.Descriptor("legacy-app", "legacy-app-secret-0123456789", "Legacy", NorthId,
            [Scopes.PracticeRead, Scopes.CodeSetsAdmin, Scopes.UsersAdmin]));
        await using (var session = App.Services.GetRequiredService<IDocumentStore>().LightweightSession(NorthId.ToString()))
        {
            var id = Guid.CreateVersion7();
            session.Events.StartStream<ApiClient>(id, new ApiClientRegistered(id, "legacy-app", "Legacy",
                [Scopes.PracticeRead, Scopes.CodeSetsAdmin, Scopes.UsersAdmin], "test", DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }
        try
        {
            var app = await Token("legacy-app", "legacy-app-secret-0123456789", $"{Scopes.PracticeRead} {Scopes.CodeSetsAdmin} {Scopes.UsersAdmin}");
            var import = new MultipartFormDataContent
            {
                { new ByteArrayContent("00001 A000    1 Cholera short                                                 Cholera long\n"u8.ToArray()), "file", "icd10cm_order_2099.txt" },
                { new StringContent("2099-app"), "version" },
            };

            Assert.Equal(HttpStatusCode.Forbidden, (await app.PostAsync("/api/v1/code-sets/icd10cm/imports", import)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await app.GetAsync($"/api/v1/organizations/{NorthId}/users")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await app.GetAsync($"/api/v1/practices/{NorthId}")).StatusCode);
        }
        finally
        {
            if (await applications.FindByClientIdAsync("legacy-app") is { } legacy) await applications.DeleteAsync(legacy);
        }
    }

    [Fact]
    public async Task the_audit_log_needs_practice_admin_not_practice_read()
    {
        var reader = await App.AppClient("north-app", Scopes.PracticeRead);
        var admin = await App.AppClient("north-app", Scopes.PracticeAdmin);

        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync(North("audit"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(North("audit"))).StatusCode);
    }

    [Fact]
    public async Task an_app_token_on_vendor_routes_gets_403_not_500()
    {
        var app = await App.AppClient("north-app");

        var response = await app.GetAsync("/api/v1/vendor/clients");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task a_revoked_app_is_refused_on_every_route_not_only_practice_routes()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var credentials = (await (await admin.PostAsJsonAsync(North("api-clients"),
            new RegisterApiClient("Short-lived", [Scopes.PracticeRead, Scopes.CodesRead]))).Content.ReadFromJsonAsync<ApiClientCredentials>())!;
        var app = await Token(credentials.ClientId, credentials.ClientSecret, $"{Scopes.PracticeRead} {Scopes.CodesRead}");
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/api/v1/codes/icd10cm?q=I10")).StatusCode);

        (await admin.PostAsync(North($"api-clients/{credentials.Id}/revoke"), null)).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.GetAsync("/api/v1/codes/icd10cm?q=I10")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.GetAsync("/api/v1/me")).StatusCode);
        // Revoking the registration revokes its tokens too (token entries are checked on every request, ADR 0018): 401, not 404.
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.GetAsync($"/api/v1/practices/{NorthId}")).StatusCode);
    }

    [Fact]
    public async Task a_vendor_engaged_for_claims_only_cannot_code_and_does_not_see_the_practice_in_its_coding_queue()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coding = (await admin.GetItemsAsync<Engagement>(North("engagements")))!.Single();
        (await admin.PostAsJsonAsync(North($"engagements/{coding.Id}/revoke"), new RevokeEngagement("Switching to billing"))).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(North("engagements"), new GrantEngagement(DemoData.AcmeCoding, ["claims"]))).EnsureSuccessStatusCode();
        var chart = await Coding.CodingGiven.QueuedChart(admin);
        var vendorCoder = await App.ClientFor(Users.VendorCoder);
        var vendorAdmin = await App.ClientFor(Users.VendorAdmin);

        Assert.Equal(HttpStatusCode.OK, (await vendorCoder.GetAsync($"/api/v1/practices/{NorthId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await vendorCoder.GetAsync(North("coding/queue"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await vendorCoder.GetAsync(North($"encounters/{chart.Encounter.Id}/coding"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await vendorCoder.PostAsync(North("coding/queue/next"), null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await vendorAdmin.GetAsync(North("qa/accuracy"))).StatusCode);
        var queue = JsonDocument.Parse(await vendorCoder.GetStringAsync("/api/v1/vendor/queue")).RootElement;
        Assert.Equal(0, queue.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, (await vendorCoder.PostAsync("/api/v1/vendor/queue/next", null)).StatusCode);

        using var browser = await App.SignedInBrowser(Users.VendorCoder);
        var page = await browser.GetAsync($"/practices/{NorthId}/coding/queue");
        Assert.Contains("access-denied", page.Headers.Location?.ToString() ?? "");
        Assert.DoesNotContain("Coding queue", await browser.GetStringAsync($"/practices/{NorthId}"));
    }

    [Fact]
    public async Task a_vendor_coder_sees_the_practice_in_house_records_only_through_the_firm_work()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var inHouse = await OpenedEncounter(admin);
        var document = await Created<Portal.Web.Features.Intake.DocumentSummary>(
            await admin.PostAsync(North($"encounters/{inHouse.Id}/documents"), File(Pdf, "note.pdf", "application/pdf")));
        var vendorCoder = await App.ClientFor(Users.VendorCoder);
        using var browser = await App.SignedInBrowser(Users.VendorCoder);

        // In-house work: not sent to coding. Every read route and page is 404, and lists are not theirs at all.
        Assert.Equal(HttpStatusCode.NotFound, (await vendorCoder.GetAsync(North($"encounters/{inHouse.Id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await vendorCoder.GetAsync(North($"encounters/{inHouse.Id}/history"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await vendorCoder.GetAsync(North($"encounters/{inHouse.Id}/documents/{document.Id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await vendorCoder.GetAsync(North($"patients/{inHouse.PatientId}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await vendorCoder.GetAsync(North($"encounters/{inHouse.Id}/coding"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await vendorCoder.GetAsync(North("patients"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await vendorCoder.GetAsync(North("encounters"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/practices/{NorthId}/encounters/{inHouse.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/practices/{NorthId}/patients/{inHouse.PatientId}")).StatusCode);

        // Sent to coding: the firm may take it, so it may read it.
        (await admin.PostAsJsonAsync(North($"encounters/{inHouse.Id}/coding/queue"), new { priority = 5 })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await vendorCoder.GetAsync(North($"encounters/{inHouse.Id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await vendorCoder.GetAsync(North($"encounters/{inHouse.Id}/documents/{document.Id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await vendorCoder.GetAsync(North($"patients/{inHouse.PatientId}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/practices/{NorthId}/encounters/{inHouse.Id}")).StatusCode);

        // The practice's own coder takes it: in-house again.
        var northCoder = await App.ClientFor(Users.NorthCoder);
        (await northCoder.PostAsync(North("coding/queue/next"), null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, (await vendorCoder.GetAsync(North($"encounters/{inHouse.Id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await vendorCoder.GetAsync(North($"patients/{inHouse.PatientId}"))).StatusCode);

        // After the engagement ends nothing of the practice is theirs.
        var engagement = (await admin.GetItemsAsync<Engagement>(North("engagements")))!.Single();
        (await admin.PostAsJsonAsync(North($"engagements/{engagement.Id}/revoke"), new RevokeEngagement("Contract ended"))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, (await vendorCoder.GetAsync(North($"encounters/{inHouse.Id}/documents/{document.Id}"))).StatusCode);
    }

    [Fact]
    public async Task list_reads_of_phi_are_audited_with_operation_organization_and_purpose()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        await OpenedEncounter(admin);
        var coder = await App.ClientFor(Users.NorthCoder);

        (await coder.GetAsync(North("patients"))).EnsureSuccessStatusCode();
        (await coder.GetAsync(North("coding/queue"))).EnsureSuccessStatusCode();
        using var browser = await App.SignedInBrowser(Users.NorthCoder);
        (await browser.GetAsync($"/practices/{NorthId}/encounters")).EnsureSuccessStatusCode();

        await using var query = App.Services.GetRequiredService<IDocumentStore>().QuerySession(NorthId.ToString());
        var entries = await query.Query<AuditEntry>().ToListAsync();
        Assert.Contains(entries, e => e.Operation == "patients.list" && e.Action == PhiAudit.List && e.Purpose == PhiAudit.Payment
            && e.OrganizationId == NorthId && e.Path == $"/api/v1/practices/{NorthId}/patients");
        Assert.Contains(entries, e => e.Operation == "coding.read" && e.Path.EndsWith("/coding/queue"));
        Assert.Contains(entries, e => e.Operation == "encounters.list" && e.Path == $"/practices/{NorthId}/encounters");
    }

    async Task<HttpClient> Token(string clientId, string secret, string scope)
    {
        using var anonymous = App.Anonymous();
        var response = await anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret, ["scope"] = scope,
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var http = new HttpClient { BaseAddress = App.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString());
        return http;
    }
}
