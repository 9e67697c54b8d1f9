using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Web.Features.PatientBalances;
using static Portal.Tests.Intake.Given;
using static Portal.Tests.PatientBalances.PayerSide;

namespace Portal.Tests.PatientBalances;

public class PatientPaysOnlineInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    readonly BrowserFixture browsers = browser;

    async Task NoSeriousAxeViolations(IPage page)
    {
        var axe = await page.RunAxeInPage();
        var serious = axe.SeriousViolations();
        Assert.True(serious.Count == 0, $"{page.Url}: " + string.Join("; ", serious));
    }

    async Task<string> BalanceAfterReload(string url, string expected)
    {
        for (var i = 0; i < 50; i++)
        {
            await Page.GotoAsync(url);
            var text = (await Page.Locator("#balance").InnerTextAsync()).Trim();
            if (text == expected) return text;
            await Task.Delay(200);
        }
        return (await Page.Locator("#balance").InnerTextAsync()).Trim();
    }

    [Fact]
    public async Task the_practice_runs_statements_the_patient_pays_through_stripe_the_ledger_updates_and_a_refund_reverses_it()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var patient = await Created<Patient>(await biller.PostAsJsonAsync(North("patients"), Portal.Tests.Intake.Given.Patient("W-1") with { FirstName = "Alma" }));
        var claim = await Claim(App, patient.Id, 120m);
        await Paid(App, claim, patient.Id, 120m, 56m, 0m, 50m, 14m);
        await biller.PutAsJsonAsync(North($"patients/{patient.Id}/statement-email"), new SetStatementEmail("alma@patient.test"));
        await Settled(App);
        var root = $"/practices/{DemoData.NorthClinic}";

        await SignIn(Users.NorthBiller, at: $"{root}/statements");
        await NoSeriousAxeViolations(Page);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Run statements now" }).ClickAsync();
        await Assertions.Expect(Page.Locator(".run-status").First).ToHaveTextAsync("Completed", new() { Timeout = 30_000 });
        var link = LinkIn((await App.Mail.WaitForMessageTo("alma@patient.test")).Text);

        // The patient, in a browser of their own, with no Portal account.
        await using var patientContext = await browsers.Browser.NewContextAsync();
        var payer = await patientContext.NewPageAsync();
        await payer.GotoAsync(link);
        await Assertions.Expect(payer.Locator("#amount-due")).ToHaveTextAsync("$64.00");
        await Assertions.Expect(payer.GetByText("Hello Alma,")).ToBeVisibleAsync();
        Assert.DoesNotContain("Tester", await payer.ContentAsync());
        await NoSeriousAxeViolations(payer);
        await payer.GetByRole(AriaRole.Button, new() { Name = "Pay $64.00 by card" }).ClickAsync();
        await Assertions.Expect(payer.GetByRole(AriaRole.Heading, new() { Name = "Fake Stripe Checkout" })).ToBeVisibleAsync();
        await payer.GetByRole(AriaRole.Button, new() { Name = "Pay" }).ClickAsync();
        await Assertions.Expect(payer.GetByRole(AriaRole.Status)).ToContainTextAsync("Thank you");

        // Stripe retries the checkout event (the same event, twice more) and a forger sends it signed with another secret.
        var completed = App.Stripe.Delivered.First(p => p.Contains("\"checkout.session.completed\"", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await App.Stripe.Deliver(completed)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await App.Stripe.Deliver(completed)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await App.Stripe.Deliver(completed, secret: "whsec_forged")).StatusCode);

        var ledgerUrl = $"{root}/patients/{patient.Id}/ledger";
        Assert.Equal("$0.00", await BalanceAfterReload(ledgerUrl, "$0.00"));
        await Assertions.Expect(Page.Locator("table[aria-label='Aging'] tbody td").First).ToHaveTextAsync("$0.00");
        await Assertions.Expect(Page.Locator("table[aria-label='Patient payments'] tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(Page.Locator("table[aria-label='Patient payments']")).ToContainTextAsync("Online");
        await NoSeriousAxeViolations(Page);

        // The biller may not refund (practice admin or biller may: the biller here), so the refund goes through Stripe and back.
        await Page.GetByLabel("Reason").First.FillAsync("Patient paid twice");
        await Page.GetByLabel("Approved by").First.FillAsync("Dana Admin");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Refund" }).First.ClickAsync();
        Assert.Equal("$64.00", await BalanceAfterReload(ledgerUrl, "$64.00"));
        await Assertions.Expect(Page.Locator("#refunded")).ToHaveTextAsync("$64.00");
        await Assertions.Expect(Page.Locator("table[aria-label='Aging'] tbody td").First).ToHaveTextAsync("$64.00");
        Assert.Single(App.Stripe.Refunds);

        var ledger = await Ledger(App, biller, patient.Id);
        Assert.Single(ledger.Payments);
        Assert.Equal(64m, ledger.Aging.Current);
    }
}
