using Portal.Web.Platform;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Tenancy;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Intake;

public class IntakeAccessRules(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task every_intake_route_answers_404_for_another_practices_user()
    {
        var north = await App.ClientFor(Users.NorthAdmin);
        var encounter = await OpenedEncounter(north);
        var document = await Created<DocumentSummary>(await north.PostAsync(North($"encounters/{encounter.Id}/documents"), File(Pdf, "n.pdf")));
        var riverside = await App.ClientFor(Users.RiversideAdmin);
        string[] reads =
        [
            "patients", $"patients/{encounter.PatientId}", "providers", $"providers/{encounter.RenderingProviderId}", "payers",
            "encounters", "encounters/export.csv", $"encounters/{encounter.Id}", $"encounters/{encounter.Id}/history",
            $"encounters/{encounter.Id}/documents/{document.Id}", "audit",
        ];

        foreach (var path in reads)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(North(path))).StatusCode);
            // Through its own practice, North's ids are simply unknown.
            if (path.Contains('/') && !path.EndsWith(".csv"))
                Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(Api(DemoData.RiversidePediatrics, path))).StatusCode);
        }
        var writes = new (string Path, HttpContent Body)[]
        {
            ("patients", JsonContent.Create(Patient("R-1"))),
            ($"patients/{encounter.PatientId}/coverages", JsonContent.Create(new AddCoverage(Guid.NewGuid(), "M", "S", new DateOnly(2026, 1, 1)))),
            ("encounters", JsonContent.Create(new OpenEncounter(encounter.PatientId, encounter.RenderingProviderId, new DateOnly(2026, 1, 1), "11"))),
            ($"encounters/{encounter.Id}/documents", File(Pdf, "x.pdf")),
            ("encounters/import", new StringContent("patient_mrn,rendering_npi,date_of_service,place_of_service\n", System.Text.Encoding.UTF8, "text/csv")),
            ("patients/import", new StringContent("mrn,first_name,last_name,birth_date\n", System.Text.Encoding.UTF8, "text/csv")),
        };
        foreach (var (path, body) in writes)
            Assert.Equal(HttpStatusCode.NotFound, (await riverside.PostAsync(North(path), body)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.PutAsJsonAsync(Api(DemoData.RiversidePediatrics, $"encounters/{encounter.Id}/notes"),
            new ReviseVisitNotes("x", "not mine"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.PutAsJsonAsync(North($"encounters/{encounter.Id}/notes"),
            new ReviseVisitNotes("x", "not mine"))).StatusCode);
        var correction = new CorrectDemographics("X", "Y", new DateOnly(1990, 1, 1), "not mine");
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.PutAsJsonAsync(North($"patients/{encounter.PatientId}"), correction)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await riverside.PutAsJsonAsync(Api(DemoData.RiversidePediatrics, $"patients/{encounter.PatientId}"), correction)).StatusCode);
        var openThroughOwn = await riverside.PostAsJsonAsync(Api(DemoData.RiversidePediatrics, "encounters"),
            new OpenEncounter(encounter.PatientId, encounter.RenderingProviderId, new DateOnly(2026, 1, 1), "11"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, openThroughOwn.StatusCode);
    }

    [Fact]
    public async Task every_intake_page_answers_404_for_another_practices_user()
    {
        var north = await App.ClientFor(Users.NorthAdmin);
        var encounter = await OpenedEncounter(north);
        var browser = await App.SignedInBrowser(Users.RiversideAdmin);

        foreach (var page in new[] { "patients", $"patients/{encounter.PatientId}", "providers", "payers", "encounters", "encounters/new", $"encounters/{encounter.Id}" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/practices/{DemoData.NorthClinic}/{page}")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound,
            (await browser.GetAsync($"/practices/{DemoData.RiversidePediatrics}/encounters/{encounter.Id}")).StatusCode);
    }

    [Fact]
    public async Task a_vendor_coder_reads_an_encounter_only_while_it_is_in_the_queue_and_cannot_register_patients()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var encounter = await OpenedEncounter(admin);
        var vendorCoder = await App.ClientFor(Users.VendorCoder);

        // Issue 9 item 3: an encounter the practice has not sent to coding is in-house work, not the vendor's.
        var before = await vendorCoder.GetAsync(North($"encounters/{encounter.Id}"));
        (await admin.PostAsJsonAsync(North($"encounters/{encounter.Id}/coding/queue"), new { priority = 5 })).EnsureSuccessStatusCode();
        var read = await vendorCoder.GetAsync(North($"encounters/{encounter.Id}"));
        var register = await vendorCoder.PostAsJsonAsync(North("patients"), Patient("V-1"));

        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, register.StatusCode);
    }

    [Fact]
    public async Task a_coder_reads_the_pages_but_gets_no_forms_and_cannot_post()
    {
        var coder = await App.SignedInBrowser(Users.NorthCoder);
        var root = $"/practices/{DemoData.NorthClinic}";

        var patients = await coder.GetAsync($"{root}/patients");
        var newEncounter = await coder.GetAsync($"{root}/encounters/new");
        var html = await patients.Content.ReadAsStringAsync();
        // No form is rendered for a coder, so take the token the layout hands to htmx.
        var token = System.Text.RegularExpressions.Regex.Match(html, "\"RequestVerificationToken\": \"([^\"]+)\"").Groups[1].Value;
        var request = new HttpRequestMessage(HttpMethod.Post, $"{root}/providers?handler=Enroll")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Name"] = "Dr. Sneaky", ["Npi"] = ValidNpi, ["TaxonomyCode"] = "207Q00000X",
            }),
        };
        request.Headers.Add("RequestVerificationToken", token);
        var post = await coder.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, patients.StatusCode);
        Assert.DoesNotContain("Register a patient", html);
        Assert.Equal(HttpStatusCode.Redirect, newEncounter.StatusCode);
        Assert.Contains("access-denied", newEncounter.Headers.Location!.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        var providers = await (await App.ClientFor(Users.NorthAdmin)).GetItemsAsync<Provider>(North("providers"));
        Assert.DoesNotContain(providers!, p => p.Name == "Dr. Sneaky");
    }

    [Fact]
    public async Task a_coder_cannot_create_providers_or_encounters()
    {
        var coder = await App.ClientFor(Users.NorthCoder);

        var provider = await coder.PostAsJsonAsync(North("providers"), new EnrollProvider("Dr. No", ValidNpi, "207Q00000X"));
        var payer = await coder.PostAsJsonAsync(North("payers"), new AddPayer("Nope", "NOPE1"));

        Assert.Equal(HttpStatusCode.Forbidden, provider.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, payer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await coder.GetAsync(North("providers"))).StatusCode);
    }

    [Fact]
    public async Task an_app_needs_encounters_write_to_register_and_encounters_read_to_read()
    {
        var readOnly = await App.AppClient("north-app", Scopes.EncountersRead);
        var practiceOnly = await App.AppClient("north-app", Scopes.PracticeRead);

        Assert.Equal(HttpStatusCode.Forbidden, (await readOnly.PostAsJsonAsync(North("patients"), Patient())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await readOnly.GetAsync(North("patients"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await practiceOnly.GetAsync(North("patients"))).StatusCode);
    }

    [Fact]
    public async Task a_revoked_vendor_loses_access_to_encounters()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var encounter = await OpenedEncounter(admin);
        var engagement = (await admin.GetItemsAsync<Engagement>($"/api/v1/practices/{DemoData.NorthClinic}/engagements"))!.Single();
        (await admin.PostAsJsonAsync($"/api/v1/practices/{DemoData.NorthClinic}/engagements/{engagement.Id}/revoke",
            new RevokeEngagement("Contract ended"))).EnsureSuccessStatusCode();

        var vendorCoder = await App.ClientFor(Users.VendorCoder);

        Assert.Equal(HttpStatusCode.NotFound, (await vendorCoder.GetAsync(North($"encounters/{encounter.Id}"))).StatusCode);
    }
}
