using System.Text;
using System.Text.Json;
using Portal.Web.Features.Payments;
using static Portal.Tests.Payments.PaymentsGiven;

namespace Portal.Tests.Payments;

/// <summary>
/// Issue 12's "Done when", through the API in one walk (the browser walk is PaymentsInBrowser): a biller uploads an 835 that pays,
/// partly pays, denies and reverses claims; balances and the ledger match to the cent; re-uploading it posts nothing; the denial
/// becomes a work item, is appealed with a letter and tracked; aging and the dashboard show the result; malformed, unbalanced and
/// foreign-practice 835s are refused with a clear reason and nothing posted.
/// </summary>
public class DoneWhenOverHttp(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task a_biller_posts_pays_partly_pays_denies_reverses_re_uploads_appeals_and_sees_aging_and_kpis_and_bad_files_post_nothing()
    {
        var paid = await SubmittedClaim(App, "W-1", ("99213", 150), ("17110", 200));
        var denied = await SubmittedClaim(App, "W-2", ("73721", 900));
        var partly = await SubmittedClaim(App, "W-3", ("99214", 200));
        var reversed = await SubmittedClaim(App, "W-4", ("99213", 100));
        var biller = await App.ClientFor(Users.NorthBiller);
        await Import(biller, new Remit("EFT-W0", [new Clp("W-4", "1", [Svc.Of("99213", 100, new Cas("CO", "45", 10))], "P4")], Date: new DateOnly(2026, 3, 9)));
        var remit = new Remit("EFT-W1",
        [
            new Clp("W-1", "1", [Svc.Of("99213", 150, new Cas("CO", "45", 50), new Cas("PR", "3", 20)), Svc.Of("17110", 200, new Cas("CO", "45", 80), new Cas("PR", "1", 50), new Cas("PR", "2", 14))]),
            new Clp("W-2", "4", [new Svc("73721", 900, [new Cas("CO", "197", 900)], ["M62"])]),
            new Clp("W-3", "1", [Svc.Of("99214", 200, new Cas("CO", "45", 50), new Cas("PR", "2", 30), new Cas("OA", "23", 100))]),
            new Clp("W-4", "22", [Svc.Of("99213", 100, new Cas("CO", "45", 10))], "P4"),
            new Clp("W-4", "1", [Svc.Of("99213", 100, new Cas("CO", "45", 25))], "P4"),
        ], [("WO", "ACME-REC-1", 25)]);

        var result = await Import(biller, remit);
        Assert.Equal((EraOutcome.Posted, 5, 1), (result.Outcome, result.Posted, result.Denied));

        // Balances to the cent: paid, partly paid (OA left open for the payer? no: adjudicated, 0 open), denied (CO: 0 open, 0 paid), reversed + re-paid.
        async Task<(decimal Paid, decimal Patient, decimal Open)> B(Guid claim) { var b = await ClaimBalance(biller, claim); return (b.Paid, b.PatientResponsibility, b.Open); }
        Assert.Equal((136m, 84m, 0m), await B(paid));
        Assert.Equal((0m, 0m, 0m), await B(denied));
        Assert.Equal((20m, 30m, 0m), await B(partly));
        Assert.Equal((75m, 0m, 0m), await B(reversed)); // 90 − 90 + 75
        var payer = (await biller.GetItemsAsync<LedgerBalance>(Api($"ar/ledger?account=payer&id={AcmePayer}"), Json))!.Single();
        Assert.Equal(90m + remit.Total, payer.Cash); // Σ BPR02 of both checks
        Assert.Equal(25m, payer.ProviderAdjustments);

        // Re-uploading the same file posts nothing and says so; balances unchanged.
        var again = await Import(biller, remit, HttpStatusCode.OK);
        Assert.Equal(EraOutcome.AlreadyPosted, again.Outcome);
        Assert.Equal((136m, 84m, 0m), await B(paid));

        // The denial is a work item; appealed with a letter; tracked.
        var items = await biller.GetFromJsonAsync<Portal.Web.Platform.PageOf<DenialWorkItem>>(Api("denials"), Json);
        var item = Assert.Single(items!.Items);
        Assert.Equal((denied, "authorization", 900m), (item.ClaimId, item.Category, item.DeniedAmount));
        var appeal = await biller.PostAsJsonAsync(Api($"denials/{item.Id}/appeal"), new AppealDenial("Authorization 123 was obtained.", null));
        var appealed = (await appeal.Content.ReadFromJsonAsync<WorkItemDetails>(Json))!.Item;
        Assert.Equal(WorkItemState.Appealed, appealed.State);
        var letter = await biller.GetAsync(Api($"denials/{item.Id}/documents/{Assert.Single(appealed.Appeals).LetterId}"));
        Assert.Equal("application/pdf", letter.Content.Headers.ContentType?.MediaType);
        Assert.Equal(WorkItemState.Appealed, (await biller.GetFromJsonAsync<WorkItemDetails>(Api($"denials/{item.Id}"), Json))!.Item.State);

        // Aging and the dashboard show it.
        var aging = (await biller.GetFromJsonAsync<AgingReport>(Api("ar/aging?asOf=2026-03-20"), Json))!;
        Assert.Equal(114m, aging.Patient.Total); // 84 + 30
        var kpis = (await biller.GetFromJsonAsync<KpiReport>(Api("kpis?from=2026-03-01&to=2026-03-31"), Json))!;
        Assert.Equal(231m, kpis.Payments); // 90 − 90 + 75 + 136 + 20
        Assert.Equal(0.25m, kpis.DenialRate);
        Assert.Equal("197", kpis.TopCarcs[0].Carc);

        // Malformed, unbalanced and foreign-practice files are refused with a reason; nothing posts.
        var fresh = await SubmittedClaim(App, "W-5", ("99213", 100));
        var next = new Remit("EFT-W2", [new Clp("W-5", "1", [Svc.Of("99213", 100, new Cas("CO", "45", 10))])]);
        var text = next.Text();
        foreach (var (bytes, reason) in new[]
        {
            (Encoding.ASCII.GetBytes(text[..(text.Length / 2)]), "not a readable 835"),
            ((next with { OverrideTotal = 500 }).Bytes(), "does not balance"),
            ((next with { PayeeNpi = "1999999984" }).Bytes(), "another payee"),
        })
        {
            var response = await biller.SendAsync(Upload(bytes));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Contains(reason, problem.GetProperty("detail").GetString());
            Assert.True(problem.GetProperty("problems").GetArrayLength() > 0);
        }
        Assert.Equal((0m, 0m, 100m), await B(fresh));
        Assert.Equal(231m, (await biller.GetFromJsonAsync<KpiReport>(Api("kpis?from=2026-03-01&to=2026-03-31"), Json))!.Payments);
    }
}
