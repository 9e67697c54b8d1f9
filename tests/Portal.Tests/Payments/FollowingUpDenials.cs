using System.Text.Json;
using Portal.Web.Features.Payments;
using static Portal.Tests.Payments.PaymentsGiven;

namespace Portal.Tests.Payments;

public class FollowingUpDenials(PortalApp app) : PortalTest(app)
{
    static readonly Remit Denied = new("EFT-D",
    [
        new Clp("N-0002", "4", [new Svc("73721", 900, [new Cas("CO", "197", 900)], ["M62"])], "ACME-2"),
        new Clp("N-0005", "1", [Svc.Of("99213", 150, new Cas("CO", "45", 50), new Cas("PR", "3", 20))], "ACME-5"),
    ], Date: new DateOnly(2026, 3, 16));

    async Task<(HttpClient Biller, WorkItemDetails Item, Guid Claim)> DeniedClaim()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var claim = await SubmittedClaim(App, "N-0002", ("73721", 900));
        await SubmittedClaim(App, "N-0005", ("99213", 150));
        await Import(biller, Denied);
        var list = await biller.GetFromJsonAsync<PageOf<DenialWorkItem>>(Api("denials"), Json);
        var item = await biller.GetFromJsonAsync<WorkItemDetails>(Api($"denials/{list!.Items.Single().Id}"), Json);
        return (biller, item!, claim);
    }

    [Fact]
    public async Task a_denial_becomes_a_work_item_with_category_next_action_due_date_and_reasons_in_plain_words()
    {
        var (_, details, claim) = await DeniedClaim();
        var item = details.Item;

        Assert.Equal(claim, item.ClaimId);
        Assert.Equal("authorization", item.Category);
        Assert.Equal("Authorization", details.CategoryText);
        Assert.Contains("retro-authorization", item.NextAction);
        Assert.Equal(new DateOnly(2026, 3, 16).AddDays(90), item.DueDate); // payment date + the default 90-day appeal window
        Assert.Equal(900m, item.DeniedAmount);
        Assert.Equal(WorkItemState.Open, item.State);
        Assert.Contains(details.Reasons, r => r.Code == "CO-197" && r.Text.Contains("authorization was absent"));
        Assert.Contains(details.Reasons, r => r.Code == "M62");
        // Never written off automatically: the denied amount is still open as a contractual adjustment pending work.
        Assert.Equal(0m, (await ClaimBalance((await App.ClientFor(Users.NorthBiller)), claim)).WrittenOff);
    }

    [Fact]
    public async Task an_appeal_makes_a_letter_with_the_claim_and_denial_facts_and_tracks_level_and_deadline()
    {
        var (biller, details, _) = await DeniedClaim();

        var response = await biller.PostAsJsonAsync(Api($"denials/{details.Item.Id}/appeal"),
            new AppealDenial("Authorization 123 was obtained by phone on 2026-02-27.", "Sent by fax"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var appealed = (await response.Content.ReadFromJsonAsync<WorkItemDetails>(Json))!.Item;
        Assert.Equal(WorkItemState.Appealed, appealed.State);
        var appeal = Assert.Single(appealed.Appeals);
        Assert.Equal(1, appeal.Level);
        var pdf = await biller.GetAsync(Api($"denials/{appealed.Id}/documents/{appeal.LetterId}"));
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        var bytes = await pdf.Content.ReadAsByteArrayAsync();
        Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        var text = PdfText(bytes);
        Assert.Contains("N-0002", text);
        Assert.Contains("CO-197", text);
        Assert.Contains("Authorization 123", text);

        var second = await biller.PostAsJsonAsync(Api($"denials/{appealed.Id}/appeal"), new AppealDenial(null, null));
        Assert.Equal(2, (await second.Content.ReadFromJsonAsync<WorkItemDetails>(Json))!.Item.Appeals[^1].Level);
    }

    static string PdfText(byte[] pdf)
    {
        var path = Path.GetTempFileName();
        File.WriteAllBytes(path, pdf);
        var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("pdftotext", [path, "-"]) { RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        File.Delete(path);
        return text;
    }

    [Fact]
    public async Task a_write_off_needs_a_reason_and_above_the_limit_an_approver_who_did_not_ask()
    {
        var (biller, details, claim) = await DeniedClaim();
        var id = details.Item.Id;

        var noReason = await biller.PostAsJsonAsync(Api($"denials/{id}/write-off"), new { amount = 900 });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        var tooMuch = await biller.PostAsJsonAsync(Api($"denials/{id}/write-off"), new WriteOffDenial(901, "No authorization on file"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMuch.StatusCode);

        var asked = await biller.PostAsJsonAsync(Api($"denials/{id}/write-off"), new WriteOffDenial(900, "No authorization on file; retro-auth refused"));
        var pending = (await asked.Content.ReadFromJsonAsync<WorkItemDetails>(Json))!.Item;
        Assert.Equal(WorkItemState.Open, pending.State);
        Assert.Equal(900m, pending.PendingWriteOff!.Amount);
        Assert.Equal(0m, (await ClaimBalance(biller, claim)).WrittenOff);

        Assert.Equal(HttpStatusCode.Forbidden, (await biller.PostAsync(Api($"denials/{id}/write-off/approve"), null)).StatusCode);
        var admin = await App.ClientFor(Users.NorthAdmin);
        var approved = await admin.PostAsync(Api($"denials/{id}/write-off/approve"), null);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var item = (await approved.Content.ReadFromJsonAsync<WorkItemDetails>(Json))!.Item;
        Assert.Equal(WorkItemState.WrittenOff, item.State);
        Assert.NotNull(item.Approver);
        Assert.Equal(900m, (await ClaimBalance(biller, claim)).WrittenOff);
        Assert.Equal(900m, (await Claim(App, claim)).WrittenOff);

        var again = await biller.PostAsJsonAsync(Api($"denials/{id}/write-off"), new WriteOffDenial(10, "again"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task a_small_write_off_needs_no_approver_and_the_limit_is_the_practices()
    {
        var (biller, details, claim) = await DeniedClaim();
        var admin = await App.ClientFor(Users.NorthAdmin);
        var settings = await admin.PutAsJsonAsync(Api("denials/settings"), new ChangePaymentSettings(1000, 60, null));
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await biller.PutAsJsonAsync(Api("denials/settings"), new ChangePaymentSettings(1_000_000, 60, null))).StatusCode);

        var done = await biller.PostAsJsonAsync(Api($"denials/{details.Item.Id}/write-off"), new WriteOffDenial(900, "Past the appeal window"));
        Assert.Equal(WorkItemState.WrittenOff, (await done.Content.ReadFromJsonAsync<WorkItemDetails>(Json))!.Item.State);
        Assert.Equal(900m, (await ClaimBalance(biller, claim)).WrittenOff);
    }

    [Fact]
    public async Task work_items_are_assigned_in_bulk_filtered_noted_attached_resolved_and_exported()
    {
        var (biller, details, _) = await DeniedClaim();
        var id = details.Item.Id;

        Assert.Equal(HttpStatusCode.OK, (await biller.PostAsJsonAsync(Api("denials/assign"), new AssignWorkItems([id], "Bea Biller"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await biller.PostAsJsonAsync(Api("denials/assign"), new AssignWorkItems([Guid.NewGuid()], "x"))).StatusCode);
        var mine = await biller.GetFromJsonAsync<PageOf<DenialWorkItem>>(Api("denials?owner=Bea%20Biller&state=open&category=authorization"), Json);
        Assert.Single(mine!.Items);
        Assert.Empty((await biller.GetFromJsonAsync<PageOf<DenialWorkItem>>(Api("denials?owner=-"), Json))!.Items);
        Assert.Equal(HttpStatusCode.BadRequest, (await biller.GetAsync(Api("denials?state=lost"))).StatusCode);

        var noted = await biller.PostAsJsonAsync(Api($"denials/{id}/notes"), new AddWorkItemNote("Called Acme, ref 7788."));
        Assert.Single((await noted.Content.ReadFromJsonAsync<WorkItemDetails>(Json))!.Item.Notes);
        var stale = new HttpRequestMessage(HttpMethod.Post, Api($"denials/{id}/notes")) { Content = JsonContent.Create(new AddWorkItemNote("late")) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await biller.SendAsync(stale)).StatusCode);

        var attached = await biller.PostAsync(Api($"denials/{id}/attachments"), Intake.Given.File(Intake.Given.Pdf, "records.pdf", "application/pdf"));
        Assert.Equal(HttpStatusCode.OK, attached.StatusCode);
        var exe = await biller.PostAsync(Api($"denials/{id}/attachments"), Intake.Given.File([0x4D, 0x5A, 0, 1], "x.exe"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, exe.StatusCode);

        var csv = await biller.GetStringAsync(Api("denials/export.csv"));
        Assert.Contains("CO-197: Precertification or authorization was absent.", csv);
        Assert.Contains("N-0002", csv);

        var resolved = await biller.PostAsJsonAsync(Api($"denials/{id}/resolve"), new ResolveDenial("paid after retro-authorization", 900, null));
        Assert.Equal(WorkItemState.Resolved, (await resolved.Content.ReadFromJsonAsync<WorkItemDetails>(Json))!.Item.State);
    }

    [Fact]
    public async Task aging_and_kpis_show_what_was_posted()
    {
        var (biller, _, _) = await DeniedClaim();
        await SubmittedClaim(App, "N-0009", new DateOnly(2026, 1, 2), ("99214", 300));

        var aging = await biller.GetFromJsonAsync<AgingReport>(Api("ar/aging?asOf=2026-03-20"), Json);
        // N-0002: 900 denied (CO, still the payer's problem until written off or appealed: 0 open); N-0005: 20 copay (patient);
        // N-0009: 300 unpaid, 77 days old.
        Assert.Equal(300m, aging!.Insurance.Days61To90);
        Assert.Equal(300m, aging.Insurance.Total);
        Assert.Equal(20m, aging.Patient.Total);
        Assert.Equal("Acme Health Plan", aging.ByPayer.Single().Key);

        var bySubmission = await biller.GetFromJsonAsync<AgingReport>(Api("ar/aging?asOf=2026-03-20&basis=SubmissionDate"), Json);
        Assert.Equal(300m, bySubmission!.Insurance.Days61To90);

        var csv = await biller.GetStringAsync(Api("ar/aging/export.csv?asOf=2026-03-20"));
        Assert.Contains("insurance,Acme Health Plan,0.00,0.00,300.00", csv);

        var kpis = await biller.GetFromJsonAsync<KpiReport>(Api("kpis?from=2026-01-01&to=2026-03-31"), Json);
        Assert.Equal(80m, kpis!.Payments);
        Assert.Equal(2, kpis.Adjudicated);
        Assert.Equal(1, kpis.Denied);
        Assert.Equal(0.5m, kpis.DenialRate);
        Assert.Equal("197", kpis.TopCarcs.Single().Carc);
        Assert.Equal(HttpStatusCode.BadRequest, (await biller.GetAsync(Api("kpis?from=2026-04-01&to=2026-03-01"))).StatusCode);
    }

    [Fact]
    public async Task another_practice_gets_404_for_north_clinic_work_items()
    {
        var (_, details, _) = await DeniedClaim();
        var riverside = await App.ClientFor("biller@riverside.example");
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(Api($"denials/{details.Item.Id}"))).StatusCode);
        var own = await riverside.GetAsync($"/api/v1/practices/{Portal.Web.Features.Demo.DemoData.RiversidePediatrics}/denials/{details.Item.Id}");
        Assert.Equal(HttpStatusCode.NotFound, own.StatusCode);
    }

    [Fact]
    public async Task the_payments_pages_render_for_a_biller()
    {
        var (_, details, _) = await DeniedClaim();
        var browser = await App.SignedInBrowser(Users.NorthBiller);
        var root = $"/practices/{Portal.Web.Features.Demo.DemoData.NorthClinic}";
        var remittances = await browser.GetStringAsync($"{root}/payments");
        Assert.Contains("EFT-D", remittances);
        var id = JsonDocument.Parse(await (await App.ClientFor(Users.NorthBiller)).GetStringAsync(Api("remittances"))).RootElement
            .GetProperty("items")[0].GetProperty("id").GetGuid();
        var detail = await browser.GetStringAsync($"{root}/payments/{id}");
        Assert.Contains("Precertification or authorization was absent.", detail);
        Assert.Contains("Charge exceeds the fee schedule", detail);
        Assert.Contains("Denials", await browser.GetStringAsync($"{root}/denials"));
        Assert.Contains("retro-authorization", await browser.GetStringAsync($"{root}/denials/{details.Item.Id}"));
        Assert.Contains("Insurance, by payer", await browser.GetStringAsync($"{root}/ar"));
        Assert.Contains("<svg", await browser.GetStringAsync($"{root}/dashboard"));
        Assert.Contains("Nothing unmatched", await browser.GetStringAsync($"{root}/payments/unmatched"));
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"{root}/denials/{Guid.NewGuid()}")).StatusCode);
    }
}
