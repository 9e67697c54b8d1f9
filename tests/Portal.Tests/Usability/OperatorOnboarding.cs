using System.Text.Json;
using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Usability;

/// <summary>Issue 14, item 8: the platform operator onboards organisations, suspends and reactivates them, and never sees PHI.</summary>
public class OperatorOnboarding(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    const string Platform = "/api/v1/platform/organizations";
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    [Fact]
    public async Task the_operator_onboards_a_practice_with_its_first_admin_by_invitation()
    {
        var ops = await App.ClientFor(Users.PlatformAdmin);
        var response = await ops.PostAsJsonAsync(Platform, new OnboardOrganization("Lakeside Orthopedics", OrganizationKind.Practice, null,
            "admin@lakeside.example", "Lena Lakeside"), Json);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<OnboardedOrganization>(Json))!;
        Assert.Equal((OrganizationKind.Practice, "admin@lakeside.example"), (created.Organization.Kind, created.Invitation.Email));
        Assert.Equal(["practice_admin"], created.Invitation.Roles);
        Assert.Contains("/account/accept-invitation", (await App.Mail.WaitForMessageTo("admin@lakeside.example")).Text);

        Assert.Equal(HttpStatusCode.Conflict, (await ops.PostAsJsonAsync(Platform, new OnboardOrganization("Lakeside Orthopedics",
            OrganizationKind.Vendor, null, "other@lakeside.example", "Other Admin"), Json)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await ops.PostAsJsonAsync(Platform, new OnboardOrganization("Bad NPI Clinic",
            OrganizationKind.Practice, "1234567890", "x@bad.example", "Xavier Bad"), Json)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await ops.PostAsJsonAsync(Platform, new { name = "", kind = "Vendor" })).StatusCode);
        var list = await ops.GetItemsAsync<OrganizationSummary>(Platform, Json);
        Assert.Contains(list!, o => o.Name == "Lakeside Orthopedics");

        // Only the operator onboards.
        var admin = await App.ClientFor(Users.NorthAdmin);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync(Platform)).StatusCode);
    }

    [Fact]
    public async Task a_suspended_organisation_s_users_and_apps_get_403_with_a_plain_message_and_its_data_stays()
    {
        var ops = await App.ClientFor(Users.PlatformAdmin);
        var riverside = await App.ClientFor(Users.RiversideAdmin);
        var app = await App.AppClient("riverside-app");
        var browser = await App.SignedInBrowser(Users.RiversideAdmin);
        var patients = Api(DemoData.RiversidePediatrics, "patients");
        Assert.Equal(HttpStatusCode.OK, (await riverside.GetAsync(patients)).StatusCode);

        var stale = new HttpRequestMessage(HttpMethod.Post, $"{Platform}/{DemoData.RiversidePediatrics}/suspension")
        {
            Content = JsonContent.Create(new SuspendOrganization("Unpaid invoices")),
        };
        stale.Headers.TryAddWithoutValidation("If-Match", "W/\"99\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await ops.SendAsync(stale)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await riverside.GetAsync(patients)).StatusCode);
        var suspended = await ops.PostAsJsonAsync($"{Platform}/{DemoData.RiversidePediatrics}/suspension", new SuspendOrganization("Unpaid invoices"));
        Assert.Equal(HttpStatusCode.OK, suspended.StatusCode);
        try
        {
            var refused = await riverside.GetAsync(patients);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("Riverside Pediatrics is suspended", await refused.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.Forbidden, (await app.GetAsync("/api/v1/practices")).StatusCode);
            var page = await browser.GetAsync("/");
            Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
            Assert.Contains("Your organization is suspended", await page.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.Conflict, (await ops.PostAsJsonAsync($"{Platform}/{DemoData.RiversidePediatrics}/suspension",
                new SuspendOrganization("Again"))).StatusCode);
            // Other organisations work on.
            Assert.Equal(HttpStatusCode.OK, (await (await App.ClientFor(Users.NorthAdmin)).GetAsync(North("patients"))).StatusCode);
        }
        finally
        {
            Assert.Equal(HttpStatusCode.OK, (await ops.DeleteAsync($"{Platform}/{DemoData.RiversidePediatrics}/suspension")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await riverside.GetAsync(patients)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.DeleteAsync($"{Platform}/{Guid.NewGuid()}/suspension")).StatusCode);
    }

    [Fact]
    public async Task the_operator_never_sees_phi_and_works_from_the_organisations_page()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var patient = await RegisteredPatient(admin, "PHI-4242");
        var ops = await App.ClientFor(Users.PlatformAdmin);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.GetAsync(North("patients"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.GetAsync(North($"patients/{patient.Id}"))).StatusCode);

        await SignIn(Users.PlatformAdmin);
        var home = await Page.Locator("main").InnerTextAsync();
        Assert.Contains("Organisations", home);
        Assert.Contains("Code-set versions", home);
        Assert.Contains("System health", home);
        Assert.DoesNotContain("PHI-4242", home);
        Assert.DoesNotContain(patient.Demographics.LastName, home);

        await Page.GetByRole(AriaRole.Link, new() { Name = "Onboard or suspend an organisation" }).ClickAsync();
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Summit Coding Partners");
        await Page.GetByLabel("Kind").SelectOptionAsync("Vendor");
        await Page.GetByLabel("First admin's name").FillAsync("Sam Summit");
        await Page.GetByLabel("First admin's e-mail (gets the invitation)").FillAsync("admin@summit.example");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create and invite" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Summit Coding Partners is created");
        await App.Mail.WaitForMessageTo("admin@summit.example");

        await Page.GetByLabel("Reason for suspending Summit Coding Partners").FillAsync("Contract not signed");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Suspend Summit Coding Partners" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("is suspended");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Reactivate Summit Coding Partners" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("is active again");
        Assert.DoesNotContain("PHI-4242", await Page.ContentAsync());
    }
}
