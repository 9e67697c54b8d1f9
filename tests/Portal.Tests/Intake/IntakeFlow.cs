using Portal.Web.Platform;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Intake;

public class IntakeFlow(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task a_biller_registers_a_patient_provider_payer_and_opens_an_encounter()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var payer = await AddedPayer(biller);
        var patient = await CoveredPatient(biller, payer);
        var provider = await EnrolledProvider(biller);

        var response = await biller.PostAsJsonAsync(North("encounters"),
            new OpenEncounter(patient.Id, provider.Id, new DateOnly(2026, 3, 2), "11", null, patient.Coverages[0].Id, "Follow-up."));
        var opened = await Created<EncounterDetails>(response);

        var details = await biller.GetFromJsonAsync<EncounterDetails>(North($"encounters/{opened.Id}"));
        Assert.Equal(EncounterStatus.New, details!.Status);
        Assert.Equal("Tester, Tess", details.PatientName);
        Assert.Equal(provider.Id, details.BillingProviderId);
        Assert.Equal("Test Health Plan", details.PayerName);
        Assert.Equal("Office", details.PlaceOfServiceName);
        Assert.Equal(365, payer.TimelyFilingDays);

        var list = await biller.GetFromJsonAsync<PageOf<EncounterListRow>>(North("encounters?patient=tester&dosFrom=2026-03-01&dosTo=2026-03-31"));
        Assert.Equal(opened.Id, Assert.Single(list!.Items).Id);
        Assert.Equal(1, list.Total);
        var patients = await biller.GetFromJsonAsync<PageOf<Patient>>(North("patients?search=T-1001"));
        Assert.Equal(patient.Id, Assert.Single(patients!.Items).Id);
    }

    [Fact]
    public async Task lists_page_and_filter_with_a_total()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var encounter = await OpenedEncounter(admin);

        var all = await admin.GetFromJsonAsync<PageOf<EncounterListRow>>(North("encounters?pageSize=2&sort=dos"));
        var byProvider = await admin.GetFromJsonAsync<PageOf<EncounterListRow>>(
            North($"encounters?providerId={encounter.RenderingProviderId}&status=New"));
        var none = await admin.GetFromJsonAsync<PageOf<EncounterListRow>>(North("encounters?dosFrom=2030-01-01"));

        Assert.True(all!.Total >= 1);
        Assert.True(all.Items.Count <= 2);
        Assert.Equal(encounter.Id, Assert.Single(byProvider!.Items).Id);
        Assert.Equal(0, none!.Total);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync(North("encounters?pageSize=1000"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync(North("encounters?sort=sideways"))).StatusCode);
    }

    [Fact]
    public async Task the_encounter_list_exports_as_csv()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var encounter = await OpenedEncounter(admin);

        var response = await admin.GetAsync(North("encounters/export.csv?patient=Tester"));

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("encounter_id,date_of_service", lines[0]);
        Assert.Contains(lines, l => l.StartsWith(encounter.Id.ToString()) && l.Contains("\"Tester, Tess\""));
    }

    [Fact]
    public async Task the_history_shows_who_did_what_when_and_why()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var encounter = await OpenedEncounter(biller);
        var revise = new HttpRequestMessage(HttpMethod.Put, North($"encounters/{encounter.Id}/notes"))
        {
            Content = JsonContent.Create(new ReviseVisitNotes("Follow-up; BP controlled.", "Provider addendum")),
        };
        revise.Headers.IfMatch.ParseAdd("W/\"1\"");
        (await biller.SendAsync(revise)).EnsureSuccessStatusCode();

        var history = (await biller.GetItemsAsync<HistoryEntry>(North($"encounters/{encounter.Id}/history")))!;

        Assert.Equal(["encounter_opened", "visit_notes_revised"], history.Select(h => h.Event));
        Assert.All(history, h => Assert.Equal("Bea Biller", h.By));
        Assert.Equal("Provider addendum", history[1].Reason);
        Assert.Equal(2, history[1].Version);
    }

    [Fact]
    public async Task an_api_client_with_the_scopes_registers_and_reads()
    {
        var northApp = await App.AppClient("north-app");

        var patient = await RegisteredPatient(northApp);
        var read = await northApp.GetAsync(North($"patients/{patient.Id}"));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("W/\"1\"", read.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task reads_of_phi_are_audited_and_listed_for_the_practice_admin()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var encounter = await OpenedEncounter(admin);
        var coder = await App.ClientFor(Users.NorthCoder);
        await coder.GetAsync(North($"encounters/{encounter.Id}"));
        await coder.GetAsync(North($"patients/{encounter.PatientId}"));

        var audit = await admin.GetFromJsonAsync<PageOf<AuditEntry>>(North($"audit?recordId={encounter.PatientId}&pageSize=10"));

        Assert.Equal(2, audit!.Total);
        Assert.All(audit.Items, a => Assert.Equal("Cody North", a.Actor));
        Assert.Contains(audit.Items, a => a.RecordType == "Encounter" && a.RecordId == encounter.Id && a.Action == "view");
        Assert.All(audit.Items, a => Assert.False(string.IsNullOrEmpty(a.IpAddress)));
        Assert.Equal(HttpStatusCode.Forbidden, (await coder.GetAsync(North("audit"))).StatusCode);
    }
}
