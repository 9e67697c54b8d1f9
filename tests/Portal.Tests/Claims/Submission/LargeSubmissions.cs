using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Platform;
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

    /// <summary>
    /// ADR 0027: the set-based path writes only the members an event changed into the stored snapshot. Whatever it wrote must be
    /// the snapshot Marten rebuilds from the claim's events, member for member (computed ones such as Editable included), after a
    /// batch, a 277CA that accepts some and rejects others (clearinghouse and payer), and a 999 that rejects a whole batch.
    /// </summary>
    [Fact]
    public async Task the_snapshots_the_set_based_path_writes_are_what_the_events_rebuild()
    {
        await SetUp(App, PartnerSettings(grouping: BatchGrouping.Clearinghouse));
        var biller = await App.ClientFor(Users.NorthBiller);
        var claims = (await ReadyClaims(App, DemoData.NorthClinic, PayerA, 30, "S")).Concat(await ReadyClaims(App, DemoData.NorthClinic, PayerB, 30, "S")).ToList();
        Assert.Equal(60, (await CreateBatches(biller)).Single().GetProperty("claimCount").GetInt32());
        await Json(await Import(biller, Acks.Ack277("B000000001", claims.Select((c, i) => new Acks.ClaimStatus(c.Pcn, i % 6 != 0)))), HttpStatusCode.Created);
        // The payer's own 277CA (its id as the source) for the accepted ones: accepted by the payer, with its claim number.
        await Json(await Import(biller, Acks.Ack277("B000000001", claims.Where((c, i) => i % 6 != 0).Select((c, i) => new Acks.ClaimStatus(c.Pcn, i % 5 != 0, PayerClaimNumber: i % 2 == 0 ? $"PAYER{i}" : null)),
            sourceId: "ACME1", icn: "000000278")), HttpStatusCode.Created);
        await AssertSnapshotsRebuild(claims.Select(c => c.ClaimId));

        await ReadyClaims(App, DemoData.NorthClinic, PayerA, 55, "T");
        var second = (await CreateBatches(biller)).Single();
        await Json(await Import(biller, Acks.Ack999(second.GetProperty("groupControlNumber").GetString()!, second.GetProperty("transactionSetControlNumber").GetString()!, "R")),
            HttpStatusCode.Created);
        var detail = await Batch(biller, second.GetProperty("id").GetString()!);
        var ids = detail.GetProperty("claims").EnumerateArray().Select(c => Guid.Parse(c.GetProperty("claimId").GetString()!)).ToList();
        Assert.Equal(55, ids.Count);
        await AssertSnapshotsRebuild(ids);
    }

    async Task AssertSnapshotsRebuild(IEnumerable<Guid> ids)
    {
        await using var session = App.Services.GetRequiredService<IDocumentStore>().LightweightSession(DemoData.NorthClinic.ToString());
        var serializer = session.DocumentStore.Options.Serializer();
        foreach (var id in ids)
        {
            var stored = await session.Json.FindByIdAsync<ClaimView>(id);
            var rebuilt = await session.Events.AggregateStreamAsync<ClaimView>(id);
            Assert.NotNull(stored);
            Assert.NotNull(rebuilt);
            using var a = JsonDocument.Parse(stored);
            using var b = JsonDocument.Parse(serializer.ToJson(rebuilt));
            Assert.True(JsonElement.DeepEquals(a.RootElement, b.RootElement), $"Claim {id}: stored {stored}\nrebuilt {serializer.ToJson(rebuilt)}");
        }
    }

    /// <summary>
    /// The version check of the set-based path (ADR 0019, kept by ADR 0027): one claim changed after the batch read it makes the
    /// whole append refuse, and nothing of it is written: no event, no stream version, no snapshot member, on any claim.
    /// </summary>
    [Fact]
    public async Task one_claim_changed_since_it_was_read_refuses_the_whole_set_based_append_and_writes_nothing()
    {
        var claims = await ReadyClaims(App, DemoData.NorthClinic, PayerA, ClaimBulkAppend.Threshold + 10, "V");
        var store = App.Services.GetRequiredService<IDocumentStore>();
        var tenant = DemoData.NorthClinic.ToString();
        var ids = claims.Select(c => c.ClaimId).ToArray();
        string[] before;
        await using (var read = store.QuerySession(tenant))
            before = [.. await Task.WhenAll(ids.Select(async id => (await read.Json.FindByIdAsync<ClaimView>(id))!))];

        await using (var batch = store.LightweightSession(tenant))
        {
            var views = await batch.Query<ClaimView>().Where(c => c.Id.IsOneOf(ids)).ToListAsync();
            // Meanwhile a biller holds one of them.
            await using (var other = store.LightweightSession(tenant))
            {
                other.Events.Append(ids[^1], 3, new ClaimHeld(ids[^1], "payer asked for records", "other biller", DateTimeOffset.UtcNow));
                await other.SaveChangesAsync();
            }
            var batchId = Guid.CreateVersion7();
            var changes = views.Select(v => new ClaimEventToAppend(v, new ClaimBatched(v.Id, batchId, "000000777", "777", "0777", "test", DateTimeOffset.UtcNow))).ToList();
            await Assert.ThrowsAsync<StaleStreamsException>(() => ClaimBulkAppend.AppendAsync(batch, changes, CancellationToken.None));
        }

        await using var after = store.QuerySession(tenant);
        for (var i = 0; i < ids.Length - 1; i++)
        {
            Assert.Equal(before[i], await after.Json.FindByIdAsync<ClaimView>(ids[i]));
            var events = await after.Events.FetchStreamAsync(ids[i]);
            Assert.Equal(2, events.Count);
            Assert.DoesNotContain(events, e => e.Data is ClaimBatched);
        }
        var held = await after.LoadAsync<ClaimView>(ids[^1]);
        Assert.Equal((ClaimState.Draft, 3L), (held!.State, held.Version));
    }
}
