// The Firely POCOs make every member nullable; a null where the test expects a value fails the test anyway.
#pragma warning disable CS8602
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Payments;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Demo;
using static Portal.Tests.Fhir.FhirGiven;
using static Portal.Tests.Payments.PaymentsGiven;
using Bundle = Hl7.Fhir.Model.Bundle;
using CapabilityStatement = Hl7.Fhir.Model.CapabilityStatement;
using OperationOutcome = Hl7.Fhir.Model.OperationOutcome;

namespace Portal.Tests.Fhir;

/// <summary>Issue 15: the FHIR base's CapabilityStatement, and Claim / ExplanationOfBenefit searches as searchset Bundles with next links.</summary>
public class SearchingFhir(PortalApp app) : PortalTest(app)
{
    /// <summary>Claims of one patient, drafted in the same second (so the page boundary falls between claims of equal creation time).</summary>
    async Task<(Guid Patient, Guid[] Claims)> ClaimsOfOnePatient(int count)
    {
        var store = App.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.LightweightSession(DemoData.NorthClinic.ToString());
        var patient = Guid.NewGuid();
        var at = new DateTimeOffset(Dos.AddDays(2).ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
        var provider = new ClaimProviderRef(Guid.NewGuid(), "North Clinic", PaymentsGiven.Npi, "207Q00000X");
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var id = Guid.CreateVersion7();
            var pcn = $"S-{i:000}";
            session.Events.StartStream<ClaimView>(id,
                new ClaimCreated(id, Guid.NewGuid(), patient, "Pat Search", "MRN-S", pcn,
                    new ClaimCoverage(Guid.NewGuid(), AcmePayer, "Acme Health Plan", "ACME01", "MS", "Pat Search", "18", null, "P"),
                    provider, provider, null, Dos, "11", null, [new ClaimDiagnosis(1, "I10")],
                    [new ClaimLine(1, "99213", [], 1, 100m + i, [1], Dos)], "1", null, null, "test", "test", at),
                new ClaimBatched(id, Guid.NewGuid(), "000000001", "1", "0001", "test", at));
            ids.Add(id);
        }
        await session.SaveChangesAsync();
        return (patient, [.. ids]);
    }

    [Fact]
    public async Task metadata_is_a_capability_statement_naming_what_the_base_supports()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var statement = await Read<CapabilityStatement>(await biller.GetAsync($"{North}/metadata"), HttpStatusCode.OK);

