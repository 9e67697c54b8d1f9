// The Firely POCOs make every member nullable; a null where the test expects a value fails the test anyway.
#pragma warning disable CS8602
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Payments;
using Portal.Web.Features.Demo;
using static Portal.Tests.Fhir.FhirGiven;
using static Portal.Tests.Payments.PaymentsGiven;
using Claim = Hl7.Fhir.Model.Claim;
using ExplanationOfBenefit = Hl7.Fhir.Model.ExplanationOfBenefit;
using OperationOutcome = Hl7.Fhir.Model.OperationOutcome;

namespace Portal.Tests.Fhir;

public class ExportingClaimsAsFhir(PortalApp app) : PortalTest(app)
{
    /// <summary>The brief's §5.4 claim: 99213 paid with CO-45 and a copay, 17110 with CO-45, deductible and coinsurance.</summary>
    static Remit Paid(string trace = "EFT-F1", string status = "1") => new(trace,
    [
        new Clp("F-0001", status, [Svc.Of("99213", 150, new Cas("CO", "45", 50), new Cas("PR", "3", 20)),
            Svc.Of("17110", 200, new Cas("CO", "45", 80), new Cas("PR", "1", 50), new Cas("PR", "2", 14))], "PAYER-ICN-1"),
    ]);

    [Fact]
    public async Task a_claim_reads_as_a_fhir_claim_with_its_lines_and_charges()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var id = await SubmittedClaim(App, "F-0001", ("99213", 150), ("17110", 200));

        var claim = await Read<Claim>(await biller.GetAsync($"{North}/Claim/{id}"), HttpStatusCode.OK);

        Assert.Equal(id.ToString(), claim.Id);
        Assert.Equal(Hl7.Fhir.Model.FinancialResourceStatusCodes.Active, claim.Status);
        Assert.Equal("professional", claim.Type.Coding[0].Code);
        Assert.Equal(350m, claim.Total.Value);
        Assert.Equal(["99213", "17110"], claim.Item.Select(i => i.ProductOrService.Coding[0].Code));
        Assert.Equal([150m, 200m], claim.Item.Select(i => i.Net.Value!.Value));
        Assert.All(claim.Item, i => Assert.Equal(FhirSystemsCpt, i.ProductOrService.Coding[0].System));
        Assert.Equal("I10", Assert.Single(claim.Diagnosis).Diagnosis is Hl7.Fhir.Model.CodeableConcept dx ? dx.Coding[0].Code : null);
        Assert.Equal(("Acme Health Plan", "ACME01"), (claim.Insurer.Display, claim.Insurer.Identifier.Value));
        Assert.Equal(PaymentsGiven.Npi, claim.Provider.Identifier.Value);
        Assert.Equal("F-0001", claim.Identifier[0].Value);

        await using var audit = App.Services.GetRequiredService<IDocumentStore>().QuerySession(DemoData.NorthClinic.ToString());
        Assert.True(await audit.Query<AuditEntry>().AnyAsync(a => a.RecordType == "Claim" && a.RecordId == id && a.Action == "view"));
    }

    const string FhirSystemsCpt = "http://www.ama-assn.org/go/cpt";

    [Fact]
    public async Task the_explanation_of_benefit_carries_what_the_remittance_posted_to_the_cent()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var id = await SubmittedClaim(App, "F-0001", ("99213", 150), ("17110", 200));
        var before = await Read<OperationOutcome>(await biller.GetAsync($"{North}/ExplanationOfBenefit/{id}"), HttpStatusCode.NotFound);
        Assert.Equal(OperationOutcome.IssueType.NotFound, Assert.Single(before.Issue).Code);

        await Import(biller, Paid());
        var eob = await Read<ExplanationOfBenefit>(await biller.GetAsync($"{North}/ExplanationOfBenefit/{id}"), HttpStatusCode.OK);

        Assert.Equal(136m, eob.Payment.Amount.Value);
        Assert.Equal("2026-03-16", eob.Payment.Date);
        Assert.Equal($"Claim/{id}", eob.Claim.Reference);
        Assert.Equal(Hl7.Fhir.Model.ClaimProcessingCodes.Complete, eob.Outcome);
        decimal Total(string code) => eob.Total.Single(t => t.Category.Coding[0].Code == code).Amount.Value!.Value;
        Assert.Equal((350m, 136m, 130m, 84m), (Total("submitted"), Total("benefit"), Total("CO"), Total("PR")));
        var office = eob.Item.Single(i => i.ProductOrService.Coding[0].Code == "99213");
        decimal Line(string category, string? reason = null) => office.Adjudication
            .Single(a => a.Category.Coding[0].Code == category && (reason is null || a.Reason?.Coding[0].Code == reason)).Amount.Value!.Value;
        Assert.Equal((150m, 80m, 50m, 20m), (Line("submitted"), Line("benefit"), Line("CO", "45"), Line("PR", "3")));
        Assert.Equal("PAYER-ICN-1", eob.Identifier.Single().Value);
    }

    [Fact]
    public async Task a_reversal_and_re_adjudication_leave_the_explanation_of_benefit_at_the_new_amounts()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var id = await SubmittedClaim(App, "F-0001", ("99213", 150), ("17110", 200));
        await Import(biller, Paid());
        await Import(biller, new Remit("EFT-F2",
        [
            .. Paid(status: "22").Claims,
            new Clp("F-0001", "1", [Svc.Of("99213", 150, new Cas("CO", "45", 40)), Svc.Of("17110", 200, new Cas("CO", "45", 100))], "PAYER-ICN-1"),
        ]));

        var eob = await Read<ExplanationOfBenefit>(await biller.GetAsync($"{North}/ExplanationOfBenefit/{id}"), HttpStatusCode.OK);

        Assert.Equal(210m, eob.Payment.Amount.Value);
        Assert.Equal(140m, eob.Total.Single(t => t.Category.Coding[0].Code == "CO").Amount.Value);
        Assert.Equal(0m, eob.Total.Single(t => t.Category.Coding[0].Code == "PR").Amount.Value);
    }

    [Fact]
    public async Task another_practice_gets_404_for_the_claim_and_an_app_with_client_credentials_reads_it()
    {
        var id = await SubmittedClaim(App, "F-0001", ("99213", 150));
        var riverside = await App.ClientFor(Users.RiversideAdmin);

        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync($"{North}/Claim/{id}")).StatusCode);
        await Read<OperationOutcome>(await riverside.GetAsync($"{Base(DemoData.RiversidePediatrics)}/Claim/{id}"), HttpStatusCode.NotFound);
        await Read<OperationOutcome>(await riverside.GetAsync($"{Base(DemoData.RiversidePediatrics)}/ExplanationOfBenefit/{id}"), HttpStatusCode.NotFound);

        var app = await App.AppClient("north-app");
        var claim = await Read<Claim>(await app.GetAsync($"{North}/Claim/{id}"), HttpStatusCode.OK);
        Assert.Equal(150m, claim.Total.Value);

        var coder = await App.ClientFor(Users.NorthCoder);
        Assert.Equal(HttpStatusCode.Forbidden, (await coder.GetAsync($"{North}/Claim/{id}")).StatusCode);
    }
}
