using System.Text.Json;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Tenancy;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Tenancy;

/// <summary>A vendor's admin chooses which of the firm's coders work each client; the others lose it at once.</summary>
public class VendorClientAssignment(PortalApp app) : PortalTest(app)
{
    const string Clients = "/api/v1/vendor/clients";

    async Task<Guid> VendorCoderId(HttpClient vendorAdmin) =>
        (await vendorAdmin.GetItemsAsync<Portal.Web.Features.Users.OrganizationUser>(
            $"/api/v1/organizations/{DemoData.AcmeCoding}/users", Json))!.Single(u => u.Email == Users.VendorCoder).Id;

    [Fact]
    public async Task a_coder_taken_off_a_client_loses_its_queue_and_charts_at_once_and_gets_them_back_when_assigned()
    {
        var northAdmin = await App.ClientFor(Users.NorthAdmin);
        var vendorAdmin = await App.ClientFor(Users.VendorAdmin);
        var vendorCoder = await App.ClientFor(Users.VendorCoder);

        var north = Assert.Single((await vendorAdmin.GetItemsAsync<VendorClient>(Clients, Json))!);
        Assert.Equal((DemoData.NorthClinic, true), (north.PracticeId, north.AllCoders));
        Assert.Single((await vendorCoder.GetItemsAsync<VendorClient>(Clients, Json))!);
        var queued = await QueuedChart(northAdmin);
        var held = await Pull(vendorCoder, "/api/v1/vendor/queue/next");
        Assert.Equal(queued.Encounter.Id, held!.Chart.Encounter.Id);

        // Only the firm's admin assigns, only the firm's coders, only the firm's engagements.
        Assert.Equal(HttpStatusCode.Forbidden, (await vendorCoder.PutAsJsonAsync($"{Clients}/{north.EngagementId}/coders",
            new AssignClientCoders([]))).StatusCode);
        var stranger = await vendorAdmin.PutAsJsonAsync($"{Clients}/{north.EngagementId}/coders", new AssignClientCoders([Guid.NewGuid()]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, stranger.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await vendorAdmin.PutAsJsonAsync($"{Clients}/{Guid.NewGuid()}/coders",
            new AssignClientCoders(null))).StatusCode);

        // Nobody but the admin: the coder loses North, and the chart they held goes back to North's queue.
        var none = await Read<VendorClient>(await vendorAdmin.PutAsJsonAsync($"{Clients}/{north.EngagementId}/coders", new AssignClientCoders([])));
        Assert.Equal((false, 0), (none.AllCoders, none.CoderIds.Length));
        Assert.Empty((await vendorCoder.GetItemsAsync<VendorClient>(Clients, Json))!);
        Assert.Equal(HttpStatusCode.NotFound, (await vendorCoder.GetAsync(North("coding/queue"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await vendorCoder.GetAsync(Chart(queued.Encounter.Id))).StatusCode);
        Assert.Null(await Pull(vendorCoder, "/api/v1/vendor/queue/next"));
        Assert.Equal(HttpStatusCode.OK, (await vendorAdmin.GetAsync(North("coding/queue"))).StatusCode);
        var released = await Read<CodingChart>(await northAdmin.GetAsync(Chart(queued.Encounter.Id)));
        Assert.Equal((EncounterStatus.Queued, null), (released.Status, released.Coder));
        var coderId = await VendorCoderId(vendorAdmin);
        var assignOff = await northAdmin.PostAsJsonAsync(Chart(queued.Encounter.Id, "/assign"), new AssignChart(coderId, "Try anyway"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, assignOff.StatusCode);
        var history = await northAdmin.GetItemsAsync<JsonElement>(North($"encounters/{queued.Encounter.Id}/history"));
        Assert.Equal("Acme Coding Services took the coder off this client", history![^1].GetProperty("reason").GetString());

        // Assigned by name: back at once.
        var only = await Read<VendorClient>(await vendorAdmin.PutAsJsonAsync($"{Clients}/{north.EngagementId}/coders", new AssignClientCoders([coderId])));
        Assert.Equal(["Arjun Coder"], only.CoderNames);
        Assert.Equal(HttpStatusCode.OK, (await vendorCoder.GetAsync(North("coding/queue"))).StatusCode);
        var all = await Read<VendorClient>(await vendorAdmin.PutAsJsonAsync($"{Clients}/{north.EngagementId}/coders", new AssignClientCoders(null)));
        Assert.True(all.AllCoders);
    }
}

public class VendorClientsInBrowser(PortalApp app, Portal.Tests.Browser.BrowserFixture browser) : Portal.Tests.Browser.BrowserTest(app, browser)
{
    [Fact]
    public async Task a_vendor_admin_keeps_a_client_to_the_admin_alone_and_opens_it_to_all_coders_again()
    {
        var vendorCoder = await App.ClientFor(Users.VendorCoder);
        await SignIn(Users.VendorAdmin, at: "/");
        await Page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Clients", Exact = true }).ClickAsync();
        var form = Page.GetByRole(Microsoft.Playwright.AriaRole.Form, new() { Name = "Coders for North Clinic Family Medicine" });
        await Microsoft.Playwright.Assertions.Expect(form.GetByLabel("All our coders")).ToBeCheckedAsync();
        await form.GetByLabel("Only these coders:").CheckAsync();
        await Microsoft.Playwright.Assertions.Expect(form.GetByLabel("Arjun Coder coder@acme.example")).Not.ToBeCheckedAsync();
        await form.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Save coders for North Clinic Family Medicine" }).ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(Page.GetByRole(Microsoft.Playwright.AriaRole.Status)).ToContainTextAsync("Saved: North Clinic Family Medicine's coders are updated.");
        Assert.Equal(HttpStatusCode.NotFound, (await vendorCoder.GetAsync(North("coding/queue"))).StatusCode);

        form = Page.GetByRole(Microsoft.Playwright.AriaRole.Form, new() { Name = "Coders for North Clinic Family Medicine" });
        await Microsoft.Playwright.Assertions.Expect(form.GetByLabel("Only these coders:")).ToBeCheckedAsync();
        await form.GetByLabel("Arjun Coder coder@acme.example").CheckAsync();
        await form.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Save coders for North Clinic Family Medicine" }).ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(Page.GetByRole(Microsoft.Playwright.AriaRole.Status)).ToContainTextAsync("Saved");
        Assert.Equal(HttpStatusCode.OK, (await vendorCoder.GetAsync(North("coding/queue"))).StatusCode);
        await Microsoft.Playwright.Assertions.Expect(form.GetByLabel("Arjun Coder coder@acme.example")).ToBeCheckedAsync();
    }
}
