using Portal.Web.Features.PatientBalances;
using static Portal.Tests.Intake.Given;
using static Portal.Tests.PatientBalances.PayerSide;

namespace Portal.Tests.PatientBalances;

/// <summary>
/// Issue 13's "Done when", through the API in one walk: a practice runs statements, the patient opens the mailed link and pays
/// through the fake Stripe, the webhook (delivered twice, and once with a bad signature) posts exactly one payment, the ledger and
/// aging update, a refund reverses it; a second payment's webhooks delivered 10 times in parallel post once.
/// The same walk in a browser: <see cref="PatientPaysOnlineInBrowser"/>.
/// </summary>
public class DoneWhenWalk(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task statements_pay_link_stripe_checkout_webhooks_exactly_once_ledger_and_aging_refund_and_ten_concurrent_deliveries()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var patient = await RegisteredPatient(biller, "DW-1");
        var claim = await Claim(App, patient.Id, 120m, DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-10)));
        await Paid(App, claim, patient.Id, 120m, paid: 56m, contractual: 0m, deductible: 50m, coinsurance: 14m);
        Assert.True((await biller.PutAsJsonAsync(North($"patients/{patient.Id}/statement-email"),
            new SetStatementEmail("dw@patient.test"))).IsSuccessStatusCode);
        var before = await Ledger(App, biller, patient.Id);
        Assert.Equal((64m, 64m), (before.Balance, before.Aging.Current));

        // The practice runs statements; the patient gets the mail with the link.
        var run = await StatementRuns.RunToTheEnd(biller, StatementDelivery.Email);
        Assert.Equal((RunStatus.Completed, 1, 1), (run.Status, run.Issued, run.Emailed));
        var link = LinkIn((await App.Mail.WaitForMessageTo("dw@patient.test")).Text);

        // The patient opens the link (no login) and pays through Stripe Checkout.
        var session = await StartCheckout(App, link);
        Assert.Equal(6400, (long)App.Stripe.Sessions[session]["amount_total"]!);
        var (completed, succeeded) = App.Stripe.Complete(session);

        // Stripe delivers the event, retries it, and someone forges one: one payment.
        Assert.Equal(HttpStatusCode.OK, (await App.Stripe.Deliver(completed)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await App.Stripe.Deliver(completed)).StatusCode);
        var forged = await App.Stripe.Deliver(completed, secret: "whsec_someone_else");
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await App.Stripe.Deliver(succeeded)).StatusCode);

        var paid = await Ledger(App, biller, patient.Id);
        var payment = Assert.Single(paid.Payments);
        Assert.Equal((64m, PatientPaymentMethod.Online), (payment.Amount, payment.Method));
        Assert.Equal(0m, paid.Balance);
        Assert.Equal(0m, paid.Aging.Total);
        Assert.Equal(64m, paid.PatientPaid);

        // The practice refunds it (through Stripe; Stripe's charge.refunded for it changes nothing more).
        var refund = await Created<RefundPosted>(await biller.PostAsJsonAsync(North($"patients/{patient.Id}/payments/{payment.PaymentId}/refunds"),
            new RefundPatientPayment(64m, "Paid by the insurer after all", "Dana Admin")));
        Assert.StartsWith("re_", refund.StripeRefundId);
        await WaitForWebhook("charge.refunded");
        var refunded = await Ledger(App, biller, patient.Id);
        Assert.Equal((64m, 64m, 64m), (refunded.Balance, refunded.Refunded, refunded.Aging.Current));
        Assert.Single(refunded.Entries, e => e.Kind == "refund");

        // The patient pays again; Stripe's two events for it arrive ten times at once: one more payment.
        var again = await StartCheckout(App, link);
        var (completed2, succeeded2) = App.Stripe.Complete(again);
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => App.Stripe.Deliver(i % 2 == 0 ? completed2 : succeeded2)));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));

        var end = await Ledger(App, biller, patient.Id);
        Assert.Equal(2, end.Payments.Count);
        Assert.Equal(0m, end.Balance);
        Assert.Equal(0m, end.Aging.Total);
        Assert.Equal(128m, end.PatientPaid);
    }

    async Task WaitForWebhook(string type)
    {
        for (var i = 0; i < 100 && !App.Stripe.Delivered.Any(p => p.Contains($"\"type\":\"{type}\"", StringComparison.Ordinal)); i++)
            await Task.Delay(50);
        await Task.Delay(100);
    }
}
