using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Demo;

namespace Portal.Tests.Intake;

public class IntakeInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    static readonly string Root = $"/practices/{DemoData.NorthClinic}";

    [Fact]
    public async Task a_biller_registers_a_patient_opens_an_encounter_and_works_its_details()
    {
        await SignIn(Users.NorthBiller, at: Root);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Patients", Exact = true }).ClickAsync();

        await Page.GetByLabel("MRN", new() { Exact = true }).FillAsync("B-2001");
        await Page.GetByLabel("First name").FillAsync("Bria");
        await Page.GetByLabel("Last name").FillAsync("Browser");
        await Page.GetByLabel("Date of birth").FillAsync("1985-07-09");
        await Page.GetByLabel("Primary payer (optional)").SelectOptionAsync(new SelectOptionValue { Label = "Aetna (demo)" });
        await Page.GetByLabel("Member id").FillAsync("W555000111");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Register patient" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Patients" })).ToContainTextAsync("Browser, Bria");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Encounters", Exact = true }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "New encounter" }).ClickAsync();
        await Page.GetByLabel("Patient", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Browser, Bria (B-2001)" });
        await Assertions.Expect(Page.Locator("#coverage option")).ToHaveCountAsync(2);
        await Page.GetByLabel("Coverage").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        await Page.GetByLabel("Rendering provider").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        await Page.GetByLabel("Place of service").SelectOptionAsync("11");
        await Page.GetByLabel("Visit notes").FillAsync("Sprained ankle, X-ray negative.");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Open encounter" }).ClickAsync();

        await Assertions.Expect(Page.Locator("h1")).ToContainTextAsync("Browser, Bria");
        await Assertions.Expect(Page.Locator("main")).ToContainTextAsync("Aetna (demo)");

        await Page.GetByLabel("Edit the notes").FillAsync("Sprained ankle, X-ray negative. Follow up in 2 weeks.");
        await Page.GetByLabel("Why are you changing the notes?").FillAsync("Provider addendum");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save notes" }).ClickAsync();
        await Assertions.Expect(Page.GetByLabel("Edit the notes")).ToHaveValueAsync("Sprained ankle, X-ray negative. Follow up in 2 weeks.");

        await Page.GetByLabel("Attach a document").SetInputFilesAsync(new FilePayload
        {
            Name = "xray.pdf", MimeType = "application/pdf", Buffer = Given.Pdf,
        });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Documents" })).ToContainTextAsync("xray.pdf");
        var history = Page.GetByRole(AriaRole.Table, new() { Name = "History" });
        await Assertions.Expect(history.Locator("tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(history).ToContainTextAsync("Provider addendum");
    }

    [Fact]
    public async Task a_biller_adds_a_secondary_coverage_on_the_patient_page_and_the_view_is_audited()
    {
        await SignIn(Users.NorthBiller, at: $"{Root}/patients?search=Hart");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Hart, Ada" }).ClickAsync();

        await Page.GetByLabel("Payer", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Aetna (demo)" });
        await Page.GetByLabel("Member id").FillAsync("MEDIGAP-77");
        await Page.GetByLabel("Priority").SelectOptionAsync("Secondary");
        await Page.GetByLabel("Effective from").FillAsync("2025-01-01");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Add coverage" }).ClickAsync();

        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Coverages" })).ToContainTextAsync("MEDIGAP-77");
        var audit = await (await App.ClientFor(Users.NorthAdmin)).GetFromJsonAsync<PageOf<Portal.Web.Platform.AuditEntry>>(
            $"/api/v1/practices/{DemoData.NorthClinic}/audit");
        Assert.Contains(audit!.Items, a => a.RecordType == "Patient" && a.Actor == "Bea Biller");
    }

    [Fact]
    public async Task the_encounter_list_filters_by_patient_without_a_reload()
    {
        await SignIn(Users.NorthCoder, at: $"{Root}/encounters");
        var table = Page.GetByRole(AriaRole.Table, new() { Name = "Encounters" });
        await Assertions.Expect(table).ToContainTextAsync("Hart, Ada");

        await Page.GetByLabel("Patient name or MRN").FillAsync("Okafor");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        await Assertions.Expect(table).Not.ToContainTextAsync("Hart, Ada");
        await Assertions.Expect(table).ToContainTextAsync("Okafor, Ben");
        Assert.Equal(0, await Page.GetByRole(AriaRole.Link, new() { Name = "New encounter" }).CountAsync());
    }

    [Fact]
    public async Task an_admin_chooses_which_portal_user_answers_a_providers_queries()
    {
        await SignIn(Users.NorthAdmin, at: $"{Root}/providers");
        var lin = Page.GetByLabel("Portal user answering Maya Lin, FNP's queries");
        var park = Page.GetByLabel("Portal user answering Dr. Noah Park's queries");
        await Assertions.Expect(park).ToHaveValueAsync(await park.Locator("option", new() { HasText = "provider@north.example" }).GetAttributeAsync("value") ?? "");

        // One portal user answers for one provider: moving Dr. Park's account to Maya Lin is refused until Dr. Park is unlinked.
        await lin.SelectOptionAsync(new SelectOptionValue { Label = "Dr. Noah Park (provider@north.example)" });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save who answers Maya Lin, FNP's queries" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("already linked to Dr. Noah Park");

        await park.SelectOptionAsync(new SelectOptionValue { Label = "Nobody (a practice admin answers)" });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save who answers Dr. Noah Park's queries" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved");
        await lin.SelectOptionAsync(new SelectOptionValue { Label = "Dr. Noah Park (provider@north.example)" });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save who answers Maya Lin, FNP's queries" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved");

        var admin = await App.ClientFor(Users.NorthAdmin);
        var providers = await admin.GetItemsAsync<Portal.Web.Features.Intake.Provider>(Given.North("providers"));
        Assert.Equal(("Dr. Noah Park", (string?)null),
            (providers!.Single(p => p.Name == "Maya Lin, FNP").UserName, providers!.Single(p => p.Name == "Dr. Noah Park").UserName));
    }

    [Fact]
    public async Task an_admin_enrols_a_provider_and_adds_a_payer_and_a_bad_npi_is_explained()
    {
        await SignIn(Users.NorthAdmin, at: $"{Root}/providers");

        await Page.GetByLabel("Name").FillAsync("Dr. Wrong Digit");
        await Page.GetByLabel("NPI").FillAsync("1234567890");
        await Page.GetByLabel("Taxonomy code").FillAsync("207Q00000X");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Enrol provider" }).ClickAsync();
        await Assertions.Expect(Page.Locator(".field-error")).ToContainTextAsync("check digit");

        await Page.GetByLabel("NPI").FillAsync(Given.ValidNpi);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Enrol provider" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Providers" })).ToContainTextAsync(Given.ValidNpi);

        await Page.GetByRole(AriaRole.Link, new() { Name = "Payers", Exact = true }).ClickAsync();
        await Page.GetByLabel("Name").FillAsync("Blue Plains Health");
        await Page.GetByLabel("Payer id").FillAsync("BPH01");
        await Page.GetByLabel("Timely filing (days)").FillAsync("90");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Add payer" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Payers" })).ToContainTextAsync("90 days");
    }
}
