using System.Net.Http.Headers;
using System.Text.Json;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Tenancy;
using static Portal.Tests.Claims.ClaimsGiven;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Claims;

/// <summary>The claims core over HTTP: a claim drafted from an approved chart, fixed in place, marked ready, printed, replaced.</summary>
public class WorkingClaims(PortalApp app) : PortalTest(app)
{
    static ChangeClaimCodes Codes(params int[] pointers) =>
        new(["I10", "E11.9"], [new ClaimLineInput("99213", Pointers: pointers)], "fixing pointers");

    [Fact]
    public async Task an_approved_chart_becomes_a_claim_the_biller_fixes_in_place_marks_ready_and_prints()
    {
        var (chart, claim) = await ApprovedClaim(App);
        var biller = await App.ClientFor(Users.NorthBiller);
        Assert.Equal(chart.Encounter.Id, claim.EncounterId);
        Assert.Equal(ClaimState.Draft, claim.State);
        Assert.InRange(claim.PatientControlNumber.Length, 1, 20);
        Assert.Matches("^[A-Z0-9]+$", claim.PatientControlNumber);
        Assert.Equal("P", claim.Coverage.Responsibility);
        Assert.Equal("TST01", claim.Coverage.ClearinghousePayerId);
        Assert.True(claim.TotalCharge > 0);

        // A scrubber error made and then fixed in place: the line loses its pointers.
        var broken = await Read<ClaimView>(await Send(biller, HttpMethod.Put, ClaimsUrl($"/{claim.Id}/codes"), Codes(), claim.Version));
        Assert.Contains(broken.Findings, f => f.Rule == "line-pointer-missing" && f.AtLine && f.Position == 1);
        Assert.Contains("line-pointer-missing", broken.OpenRules);
        var refused = await Send(biller, HttpMethod.Post, ClaimsUrl($"/{claim.Id}/ready"), null, broken.Version);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("claim-has-findings", await refused.Content.ReadAsStringAsync());

        var grouped = (await Read<CursorPage<ClaimEditGroup>>(await biller.GetAsync(ClaimsUrl("/edits?limit=200")))).Items;
        Assert.Contains(grouped, g => g.Rule == "line-pointer-missing" && g.Claims == 1);
        var byRule = await Read<ClaimList>(await biller.GetAsync(ClaimsUrl("?rule=line-pointer-missing")));
        Assert.Equal(claim.Id, Assert.Single(byRule.Items).Id);

        // A stale version is 412 and changes nothing.
        Assert.Equal(HttpStatusCode.PreconditionFailed,
            (await Send(biller, HttpMethod.Put, ClaimsUrl($"/{claim.Id}/codes"), Codes(1, 2), claim.Version)).StatusCode);

        var fixedClaim = await Read<ClaimView>(await Send(biller, HttpMethod.Put, ClaimsUrl($"/{claim.Id}/codes"), Codes(1, 2), broken.Version));
        Assert.DoesNotContain(fixedClaim.Findings, f => f.Severity == "Error");
        foreach (var warning in fixedClaim.Findings.Where(f => f.Overridable))
            fixedClaim = await Read<ClaimView>(await Send(biller, HttpMethod.Post, ClaimsUrl($"/{claim.Id}/overrides"),
                new OverrideClaimWarning(warning.Rule, warning.Position, "Checked with the provider"), fixedClaim.Version));
        var ready = await Read<ClaimView>(await Send(biller, HttpMethod.Post, ClaimsUrl($"/{claim.Id}/ready"), null, fixedClaim.Version));
        Assert.Equal(ClaimState.Ready, ready.State);

        var pdf = await biller.GetAsync(ClaimsUrl($"/{claim.Id}/cms1500.pdf"));
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString(await pdf.Content.ReadAsByteArrayAsync())[..4]);
        Assert.Equal(HttpStatusCode.OK, (await biller.GetAsync(ClaimsUrl($"/{claim.Id}/cms1500.pdf?mode=data"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await biller.GetAsync(ClaimsUrl($"/{claim.Id}/cms1500.pdf?mode=red"))).StatusCode);

        var history = (await Read<CursorPage<ClaimHistoryEntry>>(await biller.GetAsync(ClaimsUrl($"/{claim.Id}/history?limit=200")))).Items;
        Assert.Equal(["claim_created", "claim_scrubbed", "claim_codes_changed", "claim_scrubbed", "claim_codes_changed", "claim_scrubbed"],
            history.Take(6).Select(h => h.Event));
        Assert.Equal("claim_marked_ready", history[^1].Event);
        Assert.Contains(history, h => h.Event == "claim_codes_changed" && h.Reason == "fixing pointers");
    }

    [Fact]
    public async Task a_claim_exists_once_per_encounter_and_bad_input_is_problem_details_never_500()
    {
        var (chart, claim) = await ApprovedClaim(App);
        var biller = await App.ClientFor(Users.NorthBiller);

        var again = await biller.PostAsJsonAsync(ClaimsUrl(), new DraftClaim(chart.Encounter.Id));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("claim-exists", await again.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await biller.PostAsJsonAsync(ClaimsUrl(), new DraftClaim(Guid.NewGuid()))).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await biller.GetAsync(ClaimsUrl($"/{Guid.NewGuid()}"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await biller.GetAsync(ClaimsUrl("?limit=500"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await biller.GetAsync(ClaimsUrl("?cursor=garbage!"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await biller.GetAsync(ClaimsUrl("?state=lost"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await biller.GetAsync(ClaimsUrl("?age=7-8"))).StatusCode);

        var tooMany = await Send(biller, HttpMethod.Put, ClaimsUrl($"/{claim.Id}/codes"),
            new ChangeClaimCodes([.. Enumerable.Range(0, 13).Select(i => $"A0{i:00}")], [new ClaimLineInput("99213", Pointers: [1])]), claim.Version);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMany.StatusCode);
        var badLine = await Send(biller, HttpMethod.Put, ClaimsUrl($"/{claim.Id}/codes"),
            new ChangeClaimCodes(["I10"], [new ClaimLineInput("99213", ["TOOLONG"], Units: 0, Pointers: [13])]), claim.Version);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badLine.StatusCode);
        var problem = await badLine.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("lines[0].units", out _));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Send(biller, HttpMethod.Put, ClaimsUrl($"/{claim.Id}/details"),
            new ChangeClaimDetails(PlaceOfService: "99x"), claim.Version)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Send(biller, HttpMethod.Post, ClaimsUrl($"/{claim.Id}/overrides"),
            new OverrideClaimWarning("no-such-rule", null, "because"), claim.Version)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Send(biller, HttpMethod.Post, ClaimsUrl($"/{claim.Id}/return-to-coding"),
            new ReturnClaimToCoding(""), claim.Version)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Send(biller, HttpMethod.Post, ClaimsUrl($"/{claim.Id}/correct"),
            new ReplaceClaim("wrong code"), claim.Version)).StatusCode);
        var malformed = new HttpRequestMessage(HttpMethod.Put, ClaimsUrl($"/{claim.Id}/codes"))
        {
            Content = new StringContent("{\"diagnoses\": 5", System.Text.Encoding.UTF8, "application/json"),
        };
        Assert.Equal(HttpStatusCode.BadRequest, (await biller.SendAsync(malformed)).StatusCode);

        // Details fixed in place: POS and prior authorization; the claim is checked again.
        var details = await Read<ClaimView>(await Send(biller, HttpMethod.Put, ClaimsUrl($"/{claim.Id}/details"),
            new ChangeClaimDetails("22", "AUTH-12345", null, "Hospital outpatient"), claim.Version));
        Assert.Equal("22", details.PlaceOfService);
        Assert.Equal("AUTH-12345", details.PriorAuthorization);
        Assert.True(details.Version > claim.Version + 1);
    }

    [Fact]
    public async Task the_list_pages_with_an_opaque_cursor_and_a_link_header_and_exports_csv()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        await PracticeSettingsAre(admin, qaPercent: 0);
        var ids = await QueuedCharts(admin, 3);
        for (var i = 0; i < 3; i++)
        {
            var coded = await CodeNext(coder);
            (await Send(coder, HttpMethod.Post, Chart(coded.Encounter.Id, "/submit"), null, coded.Version)).EnsureSuccessStatusCode();
        }
        await App.WaitForReactionsAsync();
        var biller = await App.ClientFor(Users.NorthBiller);

        var seen = new List<Guid>();
        var url = ClaimsUrl("?limit=2");
        var first = await biller.GetAsync(url);
        var page = await Read<ClaimList>(first);
        Assert.Equal(2, page.Items.Count);
        Assert.NotNull(page.Next);
        var link = first.Headers.GetValues("Link").Single();
        Assert.Contains("rel=\"next\"", link);
        seen.AddRange(page.Items.Select(i => i.Id));
        var second = await Read<ClaimList>(await biller.GetAsync(link[1..link.IndexOf('>')]));
        seen.AddRange(second.Items.Select(i => i.Id));
        Assert.Null(second.Next);
        Assert.Equal(3, seen.Distinct().Count());
        Assert.Equal(ids.Order(), (await Task.WhenAll(seen.Select(async id =>
            (await Read<ClaimView>(await biller.GetAsync(ClaimsUrl($"/{id}")))).EncounterId))).Order());

        var csv = await biller.GetAsync(ClaimsUrl("/export.csv?state=Draft"));
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var text = await csv.Content.ReadAsStringAsync();
        Assert.StartsWith("Control number,Patient,MRN", text);
        Assert.Equal(4, text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);

        var bulk = await Read<List<BulkClaimResult>>(await biller.PostAsJsonAsync(ClaimsUrl("/bulk"), new BulkClaimAction("rescrub", [.. seen, Guid.NewGuid()])));
        Assert.Equal(3, bulk.Count(r => r.Done));
        Assert.Equal(404, bulk.Single(r => !r.Done).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await biller.PostAsJsonAsync(ClaimsUrl("/bulk"), new BulkClaimAction("burn", [seen[0]]))).StatusCode);
    }

