using Portal.Web.Features.Demo;
using Portal.Web.Features.PatientBalances;
using Portal.Web.Features.PatientBalances.Subscriptions;
using static Portal.Tests.Intake.Given;
using static Portal.Tests.PatientBalances.PayerSide;

namespace Portal.Tests.PatientBalances;

public class PortalSubscriptionBilling(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task a_practice_is_subscribed_usage_reports_once_invoices_show_and_an_unpaid_invoice_past_grace_makes_it_read_only()
    {
        var ops = await App.ClientFor(Users.PlatformAdmin);
        var plan = await ops.PutAsJsonAsync("/api/v1/platform/billing-plans/practice-standard",
            new SavePlan("Practice standard", 199m, 0.35m, "claim", "price_base_test", "price_claims_test", "portal_claims"));
        Assert.Equal(HttpStatusCode.OK, plan.StatusCode);
        var subscribe = new Subscribe("practice-standard", "billing@north.example", GraceDays: 0);
        var first = await ops.PostAsJsonAsync($"/api/v1/platform/subscriptions/{DemoData.NorthClinic}", subscribe);
        var again = await ops.PostAsJsonAsync($"/api/v1/platform/subscriptions/{DemoData.NorthClinic}", subscribe);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Single(App.Stripe.Customers);
        Assert.Single(App.Stripe.Subscriptions);
        Assert.Contains(App.Stripe.Requests, r => r.Path == "/v1/customers" && r.IdempotencyKey == $"portal-customer-{DemoData.NorthClinic}");

        var usage = new ReportUsage("claim", 42, "2026-12-02");
        Assert.Equal(HttpStatusCode.OK, (await ops.PostAsJsonAsync($"/api/v1/platform/subscriptions/{DemoData.NorthClinic}/usage", usage)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ops.PostAsJsonAsync($"/api/v1/platform/subscriptions/{DemoData.NorthClinic}/usage", usage)).StatusCode);
        var wrongMetric = await ops.PostAsJsonAsync($"/api/v1/platform/subscriptions/{DemoData.NorthClinic}/usage", usage with { Metric = "chart" });
        var meter = Assert.Single(App.Stripe.MeterEvents.Values);
        Assert.Equal("42", meter["payload"]!["value"]!.ToString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongMetric.StatusCode);

        var admin = await App.ClientFor(Users.NorthAdmin);
        var invoices = await admin.GetFromJsonAsync<List<InvoiceRow>>(North("subscription/invoices"), Json);
        Assert.Equal(199m, Assert.Single(invoices!).AmountDue);
        var biller = await App.ClientFor(Users.NorthBiller);
        Assert.Equal(HttpStatusCode.Forbidden, (await biller.GetAsync(North("subscription/invoices"))).StatusCode);
        var coderOps = await App.ClientFor(Users.NorthAdmin);
        Assert.Equal(HttpStatusCode.Forbidden, (await coderOps.GetAsync("/api/v1/platform/subscriptions")).StatusCode);

        var patient = await RegisteredPatient(biller, "R-1");
        var customer = App.Stripe.Customers.Keys.Single();
        var invoice = new System.Text.Json.Nodes.JsonObject { ["id"] = "in_test_1", ["object"] = "invoice", ["customer"] = customer, ["status"] = "open" };
        await App.Stripe.Deliver(App.Stripe.Event("invoice.payment_failed", invoice, null));

        var refused = await biller.PostAsJsonAsync(North($"patients/{patient.Id}/payments"), new PostPatientPayment(10m));
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("subscription-read-only", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await biller.GetAsync(North($"patients/{patient.Id}/ledger"))).StatusCode);

        await App.Stripe.Deliver(App.Stripe.Event("invoice.paid", invoice, null));
        Assert.Equal(HttpStatusCode.Created, (await biller.PostAsJsonAsync(North($"patients/{patient.Id}/payments"), new PostPatientPayment(10m))).StatusCode);
    }
}
