using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Claims.Submission;
using Portal.Web.Features.Demo;
using static Portal.Tests.Claims.Submission.SubmissionGiven;

namespace Portal.Tests.Claims.Submission;

public class ImportingAcknowledgements(PortalApp app) : PortalTest(app)
{
    async Task<(HttpClient Biller, JsonElement Batch, IReadOnlyList<Seeded> Claims)> Sent(int claims = 2)
    {
        await SetUp(App);
        var biller = await App.ClientFor(Users.NorthBiller);
        var seeded = await ReadyClaims(App, DemoData.NorthClinic, PayerA, claims);
        return (biller, (await CreateBatches(biller)).Single(), seeded);
    }

    static async Task<string[]> States(HttpClient biller, JsonElement batch) =>
        [.. (await Batch(biller, batch.GetProperty("id").GetString()!)).GetProperty("claims").EnumerateArray().Select(c => c.GetProperty("state").GetString()!)];

    [Fact]
    public async Task an_accepted_999_marks_the_batch_and_a_277ca_accepts_one_claim_and_rejects_the_other_with_the_reason()
    {
        var (biller, batch, claims) = await Sent();
        var accepted = await Json(await Import(biller, Acks.Ack999("1", "0001", "A")), HttpStatusCode.Created);
        Assert.Equal("999", accepted.GetProperty("acknowledgement").GetProperty("kind").GetString());
        var detail = await Batch(biller, batch.GetProperty("id").GetString()!);
        Assert.Equal("Accepted", detail.GetProperty("batch").GetProperty("state").GetString());
        Assert.All(await States(biller, batch), s => Assert.Equal("Batched", s));

        var ack = Acks.Ack277("B000000001", [new(claims[0].Pcn, true), new(claims[1].Pcn, false)]);
        var imported = await Json(await Import(biller, ack), HttpStatusCode.Created);
        var effects = imported.GetProperty("acknowledgement").GetProperty("effects").EnumerateArray().ToList();
        Assert.Equal(2, effects.Count);
        var rejected = effects.Single(e => e.GetProperty("reference").GetString() == claims[1].Pcn);
        Assert.Equal("Rejected by the clearinghouse (277CA)", rejected.GetProperty("outcome").GetString());
        Assert.Contains("Rejected for invalid information: Entity's National Provider Identifier (NPI) (rendering provider)",
            rejected.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));

        detail = await Batch(biller, batch.GetProperty("id").GetString()!);
        var rows = detail.GetProperty("claims").EnumerateArray().ToDictionary(c => c.GetProperty("patientControlNumber").GetString()!);
        Assert.Equal("AcceptedByClearinghouse", rows[claims[0].Pcn].GetProperty("state").GetString());
        Assert.Equal("RejectedByClearinghouse", rows[claims[1].Pcn].GetProperty("state").GetString());
        Assert.Contains("National Provider Identifier", rows[claims[1].Pcn].GetProperty("rejectionReasons")[0].GetString());

        // The payer's own 277CA (source = the claim's payer id) takes the accepted claim into adjudication with its claim number.
        var payer = Acks.Ack277(null, [new(claims[0].Pcn, true, PayerClaimNumber: "ACME-778899")], sourceId: "ACME1", icn: "000000278");
        await Json(await Import(biller, payer), HttpStatusCode.Created);
        rows = (await Batch(biller, batch.GetProperty("id").GetString()!)).GetProperty("claims").EnumerateArray().ToDictionary(c => c.GetProperty("patientControlNumber").GetString()!);
        Assert.Equal("AcceptedByPayer", rows[claims[0].Pcn].GetProperty("state").GetString());

