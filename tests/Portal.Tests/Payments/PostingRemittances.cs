using System.Text;
using System.Text.Json;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Payments;
using static Portal.Tests.Payments.PaymentsGiven;

namespace Portal.Tests.Payments;

public class PostingRemittances(PortalApp app) : PortalTest(app)
{
    /// <summary>The brief's §5.4 claim (paid with CO-45, copay, deductible, coinsurance), a denial, a partial payment and a PLB.</summary>
    static Remit Mixed(string trace = "EFT-1") => new(trace,
    [
        new Clp("N-0001", "1", [Svc.Of("99213", 150, new Cas("CO", "45", 50), new Cas("PR", "3", 20)), Svc.Of("17110", 200, new Cas("CO", "45", 80), new Cas("PR", "1", 50), new Cas("PR", "2", 14))]),
        new Clp("N-0002", "4", [new Svc("73721", 900, [new Cas("CO", "197", 900)], ["M62"])]),
        new Clp("N-0003", "1", [Svc.Of("99214", 200, new Cas("CO", "45", 50), new Cas("PR", "2", 30)), new Svc("36415", 20, [new Cas("CO", "97", 20)])]),
    ], [("WO", "ACME24110500077", 25)]);

    async Task<(Guid A, Guid B, Guid C)> MixedClaims() => (
        await SubmittedClaim(App, "N-0001", ("99213", 150), ("17110", 200)),
        await SubmittedClaim(App, "N-0002", ("73721", 900)),
        await SubmittedClaim(App, "N-0003", ("99214", 200), ("36415", 20)));

    [Fact]
    public async Task a_remittance_that_pays_partly_pays_and_denies_posts_per_claim_and_line_and_balances_to_the_cent()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var (a, b, c) = await MixedClaims();

        var result = await Import(biller, Mixed());

        Assert.Equal(EraOutcome.Posted, result.Outcome);
        Assert.Equal(3, result.Posted);
        Assert.Equal(2, result.Denied); // the CLP02=4 claim, and the bundled line (CO-97) of the partly paid one
        var paid = await ClaimBalance(biller, a);
        Assert.Equal((350m, 136m, 130m, 84m, 0m), (paid.Charged, paid.Paid, paid.Contractual, paid.PatientResponsibility, paid.Open));
        var denied = await ClaimBalance(biller, b);
        Assert.Equal((900m, 0m, 900m), (denied.Charged, denied.Paid, denied.Contractual));
        var partly = await ClaimBalance(biller, c);
        Assert.Equal((220m, 120m, 70m, 30m, 0m), (partly.Charged, partly.Paid, partly.Contractual, partly.PatientResponsibility, partly.Open));

        var lines = await biller.GetItemsAsync<LedgerBalance>(Api($"ar/ledger?account=line&id={a}%232"), Json);
        Assert.Equal((200m, 56m, 80m, 64m), (lines![0].Charged, lines[0].Paid, lines[0].Contractual, lines[0].PatientResponsibility));

        var payer = (await biller.GetItemsAsync<LedgerBalance>(Api($"ar/ledger?account=payer&id={AcmePayer}"), Json))!.Single();
        Assert.Equal(256m, payer.Paid);
        Assert.Equal(25m, payer.ProviderAdjustments);
        Assert.Equal(231m, payer.Cash); // = BPR02

        Assert.Equal(ClaimState.Paid, (await Claim(App, a)).State);
        Assert.Equal(ClaimState.Denied, (await Claim(App, b)).State);

