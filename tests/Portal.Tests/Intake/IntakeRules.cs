using Portal.Web.Platform;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Intake;

public class IntakeRules(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task a_provider_with_a_valid_npi_check_digit_is_enrolled()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var provider = await EnrolledProvider(admin, "1234567893");

        Assert.Equal("1234567893", provider.Npi);
        Assert.Equal("207Q00000X", provider.TaxonomyCode);
    }

    [Theory]
    [InlineData("1234567890", "npi")]
    [InlineData("123456789", "npi")]
    [InlineData("12345678AB", "npi")]
    public async Task a_bad_npi_gets_422_naming_the_field(string npi, string field)
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var response = await admin.PostAsJsonAsync(North("providers"), new EnrollProvider("Dr. Wrong", npi, "207Q00000X"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Contains(field, problem!.Errors.Keys);
    }

    [Fact]
    public void the_npi_check_matches_the_worked_example()
    {
        Assert.True(Identifiers.IsValidNpi("1987654328"));
        Assert.True(Identifiers.IsValidNpi("1234567893"));
        Assert.False(Identifiers.IsValidNpi("1234567890"));
        Assert.False(Identifiers.IsValidNpi("1987654321"));
    }

    [Fact]
    public async Task a_malformed_taxonomy_code_gets_422()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var response = await admin.PostAsJsonAsync(North("providers"), new EnrollProvider("Dr. Tax", ValidNpi, "207Q0"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("taxonomyCode", (await response.Content.ReadFromJsonAsync<ValidationProblemDetails>())!.Errors.Keys);
    }

    [Fact]
    public async Task the_same_mrn_or_npi_twice_is_a_conflict()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        await RegisteredPatient(admin, "DUP-1");
        await EnrolledProvider(admin, OtherValidNpi);

        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync(North("patients"), Patient("DUP-1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict,
            (await admin.PostAsJsonAsync(North("providers"), new EnrollProvider("Again", OtherValidNpi, "207Q00000X"))).StatusCode);
    }

    [Fact]
    public async Task an_encounter_refuses_unknown_patients_foreign_coverages_future_dates_and_unknown_pos()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var payer = await AddedPayer(admin);
        var patient = await CoveredPatient(admin, payer, "P-1");
        var other = await CoveredPatient(admin, payer, "P-2");
        var provider = await EnrolledProvider(admin);
        var good = new OpenEncounter(patient.Id, provider.Id, new DateOnly(2026, 3, 2), "11", null, patient.Coverages[0].Id);

        async Task<(HttpStatusCode, IEnumerable<string>)> Open(OpenEncounter body)
        {
            var response = await admin.PostAsJsonAsync(North("encounters"), body);
            if (response.IsSuccessStatusCode) return (response.StatusCode, []);
            var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
            return (response.StatusCode, problem?.Errors.Keys ?? []);
        }

        var (status, fields) = await Open(good with { PatientId = Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status); Assert.Contains("patientId", fields);
        (status, fields) = await Open(good with { CoverageId = other.Coverages[0].Id });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status); Assert.Contains("coverageId", fields);
        (status, fields) = await Open(good with { DateOfService = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(3) });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status); Assert.Contains("dateOfService", fields);
        (status, fields) = await Open(good with { PlaceOfService = "13" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status); Assert.Contains("placeOfService", fields);
        (status, fields) = await Open(good with { RenderingProviderId = null });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var malformed = await admin.PostAsync(North("encounters"), new StringContent("{\"patientId\": 7", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Open(good)).Item1);
    }

    [Fact]
    public async Task an_overlapping_primary_coverage_is_a_conflict()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var payer = await AddedPayer(admin);
        var patient = await CoveredPatient(admin, payer);

        var response = await admin.PostAsJsonAsync(North($"patients/{patient.Id}/coverages"),
            new AddCoverage(payer.Id, "OTHER-1", "Tess Tester", new DateOnly(2025, 6, 1)));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task a_stale_etag_gets_412_and_nothing_is_lost()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var encounter = await OpenedEncounter(admin);
        async Task<HttpResponseMessage> Revise(string notes, string etag)
        {
            var request = new HttpRequestMessage(HttpMethod.Put, North($"encounters/{encounter.Id}/notes"))
            { Content = JsonContent.Create(new ReviseVisitNotes(notes, "Addendum")) };
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            return await admin.SendAsync(request);
        }

        var first = await Revise("First revision", "W/\"1\"");
        var stale = await Revise("Second revision from an old read", "W/\"1\"");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("W/\"2\"", first.Headers.ETag?.ToString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        var now = await admin.GetFromJsonAsync<EncounterDetails>(North($"encounters/{encounter.Id}"));
        Assert.Equal("First revision", now!.VisitNotes);
        Assert.Equal(2, now.Version);
    }

    [Fact]
    public async Task a_stale_etag_on_a_patient_correction_gets_412()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var patient = await RegisteredPatient(admin);
        var correction = new CorrectDemographics("Tessa", "Tester", new DateOnly(1980, 4, 12), "Name misspelt at registration", Sex.Female);
        async Task<HttpResponseMessage> Put(CorrectDemographics body)
        {
            var request = new HttpRequestMessage(HttpMethod.Put, North($"patients/{patient.Id}")) { Content = JsonContent.Create(body) };
            request.Headers.TryAddWithoutValidation("If-Match", "W/\"1\"");
            return await admin.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.OK, (await Put(correction)).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await Put(correction with { FirstName = "Theresa" })).StatusCode);
        Assert.Equal("Tessa", (await admin.GetFromJsonAsync<Patient>(North($"patients/{patient.Id}")))!.Demographics.FirstName);
    }

    [Fact]
    public async Task a_pdf_is_attached_and_downloaded_and_a_wrong_type_is_refused()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var encounter = await OpenedEncounter(biller);

        var upload = await biller.PostAsync(North($"encounters/{encounter.Id}/documents"), File(Pdf, "note.pdf"));
        var document = await Created<DocumentSummary>(upload);
        var download = await biller.GetAsync(North($"encounters/{encounter.Id}/documents/{document.Id}"));
        var exe = await biller.PostAsync(North($"encounters/{encounter.Id}/documents"), File("MZ\x90\0 not a pdf"u8.ToArray(), "scan.pdf", "application/pdf"));

        Assert.Equal("application/pdf", document.ContentType);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, exe.StatusCode); // issue 9 item 12: a wrong type is 415, no longer 422
        Assert.Equal("application/problem+json", exe.Content.Headers.ContentType?.MediaType);
        var details = await biller.GetFromJsonAsync<EncounterDetails>(North($"encounters/{encounter.Id}"));
        Assert.Equal("note.pdf", Assert.Single(details!.Documents).FileName);
        var audit = await (await App.ClientFor(Users.NorthAdmin)).GetFromJsonAsync<PageOf<AuditEntry>>(North($"audit?recordId={document.Id}"));
        Assert.Equal("download", Assert.Single(audit!.Items).Action);
    }

    [Fact]
    public async Task an_oversized_document_is_refused()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var encounter = await OpenedEncounter(biller);
        var big = new byte[DocumentOptions.DefaultMaxBytes + 1];
        Pdf.CopyTo(big, 0);

        var response = await biller.PostAsync(North($"encounters/{encounter.Id}/documents"), File(big, "huge.pdf"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode); // issue 9 item 12: too large is 413, no longer 422
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task a_csv_of_encounters_keeps_the_good_rows_and_reports_each_bad_one()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        await RegisteredPatient(admin, "CSV-1");
        await EnrolledProvider(admin, ValidNpi);
        var csv = string.Join("\r\n",
            "patient_mrn,rendering_npi,billing_npi,date_of_service,place_of_service,notes",
            $"CSV-1,{ValidNpi},,2026-03-02,11,\"Annual exam, well adult\"",
            $"NOPE-9,{ValidNpi},,2026-03-02,11,unknown patient",
            $"CSV-1,1234567890,,2026-03-02,11,unknown npi",
            $"CSV-1,{ValidNpi},,03/02/2026,11,bad date",
            $"CSV-1,{ValidNpi},,2026-03-03,77,bad pos",
            $"CSV-1,{ValidNpi},,2026-03-04,02,telehealth");

        var response = await admin.PostAsync(North("encounters/import"), new StringContent(csv, Encoding.UTF8, "text/csv"));
        var summary = (await response.Content.ReadFromJsonAsync<CsvImportSummary>())!;

        Assert.Equal(2, summary.Accepted);
        Assert.Equal(4, summary.Rejected);
        Assert.Equal(
            [new CsvRowError(3, "patient_mrn", "No patient with MRN 'NOPE-9' in this practice."), ],
            summary.Errors.Take(1));
        Assert.Equal([(4, "rendering_npi"), (5, "date_of_service"), (6, "place_of_service")],
            summary.Errors.Skip(1).Select(e => (e.Row, e.Column)));
        var list = await admin.GetFromJsonAsync<PageOf<EncounterListRow>>(North("encounters?patient=CSV-1"));
        Assert.Equal(2, list!.Total);
    }

    [Fact]
    public async Task a_csv_of_patients_uploaded_as_a_form_file_is_imported()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var csv = "mrn,first_name,last_name,birth_date,sex,state\nPX-1,Ann,Able,1970-01-02,female,\nPX-2,,Baker,1970-01-02,male,\nPX-1,Dup,Able,1971-01-01,female,\n";

        var response = await admin.PostAsync(North("patients/import"), File(Encoding.UTF8.GetBytes(csv), "patients.csv", "text/csv"));
        var summary = (await response.Content.ReadFromJsonAsync<CsvImportSummary>())!;

        Assert.Equal(1, summary.Accepted);
        Assert.Equal([(3, "first_name"), (4, "mrn")], summary.Errors.Select(e => (e.Row, e.Column)));
    }

    [Fact]
    public async Task a_csv_without_the_required_columns_gets_422()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var response = await admin.PostAsync(North("encounters/import"), new StringContent("mrn,dos\nA,2026-01-01\n", Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }
}
