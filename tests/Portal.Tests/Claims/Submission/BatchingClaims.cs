using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Headers;
using System.Text.Json;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Claims.Submission;
using Portal.Web.Features.Demo;
using static Portal.Tests.Claims.Submission.SubmissionGiven;

namespace Portal.Tests.Claims.Submission;

public class TradingPartnerSettingsApi(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task an_admin_sets_them_up_with_if_match_and_a_biller_reads_but_cannot_change_them()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var biller = await App.ClientFor(Users.NorthBiller);
        Assert.False((await Json(await biller.GetAsync(North("settings")), HttpStatusCode.OK)).GetProperty("configured").GetBoolean());

        var created = await PutSettings(admin, PartnerSettings());
        var first = await Json(created, HttpStatusCode.OK);
        Assert.Equal("NORTHCLINIC01", first.GetProperty("submitterId").GetString());
        var etag = created.Headers.ETag!.ToString();

        Assert.Equal(HttpStatusCode.Forbidden, (await PutSettings(biller, PartnerSettings())).StatusCode);

        var read = await biller.GetAsync(North("settings"));
        Assert.Equal(etag, (await Json(read, HttpStatusCode.OK)).GetProperty("version").GetInt64() is var v ? ETags.For(v) : "");

        var update = new HttpRequestMessage(HttpMethod.Put, North("settings")) { Content = JsonContent.Create(PartnerSettings(usage: "P")) };
        update.Headers.TryAddWithoutValidation("If-Match", etag);
        Assert.Equal("P", (await Json(await admin.SendAsync(update), HttpStatusCode.OK)).GetProperty("usage").GetString());

        var stale = new HttpRequestMessage(HttpMethod.Put, North("settings")) { Content = JsonContent.Create(PartnerSettings(usage: "T")) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.SendAsync(stale)).StatusCode);
    }

    [Fact]
    public async Task bad_ids_and_an_sftp_transport_without_its_account_are_400_with_the_fields_named()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var bad = new
        {
            submitterName = "North", submitterId = "WAY-TOO-LONG-SUBMITTER-ID", contactName = "Desk", contactPhone = "12",
            receiverName = "CH", receiverId = "C*H", clearinghouseName = "CH", usage = "X", transport = "Sftp",
        };
        var problem = await Json(await PutSettings(admin, bad), HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "submitterId", "contactPhone", "receiverId", "usage", "sftp" })
            Assert.True(errors.TryGetProperty(field, out _), $"{field} missing in {errors}");
    }

    [Fact]
    public async Task another_practice_gets_404()
    {
        var riverside = await App.ClientFor(Users.RiversideAdmin);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(North("settings"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PutSettings(riverside, PartnerSettings())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(North("batches"))).StatusCode);
    }
}