        Assert.Equal(Hl7.Fhir.Model.FHIRVersion.N4_0_1, statement.FhirVersion);
        Assert.Equal(Hl7.Fhir.Model.CapabilityStatementKind.Instance, statement.Kind);
        Assert.Contains("application/fhir+json", statement.Format);
        var rest = Assert.Single(statement.Rest);
        Assert.Contains(rest.Interaction, i => i.Code == CapabilityStatement.SystemRestfulInteraction.Transaction);
        var claim = rest.Resource.Single(r => r.Type == "Claim");
        Assert.Contains(claim.Interaction, i => i.Code == CapabilityStatement.TypeRestfulInteraction.SearchType);
        Assert.Equal(["patient", "_count"], claim.SearchParam.Select(p => p.Name));
        Assert.Equal(["claim", "patient", "_count"], rest.Resource.Single(r => r.Type == "ExplanationOfBenefit").SearchParam.Select(p => p.Name));
        Assert.EndsWith($"/practices/{DemoData.NorthClinic}/fhir", statement.Implementation.Url);
    }

    [Fact]
    public async Task claims_of_a_patient_come_as_searchset_bundles_whose_next_links_walk_every_claim_once()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var (patient, claims) = await ClaimsOfOnePatient(5);
        await SubmittedClaim(App, "OTHER-1", ("99213", 90));

        var seen = new List<string>();
        var url = $"{North}/Claim?patient=Patient/{patient}&_count=2";
        var pages = 0;
        while (url is not null)
        {
            var response = await biller.GetAsync(url);
            var bundle = await Read<Bundle>(response, HttpStatusCode.OK);
            pages++;
            Assert.Equal(Bundle.BundleType.Searchset, bundle.Type);
            Assert.Equal(5, bundle.Total);
            Assert.True(bundle.Entry.Count <= 2);
            Assert.All(bundle.Entry, e => Assert.Equal(Bundle.SearchEntryMode.Match, e.Search.Mode));
            Assert.All(bundle.Entry, e => Assert.EndsWith($"/fhir/Claim/{e.Resource.Id}", e.FullUrl));
            seen.AddRange(bundle.Entry.Select(e => e.Resource.Id!));
            url = bundle.Link.FirstOrDefault(l => l.Relation == "next")?.Url;
            if (url is not null) Assert.Equal($"<{url}>; rel=\"next\"", Assert.Single(response.Headers.GetValues("Link")));
            Assert.True(pages <= 3);
        }
        Assert.Equal(3, pages);
        Assert.Equal(claims.Select(c => c.ToString()).Order(), seen.Order());
        // Newest first: equal creation times fall back to the patient control number, descending.
        Assert.Equal(claims.Reverse().Select(c => c.ToString()), seen);

        var bare = await Read<Bundle>(await biller.GetAsync($"{North}/Claim?patient={patient}"), HttpStatusCode.OK);
        Assert.Equal(5, bare.Entry.Count);
        Assert.DoesNotContain(bare.Link, l => l.Relation == "next");

        await using var audit = App.Services.GetRequiredService<IDocumentStore>().QuerySession(DemoData.NorthClinic.ToString());
        Assert.True(await audit.Query<AuditEntry>().AnyAsync(a => a.RecordType == "Claim" && a.PatientId == patient && a.Action == "list"));
    }

    [Fact]
    public async Task explanations_of_benefit_are_found_by_claim_or_by_patient_once_a_remittance_is_posted()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var id = await SubmittedClaim(App, "F-0001", ("99213", 150));
        var claim = (await biller.GetFromJsonAsync<ClaimView>(Api($"claims/{id}")))!;
        Assert.Empty((await Read<Bundle>(await biller.GetAsync($"{North}/ExplanationOfBenefit?claim=Claim/{id}"), HttpStatusCode.OK)).Entry);

        await Import(biller, new Remit("EFT-S1", [new Clp("F-0001", "1", [Svc.Of("99213", 150, new Cas("CO", "45", 50))], "PAYER-ICN-S")]));

        var byClaim = await Read<Bundle>(await biller.GetAsync($"{North}/ExplanationOfBenefit?claim=Claim/{id}"), HttpStatusCode.OK);
        var eob = Assert.IsType<Hl7.Fhir.Model.ExplanationOfBenefit>(Assert.Single(byClaim.Entry).Resource);
        Assert.Equal(id.ToString(), eob.Id);
        var byPatient = await Read<Bundle>(await biller.GetAsync($"{North}/ExplanationOfBenefit?patient={claim.PatientId}&_count=1"), HttpStatusCode.OK);
        Assert.Equal(id.ToString(), Assert.Single(byPatient.Entry).Resource.Id);
        Assert.Empty((await Read<Bundle>(await biller.GetAsync($"{North}/ExplanationOfBenefit?patient={Guid.NewGuid()}"), HttpStatusCode.OK)).Entry);
    }

    [Theory]
    [InlineData("Claim", "patient")]
    [InlineData("Claim?patient=Practitioner/123", "patient")]
    [InlineData("Claim?patient=Patient/0197a000-0000-7000-8000-000000000001&_count=0", "_count")]
    [InlineData("Claim?patient=Patient/0197a000-0000-7000-8000-000000000001&_count=201", "_count")]
    [InlineData("Claim?patient=Patient/0197a000-0000-7000-8000-000000000001&_cursor=nonsense", "_cursor")]
    [InlineData("Claim?patient=Patient/0197a000-0000-7000-8000-000000000001&patinet=x", "patinet")]
    [InlineData("ExplanationOfBenefit", "claim")]
    [InlineData("ExplanationOfBenefit?claim=abc", "claim")]
    public async Task a_search_the_server_cannot_answer_is_a_400_operation_outcome_naming_the_parameter(string search, string parameter)
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var outcome = await Read<OperationOutcome>(await biller.GetAsync($"{North}/{search}"), HttpStatusCode.BadRequest);
        var issue = Assert.Single(outcome.Issue);
        Assert.Equal(OperationOutcome.IssueType.Invalid, issue.Code);
        Assert.Equal([parameter], issue.Expression);
    }

    [Fact]
    public async Task another_practice_finds_nothing_and_a_coder_may_not_search()
    {
        var (patient, _) = await ClaimsOfOnePatient(1);
        var riverside = await App.ClientFor(Users.RiversideAdmin);
        var other = await riverside.GetAsync($"{Base(DemoData.RiversidePediatrics)}/Claim?patient={patient}");
        Assert.Empty((await Read<Bundle>(other, HttpStatusCode.OK)).Entry);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync($"{North}/Claim?patient={patient}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await App.ClientFor(Users.NorthCoder)).GetAsync($"{North}/Claim?patient={patient}")).StatusCode);
    }
}
