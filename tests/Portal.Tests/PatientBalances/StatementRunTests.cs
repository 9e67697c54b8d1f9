using System.Net.Http.Json;
using Portal.Web.Features.Intake;
using Portal.Web.Features.PatientBalances;
using static Portal.Tests.Intake.Given;
using static Portal.Tests.PatientBalances.PayerSide;

namespace Portal.Tests.PatientBalances;

public class StatementRuns(PortalApp app) : PortalTest(app)
{
    async Task<Guid> Owing(HttpClient biller, string mrn, string first, decimal owes)
    {
        var patient = await Created<Patient>(await biller.PostAsJsonAsync(North("patients"), Patient(mrn) with { FirstName = first }));
        var claim = await Claim(App, patient.Id, owes + 100m);
        await Paid(App, claim, patient.Id, owes + 100m, 100m, 0m, owes, 0m);
        return patient.Id;
    }

    public static async Task<StatementRun> RunToTheEnd(HttpClient client, StatementDelivery delivery = StatementDelivery.Email, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var started = await client.PostAsJsonAsync(North("statement-runs"), new StartStatementRun(delivery));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!.ToString();
        while (DateTime.UtcNow < until)
        {
            var run = (await client.GetFromJsonAsync<StatementRun>(location, Json))!;
            if (run.Status is RunStatus.Completed or RunStatus.Failed) return run;
            await Task.Delay(100);
        }
        throw new TimeoutException("The statement run did not finish.");
    }

    [Fact]
    public async Task selects_patients_mails_the_pay_link_prints_the_rest_and_the_link_shows_only_name_and_amount()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var biller = await App.ClientFor(Users.NorthBiller);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync(North("patient-billing/settings"),
            new UpdatePatientBillingSettings("North Clinic Family Medicine", ["12 Main St", "Springfield, IL 62701"], "555-0100", MinimumBalance: 10m))).StatusCode);
        var mailed = await Owing(biller, "S-1", "Alma", 64m);
        var printed = await Owing(biller, "S-2", "Bert", 25m);
        var held = await Owing(biller, "S-3", "Cleo", 80m);
        var small = await Owing(biller, "S-4", "Dino", 9.99m);
        var collected = await Owing(biller, "S-5", "Eve", 300m);
        Assert.Equal(HttpStatusCode.NoContent, (await biller.PutAsJsonAsync(North($"patients/{mailed}/statement-email"), new SetStatementEmail("alma@patient.test"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await biller.PostAsJsonAsync(North($"patients/{held}/hold"), new AccountReason("Insurance appeal pending"))).StatusCode);
        await Settled(App);
        Assert.Equal(HttpStatusCode.NoContent, (await biller.PostAsJsonAsync(North($"patients/{collected}/collections"), new AccountReason("No answer to final notice", "Acme Collections"))).StatusCode);

        var run = await RunToTheEnd(biller);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(1, run.Emailed);
        Assert.Equal(1, run.Printed);
        Assert.Equal(1, run.Skipped["OnHold"]);
        Assert.Equal(1, run.Skipped["BelowMinimum"]);
        Assert.Equal(1, run.Skipped["InCollections"]);
        var mail = await App.Mail.WaitForMessageTo("alma@patient.test");
        Assert.Contains("North Clinic Family Medicine", mail.Subject);
        Assert.Contains("$64.00", mail.Text);
        Assert.DoesNotContain("99213", mail.Text);
        Assert.DoesNotContain("Tester", mail.Text);
        var link = LinkIn(mail.Text);

        using var anonymous = new HttpClient();
        var page = await anonymous.GetStringAsync(link);
        Assert.Contains("North Clinic Family Medicine", page);
        Assert.Contains("Alma", page);
        Assert.Contains("$64.00", page);
        Assert.DoesNotContain("Tester", page);
        Assert.DoesNotContain("S-1", page);
        Assert.DoesNotContain("1980", page);

        var pdf = await biller.GetAsync(North($"statement-runs/{run.Id}/print.pdf"));
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString((await pdf.Content.ReadAsByteArrayAsync())[..4]));
        var ledger = await Ledger(App, biller, printed);
        var statement = Assert.Single(ledger.Statements);
        Assert.Equal(Portal.Billing.PatientBilling.Notice.First, statement.Notice);
        Assert.Equal(25m, statement.AmountDue);
        Assert.Equal(HttpStatusCode.OK, (await biller.GetAsync(North($"statements/{statement.StatementId}.pdf"))).StatusCode);

        // Run again at once: nobody gets a second statement within the days between statements.
        var again = await RunToTheEnd(biller);
        Assert.Equal(0, again.Issued);
        Assert.Equal(2, again.Skipped["StatementTooRecent"]);
    }

    [Fact]
    public async Task a_tampered_or_expired_pay_link_shows_nothing_and_a_foreign_practice_sees_no_run()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var patient = await Owing(biller, "S-9", "Gus", 50m);
        var link = PayLink(App, patient);
        using var anonymous = new HttpClient();

        var tampered = await anonymous.GetAsync(link[..^3] + "abc");
        var riverside = await App.ClientFor(Users.RiversideAdmin);
        var run = await RunToTheEnd(biller);

        Assert.Equal(HttpStatusCode.NotFound, tampered.StatusCode);
        Assert.DoesNotContain("Gus", await tampered.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(North($"statement-runs/{run.Id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await biller.GetAsync(North($"statement-runs/{Guid.NewGuid()}"))).StatusCode);
    }

    [Fact]
    public async Task a_payment_plan_keeps_dunning_away_until_an_instalment_is_missed_then_it_is_on_the_follow_up_list()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var onTime = await Owing(biller, "P-1", "Hana", 90m);
        var late = await Owing(biller, "P-2", "Ivo", 90m);
        await Settled(App);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var plan = await Created<PlanView>(await biller.PostAsJsonAsync(North($"patients/{onTime}/payment-plans"), new AgreePaymentPlan(3, today.AddDays(10))));
        await Created<PlanView>(await biller.PostAsJsonAsync(North($"patients/{late}/payment-plans"), new AgreePaymentPlan(3, today.AddDays(-30))));
        var second = await biller.PostAsJsonAsync(North($"patients/{late}/payment-plans"), new AgreePaymentPlan(2, today));

        Assert.Equal([30m, 30m, 30m], plan.Status.Instalments.Select(i => i.Amount));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var missed = await biller.GetItemsAsync<MissedPlanRow>(North("payment-plans/missed"), Json);
        var row = Assert.Single(missed!);
        Assert.Equal(late, row.PatientId);
        Assert.Equal(1, row.Missed);
        var run = await RunToTheEnd(biller, StatementDelivery.Print);
        Assert.Equal(1, run.Printed);
        Assert.Equal(1, run.Skipped["OnPaymentPlan"]);
    }
}
