using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using Portal.Web.Features.PatientBalances;
using Portal.Web.Features.PatientBalances.Subscriptions;
using Portal.Web.Features.Tenancy;
using static Portal.Tests.Coding.CodingGiven;
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
        var invoices = await admin.GetItemsAsync<InvoiceRow>(North("subscription/invoices"), PayerSide.Json);
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

    async Task<HttpClient> PlansAndSubscriptions()
    {
        var ops = await App.ClientFor(Users.PlatformAdmin);
        Assert.Equal(HttpStatusCode.OK, (await ops.PutAsJsonAsync("/api/v1/platform/billing-plans/practice-claims",
            new SavePlan("Practice per claim", 199m, 0.35m, "claim", "price_base_test", "price_claims_test", "portal_claims", OrganizationKind.Practice))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ops.PutAsJsonAsync("/api/v1/platform/billing-plans/vendor-charts",
            new SavePlan("Vendor per chart", 99m, 0.20m, "chart", "price_vendor_test", "price_charts_test", "portal_charts", OrganizationKind.Vendor))).StatusCode);
        var wrongKind = await ops.PostAsJsonAsync($"/api/v1/platform/subscriptions/{DemoData.AcmeCoding}", new Subscribe("practice-claims", "billing@acme.example"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongKind.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ops.PostAsJsonAsync($"/api/v1/platform/subscriptions/{DemoData.NorthClinic}",
            new Subscribe("practice-claims", "billing@north.example"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ops.PostAsJsonAsync($"/api/v1/platform/subscriptions/{DemoData.AcmeCoding}",
            new Subscribe("vendor-charts", "billing@acme.example", GraceDays: 0))).StatusCode);
        return ops;
    }

    [Fact]
    public async Task usage_is_counted_from_claims_and_coded_charts_for_practices_and_vendors_and_each_closed_day_goes_to_stripe_once()
    {
        var ops = await PlansAndSubscriptions();
        var admin = await App.ClientFor(Users.NorthAdmin);
        var biller = await App.ClientFor(Users.NorthBiller);
        var patient = await RegisteredPatient(biller, "U-1");
        await Claim(App, patient.Id, 100m);
        await Claim(App, patient.Id, 80m);
        // Every submitted chart goes to QA, so none is approved into a claim: the practice's claims are the two above.
        await PracticeSettingsAre(admin, qaPercent: 100);
        await QueuedCharts(admin, 2);
        foreach (var coder in new[] { await App.ClientFor(Users.NorthCoder), await App.ClientFor(Users.VendorCoder) })
        {
            var coded = await CodeNext(coder);
            await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(coded.Encounter.Id, "/submit"), null, coded.Version));
        }
        await App.WaitForReactionsAsync();

        var today = UsageCount.PeriodOf(DateTimeOffset.UtcNow);
        var usage = (await ops.GetItemsAsync<UsageRow>("/api/v1/platform/usage", PayerSide.Json))!;
        long Count(Guid org, string metric) => usage.Where(u => u.OrganizationId == org && u.Metric == metric && u.Period == today).Sum(u => u.Count);
        Assert.Equal(2, Count(DemoData.NorthClinic, "claim"));
        Assert.Equal(2, Count(DemoData.NorthClinic, "chart"));
        Assert.Equal(1, Count(DemoData.AcmeCoding, "chart"));
        Assert.Equal(0, Count(DemoData.AcmeCoding, "claim"));

        // Today is not closed: nothing goes to Stripe yet.
        var now = await ops.PostAsync("/api/v1/platform/usage/report", null);
        Assert.Equal(HttpStatusCode.OK, now.StatusCode);
        Assert.Empty((await now.Content.ReadFromJsonAsync<List<UsageReport>>(PayerSide.Json))!);
        Assert.Empty(App.Stripe.MeterEvents);

        // The hourly job, tomorrow (twice, as two Portal nodes would): each organization's metered day goes once.
        var store = App.Services.GetRequiredService<IDocumentStore>();
        var stripe = App.Services.GetRequiredService<PortalStripe>();
        var tomorrow = DateTimeOffset.UtcNow.AddDays(1);
        var first = await UsageReporting.ReportClosedDays(store, stripe, tomorrow, default);
        var second = await UsageReporting.ReportClosedDays(store, stripe, tomorrow, default);

        Assert.Equal(2, first.Count);
        Assert.Empty(second);
        var claims = App.Stripe.MeterEvents[$"portal-{DemoData.NorthClinic:N}-claim-{today}"];
        Assert.Equal("2", claims["payload"]!["value"]!.ToString());
        Assert.Equal("portal_claims", claims["event_name"]!.ToString());
        var charts = App.Stripe.MeterEvents[$"portal-{DemoData.AcmeCoding:N}-chart-{today}"];
        Assert.Equal("1", charts["payload"]!["value"]!.ToString());
        Assert.Equal(2, App.Stripe.MeterEvents.Count);
        Assert.All(App.Stripe.Requests.Where(r => r.Path == "/v1/billing/meter_events"),
            r => Assert.StartsWith($"portal-", r.IdempotencyKey));
        var after = (await ops.GetItemsAsync<UsageRow>("/api/v1/platform/usage", PayerSide.Json))!;
        Assert.True(after.Single(u => u.OrganizationId == DemoData.NorthClinic && u.Metric == "claim").Reported);
        Assert.False(after.Single(u => u.OrganizationId == DemoData.NorthClinic && u.Metric == "chart").Reported);
    }

    [Fact]
    public async Task a_vendor_admin_sees_the_vendors_invoices_and_an_unpaid_vendor_past_grace_cannot_change_a_clients_data()
    {
        await PlansAndSubscriptions();
        var vendorAdmin = await App.ClientFor(Users.VendorAdmin);
        var northAdmin = await App.ClientFor(Users.NorthAdmin);

        var billing = await vendorAdmin.GetFromJsonAsync<OrganizationBilling>($"/api/v1/organizations/{DemoData.AcmeCoding}/subscription", PayerSide.Json);
        Assert.Equal("Vendor per chart", billing!.PlanName);
        Assert.Equal(199m, Assert.Single(billing.Invoices).AmountDue);
        Assert.Equal(HttpStatusCode.NotFound, (await northAdmin.GetAsync($"/api/v1/organizations/{DemoData.AcmeCoding}/subscription")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await vendorAdmin.GetAsync($"/api/v1/organizations/{DemoData.NorthClinic}/subscription")).StatusCode);
        var vendorCoder = await App.ClientFor(Users.VendorCoder);
        Assert.Equal(HttpStatusCode.Forbidden, (await vendorCoder.GetAsync($"/api/v1/organizations/{DemoData.AcmeCoding}/subscription")).StatusCode);

        using (var page = await App.SignedInBrowser(Users.VendorAdmin))
        {
            var html = await page.GetStringAsync("/organization/billing");
            Assert.Contains("Vendor per chart", html);
            Assert.Contains("PORTAL-0001", html);
        }

        var customer = App.Stripe.Customers.Single(c => c.Value["metadata"]!["organization_id"]!.ToString() == DemoData.AcmeCoding.ToString()).Key;
        var invoice = new System.Text.Json.Nodes.JsonObject { ["id"] = "in_test_vendor", ["object"] = "invoice", ["customer"] = customer, ["status"] = "open" };
        await App.Stripe.Deliver(App.Stripe.Event("invoice.payment_failed", invoice, null));

        var admin = await App.ClientFor(Users.NorthAdmin);
        await QueuedCharts(admin, 2);
        var refused = await vendorCoder.PostAsync(North("coding/queue/next"), null);
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Contains("subscription-read-only", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await vendorCoder.GetAsync(North("coding/queue"))).StatusCode);
        // The practice itself pays its own invoices: its staff work on.
        Assert.NotNull(await Pull(await App.ClientFor(Users.NorthCoder)));
        using (var page = await App.SignedInBrowser(Users.VendorAdmin))
            Assert.Contains("read-only", await page.GetStringAsync("/organization/billing"));

        await App.Stripe.Deliver(App.Stripe.Event("invoice.paid", invoice, null));
        Assert.NotNull(await Pull(vendorCoder));
    }

    [Fact]
    public async Task the_platform_admin_manages_plans_and_puts_practices_and_vendors_on_them_from_the_billing_page()
    {
        using var ops = await App.SignedInBrowser(Users.PlatformAdmin);
        var page = await ops.GetStringAsync("/platform/billing");
        Assert.Contains("Plans and billing", page);

        var plan = await ops.PostAsync("/platform/billing?handler=Plan", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalApp.AntiforgeryToken(page), ["planId"] = "vendor-basic", ["name"] = "Vendor basic",
            ["audience"] = "Vendor", ["monthlyBase"] = "49", ["perUnit"] = "0.15", ["metric"] = "chart", ["basePrice"] = "price_vb",
            ["meteredPrice"] = "price_vc", ["meterEvent"] = "portal_charts",
        }));
        Assert.Equal(HttpStatusCode.Redirect, plan.StatusCode);
        page = await ops.GetStringAsync("/platform/billing");
        Assert.Contains("Vendor basic", page);

        var assign = await ops.PostAsync("/platform/billing?handler=Assign", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalApp.AntiforgeryToken(page), ["organizationId"] = DemoData.AcmeCoding.ToString(),
            ["planId"] = "vendor-basic", ["billingEmail"] = "billing@acme.example", ["graceDays"] = "10",
        }));
        Assert.Equal(HttpStatusCode.Redirect, assign.StatusCode);
        var wrong = await ops.PostAsync("/platform/billing?handler=Assign", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalApp.AntiforgeryToken(page), ["organizationId"] = DemoData.NorthClinic.ToString(),
            ["planId"] = "vendor-basic", ["billingEmail"] = "billing@north.example", ["graceDays"] = "10",
        }));
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("plan for vendors", await wrong.Content.ReadAsStringAsync());

        var subscriptions = await (await App.ClientFor(Users.PlatformAdmin)).GetItemsAsync<OrganizationSubscription>("/api/v1/platform/subscriptions", PayerSide.Json);
        var acme = Assert.Single(subscriptions!);
        Assert.Equal((DemoData.AcmeCoding, "vendor-basic", 10), (acme.Id, acme.PlanId, acme.GraceDays));

        using var admin = await App.SignedInBrowser(Users.NorthAdmin);
        var refused = await admin.GetAsync("/platform/billing");
        Assert.Equal(HttpStatusCode.Found, refused.StatusCode);
        Assert.Contains("access-denied", refused.Headers.Location!.ToString());
    }
}