        var list = await Json(await biller.GetAsync(North("acknowledgements?limit=2")), HttpStatusCode.OK);
        Assert.Equal(["277CA", "277CA"], list.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("kind").GetString()));
        Assert.NotEqual(JsonValueKind.Null, list.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task a_rejected_999_sends_every_claim_of_the_batch_back_with_the_segment_error_in_words()
    {
        var (biller, batch, _) = await Sent();
        var result = await Json(await Import(biller, Acks.Ack999("1", "0001", "R")), HttpStatusCode.Created);
        Assert.Equal(2, result.GetProperty("acknowledgement").GetProperty("rejected").GetInt32());
        var detail = await Batch(biller, batch.GetProperty("id").GetString()!);
        Assert.Equal("Rejected", detail.GetProperty("batch").GetProperty("state").GetString());
        Assert.All(detail.GetProperty("claims").EnumerateArray(), c =>
        {
            Assert.Equal("RejectedByClearinghouse", c.GetProperty("state").GetString());
            Assert.Contains(c.GetProperty("rejectionReasons").EnumerateArray(), r => r.GetString()!.StartsWith("Segment N4 (number 12 in the claim file, loop 2010AA)", StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task the_same_file_twice_changes_nothing_and_says_so()
    {
        var (biller, batch, claims) = await Sent();
        var ack = Acks.Ack277("B000000001", [new(claims[0].Pcn, false)]);
        var first = await Json(await Import(biller, ack), HttpStatusCode.Created);
        var again = await Json(await Import(biller, ack), HttpStatusCode.OK);
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        Assert.Contains("already imported", again.GetProperty("message").GetString());
        Assert.Equal(first.GetProperty("acknowledgement").GetProperty("id").GetString(), again.GetProperty("acknowledgement").GetProperty("id").GetString());
        var list = await Json(await biller.GetAsync(North("acknowledgements")), HttpStatusCode.OK);
        Assert.Single(list.GetProperty("items").EnumerateArray());
        var detail = await Batch(biller, batch.GetProperty("id").GetString()!);
        Assert.Equal(1, detail.GetProperty("batch").GetProperty("claimsRejected").GetInt32());
    }

    [Fact]
    public async Task malformed_or_unmatched_files_are_refused_with_segment_and_position_and_nothing_is_applied()
    {
        var (biller, batch, claims) = await Sent();
        var good = Acks.Ack277("B000000001", [new(claims[0].Pcn, false), new("NOT-OURS-1", false)]);
        var unmatched = await Json(await Import(biller, good), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("NOT-OURS-1", unmatched.GetProperty("detail").GetString());
        Assert.True(unmatched.GetProperty("segment").GetInt32() > 1);
        Assert.True(unmatched.GetProperty("position").GetInt64() > 1);
        Assert.All(await States(biller, batch), s => Assert.Equal("Batched", s));

        var cut = Acks.Ack999("1", "0001", "R")[..200];
        var refused = await Json(await Import(biller, cut), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(JsonValueKind.Number, refused.GetProperty("segment").ValueKind);
        Assert.Contains("segment", refused.GetProperty("detail").GetString());

        var otherGroup = await Json(await Import(biller, Acks.Ack999("77", "0001", "R")), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("group control number 77", otherGroup.GetProperty("detail").GetString());
        Assert.Equal(4, otherGroup.GetProperty("segment").GetInt32());

        var remit = await Json(await Import(biller, Acks.Remit835()), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("835", remit.GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Import(biller, "hello")).StatusCode);
        Assert.All(await States(biller, batch), s => Assert.Equal("Batched", s));
        Assert.Empty((await Json(await biller.GetAsync(North("acknowledgements")), HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task a_multipart_upload_works_like_a_raw_body()
    {
        var (biller, batch, _) = await Sent(1);
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.ASCII.GetBytes(Acks.Ack999("1", "0001", "A"))), "file", "ack999.x12" } };
        var result = await Json(await biller.PostAsync(North("acknowledgements"), form), HttpStatusCode.Created);
        Assert.Equal("ack999.x12", result.GetProperty("acknowledgement").GetProperty("fileName").GetString());
        var id = result.GetProperty("acknowledgement").GetProperty("id").GetString();
        var read = await Json(await biller.GetAsync(North($"acknowledgements/{id}")), HttpStatusCode.OK);
        Assert.Equal(batch.GetProperty("id").GetString(), read.GetProperty("batchIds")[0].GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await biller.GetAsync(North($"acknowledgements/{Guid.NewGuid()}"))).StatusCode);
        var riverside = await App.ClientFor(Users.RiversideAdmin);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(North($"acknowledgements/{id}"))).StatusCode);
    }

    [Fact]
    public async Task the_inbox_check_imports_acknowledgements_and_hands_an_835_to_payments()
    {
        var (biller, batch, claims) = await Sent();
        var inbox = Path.Combine(App.SubmissionDirectory, DemoData.NorthClinic.ToString("N"), "inbox");
        Directory.CreateDirectory(inbox);
        await File.WriteAllTextAsync(Path.Combine(inbox, "a-999.x12"), Acks.Ack999("1", "0001", "A"));
        await File.WriteAllTextAsync(Path.Combine(inbox, "b-remit.835"), Acks.Remit835());

        var check = await Json(await biller.PostAsync(North("inbox/check"), null), HttpStatusCode.OK);
        var files = check.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);
        Assert.Equal("imported", files["a-999.x12"].GetProperty("outcome").GetString());
        // The 835 goes to the payments feature's one import: this sample has no payment (BPR), so payments refuses it, records the
        // refusal on its remittance list and the file leaves the inbox (checking again would only refuse it again).
        Assert.Equal("refused", files["b-remit.835"].GetProperty("outcome").GetString());
        Assert.True(File.Exists(Path.Combine(inbox, "processed", "b-remit.835")));
        var remittances = await Json(await biller.GetAsync($"/api/v1/practices/{DemoData.NorthClinic}/remittances"), HttpStatusCode.OK);
        Assert.Contains(remittances.GetProperty("items").EnumerateArray(),
            r => r.GetProperty("fileName").GetString() == "b-remit.835" && r.GetProperty("state").GetString() == "Refused");
        Assert.True(File.Exists(Path.Combine(inbox, "processed", "a-999.x12")));
        Assert.Equal("Accepted", (await Batch(biller, batch.GetProperty("id").GetString()!)).GetProperty("batch").GetProperty("state").GetString());

        // The background poller's round does the same for every practice.
        await File.WriteAllTextAsync(Path.Combine(inbox, "c-277.x12"), Acks.Ack277("B000000001", [new(claims[0].Pcn, false)]));
        Assert.Equal(1, await App.Services.GetRequiredService<InboxPoller>().RunOnceAsync(CancellationToken.None));
        Assert.Contains("RejectedByClearinghouse", await States(biller, batch));
    }
}
