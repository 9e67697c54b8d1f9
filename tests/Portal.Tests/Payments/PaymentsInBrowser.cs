using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Demo;
using static Portal.Tests.Payments.PaymentsGiven;

namespace Portal.Tests.Payments;

public class PaymentsInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    static readonly string Root = $"/practices/{DemoData.NorthClinic}";

    async Task NoSeriousAxeViolations(string where)
    {
        var axe = await Page.RunAxeInPage();
        var serious = axe.SeriousViolations();
        Assert.True(serious.Count == 0, where + ": " + string.Join("; ", serious));
    }

    [Fact]
    public async Task a_biller_posts_an_835_sees_balances_re_uploads_it_appeals_a_denial_and_sees_aging_and_the_dashboard()
    {
        var paid = await SubmittedClaim(App, "N-0001", ("99213", 150), ("17110", 200));
        await SubmittedClaim(App, "N-0002", ("73721", 900));
        await SubmittedClaim(App, "N-0003", ("99214", 200));
        await SubmittedClaim(App, "N-0004", ("99213", 100));
        var biller = await App.ClientFor(Users.NorthBiller);
        await Import(biller, new Remit("EFT-EARLIER", [new Clp("N-0004", "1", [Svc.Of("99213", 100, new Cas("CO", "45", 10))], "P4")],
            Date: new DateOnly(2026, 3, 9)));
        var remit = new Remit("EFT-0316",
        [
            new Clp("N-0001", "1", [Svc.Of("99213", 150, new Cas("CO", "45", 50), new Cas("PR", "3", 20)), Svc.Of("17110", 200, new Cas("CO", "45", 80), new Cas("PR", "1", 50), new Cas("PR", "2", 14))]),
            new Clp("N-0002", "4", [new Svc("73721", 900, [new Cas("CO", "197", 900)], ["M62"])]),
            new Clp("N-0003", "1", [Svc.Of("99214", 200, new Cas("CO", "45", 50), new Cas("PR", "2", 30), new Cas("OA", "23", 100))]),
            new Clp("N-0004", "22", [Svc.Of("99213", 100, new Cas("CO", "45", 10))], "P4"),
            new Clp("N-0004", "1", [Svc.Of("99213", 100, new Cas("CO", "45", 25))], "P4"),
        ], [("WO", "ACME24110500077", 25)]);
        var file = Path.Combine(Path.GetTempPath(), $"acme-{Guid.NewGuid():N}.835");
        await File.WriteAllBytesAsync(file, remit.Bytes());

        await SignIn(Users.NorthBiller, at: Root);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Payments", Exact = true }).ClickAsync();
        await Page.GetByLabel("835 file").SetInputFilesAsync(file);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Upload and post" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#upload-result")).ToContainTextAsync("Posted.");
        await Assertions.Expect(Page.Locator("#upload-result")).ToContainTextAsync("Posted 5 claim payment(s)");
        await NoSeriousAxeViolations("payments");

        // The remittance: claims posted with adjustments in plain words, the PLB on the payer's account.
        await Page.Locator("#upload-result").GetByRole(AriaRole.Link, new() { Name = "Open the remittance" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Remittance" })).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator("main")).ToContainTextAsync("Charge exceeds the fee schedule or contracted amount.");
        await Assertions.Expect(Page.Locator("main")).ToContainTextAsync("Precertification or authorization was absent.");
        await Assertions.Expect(Page.Locator("main")).ToContainTextAsync("reversal of a previous payment");
        await Assertions.Expect(Page.Locator("main")).ToContainTextAsync("overpayment recovery");
        await NoSeriousAxeViolations("remittance");

        // Balances to the cent (ledger API), then the same file again: already posted, nothing posted.
        Assert.Equal((136m, 84m, 0m), await Balance(biller, paid));
        await Page.GotoAsync($"{Root}/payments");
        await Page.GetByLabel("835 file").SetInputFilesAsync(file);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Upload and post" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#upload-result")).ToContainTextAsync("Already posted.");
        Assert.Equal((136m, 84m, 0m), await Balance(biller, paid));

        // The denial: open it, appeal with a letter.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Denials", Exact = true }).First.ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Denial work items" })).ToContainTextAsync("Authorization");
        await NoSeriousAxeViolations("denials");
        await Page.GetByRole(AriaRole.Link, new() { Name = "N-0002" }).ClickAsync();
        await Assertions.Expect(Page.Locator("main")).ToContainTextAsync("Request a retro-authorization or appeal");
        await Page.GetByLabel("Why the payer should pay").FillAsync("Authorization 123 was obtained by phone on 2026-02-27.");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Appeal and make the letter" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#item-state")).ToHaveTextAsync("appealed");
        var letter = Page.GetByRole(AriaRole.Link, new() { Name = "Appeal letter (PDF)" });
        await Assertions.Expect(letter).ToBeVisibleAsync();
        var pdf = await Page.APIRequest.GetAsync(await letter.GetAttributeAsync("href") ?? "");
        Assert.Equal("application/pdf", pdf.Headers["content-type"]);
        await NoSeriousAxeViolations("denial");

        // Aging and the dashboard show it.
        await Page.GetByRole(AriaRole.Link, new() { Name = "A/R aging" }).ClickAsync();
        await Page.GetByLabel("As of").FillAsync("2026-03-20");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#ar-patient")).ToHaveTextAsync("114.00"); // 84 + 30
        await NoSeriousAxeViolations("aging");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Collections dashboard" }).ClickAsync();
        await Page.GetByLabel("From", new() { Exact = true }).FillAsync("2026-03-01");
        await Page.GetByLabel("To", new() { Exact = true }).FillAsync("2026-03-31");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#kpi-payments")).ToHaveTextAsync("231.00"); // 90 − 90 + 75 + 136 + 20
        await Assertions.Expect(Page.Locator("#kpi-denial")).ToHaveTextAsync("25.0%");
        await Assertions.Expect(Page.GetByRole(AriaRole.Img, new() { Name = "Payments by month" })).ToBeVisibleAsync();
        await NoSeriousAxeViolations("dashboard");
        File.Delete(file);
    }

    static async Task<(decimal Paid, decimal Patient, decimal Open)> Balance(HttpClient client, Guid claim)
    {
        var b = await ClaimBalance(client, claim);
        return (b.Paid, b.PatientResponsibility, b.Open);
    }
}
