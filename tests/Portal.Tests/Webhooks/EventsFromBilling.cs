using System.Text.Json;
using Portal.Tests.Claims.Submission;
using Portal.Tests.Payments;
using Portal.Web.Features.Demo;
using Portal.Web.Features.PatientBalances;
using Portal.Web.Features.Webhooks;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Webhooks;

/// <summary>
/// Issue 15 item 1's billing events, from the features that append them (claim submission, 999/277CA, 835 posting, patient
/// payments), through the reaction and the sender to a receiver; the other practice's subscription receives none of them.
/// </summary>
public class EventsFromBilling(PortalApp app) : PortalTest(app)
{
    static readonly string[] Billing = [WebhookCatalog.ClaimStateChanged, WebhookCatalog.AcknowledgementReceived, WebhookCatalog.RemittancePosted,
        WebhookCatalog.DenialCreated, WebhookCatalog.PatientPaymentPosted];

    async Task<(WebhookReceiver North, WebhookReceiver Riverside)> Subscribed()
    {
        var north = await WebhookReceiver.StartAsync();
        var riverside = await WebhookReceiver.StartAsync();
        var northAdmin = await App.ClientFor(Users.NorthAdmin);
        (await northAdmin.PostAsJsonAsync(North("webhooks"), new CreateWebhookSubscription(north.Url, Billing))).EnsureSuccessStatusCode();
        var riversideAdmin = await App.ClientFor(Users.RiversideAdmin);
        (await riversideAdmin.PostAsJsonAsync(Api(DemoData.RiversidePediatrics, "webhooks"), new CreateWebhookSubscription(riverside.Url, Billing)))
            .EnsureSuccessStatusCode();
        return (north, riverside);
    }

    static JsonElement Data(ReceivedWebhook hook) => JsonDocument.Parse(hook.Body).RootElement.GetProperty("data");

    static async Task<JsonElement> Hook(WebhookReceiver receiver, string type, Func<JsonElement, bool> match) =>
        Data(await receiver.WaitFor(h => h.Event == type && match(Data(h)), TimeSpan.FromSeconds(20)));

    [Fact]
    public async Task a_batched_claim_and_its_999_and_277ca_reach_the_receiver_as_claim_state_changes_and_acknowledgements()
    {
        var (north, riverside) = await Subscribed();
        await using var _ = north;
        await using var __ = riverside;
        await SubmissionGiven.SetUp(App);
        var biller = await App.ClientFor(Users.NorthBiller);
        var claim = (await SubmissionGiven.ReadyClaims(App, DemoData.NorthClinic, SubmissionGiven.PayerA, 1)).Single();
        await SubmissionGiven.CreateBatches(biller);
        Assert.Equal(HttpStatusCode.Created, (await SubmissionGiven.Import(biller, Acks.Ack999("1", "0001", "A"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await SubmissionGiven.Import(biller, Acks.Ack277("B000000001", [new(claim.Pcn, false)]))).StatusCode);

        var batched = await Hook(north, WebhookCatalog.ClaimStateChanged, d => d.GetProperty("change").GetString() == "batched");
        Assert.Equal(claim.ClaimId, batched.GetProperty("claimId").GetGuid());
        Assert.Equal("Batched", batched.GetProperty("state").GetString());
        var rejected = await Hook(north, WebhookCatalog.ClaimStateChanged, d => d.GetProperty("change").GetString() == "rejected_by_clearinghouse");
        Assert.Equal(claim.ClaimId, rejected.GetProperty("claimId").GetGuid());
        var ack = await Hook(north, WebhookCatalog.AcknowledgementReceived, _ => true);
        Assert.Equal(claim.ClaimId, ack.GetProperty("claimId").GetGuid());
        Assert.False(ack.GetProperty("accepted").GetBoolean());
        Assert.Equal("clearinghouse", ack.GetProperty("from").GetString());
        Assert.DoesNotContain(north.Received, h => h.Body.Contains("Tester"));

        await App.WaitForReactionsAsync();
        Assert.Empty(riverside.Received);
    }

    [Fact]
    public async Task a_posted_835_gives_remittance_posted_and_a_denial_and_a_patient_payment_gives_patient_payment_posted()
    {
        var (north, riverside) = await Subscribed();
        await using var _ = north;
        await using var __ = riverside;
        var paidClaim = await PaymentsGiven.SubmittedClaim(App, "WH-1", ("99213", 100));
        var deniedClaim = await PaymentsGiven.SubmittedClaim(App, "WH-2", ("73721", 900));
        var biller = await App.ClientFor(Users.NorthBiller);
        await PaymentsGiven.Import(biller, new Remit("EFT-WH", [
            new Clp("WH-1", "1", [Svc.Of("99213", 100, new Cas("CO", "45", 20), new Cas("PR", "3", 10))]),
            new Clp("WH-2", "4", [new Svc("73721", 900, [new Cas("CO", "197", 900)])]),
        ]));

        var posted = await Hook(north, WebhookCatalog.RemittancePosted, d => d.GetProperty("claimId").GetGuid() == paidClaim);
        Assert.Equal(70m, posted.GetProperty("paid").GetDecimal());
        Assert.Equal(10m, posted.GetProperty("patientResponsibility").GetDecimal());
        var denial = await Hook(north, WebhookCatalog.DenialCreated, d => d.GetProperty("claimId").GetGuid() == deniedClaim);
        Assert.Contains("CO-197", denial.GetProperty("reasonCodes").EnumerateArray().Select(c => c.GetString()));
        await Hook(north, WebhookCatalog.ClaimStateChanged, d => d.GetProperty("claimId").GetGuid() == deniedClaim && d.GetProperty("change").GetString() == "denied");

        var patient = await RegisteredPatient(biller, "WH-P1");
        var payment = await biller.PostAsJsonAsync(North($"patients/{patient.Id}/payments"), new PostPatientPayment(25m, PatientPaymentMethod.Check, "1042"));
        Assert.Equal(HttpStatusCode.Created, payment.StatusCode);
        var paid = await Hook(north, WebhookCatalog.PatientPaymentPosted, d => d.GetProperty("patientId").GetGuid() == patient.Id);
        Assert.Equal("received", paid.GetProperty("change").GetString());
        Assert.Equal(25m, paid.GetProperty("amount").GetDecimal());
        Assert.Equal("Check", paid.GetProperty("method").GetString());
        // Minimum necessary: the check number is not in the message.
        Assert.DoesNotContain(north.Received, h => h.Event == WebhookCatalog.PatientPaymentPosted && h.Body.Contains("1042"));

        await App.WaitForReactionsAsync();
        Assert.Empty(riverside.Received);
    }
}
