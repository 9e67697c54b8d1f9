using System.Text;
using System.Text.Json;
using Portal.Tests.Claims.Submission;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Settings;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Claims;

/// <summary>
/// Issue 11, "Done when", through the API: claims drafted from approved encounters, a scrubber error fixed, a batch, the 837P
/// accepted by the independent validator, a 999 and a 277CA that reject one claim, the fix and the re-submission, the CMS-1500.
/// Once by the practice's biller, once by a billing vendor's biller for its client; a vendor engaged for coding only cannot.
/// </summary>
public class ClaimWalk(PortalApp app) : PortalTest(app)
{
    /// <summary>What the walk needs of a practice: who runs it, who codes its charts, who bills.</summary>
    public sealed record Desk(Guid Practice, HttpClient Admin, HttpClient Coder, HttpClient Biller);

    static string At(Guid practice, string path) => Api(practice, path);

    [Fact]
    public async Task a_biller_takes_approved_encounters_to_accepted_837p_claims_and_prints_a_cms1500()
    {
        var desk = new Desk(DemoData.NorthClinic, await App.ClientFor(Users.NorthAdmin), await App.ClientFor(Users.NorthCoder),
            await App.ClientFor(Users.NorthBiller));
        await Walk(App, desk);
    }

    [Fact]
    public async Task a_billing_vendor_does_the_same_for_its_client_and_a_vendor_engaged_for_coding_only_cannot()
    {
        // Demo data: Riverside engages Beacon Billing Partners for claims, posting and A/R; Riverside codes its own charts.
        var desk = new Desk(DemoData.RiversidePediatrics, await App.ClientFor(Users.RiversideAdmin), await App.ClientFor(Users.RiversideCoder),
            await App.ClientFor(Users.BeaconBiller));
        var (_, rejected) = await Walk(App, desk);

        // Acme is engaged by North Clinic for coding only: the claims and submission operations are not its (403, the
        // permission table's answer for a function the engagement does not name); the pages send it to "access denied".
        var (_, northClaim) = await ClaimsGiven.ApprovedClaim(App);
        var acme = await App.ClientFor(Users.AcmeBiller);
        foreach (var url in new[] { North("claims"), North($"claims/{northClaim.Id}"), North($"claims/{northClaim.Id}/cms1500.pdf"),
            North("claims/submission/batches"), North("claims/submission/acknowledgements") })
            Assert.Equal(HttpStatusCode.Forbidden, (await acme.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(acme, HttpMethod.Post, North($"claims/{northClaim.Id}/ready"), null, northClaim.Version)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await acme.PostAsJsonAsync(North("claims/submission/batches"), new { })).StatusCode);
        var acmePages = await App.SignedInBrowser(Users.AcmeBiller);
        foreach (var page in new[] { $"/practices/{DemoData.NorthClinic}/claims", $"/practices/{DemoData.NorthClinic}/claims/{northClaim.Id}",
            $"/practices/{DemoData.NorthClinic}/claims/submission" })
        {
            var response = await acmePages.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Contains("/account/access-denied", response.Headers.Location!.OriginalString);
        }

        // Beacon is not engaged by North at all: North's claims are not there for it (404), and Riverside's claim is not North's.
        var beacon = desk.Biller;
        Assert.Equal(HttpStatusCode.NotFound, (await beacon.GetAsync(North("claims"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await beacon.GetAsync(North($"claims/{northClaim.Id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await beacon.GetAsync(At(DemoData.RiversidePediatrics, $"claims/{northClaim.Id}"))).StatusCode);
        var beaconPages = await App.SignedInBrowser(Users.BeaconBiller);
        Assert.Equal(HttpStatusCode.NotFound, (await beaconPages.GetAsync($"/practices/{DemoData.NorthClinic}/claims")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await beaconPages.GetAsync($"/practices/{DemoData.RiversidePediatrics}/claims/{rejected.Id}")).StatusCode);
    }

    /// <summary>The walk; answers the claim that went through unchanged and the one that was rejected, fixed and sent again.</summary>
    public static async Task<(ClaimView Accepted, ClaimView Rejected)> Walk(PortalApp app, Desk desk)
    {
        var p = desk.Practice;
        var biller = desk.Biller;
        Assert.True((await SubmissionGiven.PutSettings(desk.Admin, SubmissionGiven.PartnerSettings(), p)).IsSuccessStatusCode);
        var (first, second) = await TwoApprovedCharts(app, desk);

        // The biller sees the claims the approvals drafted.
        var list = await Read<ClaimList>(await biller.GetAsync(At(p, "claims")));
        var a = await Claim(biller, p, list.Items.Single(r => r.PatientId == first.PatientId).Id);
        var b = await Claim(biller, p, list.Items.Single(r => r.PatientId == second.PatientId).Id);
        Assert.All(new[] { a, b }, c => Assert.Equal(ClaimState.Draft, c.State));

        // The provider also drew blood: the biller adds the line, the scrubber says it points at no diagnosis, the biller fixes it.
        a = await Read<ClaimView>(await Send(biller, HttpMethod.Put, At(p, $"claims/{a.Id}/codes"),
            new ChangeClaimCodes(["I10", "E11.9"], [new ClaimLineInput("99213", Pointers: [1, 2]), new ClaimLineInput("36415")], "venipuncture documented"), a.Version));
        Assert.Contains("line-pointer-missing", a.OpenRules);
        var edits = JsonDocument.Parse(await biller.GetStringAsync(At(p, "claims/edits"))).RootElement;
        Assert.Contains("line-pointer-missing", edits.ToString());
        a = await Read<ClaimView>(await Send(biller, HttpMethod.Put, At(p, $"claims/{a.Id}/codes"),
            new ChangeClaimCodes(["I10", "E11.9"], [new ClaimLineInput("99213", Pointers: [1, 2]), new ClaimLineInput("36415", Pointers: [2])], "pointed the draw at E11.9"), a.Version));
        Assert.DoesNotContain("line-pointer-missing", a.OpenRules);
        Assert.Equal(0, a.ErrorCount);
        a = await MarkReady(biller, p, a);
        b = await MarkReady(biller, p, b);

        // One batch for the payer; the 837P is what the independent validator (node-x12 + the implementation guide) accepts.
        var batch = (await SubmissionGiven.Json(await biller.PostAsJsonAsync(At(p, "claims/submission/batches"), new { }), HttpStatusCode.Created)).EnumerateArray().Single();
        Assert.Equal("000000001", batch.GetProperty("interchangeControlNumber").GetString());
        var x12 = await biller.GetStringAsync(At(p, $"claims/submission/batches/{batch.GetProperty("id").GetString()}/file"));
        Validator837.AssertValid(x12);
        Assert.Contains($"CLM*{a.PatientControlNumber}*", x12);
        Assert.Contains($"CLM*{b.PatientControlNumber}*", x12);

        // The 999 accepts the file; the 277CA accepts one claim and rejects the other for its diagnosis codes.
        await SubmissionGiven.Json(await Import(biller, p, Acks.Ack999("1", "0001", "A")), HttpStatusCode.Created);
        var ack = await SubmissionGiven.Json(await Import(biller, p, Acks.Ack277("B000000001",
            [new(a.PatientControlNumber, true, a.TotalCharge), new(b.PatientControlNumber, false, b.TotalCharge, Rejection: "A7:255")])), HttpStatusCode.Created);
        Assert.Equal(1, ack.GetProperty("acknowledgement").GetProperty("rejected").GetInt32());
        Assert.Equal(ClaimState.AcceptedByClearinghouse, (await Claim(biller, p, a.Id)).State);
        b = await Claim(biller, p, b.Id);
        Assert.Equal(ClaimState.RejectedByClearinghouse, b.State);
        Assert.Contains("Rejected for invalid information: Diagnosis code(s) for the services rendered", b.LastRejectionReasons);
        var rejectedList = await Read<ClaimList>(await biller.GetAsync(At(p, "claims?state=RejectedByClearinghouse")));
        Assert.Equal(b.Id, Assert.Single(rejectedList.Items).Id);

        // The fix: diabetes is what the visit was for, so it goes first; the claim is checked again, made ready and sent again.
        b = await Read<ClaimView>(await Send(biller, HttpMethod.Put, At(p, $"claims/{b.Id}/codes"),
            new ChangeClaimCodes(["E11.9", "I10"], [new ClaimLineInput("99213", Pointers: [1, 2])], "277CA: E11.9 is the first-listed diagnosis"), b.Version));
        Assert.Equal(ClaimState.RejectedByClearinghouse, b.State);
        b = await MarkReady(biller, p, b);
        var again = (await SubmissionGiven.Json(await biller.PostAsJsonAsync(At(p, "claims/submission/batches"), new { }), HttpStatusCode.Created)).EnumerateArray().Single();
        Assert.Equal("000000002", again.GetProperty("interchangeControlNumber").GetString());
        var resent = await biller.GetStringAsync(At(p, $"claims/submission/batches/{again.GetProperty("id").GetString()}/file"));
        Validator837.AssertValid(resent);
        Assert.Contains($"CLM*{b.PatientControlNumber}*", resent);
        Assert.DoesNotContain($"CLM*{a.PatientControlNumber}*", resent);
        Assert.Contains("HI*ABK:E119*ABF:I10", resent);
        await SubmissionGiven.Json(await Import(biller, p, Acks.Ack277("B000000002", [new(b.PatientControlNumber, true, b.TotalCharge)], icn: "000000279")),
            HttpStatusCode.Created);
        b = await Claim(biller, p, b.Id);
        Assert.Equal(ClaimState.AcceptedByClearinghouse, b.State);

        // And the paper copy.
        var pdf = await biller.GetAsync(At(p, $"claims/{b.Id}/cms1500.pdf?mode=full"));
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.Equal("%PDF", Encoding.ASCII.GetString((await pdf.Content.ReadAsByteArrayAsync())[..4]));
        return (await Claim(biller, p, a.Id), b);
    }

    static async Task<ClaimView> Claim(HttpClient biller, Guid practice, Guid id) => await Read<ClaimView>(await biller.GetAsync(At(practice, $"claims/{id}")));

    static async Task<HttpResponseMessage> Import(HttpClient client, Guid practice, string x12)
    {
        var content = new StringContent(x12, Encoding.ASCII);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/edi-x12");
        return await client.PostAsync(At(practice, "claims/submission/acknowledgements"), content);
    }

    /// <summary>Overrides every warning that needs a reason (as a biller would after reading it), then marks the claim ready.</summary>
    public static async Task<ClaimView> MarkReady(HttpClient biller, Guid practice, ClaimView claim)
    {
        foreach (var f in claim.Findings.Where(f => f.Severity != "Error" && f.Overridable && !claim.IsOverridden(f)).ToList())
            claim = await Read<ClaimView>(await Send(biller, HttpMethod.Post, At(practice, $"claims/{claim.Id}/overrides"),
                new OverrideClaimWarning(f.Rule, f.Position, "Reviewed with the provider"), claim.Version));
        var ready = await Read<ClaimView>(await Send(biller, HttpMethod.Post, At(practice, $"claims/{claim.Id}/ready"), null, claim.Version));
        Assert.Equal(ClaimState.Ready, ready.State);
        return ready;
    }

    /// <summary>
    /// Two visits of two patients, coded (I10, E11.9; 99213 → both) and approved without QA sampling at the practice, and their
    /// claims drafted by the approval reaction.
    /// </summary>
    public static async Task<(EncounterDetails First, EncounterDetails Second)> TwoApprovedCharts(PortalApp app, Desk desk)
    {
        var p = desk.Practice;
        (await desk.Admin.PutAsJsonAsync(At(p, "settings"), new UpdatePracticeSettings(null, 0, 0, null))).EnsureSuccessStatusCode();
        var payer = await Created<Payer>(await desk.Admin.PostAsJsonAsync(At(p, "payers"), new AddPayer("Walk Health Plan", "WALK01")));
        var provider = await Created<Provider>(await desk.Admin.PostAsJsonAsync(At(p, "providers"), new EnrollProvider("Dr. Wanda Walker", OtherValidNpi, "207Q00000X")));
        var encounters = new List<EncounterDetails>();
        foreach (var mrn in new[] { "WALK-1", "WALK-2" })
        {
            var patient = await Created<Patient>(await desk.Admin.PostAsJsonAsync(At(p, "patients"), Patient(mrn) with { LastName = "Walker" + mrn[^1] }));
            var added = await desk.Admin.PostAsJsonAsync(At(p, $"patients/{patient.Id}/coverages"),
                new AddCoverage(payer.Id, "W1234567" + mrn[^1], "Tess Walker", new DateOnly(2024, 1, 1)));
            added.EnsureSuccessStatusCode();
            var covered = (await added.Content.ReadFromJsonAsync<Patient>(Json))!;
            var encounter = await Created<EncounterDetails>(await desk.Admin.PostAsJsonAsync(At(p, "encounters"),
                new OpenEncounter(patient.Id, provider.Id, new DateOnly(2026, 3, 2), "11", null, covered.Coverages[0].Id, "Follow-up for hypertension and diabetes.")));
            (await desk.Admin.PostAsJsonAsync(At(p, $"encounters/{encounter.Id}/coding/queue"), new SendToCoding(9))).EnsureSuccessStatusCode();
            var pulled = await Read<PulledChart>(await desk.Coder.PostAsync(At(p, "coding/queue/next"), null));
            Assert.Equal(encounter.Id, pulled.Chart.Encounter.Id);
            var chart = At(p, $"encounters/{encounter.Id}/coding");
            var dx = await Read<CodingChart>(await Send(desk.Coder, HttpMethod.Put, chart + "/diagnoses", new CodeDiagnoses(["I10", "E11.9"]), pulled.Chart.Version));
            var lines = await Read<CodingChart>(await Send(desk.Coder, HttpMethod.Put, chart + "/lines",
                new CodeServiceLines([new ServiceLineInput("99213", DiagnosisPointers: [1, 2])]), dx.Version));
            await Read<CodingChart>(await Send(desk.Coder, HttpMethod.Post, chart + "/submit", null, lines.Version));
            encounters.Add(encounter);
        }
        await app.WaitForReactionsAsync();
        return (encounters[0], encounters[1]);
    }
}