    [Fact]
    public async Task sending_a_claim_back_to_coding_returns_the_chart_and_its_next_approval_updates_the_claim()
    {
        var (chart, claim) = await ApprovedClaim(App);
        var biller = await App.ClientFor(Users.NorthBiller);
        var coder = await App.ClientFor(Users.NorthCoder);

        var returned = await Read<ClaimView>(await Send(biller, HttpMethod.Post, ClaimsUrl($"/{claim.Id}/return-to-coding"),
            new ReturnClaimToCoding("Diabetes with neuropathy per the note?"), claim.Version));
        Assert.True(returned.AwaitingCoding);
        await App.WaitForReactionsAsync();

        var reopened = await Read<CodingChart>(await coder.GetAsync(Chart(chart.Encounter.Id)));
        Assert.Equal(Portal.Web.Features.Intake.EncounterStatus.Returned, reopened.Status);
        var dx = await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(chart.Encounter.Id, "/diagnoses"),
            new Portal.Web.Features.Coding.CodeDiagnoses(["E11.40", "I10"]), reopened.Version));
        var lines = await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(chart.Encounter.Id, "/lines"),
            new Portal.Web.Features.Coding.CodeServiceLines([new Portal.Web.Features.Coding.ServiceLineInput("99213", DiagnosisPointers: [1, 2])]), dx.Version));
        (await Send(coder, HttpMethod.Post, Chart(chart.Encounter.Id, "/submit"), null, lines.Version)).EnsureSuccessStatusCode();
        await App.WaitForReactionsAsync();

        var updated = await Read<ClaimView>(await biller.GetAsync(ClaimsUrl($"/{claim.Id}")));
        Assert.False(updated.AwaitingCoding);
        Assert.Equal(["E1140", "I10"], updated.Diagnoses.Select(d => d.Code));
        Assert.Single((await Read<ClaimList>(await biller.GetAsync(ClaimsUrl()))).Items);
    }

    [Fact]
    public async Task a_claim_the_payer_has_is_corrected_or_voided_by_a_new_claim()
    {
        var (chart, claim) = await ApprovedClaim(App);
        var biller = await App.ClientFor(Users.NorthBiller);
        await PayerAccepted(App, claim.Id);
        var accepted = await Read<ClaimView>(await biller.GetAsync(ClaimsUrl($"/{claim.Id}")));
        Assert.Equal(HttpStatusCode.Conflict, (await Send(biller, HttpMethod.Put, ClaimsUrl($"/{claim.Id}/codes"), Codes(1), accepted.Version)).StatusCode);

        var corrected = await Read<ClaimView>(await Send(biller, HttpMethod.Post, ClaimsUrl($"/{claim.Id}/correct"),
            new ReplaceClaim("Wrong units on line 1"), accepted.Version), HttpStatusCode.Created);
        Assert.Equal("7", corrected.FrequencyCode);
        Assert.Equal(claim.Id, corrected.OriginalClaimId);
        Assert.Equal("PCN-77001", corrected.PayerClaimControlNumber);
        var original = await Read<ClaimView>(await biller.GetAsync(ClaimsUrl($"/{claim.Id}")));
        Assert.Equal(ClaimState.Voided, original.State);
        Assert.Equal(corrected.Id, original.ReplacementClaimId);
        Assert.Equal(HttpStatusCode.Conflict, (await biller.PostAsJsonAsync(ClaimsUrl($"/{claim.Id}/void"), new ReplaceClaim("again"))).StatusCode);

        // The corrected claim is fixed in place like any draft; once the payer has it, a void claim cancels it.
        await PayerAccepted(App, corrected.Id, "PCN-77002");
        var voidClaim = await Read<ClaimView>(await biller.PostAsJsonAsync(ClaimsUrl($"/{corrected.Id}/void"), new ReplaceClaim("Billed in error")),
            HttpStatusCode.Created);
        Assert.Equal("8", voidClaim.FrequencyCode);
        Assert.Equal("PCN-77002", voidClaim.PayerClaimControlNumber);
        _ = chart;
    }

    [Fact]
    public async Task a_paid_primary_gets_a_secondary_claim_with_the_primarys_payment_as_cob_once()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var admin = await App.ClientFor(Users.NorthAdmin);
        var (_, primary) = await ApprovedClaim(App);
        Assert.Equal(HttpStatusCode.Conflict, (await biller.PostAsync(ClaimsUrl($"/{primary.Id}/secondary"), null)).StatusCode);
        var secondPayer = await AddedPayer(admin, "SEC02");
        (await admin.PostAsJsonAsync(North($"patients/{primary.PatientId}/coverages"), new Portal.Web.Features.Intake.AddCoverage(secondPayer.Id,
            "S998877", "Tess Tester", new DateOnly(2024, 1, 1), Priority: Portal.Web.Features.Intake.CoveragePriority.Secondary))).EnsureSuccessStatusCode();
        await PrimaryPaid(App, primary, 60m);
        var secondary = await Read<ClaimView>(await biller.PostAsync(ClaimsUrl($"/{primary.Id}/secondary"), null), HttpStatusCode.Created);
        Assert.Equal("S", secondary.Coverage.Responsibility);
        Assert.Equal("SEC02", secondary.Coverage.ClearinghousePayerId);
        var cob = Assert.Single(secondary.OtherPayers);
        Assert.Equal(60m, cob.Paid);
        Assert.Equal("TST01", cob.ClearinghousePayerId);

        // The one output mapping puts the primary's payment in the 837P's other-payer loops (2320 AMT*D, 2430 SVD/CAS).
        var patient = await Read<Portal.Web.Features.Intake.Patient>(await biller.GetAsync(North($"patients/{primary.PatientId}")));
        var profile = await Read<BillingProfile>(await biller.GetAsync(North("billing-profile")));
        var x12 = ClaimOutput.ToX12(secondary, profile, patient);
        Assert.Equal("S", x12.Subscriber.PayerResponsibility);
        var other = Assert.Single(x12.OtherCoverages);
        Assert.Equal(60m, other.PaidAmount);
        Assert.Equal("P", other.Subscriber.PayerResponsibility);
        var svd = Assert.Single(x12.Lines[0].OtherPayerAdjudications);
        Assert.Equal(60m, svd.PaidAmount);
        Assert.Contains(svd.Adjustments, a => a.Group == "PR" && a.Amount == 20m);
        Assert.Equal(HttpStatusCode.Conflict, (await biller.PostAsync(ClaimsUrl($"/{primary.Id}/secondary"), null)).StatusCode);
    }

    [Fact]
    public async Task the_billing_profile_is_read_and_replaced_with_if_match_and_checked_field_by_field()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var got = await biller.GetAsync(North("billing-profile"));
        var profile = await Read<BillingProfile>(got);
        Assert.Equal("1234567893", profile.Npi);
        var etag = got.Headers.ETag!;

        var bad = await biller.PutAsJsonAsync(North("billing-profile"), BillingProfileInput.From(profile) with
        {
            Npi = "1234567890", AddressLine1 = "PO Box 12", PostalCode = "62701", TaxId = "12",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "npi", "addressLine1", "postalCode", "taxId" }) Assert.True(errors.TryGetProperty(field, out _), field);

        var put = new HttpRequestMessage(HttpMethod.Put, North("billing-profile"))
        {
            Content = JsonContent.Create(BillingProfileInput.From(profile) with { ContactName = "Claims Desk" }),
        };
        put.Headers.IfMatch.Add(new EntityTagHeaderValue(etag.Tag, etag.IsWeak));
        var saved = await Read<BillingProfile>(await biller.SendAsync(put));
        Assert.Equal("Claims Desk", saved.ContactName);
        var stale = new HttpRequestMessage(HttpMethod.Put, North("billing-profile")) { Content = JsonContent.Create(BillingProfileInput.From(profile)) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue(etag.Tag, etag.IsWeak));
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await biller.SendAsync(stale)).StatusCode);

        var coder = await App.ClientFor(Users.NorthCoder);
        Assert.Equal(HttpStatusCode.Forbidden, (await coder.GetAsync(North("billing-profile"))).StatusCode);
    }

    [Fact]
    public async Task a_vendor_biller_engaged_for_claims_works_the_clients_claims_and_one_engaged_for_coding_only_cannot()
    {
        var (_, claim) = await ApprovedClaim(App);
        var vendorBiller = await App.ClientFor("biller@acme.example");

        // As seeded, Acme is engaged by North Clinic for coding only.
        Assert.Equal(HttpStatusCode.Forbidden, (await vendorBiller.GetAsync(ClaimsUrl())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await vendorBiller.GetAsync(ClaimsUrl($"/{claim.Id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await vendorBiller.PostAsync(ClaimsUrl($"/{claim.Id}/ready"), null)).StatusCode);

        var admin = await App.ClientFor(Users.NorthAdmin);
        var engagement = (await admin.GetItemsAsync<Engagement>(North("engagements"), Json))!.Single(e => e.RevokedAt is null);
        (await admin.PostAsJsonAsync(North($"engagements/{engagement.Id}/revoke"), new RevokeEngagement("Adding claims work"))).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(North("engagements"), new GrantEngagement(DemoData.AcmeCoding, ["coding", "claims"]))).EnsureSuccessStatusCode();

        var list = await Read<ClaimList>(await vendorBiller.GetAsync(ClaimsUrl()));
        Assert.Equal(claim.Id, Assert.Single(list.Items).Id);
        var changed = await Read<ClaimView>(await Send(vendorBiller, HttpMethod.Put, ClaimsUrl($"/{claim.Id}/details"),
            new ChangeClaimDetails(PriorAuthorization: "PA778899"), claim.Version));
        Assert.Equal("PA778899", changed.PriorAuthorization);

        // Another practice's claim id, and another practice's route, are 404.
        var riverside = await App.ClientFor(Users.RiversideAdmin);
        Assert.Equal(HttpStatusCode.NotFound,
            (await riverside.GetAsync($"/api/v1/practices/{DemoData.RiversidePediatrics}/claims/{claim.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(ClaimsUrl($"/{claim.Id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await vendorBiller.GetAsync($"/api/v1/practices/{DemoData.RiversidePediatrics}/claims")).StatusCode);
    }
}
