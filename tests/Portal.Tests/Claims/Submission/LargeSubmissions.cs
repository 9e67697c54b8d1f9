using System.Net.Http.Headers;
using System.Text.Json;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Claims.Submission;
using Portal.Web.Features.Demo;
using static Portal.Tests.Claims.Submission.SubmissionGiven;

namespace Portal.Tests.Claims.Submission;

/// <summary>
/// Batches and acknowledgements of more claims than <see cref="ClaimBulkAppend.Threshold"/> take the set-based append (ADR 0019):
/// the claims' versions (ETags), states, history and the exactly-once rules must be what Marten's own append gives.
/// </summary>
public class LargeSubmissions(PortalApp app) : PortalTest(app)
{
    static string Claim(Guid id, string path = "") => $"/api/v1/practices/{DemoData.NorthClinic}/claims/{id}{path}";

    [Fact]
    public async Task a_batch_and_a_277ca_of_many_claims_keep_versions_history_and_etags_right()
    {
        Assert.True(ClaimBulkAppend.Threshold <= 60);
        await SetUp(App, PartnerSettings(grouping: BatchGrouping.Clearinghouse));
        var biller = await App.ClientFor(Users.NorthBiller);
        var claims = (await ReadyClaims(App, DemoData.NorthClinic, PayerA, 40, "L")).Concat(await ReadyClaims(App, DemoData.NorthClinic, PayerB, 40, "L")).ToList();

        var batch = (await CreateBatches(biller)).Single();
        Assert.Equal(80, batch.GetProperty("claimCount").GetInt32());
        var x12 = await biller.GetStringAsync(North($"batches/{batch.GetProperty("id").GetString()}/file"));
        Validator837.AssertValid(x12);
        var first = await biller.GetAsync(Claim(claims[0].ClaimId));
        Assert.Equal("W/\"3\"", first.Headers.ETag?.ToString());
        Assert.Equal("Batched", JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("state").GetString());

        // Batching the same claims again finds none ready: they are batched exactly once.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await biller.PostAsJsonAsync(North("batches"), new { })).StatusCode);

        var ack = Acks.Ack277("B000000001", claims.Select((c, i) => new Acks.ClaimStatus(c.Pcn, i % 8 != 0)));
        var imported = await Json(await Import(biller, ack), HttpStatusCode.Created);
        Assert.Equal(10, imported.GetProperty("acknowledgement").GetProperty("rejected").GetInt32());
        Assert.Equal(70, imported.GetProperty("acknowledgement").GetProperty("accepted").GetInt32());
        var detail = await Batch(biller, batch.GetProperty("id").GetString()!);
        Assert.Equal(70, detail.GetProperty("claims").EnumerateArray().Count(c => c.GetProperty("state").GetString() == "AcceptedByClearinghouse"));
        Assert.Equal(70, detail.GetProperty("batch").GetProperty("claimsAccepted").GetInt32());

        // The same file again changes nothing.
        var again = await Json(await Import(biller, ack), HttpStatusCode.OK);
        Assert.True(again.GetProperty("duplicate").GetBoolean());

        // A rejected claim has its new version as ETag: the biller fixes it with If-Match, marks it ready and it goes out again.
        var rejected = claims[8].ClaimId;
        var read = await biller.GetAsync(Claim(rejected));
        Assert.Equal("W/\"4\"", read.Headers.ETag?.ToString());
        var fix = new HttpRequestMessage(HttpMethod.Put, Claim(rejected, "/details")) { Content = JsonContent.Create(new ChangeClaimDetails(PriorAuthorization: "PA-4242")) };
        fix.Headers.IfMatch.Add(EntityTagHeaderValue.Parse("W/\"4\""));
        var fixedClaim = await biller.SendAsync(fix);
        Assert.Equal(HttpStatusCode.OK, fixedClaim.StatusCode);
        var history = await biller.GetStringAsync(Claim(rejected, "/history"));
        Assert.Contains("claim_batched", history);
        Assert.Contains("claim_rejected_by_clearinghouse", history);
        Assert.Contains("National Provider Identifier", history);
    }

    [Fact]
    public async Task two_large_runs_at_once_never_share_a_control_number_or_a_claim_and_a_rejected_999_sends_every_claim_back()
    {
        await SetUp(App);
        var biller = await App.ClientFor(Users.NorthBiller);
        await ReadyClaims(App, DemoData.NorthClinic, PayerA, 60, "R");
        await ReadyClaims(App, DemoData.NorthClinic, PayerB, 60, "R");
        var (batches, claimIds) = await BatchesAtOnce(biller, new { payerIds = new[] { PayerA } }, new { });
        Assert.Equal(120, claimIds.Count);
        Assert.Equal(120, claimIds.Distinct().Count());

        var firstBatch = batches.OrderBy(b => b.GetProperty("interchangeControlNumber").GetString(), StringComparer.Ordinal).First();
        var gs06 = firstBatch.GetProperty("groupControlNumber").GetString()!;
        var result = await Json(await Import(biller, Acks.Ack999(gs06, firstBatch.GetProperty("transactionSetControlNumber").GetString()!, "R")), HttpStatusCode.Created);
        var count = firstBatch.GetProperty("claimCount").GetInt32();
        Assert.Equal(count, result.GetProperty("acknowledgement").GetProperty("rejected").GetInt32());
        var detail = await Batch(biller, firstBatch.GetProperty("id").GetString()!);
        Assert.All(detail.GetProperty("claims").EnumerateArray(), c => Assert.Equal("RejectedByClearinghouse", c.GetProperty("state").GetString()));
    }
}
