using System.Text;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Demo;
using static Portal.Tests.Claims.Submission.SubmissionGiven;

namespace Portal.Tests.Claims.Submission;

public class SubmissionInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task a_biller_batches_downloads_the_837p_uploads_a_999_and_a_277ca_and_sees_the_rejected_claim_with_its_reason()
    {
        await SetUp(App);
        var claims = await ReadyClaims(App, DemoData.NorthClinic, PayerA, 2);
        await SignIn(Users.NorthBiller, at: $"/practices/{DemoData.NorthClinic}/claims/submission");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Claim submission" }).WaitForAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Ready claims by payer" })).ToContainTextAsync("Acme Health Plan");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Create and send batches" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("1 batch created: 000000001");
        var batches = Page.GetByRole(AriaRole.Table, new() { Name = "Claim batches" });
        await Assertions.Expect(batches).ToContainTextAsync("Sent");

        var download = await Page.RunAndWaitForDownloadAsync(() => batches.GetByRole(AriaRole.Link, new() { Name = "Download 837P" }).ClickAsync());
        var path = await download.PathAsync();
        var x12 = await File.ReadAllTextAsync(path);
        Validator837.AssertValid(x12);
        Assert.StartsWith("837P-000000001-ACME-HEALTH-PLAN-", download.SuggestedFilename);

        await Upload("ack.999", Acks.Ack999("1", "0001", "A"));
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("999 imported");
        await Assertions.Expect(batches).ToContainTextAsync("999 accepted");

        await Upload("ack.277", Acks.Ack277("B000000001", [new(claims[0].Pcn, true), new(claims[1].Pcn, false)]));
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("1 accepted, 1 rejected");
        var acks = Page.GetByRole(AriaRole.Table, new() { Name = "Imported acknowledgements" });
        await Assertions.Expect(acks).ToContainTextAsync($"{claims[1].Pcn} (Tester1, Tess): Rejected by the clearinghouse (277CA)");
        await Assertions.Expect(acks).ToContainTextAsync("Entity's National Provider Identifier (NPI) (rendering provider)");

        var axe = await Page.RunAxeInPage();
        var serious = axe.SeriousViolations();
        Assert.True(serious.Count == 0, string.Join("; ", serious));

        await batches.GetByRole(AriaRole.Link, new() { Name = "000000001" }).ClickAsync();
        var rows = Page.GetByRole(AriaRole.Table, new() { Name = "Claims in this batch" });
        await Assertions.Expect(rows.GetByRole(AriaRole.Row).Filter(new() { HasText = claims[1].Pcn })).ToContainTextAsync("rejected by the clearinghouse");
        await Assertions.Expect(rows.GetByRole(AriaRole.Row).Filter(new() { HasText = claims[1].Pcn })).ToContainTextAsync("National Provider Identifier");
        await Assertions.Expect(rows.GetByRole(AriaRole.Row).Filter(new() { HasText = claims[0].Pcn })).ToContainTextAsync("accepted by the clearinghouse");
        axe = await Page.RunAxeInPage();
        serious = axe.SeriousViolations();
        Assert.True(serious.Count == 0, string.Join("; ", serious));
    }

    async Task Upload(string name, string x12)
    {
        await Page.GetByLabel("999 or 277CA file").SetInputFilesAsync(new FilePayload { Name = name, MimeType = "application/edi-x12", Buffer = Encoding.ASCII.GetBytes(x12) });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
    }
}

public class SubmissionPages(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task an_admin_saves_the_trading_partner_on_the_page_and_a_biller_sees_it_read_only()
    {
        var admin = await App.SignedInBrowser(Users.NorthAdmin);
        var url = $"/practices/{DemoData.NorthClinic}/claims/submission";
        var form = await admin.GetStringAsync(url);
        var response = await admin.PostAsync(url + "?handler=Settings", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["SubmitterName"] = "North Clinic Billing", ["SubmitterId"] = "NORTHCLINIC01", ["SenderQualifier"] = "ZZ", ["ContactName"] = "Claims Desk",
            ["ContactPhone"] = "555-555-0100", ["ClearinghouseName"] = "Clearing House One", ["ReceiverName"] = "Clearing House One",
            ["ReceiverId"] = "CLEARHOUSE01", ["ReceiverQualifier"] = "ZZ", ["Usage"] = "T", ["Grouping"] = "Payer", ["Transport"] = "Outbox",
            ["Sftp.Port"] = "22", ["__RequestVerificationToken"] = PortalApp.AntiforgeryToken(form),
        }));
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Trading-partner settings saved.", html);

        var biller = await App.SignedInBrowser(Users.NorthBiller);
        var page = await biller.GetStringAsync(url);
        Assert.Contains("value=\"CLEARHOUSE01\"", page);
        Assert.Contains("Only a practice administrator changes these settings.", page);
        var billerPost = await biller.PostAsync(url + "?handler=Settings", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["SubmitterId"] = "HIJACK", ["__RequestVerificationToken"] = PortalApp.AntiforgeryToken(page),
        }));
        Assert.Equal(HttpStatusCode.Redirect, billerPost.StatusCode);
        Assert.Contains("/account/access-denied", billerPost.Headers.Location!.OriginalString);
        Assert.Contains("value=\"CLEARHOUSE01\"", await biller.GetStringAsync(url));

        var coder = await App.SignedInBrowser(Users.NorthCoder);
        var denied = await coder.GetAsync(url);
        Assert.Contains("/account/access-denied", denied.Headers.Location!.OriginalString);
    }
}
