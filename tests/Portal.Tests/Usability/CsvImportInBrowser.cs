using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Usability;

/// <summary>Issue 14, item 5: upload → preview with per-row errors and duplicates → confirm; POST-redirect-GET (a reload imports nothing); a template.</summary>
public class CsvImportInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task a_reload_after_an_import_imports_nothing_and_the_template_downloads()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var patient = await RegisteredPatient(admin, "CSV-0001");
        var provider = await EnrolledProvider(admin);
        var before = (await admin.GetFromJsonAsync<PageOf<EncounterListRow>>(North("encounters?pageSize=1")))!.Total;

        await SignIn(Users.NorthAdmin, at: $"/practices/{DemoData.NorthClinic}/encounters");
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByRole(AriaRole.Link, new() { Name = "Download the template" }).ClickAsync());
        var template = await System.IO.File.ReadAllTextAsync(await download.PathAsync());
        Assert.StartsWith(string.Join(",", CsvIntake.EncounterColumns), template);

        // A good row, the same visit again (a duplicate) and a row naming no known patient.
        var good = $"{patient.Mrn},{provider.Npi},{provider.Npi},2026-03-02,11,Imported visit";
        var csv = $"{string.Join(",", CsvIntake.EncounterColumns)}\n{good}\n{good}\nNO-SUCH,{provider.Npi},,2026-03-02,11,x\n";
        await Page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload
        {
            Name = "encounters.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes(csv),
        });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Check the file" }).ClickAsync();
        var preview = Page.Locator("#import-preview");
        await Assertions.Expect(preview).ToContainTextAsync("1 good row, 2 rows with errors. Nothing is imported yet.");
        await Assertions.Expect(preview).ToContainTextAsync("Row 3, date_of_service: Same patient (MRN), provider and date of service as row 2");
        await Assertions.Expect(preview).ToContainTextAsync("Row 4, patient_mrn");
        await Page.ReloadAsync();
        Assert.Equal(before, (await admin.GetFromJsonAsync<PageOf<EncounterListRow>>(North("encounters?pageSize=1")))!.Total);

        await Page.GetByRole(AriaRole.Button, new() { Name = "Import the 1 good row" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("1 accepted, 2 rejected");
        Assert.DoesNotContain("handler=", Page.Url);

        await Page.ReloadAsync();
        await Page.GoBackAsync(); // the preview again: it was imported, so it offers nothing to import
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Import the 1 good row" })).ToHaveCountAsync(0);
        var after = (await admin.GetFromJsonAsync<PageOf<EncounterListRow>>(North("encounters?pageSize=1")))!.Total;
        Assert.Equal(before + 1, after);
    }
}