public class BatchingClaims(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task without_trading_partner_settings_or_billing_profile_batching_is_refused_in_plain_words()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        await ReadyClaims(App, DemoData.NorthClinic, PayerA, 1);
        var noSettings = await Json(await biller.PostAsJsonAsync(North("batches"), new { }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("trading-partner settings", noSettings.GetProperty("detail").GetString());

        var admin = await App.ClientFor(Users.NorthAdmin);
        (await PutSettings(admin, PartnerSettings())).EnsureSuccessStatusCode();
        // The demo practices come with a billing profile (the claims core seeds one): take it away for this case.
        await using (var session = App.Services.GetRequiredService<Marten.IDocumentStore>().LightweightSession(DemoData.NorthClinic.ToString()))
        {
            session.Delete<Portal.Web.Features.Claims.BillingProfile>(DemoData.NorthClinic);
            await session.SaveChangesAsync();
        }
        var noProfile = await Json(await biller.PostAsJsonAsync(North("batches"), new { }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("billing profile", noProfile.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ready_claims_become_one_valid_837p_per_payer_with_unique_persisted_control_numbers()
    {
        await SetUp(App);
        var biller = await App.ClientFor(Users.NorthBiller);
        var a = await ReadyClaims(App, DemoData.NorthClinic, PayerA, 2);
        var b = await ReadyClaims(App, DemoData.NorthClinic, PayerB, 1);

        var batches = await CreateBatches(biller);
        Assert.Equal(2, batches.Length);
        Assert.Equal(["000000001", "000000002"], batches.Select(x => x.GetProperty("interchangeControlNumber").GetString()).Order());
        Assert.All(batches, x => Assert.Equal("Sent", x.GetProperty("state").GetString()));
        var acme = batches.Single(x => x.GetProperty("payerName").GetString() == "Acme Health Plan");
        Assert.Equal(2, acme.GetProperty("claimCount").GetInt32());
        Assert.Equal(275m, acme.GetProperty("totalCharge").GetDecimal());

        var detail = await Batch(biller, acme.GetProperty("id").GetString()!);
        Assert.All(detail.GetProperty("claims").EnumerateArray(), c => Assert.Equal("Batched", c.GetProperty("state").GetString()));
        Assert.Equal(a.Select(x => x.Pcn).Order(), detail.GetProperty("claims").EnumerateArray().Select(c => c.GetProperty("patientControlNumber").GetString()).Order());
        Assert.Single(detail.GetProperty("sendLog").EnumerateArray());

        foreach (var batch in batches)
        {
            var file = await biller.GetAsync(North($"batches/{batch.GetProperty("id").GetString()}/file"));
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.Equal("application/edi-x12", file.Content.Headers.ContentType!.MediaType);
            var x12 = await file.Content.ReadAsStringAsync();
            Validator837.AssertValid(x12);
            var icn = batch.GetProperty("interchangeControlNumber").GetString();
            Assert.Contains($"*{icn}*1*T*:~", x12);
            Assert.Contains($"~IEA*1*{icn}~", x12);
            Assert.Contains($"~GS*HC*NORTHCLINIC01*CLEARHOUSE01*", x12);
            // The embedded transport put the same bytes in the outbox.
            var outbox = Path.Combine(App.SubmissionDirectory, DemoData.NorthClinic.ToString("N"), "outbox", batch.GetProperty("fileName").GetString()!);
            Assert.Equal(x12, await File.ReadAllTextAsync(outbox));
        }

        // Nothing ready any more; the next claims continue the counter.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await biller.PostAsJsonAsync(North("batches"), new { })).StatusCode);
        await ReadyClaims(App, DemoData.NorthClinic, PayerA, 1, prefix: "U");
        var next = await CreateBatches(biller);
        Assert.Equal("000000003", next.Single().GetProperty("interchangeControlNumber").GetString());
        Assert.Equal("3", next.Single().GetProperty("groupControlNumber").GetString());
        Assert.Equal("0003", next.Single().GetProperty("transactionSetControlNumber").GetString());
    }

    [Fact]
    public async Task two_runs_at_once_never_share_a_control_number_or_a_claim()
    {
        await SetUp(App);
        var biller = await App.ClientFor(Users.NorthBiller);
        var a = await ReadyClaims(App, DemoData.NorthClinic, PayerA, 6);
        var b = await ReadyClaims(App, DemoData.NorthClinic, PayerB, 6);
        var (_, claimIds) = await BatchesAtOnce(biller, new { payerIds = new[] { PayerA } }, new { payerIds = new[] { PayerB } }, new { });
        Assert.Equal(12, claimIds.Count);
        Assert.Equal(12, claimIds.Distinct().Count());
    }

    [Fact]
    public async Task a_resend_is_explicit_keeps_the_control_numbers_and_is_logged()
    {
        await SetUp(App);
        var biller = await App.ClientFor(Users.NorthBiller);
        await ReadyClaims(App, DemoData.NorthClinic, PayerA, 1);
        var batch = (await CreateBatches(biller)).Single();
        var id = batch.GetProperty("id").GetString();
        var before = await (await biller.GetAsync(North($"batches/{id}/file"))).Content.ReadAsStringAsync();

        var resend = await Json(await biller.PostAsync(North($"batches/{id}/resend"), null), HttpStatusCode.OK);
        Assert.True(resend.GetProperty("send").GetProperty("succeeded").GetBoolean());
        var detail = await Batch(biller, id!);
        var log = detail.GetProperty("sendLog").EnumerateArray().ToList();
        Assert.Equal([false, true], log.Select(s => s.GetProperty("resend").GetBoolean()));
        Assert.Equal(batch.GetProperty("interchangeControlNumber").GetString(), detail.GetProperty("batch").GetProperty("interchangeControlNumber").GetString());
        Assert.Equal(before, await (await biller.GetAsync(North($"batches/{id}/file"))).Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NotFound, (await biller.PostAsync(North($"batches/{Guid.NewGuid()}/resend"), null)).StatusCode);
    }

    [Fact]
    public async Task claims_the_837p_finds_hard_pass_the_independent_validator_one_file_for_the_clearinghouse()
    {
        await SetUp(App, PartnerSettings(grouping: BatchGrouping.Clearinghouse));
        var biller = await App.ClientFor(Users.NorthBiller);
        var dos = new DateOnly(2026, 11, 2);
        // Patient ≠ subscriber (a child on a parent's plan), 12 diagnoses, 4 modifiers, NDC, referring, prior auth.
        await ReadyClaims(App, DemoData.NorthClinic, PayerA, 1, "K", shape: (_, c) => c with
        {
            Coverage = Coverage(PayerA, "Child", "Parent, Pat"),
            ReferringProvider = new ClaimProviderRef(Guid.NewGuid(), "Dr. Rita Referrer", "1555123458", "207Q00000X"),
            PriorAuthorization = "AUTH12345",
            Diagnoses = [.. new[] { "E11.9", "I10", "J45.909", "M54.50", "R51.9", "Z00.00", "E78.5", "K21.9", "F41.1", "G47.00", "N39.0", "L70.0" }
                .Select((code, i) => new ClaimDiagnosis(i + 1, code))],
            Lines =
            [
                new ClaimLine(1, "99214", ["25", "59", "XE", "76"], 1, 180m, [1, 2, 3, 4], dos),
                new ClaimLine(2, "J3301", [], 2, 40m, [5], dos, Ndc11: "00003029305", NdcQuantity: 1, NdcUnit: "ML"),
                new ClaimLine(3, "36415", [], 1, 12m, [12], dos),
            ],
        });
        // 60 lines: split into claims of at most 50.
        await ReadyClaims(App, DemoData.NorthClinic, PayerB, 1, "L", lines: 60);
        await ReadyClaims(App, DemoData.NorthClinic, PayerC, 2, "M");

        var batch = (await CreateBatches(biller)).Single();
        Assert.Equal(4, batch.GetProperty("claimCount").GetInt32());
        Assert.Equal(5, batch.GetProperty("transactionClaims").GetInt32());
        var x12 = await (await biller.GetAsync(North($"batches/{batch.GetProperty("id").GetString()}/file"))).Content.ReadAsStringAsync();
        Validator837.AssertValid(x12);
        Assert.Contains("~PAT*19~", x12);
        Assert.Contains("~REF*G1*AUTH12345~", x12);
        Assert.Contains("~NM1*DN*1*Referrer*Rita****XX*1555123458~", x12);
        Assert.Contains("~LIN**N4*00003029305~", x12);
        Assert.Contains("HC:99214:25:59:XE:76", x12);
        Assert.Contains("~CLM*LB0001-1*", x12);
        Assert.Contains("~CLM*LB0001-2*", x12);
        var split = (await Batch(biller, batch.GetProperty("id").GetString()!)).GetProperty("claims").EnumerateArray()
            .Single(c => c.GetProperty("patientControlNumber").GetString() == "LB0001");
        Assert.Equal(["LB0001-1", "LB0001-2"], split.GetProperty("parts").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task batches_are_listed_newest_first_with_a_cursor_and_a_next_link()
    {
        await SetUp(App);
        var biller = await App.ClientFor(Users.NorthBiller);
        await ReadyClaims(App, DemoData.NorthClinic, PayerA, 1);
        await ReadyClaims(App, DemoData.NorthClinic, PayerB, 1);
        await ReadyClaims(App, DemoData.NorthClinic, PayerC, 1);
        await CreateBatches(biller);

        var first = await biller.GetAsync(North("batches?limit=2"));
        var page = await Json(first, HttpStatusCode.OK);
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
        var link = first.Headers.GetValues("Link").Single();
        Assert.Contains("rel=\"next\"", link);
        var cursor = page.GetProperty("next").GetString();
        var second = await Json(await biller.GetAsync(North($"batches?limit=2&cursor={cursor}")), HttpStatusCode.OK);
        Assert.Single(second.GetProperty("items").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
        var all = page.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray())
            .Select(i => i.GetProperty("interchangeControlNumber").GetString()).ToList();
        Assert.Equal(["000000003", "000000002", "000000001"], all);

        Assert.Equal(HttpStatusCode.BadRequest, (await biller.GetAsync(North("batches?limit=201"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await biller.GetAsync(North("batches?cursor=abc"))).StatusCode);
    }

    [Fact]
    public async Task a_coder_may_not_batch_and_the_acme_vendor_biller_engaged_for_coding_only_may_not_either()
    {
        await SetUp(App);
        await ReadyClaims(App, DemoData.NorthClinic, PayerA, 1);
        var coder = await App.ClientFor(Users.NorthCoder);
        Assert.Equal(HttpStatusCode.Forbidden, (await coder.PostAsJsonAsync(North("batches"), new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coder.GetAsync(North("batches"))).StatusCode);
        var vendorBiller = await App.ClientFor("biller@acme.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await vendorBiller.PostAsJsonAsync(North("batches"), new { })).StatusCode);
    }
}
