using System.Text.Json;
using Portal.Web.Features.Claims.Submission;
using Portal.Web.Features.Demo;
using static Portal.Tests.Claims.Submission.SubmissionGiven;

namespace Portal.Tests.Claims.Submission;

/// <summary>The SFTP transport against a real OpenSSH sshd (<see cref="SftpServer"/>), key authentication, pinned host key.</summary>
public class SubmittingBySftp(PortalApp app) : PortalTest(app)
{
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        SftpServer.EnsureStarted();
        SftpServer.Clear();
    }

    static SftpAccount Account(string? hostKey = null) => new("127.0.0.1", SftpServer.Port, SftpServer.User, "test-sftp",
        SftpServer.RemoteOut, SftpServer.RemoteIn, hostKey ?? SftpServer.HostKeySha256);

    [Fact]
    public async Task batches_go_up_to_the_clearinghouse_and_acknowledgements_come_back_from_its_folder()
    {
        await SetUp(App, PartnerSettings(TransportKind.Sftp, sftp: Account()));
        var biller = await App.ClientFor(Users.NorthBiller);
        var claims = await ReadyClaims(App, DemoData.NorthClinic, PayerA, 2);
        var batch = (await CreateBatches(biller)).Single();
        Assert.Equal("Sent", batch.GetProperty("state").GetString());
        var uploaded = Path.Combine(SftpServer.RemoteOut, batch.GetProperty("fileName").GetString()!);
        Assert.True(File.Exists(uploaded), "the 837P is in the clearinghouse's folder");
        var x12 = await File.ReadAllTextAsync(uploaded);
        Validator837.AssertValid(x12);
        Assert.Empty(Directory.GetFiles(SftpServer.RemoteOut, "*.part"));

        // Re-sending replaces the file with the same bytes and logs a second send.
        File.Delete(uploaded);
        var resend = await Json(await biller.PostAsync(North($"batches/{batch.GetProperty("id").GetString()}/resend"), null), HttpStatusCode.OK);
        Assert.True(resend.GetProperty("send").GetProperty("succeeded").GetBoolean());
        Assert.StartsWith("sftp://127.0.0.1:", resend.GetProperty("send").GetProperty("detail").GetString());
        Assert.Equal(x12, await File.ReadAllTextAsync(uploaded));

        await File.WriteAllTextAsync(Path.Combine(SftpServer.RemoteIn, "ack-999.x12"), Acks.Ack999("1", "0001", "A"));
        await File.WriteAllTextAsync(Path.Combine(SftpServer.RemoteIn, "ack-277.x12"), Acks.Ack277("B000000001", [new(claims[0].Pcn, true), new(claims[1].Pcn, false)]));
        await File.WriteAllTextAsync(Path.Combine(SftpServer.RemoteIn, "era.835"), Acks.Remit835());
        var check = await Json(await biller.PostAsync(North("inbox/check"), null), HttpStatusCode.OK);
        var outcomes = check.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("outcome").GetString());
        Assert.Equal("imported", outcomes["ack-999.x12"]);
        Assert.Equal("imported", outcomes["ack-277.x12"]);
        Assert.Equal("refused", outcomes["era.835"]); // handed to payments, which refuses this payment-less sample and records it
        Assert.True(File.Exists(Path.Combine(SftpServer.RemoteIn, "processed", "era.835")));
        Assert.True(File.Exists(Path.Combine(SftpServer.RemoteIn, "processed", "ack-277.x12")));

        var detail = await Batch(biller, batch.GetProperty("id").GetString()!);
        Assert.Equal("Accepted", detail.GetProperty("batch").GetProperty("state").GetString());
        var states = detail.GetProperty("claims").EnumerateArray().ToDictionary(c => c.GetProperty("patientControlNumber").GetString()!, c => c.GetProperty("state").GetString());
        Assert.Equal("AcceptedByClearinghouse", states[claims[0].Pcn]);
        Assert.Equal("RejectedByClearinghouse", states[claims[1].Pcn]);

        // Checking again finds nothing new.
        var again = await Json(await biller.PostAsync(North("inbox/check"), null), HttpStatusCode.OK);
        Assert.Empty(again.GetProperty("files").EnumerateArray());
    }

    [Fact]
    public async Task a_server_showing_another_host_key_gets_nothing_and_the_failed_send_is_logged()
    {
        await SetUp(App, PartnerSettings(TransportKind.Sftp, sftp: Account(hostKey: new string('A', 43))));
        var biller = await App.ClientFor(Users.NorthBiller);
        await ReadyClaims(App, DemoData.NorthClinic, PayerA, 1);
        var batch = (await CreateBatches(biller)).Single();
        Assert.Equal("Created", batch.GetProperty("state").GetString());
        Assert.Empty(Directory.GetFiles(SftpServer.RemoteOut));
        var log = (await Batch(biller, batch.GetProperty("id").GetString()!)).GetProperty("sendLog").EnumerateArray().Single();
        Assert.False(log.GetProperty("succeeded").GetBoolean());
        Assert.Contains("127.0.0.1", log.GetProperty("detail").GetString());

        // Fixed settings, explicit re-send: same control numbers, now delivered.
        var admin = await App.ClientFor(Users.NorthAdmin);
        (await PutSettings(admin, PartnerSettings(TransportKind.Sftp, sftp: Account()))).EnsureSuccessStatusCode();
        var resend = await Json(await biller.PostAsync(North($"batches/{batch.GetProperty("id").GetString()}/resend"), null), HttpStatusCode.OK);
        Assert.True(resend.GetProperty("send").GetProperty("succeeded").GetBoolean());
        Assert.Single(Directory.GetFiles(SftpServer.RemoteOut));
        var detail = await Batch(biller, batch.GetProperty("id").GetString()!);
        Assert.Equal("Sent", detail.GetProperty("batch").GetProperty("state").GetString());
        Assert.Equal(2, detail.GetProperty("sendLog").GetArrayLength());
    }
}
