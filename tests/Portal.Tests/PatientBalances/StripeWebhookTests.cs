using System.Text.Json.Nodes;
using Portal.Web.Features.PatientBalances;
using static Portal.Tests.Intake.Given;
using static Portal.Tests.PatientBalances.PayerSide;

namespace Portal.Tests.PatientBalances;

public class StripeWebhooks(PortalApp app) : PortalTest(app)
{
    async Task<(HttpClient Biller, Guid PatientId)> PatientOwing(decimal owes = 64m)
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var patient = await RegisteredPatient(biller);
        var claim = await Claim(App, patient.Id, 120m);
        await Paid(App, claim, patient.Id, 120m, 120m - owes, 0m, owes, 0m);
        await Settled(App);
        return (biller, patient.Id);
    }

    [Fact]
    public async Task a_payment_sent_twice_and_once_with_a_bad_signature_posts_exactly_once()
    {
        var (biller, patientId) = await PatientOwing();
        var session = await StartCheckout(App, PayLink(App, patientId));
        var (completed, _) = App.Stripe.Complete(session);

        var first = await App.Stripe.Deliver(completed);
        var again = await App.Stripe.Deliver(completed);
        var forged = await App.Stripe.Deliver(completed, secret: "whsec_not_ours");
        var stale = await App.Stripe.Deliver(completed, at: DateTimeOffset.UtcNow.AddMinutes(-6));
        using var anon = App.Anonymous();
        var unsigned = await anon.PostAsync("/webhooks/stripe", new StringContent(completed, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        foreach (var refused in new[] { forged, stale, unsigned })
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        var ledger = await Ledger(App, biller, patientId);
        var payment = Assert.Single(ledger.Payments);
        Assert.Equal(64m, payment.Amount);
        Assert.Equal(PatientPaymentMethod.Online, payment.Method);
        Assert.Equal(0m, ledger.Balance);
        Assert.Equal(FakeStripe.SecretKey.Length > 0, App.Stripe.Requests.Any(r => r.Path == "/v1/checkout/sessions"));
    }

    [Fact]
    public async Task ten_concurrent_deliveries_and_both_event_types_post_one_payment()
    {
        var (biller, patientId) = await PatientOwing(30m);
        var session = await StartCheckout(App, PayLink(App, patientId));
        var (completed, succeeded) = App.Stripe.Complete(session);

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => App.Stripe.Deliver(i % 2 == 0 ? completed : succeeded)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var ledger = await Ledger(App, biller, patientId);
        Assert.Single(ledger.Payments);
        Assert.Equal(0m, ledger.Balance);
        Assert.Equal(30m, ledger.PatientPaid);
    }

    [Fact]
    public async Task a_refund_arriving_before_its_payment_posts_after_it_and_a_dispute_reverses_the_payment()
    {
        var (biller, patientId) = await PatientOwing(64m);
        var session = await StartCheckout(App, PayLink(App, patientId));
        var (completed, succeeded) = App.Stripe.Complete(session);
        var intent = Obj(succeeded)["id"]!.ToString();
        var refunded = App.Stripe.Event("charge.refunded", App.Stripe.ChargeRefunded(intent, 6400, 1000, ("re_test_early", 1000)), null);

        Assert.Equal(HttpStatusCode.OK, (await App.Stripe.Deliver(refunded)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await App.Stripe.Deliver(succeeded)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await App.Stripe.Deliver(completed)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await App.Stripe.Deliver(refunded)).StatusCode);
        var afterRefund = await Ledger(App, biller, patientId);
        Assert.Equal(10m, afterRefund.Refunded);
        Assert.Equal(10m, afterRefund.Balance);

        var dispute = App.Stripe.Event("charge.dispute.created", FakeStripe.DisputeCreated(intent, 5400), null);
        await App.Stripe.Deliver(dispute);
        await App.Stripe.Deliver(dispute);
        var afterDispute = await Ledger(App, biller, patientId);
        Assert.Equal(54m, afterDispute.Disputed);
        Assert.Equal(64m, afterDispute.Balance);
    }

    [Fact]
    public async Task a_refund_from_the_portal_goes_through_stripe_once_and_its_webhook_does_not_post_it_again()
    {
        var (biller, patientId) = await PatientOwing(64m);
        var session = await StartCheckout(App, PayLink(App, patientId));
        var (completed, _) = App.Stripe.Complete(session);
        await App.Stripe.Deliver(completed);
        var paymentId = (await Ledger(App, biller, patientId)).Payments.Single().PaymentId;

        var refund = await Created<RefundPosted>(await biller.PostAsJsonAsync(North($"patients/{patientId}/payments/{paymentId}/refunds"),
            new RefundPatientPayment(64m, "Paid twice by mistake", "Dana Admin")));
        // Stripe's charge.refunded for the same refund arrives (the fake sends it, as Stripe does); deliver it once more ourselves.
        var charge = App.Stripe.ChargeRefunded(Obj(completed)["payment_intent"]!.ToString(), 6400, 6400, (refund.StripeRefundId!, 6400));
        await App.Stripe.Deliver(App.Stripe.Event("charge.refunded", charge, null));

        Assert.StartsWith("re_", refund.StripeRefundId);
        var (_, account, key) = Assert.Single(App.Stripe.Requests, r => r.Path == "/v1/refunds");
        Assert.Null(account);
        Assert.Equal("portal-refund-" + refund.RefundId, key);
        await Task.Delay(200);
        var ledger = await Ledger(App, biller, patientId);
        Assert.Equal(64m, ledger.Refunded);
        Assert.Equal(64m, ledger.Balance);
        Assert.Single(ledger.Entries, e => e.Kind == "refund");
    }

    [Fact]
    public async Task an_online_payment_and_a_front_desk_payment_of_the_same_amount_are_flagged_as_a_possible_duplicate()
    {
        var (biller, patientId) = await PatientOwing(40m);
        // The patient starts paying online while the front desk takes the same balance by card: the checkout (started first, so
        // the pay page still asks for the 40.00 due; the ledger is an async projection) completes after the desk payment.
        var session = await StartCheckout(App, PayLink(App, patientId));
        var desk = await Created<PaymentPosted>(await biller.PostAsJsonAsync(North($"patients/{patientId}/payments"),
            new PostPatientPayment(40m, PatientPaymentMethod.CardPresent, "T-99812")));
        App.Stripe.Sessions[session]["amount_total"] = 4000;
        await App.Stripe.Deliver(App.Stripe.Complete(session).Completed);

        var duplicates = await biller.GetItemsAsync<PossibleDuplicate>(North("patient-balances/possible-duplicates"), Json);

        var flagged = Assert.Single(duplicates!);
        Assert.Equal(desk.PaymentId, flagged.OtherPaymentId);
        Assert.Equal("stripe", flagged.Source);
        Assert.Equal(-40m, (await Ledger(App, biller, patientId)).Balance);
    }

    [Fact]
    public async Task an_event_for_another_connected_account_or_without_portal_metadata_changes_nothing()
    {
        var (biller, patientId) = await PatientOwing(20m);
        var admin = await App.ClientFor(Users.NorthAdmin);
        var settings = await admin.PutAsJsonAsync(North("patient-billing/settings"),
            new UpdatePatientBillingSettings("North Clinic", ["1 Main St"], "555-0100", StripeAccountId: "acct_north123"));
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        var session = await StartCheckout(App, PayLink(App, patientId));
        Assert.Equal("acct_north123", App.Stripe.Requests.Single(r => r.Path == "/v1/checkout/sessions").Account);
        var (completed, _) = App.Stripe.Complete(session);
        var wrongAccount = JsonNode.Parse(completed)!.AsObject();
        wrongAccount["account"] = "acct_someone_else";
        wrongAccount["id"] = "evt_test_wrong_account";
        var foreign = App.Stripe.Event("payment_intent.succeeded", new JsonObject { ["id"] = "pi_test_foreign", ["object"] = "payment_intent", ["amount_received"] = 500 }, null);

        await App.Stripe.Deliver(wrongAccount.ToJsonString());
        await App.Stripe.Deliver(foreign);

        Assert.Empty((await Ledger(App, biller, patientId)).Payments);
    }
}
