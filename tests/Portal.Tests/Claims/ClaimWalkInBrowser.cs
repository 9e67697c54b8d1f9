using System.Text;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Tests.Claims.Submission;
using Portal.Web.Features.Demo;

namespace Portal.Tests.Claims;

/// <summary>
/// Issue 11, "Done when", in the browser: a biller signs in, sees the claim drafted from an approved encounter, fixes a scrubber
/// error, batches, downloads an 837P the independent validator accepts, uploads a 999 and a 277CA that reject the claim, fixes and
/// re-submits it, and prints the CMS-1500. axe finds no serious violation in any of the page states on the way.
/// </summary>
public class ClaimWalkInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    static readonly string Root = $"/practices/{DemoData.NorthClinic}";

    async Task NoSeriousAxeViolations(string state)
    {
        var axe = await Page.RunAxeInPage();
        var serious = axe.SeriousViolations();
        Assert.True(serious.Count == 0, $"{state}: {string.Join("; ", serious)}");
    }

    [Fact]
    public async Task a_biller_takes_an_approved_encounter_to_an_accepted_claim_and_prints_its_cms1500()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        Assert.True((await SubmissionGiven.PutSettings(admin, SubmissionGiven.PartnerSettings())).IsSuccessStatusCode);
        var (_, claim) = await ClaimsGiven.ApprovedClaim(App);

        await SignIn(Users.NorthBiller, at: "/");
        var card = Page.Locator("[data-slot='claims-needing-work']");
        await Assertions.Expect(card).ToContainTextAsync("Claims needing work");
        await NoSeriousAxeViolations("home");

        await card.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^(Fix|Open the) claims$") }).ClickAsync();
        var table = Page.GetByRole(AriaRole.Table, new() { Name = "Claims" });
        await Assertions.Expect(table).ToContainTextAsync(claim.PatientName);
        await NoSeriousAxeViolations("work queue");

        // The provider also drew blood: the biller adds the line and the scrubber says it points at no diagnosis.
        await table.GetByRole(AriaRole.Link, new() { Name = claim.PatientControlNumber }).ClickAsync();
        await Page.WaitForURLAsync($"**/claims/{claim.Id}");
        var lines = Page.GetByRole(AriaRole.Table, new() { Name = "Service lines" });
        await Page.GetByLabel("Line 2 code").FillAsync("36415");
        await Page.GetByLabel("Why (kept in the history)").FillAsync("Venipuncture documented");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save codes" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Codes saved and checked again.");
        await Assertions.Expect(lines).ToContainTextAsync("line-pointer-missing");
        await NoSeriousAxeViolations("claim with a scrubber error");

        await Page.GetByLabel("Line 2 diagnosis pointers").FillAsync("2");
        await Page.GetByLabel("Why (kept in the history)").FillAsync("Pointed the draw at E11.9");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save codes" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Codes saved and checked again.");
        await Assertions.Expect(lines).Not.ToContainTextAsync("line-pointer-missing");
        await MarkReady();
        await NoSeriousAxeViolations("claim ready");

        // Batch, download, validate.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Claim submission" }).ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create and send batches" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("1 batch created: 000000001");
        var first = await Download("000000001");
        Assert.Contains($"CLM*{claim.PatientControlNumber}*", first);
        Assert.Contains("SV1*HC:36415*", first);
        await NoSeriousAxeViolations("batch sent");

        // The clearinghouse's answers: the 999 accepts the file, the 277CA rejects the claim for its diagnosis codes.
        await Upload("ack.999", Acks.Ack999("1", "0001", "A"));
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("999 imported");
        await Upload("ack.277", Acks.Ack277("B000000001", [new(claim.PatientControlNumber, false, Rejection: "A7:255")]));
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("0 accepted, 1 rejected");
        var acks = Page.GetByRole(AriaRole.Table, new() { Name = "Imported acknowledgements" });
        await Assertions.Expect(acks).ToContainTextAsync("Rejected for invalid information: Diagnosis code(s) for the services rendered");
        await NoSeriousAxeViolations("277CA rejected the claim");

        // From the rejection to the claim: the reason is on it; diabetes goes first, the claim is ready again and sent again.
        await acks.GetByRole(AriaRole.Link, new() { Name = claim.PatientControlNumber }).ClickAsync();
        await Page.WaitForURLAsync($"**/claims/{claim.Id}");
        await Assertions.Expect(Page.Locator(".alert.bad")).ToContainTextAsync("Diagnosis code(s) for the services rendered");
        await Assertions.Expect(Page.Locator(".subtitle .badge").First).ToHaveTextAsync("Rejected by clearinghouse");
        await NoSeriousAxeViolations("rejected claim");
        await Page.GetByLabel("Diagnosis A").FillAsync("E11.9");
        await Page.GetByLabel("Diagnosis B").FillAsync("I10");
        await Page.GetByLabel("Line 1 diagnosis pointers").FillAsync("1,2");
        await Page.GetByLabel("Line 2 diagnosis pointers").FillAsync("1");
        await Page.GetByLabel("Why (kept in the history)").FillAsync("277CA: E11.9 is the first-listed diagnosis");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save codes" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Codes saved and checked again.");
        await MarkReady();

        await Page.GetByRole(AriaRole.Link, new() { Name = "Claim submission" }).ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create and send batches" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("1 batch created: 000000002");
        var second = await Download("000000002");
        Assert.Contains("HI*ABK:E119*ABF:I10~", second);
        await NoSeriousAxeViolations("claim sent again");

        // The batch page leads back to the claim, which prints.
        var batches = Page.GetByRole(AriaRole.Table, new() { Name = "Claim batches" });
        await batches.GetByRole(AriaRole.Link, new() { Name = "000000002" }).ClickAsync();
        var inBatch = Page.GetByRole(AriaRole.Table, new() { Name = "Claims in this batch" });
        await Assertions.Expect(inBatch).ToContainTextAsync("batched");
        await NoSeriousAxeViolations("batch page");
        await inBatch.GetByRole(AriaRole.Link, new() { Name = claim.PatientControlNumber }).ClickAsync();
        await Page.WaitForURLAsync($"**/claims/{claim.Id}");
        await Assertions.Expect(Page.Locator(".subtitle .badge").First).ToHaveTextAsync("In a batch");
        await Assertions.Expect(Page.Locator(".timeline")).ToContainTextAsync("277CA: E11.9 is the first-listed diagnosis");
        var pdf = await Page.RunAndWaitForDownloadAsync(() => Page.GetByRole(AriaRole.Link, new() { Name = "Download CMS-1500 (PDF)" }).ClickAsync());
        Assert.Equal("%PDF", Encoding.ASCII.GetString((await File.ReadAllBytesAsync((await pdf.PathAsync())!))[..4]));
        await NoSeriousAxeViolations("claim in its second batch");
    }

    /// <summary>Overrides any warning that needs a reason, then marks the claim ready.</summary>
    async Task MarkReady()
    {
        while (await Page.GetByRole(AriaRole.Button, new() { Name = "Override" }).CountAsync() > 0)
        {
            await Page.GetByPlaceholder("Why it does not apply").First.FillAsync("Reviewed with the provider");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Override" }).First.ClickAsync();
            await Assertions.Expect(Page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Warning overridden.");
        }
        await Page.GetByRole(AriaRole.Button, new() { Name = "Mark ready" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status).First).ToContainTextAsync("The claim is ready to send.");
        await Assertions.Expect(Page.Locator(".subtitle .badge").First).ToHaveTextAsync("Ready to send");
    }

    async Task<string> Download(string controlNumber)
    {
        var row = Page.GetByRole(AriaRole.Table, new() { Name = "Claim batches" }).GetByRole(AriaRole.Row).Filter(new() { HasText = controlNumber });
        var download = await Page.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Link, new() { Name = "Download 837P" }).ClickAsync());
        Assert.StartsWith($"837P-{controlNumber}-", download.SuggestedFilename);
        var x12 = await File.ReadAllTextAsync((await download.PathAsync())!);
        Validator837.AssertValid(x12);
        return x12;
    }

    async Task Upload(string name, string x12)
    {
        await Page.GetByLabel("999 or 277CA file").SetInputFilesAsync(new FilePayload { Name = name, MimeType = "application/edi-x12", Buffer = Encoding.ASCII.GetBytes(x12) });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
    }
}
