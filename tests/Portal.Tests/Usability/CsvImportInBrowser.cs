using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Usability;

/// <summary>Issue 14, item 5 (part): the encounter CSV import is POST-redirect-GET (a reload imports nothing) and has a template.</summary>
public class CsvImportInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task a_reload_after_an_import_imports_nothing_and_the_template_downloads()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var patient = await RegisteredPatient(admin, "CSV-0001");
        var provider = await EnrolledProvider(admin);
        var before = (await admin.GetFromJsonAsync<PageOf<EncounterListRow>>(North("encounters?pageSize=1")))!.Total;

        await SignIn(Users.NorthAdmin);
        await Page.GotoAsync($"/practices/{DemoData.NorthClinic}/encounters");
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByRole(AriaRole.Link, new() { Name = "Download the template" }).ClickAsync());
        var template = await System.IO.File.ReadAllTextAsync(await download.PathAsync());
        Assert.StartsWith(string.Join(",", CsvIntake.EncounterColumns), template);

        var csv = $"{string.Join(",", CsvIntake.EncounterColumns)}\n{patient.Mrn},{provider.Npi},{provider.Npi},2026-03-02,11,Imported visit\n";
        await Page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload
        {
            Name = "encounters.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes(csv),
        });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("1 accepted, 0 rejected");
        Assert.DoesNotContain("handler=Import", Page.Url);

        await Page.ReloadAsync();
        await Page.ReloadAsync();
        var after = (await admin.GetFromJsonAsync<PageOf<EncounterListRow>>(North("encounters?pageSize=1")))!.Total;
        Assert.Equal(before + 1, after);
    }
}
