using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Demo;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Security;

public class AuditLogFilters(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task a_practice_admin_filters_the_access_log_and_exports_it_as_csv()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var encounter = await OpenedEncounter(admin);
        var coder = await App.ClientFor(Users.NorthCoder);
        (await coder.GetAsync(North($"patients/{encounter.PatientId}"))).EnsureSuccessStatusCode();
        (await coder.GetAsync(North("patients"))).EnsureSuccessStatusCode();

        var byCoder = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync(North("audit?actor=cody")));
        var items = byCoder.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.All(items, i => Assert.Equal("Cody North", i.GetProperty("actor").GetString()));

        var views = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync(North($"audit?actor=cody&action=view&recordId={encounter.PatientId}")));
        Assert.Single(views.RootElement.GetProperty("items").EnumerateArray());
        var future = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync(North("audit?from=2999-01-01")));
        Assert.Equal(0, future.RootElement.GetProperty("total").GetInt32());

        var csv = await admin.GetAsync(North("audit/export.csv?actor=cody"));
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("at,actor,user_id", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Contains("patients.list", lines[1] + lines[2]);
    }

    [Fact]
    public async Task bad_audit_paging_is_a_400_problem()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var response = await admin.GetAsync(North("audit?pageSize=1000000"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}

public class AuditLogInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task a_practice_admin_finds_who_read_a_patient_in_the_access_log()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var encounter = await OpenedEncounter(admin);
        var coder = await App.ClientFor(Users.NorthCoder);
        (await coder.GetAsync(North($"patients/{encounter.PatientId}"))).EnsureSuccessStatusCode();

        await SignIn(Users.NorthAdmin, at: $"/practices/{DemoData.NorthClinic}");
        await Page.GetByRole(AriaRole.Link, new() { Name = "PHI access log" }).ClickAsync();
        await Page.GetByLabel("Who").FillAsync("Cody");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        var table = Page.GetByRole(AriaRole.Table, new() { Name = "PHI access log" });
        await Assertions.Expect(table).ToContainTextAsync("Cody North");
        await Assertions.Expect(table).ToContainTextAsync("patients.read");
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" })).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("actor=Cody"));

        var axe = await Page.RunAxeInPage();
        var serious = axe.SeriousViolations();
        Assert.True(serious.Count == 0, string.Join("; ", serious));
    }
}
