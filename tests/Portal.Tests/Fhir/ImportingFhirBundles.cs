// The Firely POCOs make every member nullable; a null where the test expects a value fails the test anyway.
#pragma warning disable CS8602
using System.Text.Json;
using System.Text.Json.Nodes;
using Bundle = Hl7.Fhir.Model.Bundle;
using OperationOutcome = Hl7.Fhir.Model.OperationOutcome;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using static Portal.Tests.Fhir.FhirGiven;
using Patient = Portal.Web.Features.Intake.Patient;

namespace Portal.Tests.Fhir;

public class ImportingFhirBundles(PortalApp app) : PortalTest(app)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    static string Api(string path) => $"/api/v1/practices/{DemoData.NorthClinic}/{path}";

    [Fact]
    public async Task a_transaction_bundle_registers_the_visit_in_intake_and_answers_201_for_each_entry()
    {
        var biller = await App.ClientFor(Users.NorthBiller);

        var answer = await Imported(biller, Sample());

        Assert.Equal(Bundle.BundleType.TransactionResponse, answer.Type);
        Assert.Equal(10, answer.Entry.Count);
        Assert.All(answer.Entry, e => Assert.Equal("201 Created", e.Response!.Status));
        var encounterUrl = answer.Entry[5].Response!.Location!;
        Assert.StartsWith(Api("encounters/"), encounterUrl);

        var encounter = (await biller.GetFromJsonAsync<EncounterDetails>(encounterUrl, Json))!;
        Assert.Equal(("F-1001", "Quinn, Harper", new DateOnly(2026, 3, 2), "11"),
            (encounter.Mrn, encounter.PatientName, encounter.DateOfService, encounter.PlaceOfService));
        Assert.Equal(("Dr. Lena Reyes", "Lakeside Family Practice", "Blue Sky Health Plan"),
            (encounter.RenderingProviderName, encounter.BillingProviderName, encounter.PayerName));
        Assert.Equal(["I10", "E11.9"], encounter.DocumentedDiagnoses.Select(d => d.Code));
        Assert.Equal(["99213"], encounter.DocumentedProcedures.Select(d => d.Code));
        var document = Assert.Single(encounter.Documents);
        Assert.Equal(("progress-note.txt", "text/plain"), (document.FileName, document.ContentType));
        var note = await biller.GetStringAsync(answer.Entry[9].Response!.Location!);
        Assert.Contains("Essential hypertension, controlled", note);

        var patient = (await biller.GetFromJsonAsync<Patient>(answer.Entry[3].Response!.Location!, Json))!;
        Assert.Equal((new DateOnly(1968, 7, 21), Sex.Female, "62704"), (patient.Demographics.BirthDate, patient.Demographics.Sex, patient.Demographics.Address!.PostalCode));
        var coverage = Assert.Single(patient.Coverages);
        Assert.Equal(("BSK123456789", "Harper Quinn", SubscriberRelationship.Self, "GRP-7731", CoveragePriority.Primary),
            (coverage.MemberId, coverage.SubscriberName, coverage.Relationship, coverage.GroupNumber, coverage.Priority));
        var provider = (await biller.GetFromJsonAsync<Provider>(answer.Entry[2].Response!.Location!, Json))!;
        Assert.Equal(("1555667785", "207Q00000X", ProviderType.Individual), (provider.Npi, provider.TaxonomyCode, provider.Type));
        var payer = (await biller.GetFromJsonAsync<Payer>(answer.Entry[0].Response!.Location!, Json))!;
        Assert.Equal("BSKY1", payer.ClearinghousePayerId);

        var history = await biller.GetStringAsync(encounterUrl + "/history");
        Assert.Contains("encounter_codes_documented", history);
    }

    [Fact]
    public async Task the_encounter_page_shows_the_imported_visit_with_the_codes_the_provider_documented()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var answer = await Imported(biller, Sample());
        var encounterId = answer.Entry[5].Response!.Location!.Split('/')[^1];
        var browser = await App.SignedInBrowser(Users.NorthBiller);

        var page = await browser.GetStringAsync($"/practices/{DemoData.NorthClinic}/encounters/{encounterId}");

        Assert.Contains("Codes the provider documented", page);
        Assert.Contains("E11.9", page);
        Assert.Contains("99213", page);
        Assert.Contains("progress-note.txt", page);
    }

    [Fact]
    public async Task the_same_bundle_sent_twice_creates_nothing_new_and_says_every_entry_was_already_there()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var first = await Imported(biller, Sample());

        var second = await Imported(biller, Sample());

        Assert.All(second.Entry, e => Assert.Equal("200 OK", e.Response!.Status));
        Assert.Equal(first.Entry.Select(e => e.Response!.Location!), second.Entry.Select(e => e.Response!.Location!));
        var encounters = await biller.GetFromJsonAsync<PageOf<EncounterListRow>>(Api("encounters?patient=F-1001"), Json);
        Assert.Equal(1, encounters!.Total);
        var encounter = (await biller.GetFromJsonAsync<EncounterDetails>(first.Entry[5].Response!.Location!, Json))!;
        Assert.Single(encounter.Documents);
        Assert.Equal(2, encounter.DocumentedDiagnoses.Length);
        var patient = (await biller.GetFromJsonAsync<Patient>(first.Entry[3].Response!.Location!, Json))!;
        Assert.Single(patient.Coverages);
    }

    [Fact]
    public async Task the_same_bundle_sent_twice_at_once_registers_the_visit_once()
    {
        var biller = await App.ClientFor(Users.NorthBiller);

        var answers = await Task.WhenAll(biller.SendAsync(Post(Sample())), biller.SendAsync(Post(Sample())));

        foreach (var a in answers) Assert.True(a.StatusCode == HttpStatusCode.OK, $"{(int)a.StatusCode}: {await a.Content.ReadAsStringAsync()}");
        var encounters = await biller.GetFromJsonAsync<PageOf<EncounterListRow>>(Api("encounters?patient=F-1001"), Json);
        Assert.Equal(1, encounters!.Total);
        Assert.Equal(1, (await biller.GetFromJsonAsync<PageOf<Patient>>(Api("patients?search=F-1001"), Json))!.Total);
    }

    [Fact]
    public async Task an_encounter_without_an_identifier_is_matched_by_patient_provider_date_and_place_and_new_codes_are_added()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var bundle = Sample();
        bundle.Resource(5).Remove("identifier");
        var first = await Imported(biller, bundle);

        var again = Sample();
        again.Resource(5).Remove("identifier");
        again.Resource(8)["code"]!["coding"]![0]!["code"] = "G0439";
        again.Resource(8)["code"]!["coding"]![0]!["system"] = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
        var second = await Imported(biller, again);

        Assert.Equal(first.Entry[5].Response!.Location!, second.Entry[5].Response!.Location!);
        Assert.Equal("200 OK", second.Entry[5].Response!.Status);
        Assert.Equal("201 Created", second.Entry[8].Response!.Status);
        var encounter = (await biller.GetFromJsonAsync<EncounterDetails>(first.Entry[5].Response!.Location!, Json))!;
        Assert.Equal(["99213", "G0439"], encounter.DocumentedProcedures.Select(p => p.Code));
        Assert.Equal(["cpt", "hcpcs"], encounter.DocumentedProcedures.Select(p => p.System));
    }

    public static TheoryData<string, string> BadBundles => new()
    {
        { "unsupported", "Bundle.entry[10].resource" },
        { "no-mrn", "Bundle.entry[3].resource.identifier" },
        { "dangling-reference", "Bundle.entry[6].resource.encounter" },
        { "snomed-only-condition", "Bundle.entry[7].resource.code.coding" },
        { "bad-cpt", "Bundle.entry[8].resource.code.coding" },
        { "no-date-of-service", "Bundle.entry[5].resource.period.start" },
        { "bad-npi", "Bundle.entry[2].resource.identifier" },
        { "attachment-by-url", "Bundle.entry[9].resource.content[0].attachment.data" },
        { "executable-attachment", "Bundle.entry[9].resource.content[0].attachment.data" },
        { "no-member-id", "Bundle.entry[4].resource.subscriberId" },
        { "batch", "Bundle.type" },
    };

    static JsonObject Broken(string kind)
    {
        var b = Sample();
        switch (kind)
        {
            case "unsupported":
                b["entry"]!.AsArray().Add(JsonNode.Parse("""
                    { "fullUrl": "urn:uuid:0c1a1d5e-0000-4000-8000-0000000000b1",
                      "resource": { "resourceType": "Observation", "status": "final", "code": { "text": "BP" } },
                      "request": { "method": "POST", "url": "Observation" } }
                    """));
                break;
            case "no-mrn": b.Resource(3)["identifier"]![0]!.AsObject().Remove("type"); break;
            case "dangling-reference": b.Resource(6)["encounter"]!["reference"] = "urn:uuid:00000000-0000-4000-8000-000000000000"; break;
            case "snomed-only-condition": b.Resource(7)["code"]!["coding"]!.AsArray().RemoveAt(1); break;
            case "bad-cpt": b.Resource(8)["code"]!["coding"]![0]!["code"] = "9921"; break;
            case "no-date-of-service": b.Resource(5).Remove("period"); break;
            case "bad-npi": b.Resource(2)["identifier"]![0]!["value"] = "1555667780"; break;
            case "attachment-by-url":
                var attachment = b.Resource(9)["content"]![0]!["attachment"]!.AsObject();
                attachment.Remove("data");
                attachment["url"] = "https://ehr.lakeside.example/notes/7";
                break;
            case "executable-attachment": b.Resource(9)["content"]![0]!["attachment"]!["data"] = Convert.ToBase64String([0x4D, 0x5A, 0x90, 0x00, 0x03]); break;
            case "no-member-id": b.Resource(4).Remove("subscriberId"); break;
            case "batch": b["type"] = "batch"; break;
        }
        return b;
    }

    [Theory]
    [MemberData(nameof(BadBundles))]
    public async Task a_bundle_with_a_bad_entry_is_refused_whole_with_an_operation_outcome_naming_the_entry(string kind, string expression)
    {
        var biller = await App.ClientFor(Users.NorthBiller);

        var outcome = await Read<OperationOutcome>(await biller.SendAsync(Post(Broken(kind))), HttpStatusCode.UnprocessableEntity);

        Assert.Contains(outcome.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error && i.Expression.Contains(expression));
        // All or nothing: not the payer, the providers, the patient nor the visit of the good entries.
        Assert.Equal(0, (await biller.GetFromJsonAsync<PageOf<Patient>>(Api("patients?search=F-1001"), Json))!.Total);
        Assert.DoesNotContain(await biller.GetItemsAsync<Provider>(Api("providers"), Json) ?? [], p => p.Npi is "1555667785" or "1444333227");
        Assert.DoesNotContain(await biller.GetItemsAsync<Payer>(Api("payers"), Json) ?? [], p => p.ClearinghousePayerId == "BSKY1");
    }

    [Fact]
    public async Task every_problem_of_the_bundle_is_reported_at_once()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var bundle = Broken("bad-cpt");
        bundle.Resource(7)["code"]!["coding"]!.AsArray().RemoveAt(1);

        var outcome = await Read<OperationOutcome>(await biller.SendAsync(Post(bundle)), HttpStatusCode.UnprocessableEntity);

        Assert.Contains(outcome.Issue, i => i.Code == OperationOutcome.IssueType.CodeInvalid && i.Expression.Contains("Bundle.entry[7].resource.code.coding"));
        Assert.Contains(outcome.Issue, i => i.Code == OperationOutcome.IssueType.CodeInvalid && i.Expression.Contains("Bundle.entry[8].resource.code.coding"));
    }

    [Fact]
    public async Task unreadable_fhir_json_is_400_with_an_operation_outcome_and_problem_details_when_asked_for()
    {
        var biller = await App.ClientFor(Users.NorthBiller);

        var outcome = await Read<OperationOutcome>(await biller.SendAsync(Post("""{ "resourceType": "Bundle", "type": "transaction", "entry": 7 }""")),
            HttpStatusCode.BadRequest);
        Assert.NotEmpty(outcome.Issue);
        await Read<OperationOutcome>(await biller.SendAsync(Post("not json at all")), HttpStatusCode.BadRequest);
        var unknownElement = Sample();
        unknownElement.Resource(3)["favouriteColour"] = "blue";
        await Read<OperationOutcome>(await biller.SendAsync(Post(unknownElement)), HttpStatusCode.BadRequest);
        await Read<OperationOutcome>(await biller.SendAsync(Post("""{ "resourceType": "Patient", "gender": "female" }""")),
            HttpStatusCode.UnprocessableEntity);

        var problem = await biller.SendAsync(Post(Broken("no-mrn"), accept: "application/problem+json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, problem.StatusCode);
        Assert.Equal("application/problem+json", problem.Content.Headers.ContentType?.MediaType);
        var details = JsonDocument.Parse(await problem.Content.ReadAsStringAsync()).RootElement;
        Assert.True(details.GetProperty("errors").TryGetProperty("Bundle.entry[3].resource.identifier", out _));
    }

    [Fact]
    public async Task an_overlapping_coverage_is_a_409_and_changes_nothing()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        await Imported(biller, Sample());
        var bundle = Sample();
        bundle.Resource(4)["subscriberId"] = "OTHER-CARD-1";

        var outcome = await Read<OperationOutcome>(await biller.SendAsync(Post(bundle)), HttpStatusCode.Conflict);

        Assert.Contains(outcome.Issue, i => i.Code == OperationOutcome.IssueType.Conflict && i.Expression.Any(x => x.StartsWith("Bundle.entry[4]")));
        var patients = await biller.GetFromJsonAsync<PageOf<Patient>>(Api("patients?search=F-1001"), Json);
        Assert.Single(Assert.Single(patients!.Items).Coverages);
    }

    [Fact]
    public async Task records_the_practice_has_are_referenced_by_identifier_and_not_enrolled_again()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var payer = await Intake.Given.AddedPayer(admin, "BSKY1");
        var provider = await Intake.Given.EnrolledProvider(admin, "1555667785", "Dr. L. Reyes");
        var bundle = Sample();
        // A logical payor reference by payer id, and a practitioner already enrolled (no taxonomy needed).
        bundle.Resource(4)["payor"] = JsonNode.Parse("""[ { "identifier": { "value": "bsky1" }, "display": "Blue Sky" } ]""");
        bundle.Resource(2).Remove("qualification");

        var answer = await Imported(admin, bundle);

        Assert.Equal("200 OK", answer.Entry[0].Response!.Status);
        Assert.EndsWith($"payers/{payer.Id}", answer.Entry[0].Response!.Location!);
        Assert.Equal("200 OK", answer.Entry[2].Response!.Status);
        Assert.EndsWith($"providers/{provider.Id}", answer.Entry[2].Response!.Location!);
        var encounter = (await admin.GetFromJsonAsync<EncounterDetails>(answer.Entry[5].Response!.Location!, Json))!;
        Assert.Equal(("Dr. L. Reyes", "Test Health Plan"), (encounter.RenderingProviderName, encounter.PayerName));
    }

    [Fact]
    public async Task an_app_with_client_credentials_imports_and_readers_may_not()
    {
        var app = await App.AppClient("north-app");
        var answer = await Imported(app, Sample());
        Assert.All(answer.Entry, e => Assert.Equal("201 Created", e.Response!.Status));

        var coder = await App.ClientFor(Users.NorthCoder);
        Assert.Equal(HttpStatusCode.Forbidden, (await coder.SendAsync(Post(Sample()))).StatusCode);
        var readOnly = await App.AppClient("north-app", Scopes.EncountersRead);
        Assert.Equal(HttpStatusCode.Forbidden, (await readOnly.SendAsync(Post(Sample()))).StatusCode);
    }

    [Fact]
    public async Task another_practice_cannot_import_into_this_one_and_its_own_import_stays_its_own()
    {
        var riverside = await App.ClientFor(Users.RiversideAdmin);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.SendAsync(Post(Sample()))).StatusCode);

        var own = await Read<Bundle>(await riverside.SendAsync(Post(Sample(), Base(DemoData.RiversidePediatrics))), HttpStatusCode.OK);
        Assert.All(own.Entry, e => Assert.Equal("201 Created", e.Response!.Status));

        // The same bundle in North Clinic is new there: keys (MRN, NPI, payer id, encounter identifier) are per practice.
        var north = await App.ClientFor(Users.NorthBiller);
        var answer = await Imported(north, Sample());
        Assert.All(answer.Entry, e => Assert.Equal("201 Created", e.Response!.Status));
        var riversideEncounter = own.Entry[5].Response!.Location!.Split('/')[^1];
        Assert.Equal(HttpStatusCode.NotFound, (await north.GetAsync(Api($"encounters/{riversideEncounter}"))).StatusCode);
    }
}
