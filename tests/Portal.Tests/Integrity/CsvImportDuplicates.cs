using System.Text;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Integrity;

/// <summary>Duplicates in a CSV import, within the file or against stored data, are reported per row; the good rows are kept.</summary>
public class CsvImportDuplicates(PortalApp app) : PortalTest(app)
{
    static StringContent Csv(params string[] lines) => new(string.Join("\r\n", lines), Encoding.UTF8, "text/csv");

    [Fact]
    public async Task a_patient_file_reports_mrns_repeated_in_the_file_or_already_stored()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        await RegisteredPatient(admin, "T-1001");

        var response = await admin.PostAsync(North("patients/import"), Csv(
            "mrn,first_name,last_name,birth_date",
            "D-1,Ann,Able,1970-01-02",
            "t-1001,Tess,Again,1980-04-12",
            "d-1,Ann,Again,1970-01-02",
            "D-2,Bob,Baker,1971-02-03"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = (await response.Content.ReadFromJsonAsync<CsvImportSummary>())!;
        Assert.Equal(2, summary.Accepted);
        Assert.Equal([(3, "mrn"), (4, "mrn")], summary.Errors.Select(e => (e.Row, e.Column)));
        Assert.Contains("row 2", summary.Errors[1].Reason);
    }

    [Fact]
    public async Task the_same_patient_file_sent_twice_at_once_registers_each_patient_once()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        string[] file = ["mrn,first_name,last_name,birth_date", .. Enumerable.Range(1, 20).Select(i => $"P-{i},Pat,Number{i},1970-01-02")];

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => admin.PostAsync(North("patients/import"), Csv(file)))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var summaries = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<CsvImportSummary>()));
        Assert.Equal(20, summaries.Sum(s => s!.Accepted));
        Assert.All(summaries.SelectMany(s => s!.Errors), e => Assert.Equal("mrn", e.Column));
        var list = await admin.GetFromJsonAsync<PageOf<Patient>>(North("patients?pageSize=200"));
        Assert.Equal(20, list!.Items.Count(p => p.Mrn.StartsWith("P-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task an_encounter_file_reports_a_visit_repeated_in_the_file_or_already_open()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var patient = await RegisteredPatient(admin, "E-1");
        var provider = await EnrolledProvider(admin, ValidNpi);
        await Created<EncounterDetails>(await admin.PostAsJsonAsync(North("encounters"),
            new OpenEncounter(patient.Id, provider.Id, new DateOnly(2026, 3, 2), "11", null, null, "Seen already.")));

        var response = await admin.PostAsync(North("encounters/import"), Csv(
            "patient_mrn,rendering_npi,date_of_service,place_of_service,notes",
            $"E-1,{ValidNpi},2026-03-02,11,sent again",
            $"E-1,{ValidNpi},2026-03-03,11,new visit",
            $"e-1,{ValidNpi},2026-03-03,11,same visit twice in the file",
            $"E-1,{ValidNpi},2026-03-03,02,telehealth the same day"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = (await response.Content.ReadFromJsonAsync<CsvImportSummary>())!;
        // Issue 14, item 5: a duplicate is the same MRN, date of service and provider; another place of service the same day
        // (row 5) is the same visit sent twice, not a second one.
        Assert.Equal(1, summary.Accepted);
        Assert.Equal([(2, "date_of_service"), (4, "date_of_service"), (5, "date_of_service")], summary.Errors.Select(e => (e.Row, e.Column)));
        Assert.Contains("row 3", summary.Errors[1].Reason);
        Assert.Contains("row 3", summary.Errors[2].Reason);
        var list = await admin.GetFromJsonAsync<PageOf<EncounterListRow>>(North("encounters?patient=E-1"));
        Assert.Equal(2, list!.Total);
    }

    [Fact]
    public async Task an_encounter_row_naming_an_mrn_two_old_patients_share_is_reported_not_a_500()
    {
        // Written by an older Portal, before MRNs were unique keys: two patients whose MRNs differ only in case.
        var store = App.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession(DemoData.NorthClinic.ToString()))
        {
            foreach (var mrn in new[] { "old-1", "OLD-1" })
            {
                var registered = new PatientRegistered(Guid.CreateVersion7(), mrn,
                    new Demographics("Old", "Record", new DateOnly(1960, 1, 1), Sex.Unknown, null, null), "Old Portal", DateTimeOffset.UtcNow);
                session.Events.StartStream<Patient>(registered.PatientId, registered);
            }
            await session.SaveChangesAsync();
        }
        var admin = await App.ClientFor(Users.NorthAdmin);
        await EnrolledProvider(admin, ValidNpi);

        var response = await admin.PostAsync(North("encounters/import"), Csv(
            "patient_mrn,rendering_npi,date_of_service,place_of_service",
            $"OLD-1,{ValidNpi},2026-03-02,11"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = (await response.Content.ReadFromJsonAsync<CsvImportSummary>())!;
        Assert.Equal((2, "patient_mrn"), (Assert.Single(summary.Errors).Row, summary.Errors[0].Column));
    }
}