        var detail = await biller.GetFromJsonAsync<RemittanceView>(Api($"remittances/{result.RemittanceId}"), Json);
        Assert.Equal(RemittanceState.Posted, detail!.State);
        Assert.Equal(231m, detail.Amount);
        Assert.Single(detail.ProviderAdjustments, p => p.Reason == "WO" && p.Amount == 25);
    }

    [Fact]
    public async Task a_reversal_posts_reversing_entries_and_the_re_adjudication_posts_anew()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var d = await SubmittedClaim(App, "N-0004", ("99213", 100));
        await Import(biller, new Remit("EFT-A", [new Clp("N-0004", "1", [Svc.Of("99213", 100, new Cas("CO", "45", 10))], "P4")]));
        Assert.Equal(90m, (await ClaimBalance(biller, d)).Paid);

        await Import(biller, new Remit("EFT-B",
        [
            new Clp("N-0004", "22", [Svc.Of("99213", 100, new Cas("CO", "45", 10))], "P4"),
            new Clp("N-0004", "1", [Svc.Of("99213", 100, new Cas("CO", "45", 30))], "P4"),
        ]));

        var balance = await ClaimBalance(biller, d);
        Assert.Equal((70m, 30m, 0m), (balance.Paid, balance.Contractual, balance.Open));
        Assert.Equal(70m, (await Claim(App, d)).Paid);
        Assert.Equal(ClaimState.Paid, (await Claim(App, d)).State);
    }

    [Fact]
    public async Task re_uploading_the_same_file_posts_nothing_and_says_already_posted()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var (a, _, _) = await MixedClaims();
        var first = await Import(biller, Mixed());

        var again = await Import(biller, Mixed(), HttpStatusCode.OK);

        Assert.Equal(EraOutcome.AlreadyPosted, again.Outcome);
        Assert.Equal(first.RemittanceId, again.RemittanceId);
        Assert.Contains("already posted", again.Message);
        Assert.Equal(136m, (await ClaimBalance(biller, a)).Paid);
        Assert.Equal(136m, (await Claim(App, a)).Paid);
    }

    [Fact]
    public async Task the_same_check_in_another_file_posts_nothing_the_second_time()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var (a, _, _) = await MixedClaims();
        await Import(biller, Mixed());

        // The same check re-sent with other bytes (an extra line break): another file hash, the same payer + TRN02 + BPR16.
        var resent = Encoding.ASCII.GetBytes(Mixed().Text() + "\n");
        var response = await biller.SendAsync(Upload(resent));
        var result = JsonSerializer.Deserialize<EraImportResult>(await response.Content.ReadAsStringAsync(), Json)!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(EraOutcome.AlreadyPosted, result.Outcome);
        Assert.Equal((0, 3), (result.Posted, result.Skipped));
        Assert.Equal(136m, (await ClaimBalance(biller, a)).Paid);
        var detail = await biller.GetFromJsonAsync<RemittanceView>(Api($"remittances/{result.RemittanceId}"), Json);
        Assert.All(detail!.Claims, c => Assert.Equal("check already posted", c.Outcome));
        Assert.True(detail.Checks.Single().AlreadyPosted);
    }

    [Fact]
    public async Task the_same_claim_payment_twice_posts_once()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var a = await SubmittedClaim(App, "N-0001", ("99213", 150));
        var clp = new Clp("N-0001", "1", [Svc.Of("99213", 150, new Cas("CO", "45", 50))], "P1");

        var result = await Import(biller, new Remit("EFT-DUP", [clp, clp]));

        Assert.Equal((1, 1), (result.Posted, result.Skipped));
        Assert.Equal(100m, (await ClaimBalance(biller, a)).Paid);
    }

    [Fact]
    public async Task an_unbalanced_file_is_refused_with_the_loop_and_amounts_and_nothing_posts()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var (a, _, _) = await MixedClaims();

        var response = await biller.SendAsync(Upload(Mixed() with { OverrideTotal = 300 }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var p = problem.GetProperty("problems")[0];
        Assert.Equal("payment", p.GetProperty("loop").GetString());
        Assert.Equal(300m, p.GetProperty("expected").GetDecimal());
        Assert.Equal(231m, p.GetProperty("actual").GetDecimal());
        Assert.Equal(3, problem.GetProperty("segment").GetInt32()); // the payment's ST (ISA 1, GS 2, ST 3)
        Assert.Equal(0m, (await ClaimBalance(biller, a)).Paid);
        Assert.Equal(ClaimState.Batched, (await Claim(App, a)).State);

        var list = await biller.GetFromJsonAsync<RemittancePage>(Api("remittances"), Json);
        Assert.Equal(RemittanceState.Refused, list!.Items.Single().State);
        // A refused file does not take the file key: once fixed (other bytes) or even re-sent, it is read and refused again.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await biller.SendAsync(Upload(Mixed() with { OverrideTotal = 300 }))).StatusCode);
    }

    [Fact]
    public async Task a_claim_that_does_not_balance_is_named_with_its_amounts()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        await MixedClaims();
        var text = Mixed().Text().Replace("CLP*N-0003*1*220*120*", "CLP*N-0003*1*220*125*");

        var response = await biller.SendAsync(Upload(Encoding.ASCII.GetBytes(text)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problems = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("problems");
        Assert.Contains(problems.EnumerateArray(), p => p.GetProperty("loop").GetString() == "2100 claim"
            && p.GetProperty("detail").GetString()!.Contains("N-0003") && p.GetProperty("expected").GetDecimal() == 125m);
    }

    [Fact]
    public async Task a_malformed_or_foreign_file_is_refused_with_segment_and_position()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        await MixedClaims();

        var cut = Mixed().Text();
        var response = await biller.SendAsync(Upload(Encoding.ASCII.GetBytes(cut[..(cut.Length / 2)])));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("segment").GetInt32() > 0);
        Assert.True(problem.GetProperty("position").GetInt64() > 0);

        var notX12 = await biller.SendAsync(Upload("hello, this is not an 835"u8.ToArray()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notX12.StatusCode);

        var foreign = await biller.SendAsync(Upload(Mixed() with { PayeeNpi = "1999999984" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, foreign.StatusCode);
        Assert.Contains("another payee", await foreign.Content.ReadAsStringAsync());

        var empty = await biller.SendAsync(Upload([]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
    }

    [Fact]
    public async Task a_failure_mid_file_leaves_nothing_posted()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var (a, _, _) = await MixedClaims();
        // A crash while saving the file's one transaction, after the first claims were appended in the session.
        var store = (Marten.IDocumentStore)App.Services.GetService(typeof(Marten.IDocumentStore))!;
        var crash = new CrashOnClaim("N-0003");
        ((Marten.DocumentStore)store).Options.Listeners.Add(crash);
        HttpResponseMessage response;
        try
        {
            response = await biller.SendAsync(Upload(Mixed()));
        }
        finally
        {
            ((Marten.DocumentStore)store).Options.Listeners.Remove(crash);
        }

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.True(crash.Crashed);
        Assert.Equal(0m, (await ClaimBalance(biller, a)).Paid);
        Assert.Equal(0m, (await Claim(App, a)).Paid);
        Assert.Empty((await biller.GetFromJsonAsync<RemittancePage>(Api("remittances"), Json))!.Items);
        Assert.Equal(HttpStatusCode.Created, (await biller.SendAsync(Upload(Mixed()))).StatusCode);
        Assert.Equal(136m, (await ClaimBalance(biller, a)).Paid);
    }

    sealed class CrashOnClaim(string pcn) : Marten.DocumentSessionListenerBase
    {
        public bool Crashed { get; private set; }

        public override Task BeforeSaveChangesAsync(Marten.IDocumentSession session, CancellationToken token)
        {
            if (session.PendingChanges.Streams().SelectMany(s => s.Events).Any(e => e.Data is RemittancePosted p && p.Claims.Any(c => c.PatientControlNumber == pcn)))
            {
                Crashed = true;
                throw new InvalidOperationException("Simulated crash mid-file.");
            }
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task a_nul_byte_is_refused_with_its_position()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        await MixedClaims();
        var text = Mixed().Text().Replace("*PCNN-0003*", "*PCN\0N-0003*");

        var response = await biller.SendAsync(Upload(Encoding.ASCII.GetBytes(text)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(text.IndexOf('\0'), problem.GetProperty("position").GetInt64());
        Assert.Equal(HttpStatusCode.Created, (await biller.SendAsync(Upload(Mixed()))).StatusCode);
    }

    [Fact]
    public async Task a_retried_post_with_the_same_idempotency_key_gets_the_same_answer()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        await MixedClaims();

        var first = await biller.SendAsync(Upload(Mixed(), "era-key-1"));
        var retry = await biller.SendAsync(Upload(Mixed(), "era-key-1"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.True(retry.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task an_upload_as_multipart_posts_like_the_raw_body()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        await MixedClaims();
        var response = await biller.PostAsync(Api("remittances"), Intake.Given.File(Mixed().Bytes(), "acme-0316.835"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var list = await biller.GetFromJsonAsync<RemittancePage>(Api("remittances"), Json);
        Assert.Equal("acme-0316.835", list!.Items.Single().FileName);
    }

    [Fact]
    public async Task an_unmatched_claim_payment_waits_in_the_queue_and_posts_once_when_linked()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        await SubmittedClaim(App, "N-0001", ("99213", 150)); // a claim of the practice's billing NPI, so the payee is known
        var result = await Import(biller, new Remit("EFT-U", [new Clp("ZZ-404", "1", [Svc.Of("99213", 150, new Cas("CO", "45", 50))], "PZ")]));
        Assert.Equal(1, result.Unmatched);
        var queue = await biller.GetItemsAsync<UnmatchedClaimPayment>(Api("unmatched-payments"), Json);
        var item = Assert.Single(queue!);
        Assert.Contains("no claim", item.Problem);

        var claim = await SubmittedClaim(App, "N-0404", ("99213", 150));
        var link = await biller.PostAsJsonAsync(Api($"unmatched-payments/{item.Id}/link"), new LinkUnmatched(claim));
        Assert.Equal(HttpStatusCode.OK, link.StatusCode);
        Assert.Equal(100m, (await ClaimBalance(biller, claim)).Paid);

        var again = await biller.PostAsJsonAsync(Api($"unmatched-payments/{item.Id}/link"), new LinkUnmatched(claim));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(100m, (await ClaimBalance(biller, claim)).Paid);
        Assert.Empty((await biller.GetItemsAsync<UnmatchedClaimPayment>(Api("unmatched-payments"), Json))!);
    }

    [Fact]
    public async Task remittances_page_by_cursor_with_a_link_to_the_next_page()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        await SubmittedClaim(App, "Q-0", ("99213", 100));
        for (var i = 0; i < 3; i++) await Import(biller, new Remit($"EFT-P{i}", [new Clp($"Q-{i}", "1", [Svc.Of("99213", 100)])]));

        var first = await biller.GetAsync(Api("remittances?limit=2"));
        var page = (await first.Content.ReadFromJsonAsync<RemittancePage>(Json))!;
        Assert.Equal(2, page.Items.Count);
        var link = first.Headers.GetValues("Link").Single();
        Assert.Contains("rel=\"next\"", link);
        var next = link[(link.IndexOf('<') + 1)..link.IndexOf('>')];
        var rest = (await biller.GetFromJsonAsync<RemittancePage>(next, Json))!;
        Assert.Single(rest.Items);
        Assert.Null(rest.Next);
        Assert.Empty(page.Items.Select(r => r.Id).Intersect(rest.Items.Select(r => r.Id)));

        Assert.Equal(HttpStatusCode.BadRequest, (await biller.GetAsync(Api("remittances?limit=201"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await biller.GetAsync(Api("remittances?cursor=%%%"))).StatusCode);
    }

    [Fact]
    public async Task another_practice_gets_404_for_north_clinic_remittances()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        await MixedClaims();
        var result = await Import(biller, Mixed());
        var riverside = await App.ClientFor("biller@riverside.example");

        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(Api($"remittances/{result.RemittanceId}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.SendAsync(Upload(Mixed(), null))).StatusCode);
        var own = await riverside.GetAsync($"/api/v1/practices/{DemoData.RiversidePediatrics}/remittances/{result.RemittanceId}");
        Assert.Equal(HttpStatusCode.NotFound, own.StatusCode);
    }

    [Fact]
    public async Task the_inbox_entry_point_posts_like_an_upload()
    {
        await MixedClaims();
        var import = (EraImport)App.Services.GetService(typeof(EraImport))!;
        var result = await import.ImportAsync(DemoData.NorthClinic, Mixed().Bytes(), "inbox/ACME_0316.835", EraImport.Inbox, CancellationToken.None);
        Assert.Equal(EraOutcome.Posted, result.Outcome);
        var again = await import.ImportAsync(DemoData.NorthClinic, Mixed().Bytes(), "inbox/ACME_0316.835", EraImport.Inbox, CancellationToken.None);
        Assert.Equal(EraOutcome.AlreadyPosted, again.Outcome);
    }
}
