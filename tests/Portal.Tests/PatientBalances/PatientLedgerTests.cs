using Portal.Web.Features.PatientBalances;
using static Portal.Tests.Intake.Given;
using static Portal.Tests.PatientBalances.PayerSide;

namespace Portal.Tests.PatientBalances;

public class ThePatientLedger(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task shows_charges_payer_payment_adjustments_patient_responsibility_payments_refunds_and_the_balance()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var patient = await RegisteredPatient(biller);
        var claim = await Claim(App, patient.Id, 120m);
        // Allowed 120 − 0 contractual; 50 deductible + 20% of 70 coinsurance = 64 for the patient, 56 from the plan (domain brief §7.5).
        await Paid(App, claim, patient.Id, 120m, paid: 56m, contractual: 0m, deductible: 50m, coinsurance: 14m);
        var payment = await Created<PaymentPosted>(await biller.PostAsJsonAsync(North($"patients/{patient.Id}/payments"),
            new PostPatientPayment(20m, PatientPaymentMethod.Check, "1042")));
        await Created<RefundPosted>(await biller.PostAsJsonAsync(North($"patients/{patient.Id}/payments/{payment.PaymentId}/refunds"),
            new RefundPatientPayment(5m, "Overpaid copay", "Dana Admin")));

        var ledger = await Ledger(App, biller, patient.Id);

        Assert.Equal(120m, ledger.Charges);
        Assert.Equal(56m, ledger.InsurancePaid);
        Assert.Equal(64m, ledger.PatientResponsibility);
        Assert.Equal(20m, ledger.PatientPaid);
        Assert.Equal(5m, ledger.Refunded);
        Assert.Equal(49m, ledger.Balance);
        Assert.Equal(49m, ledger.Entries[^1].Balance);
        Assert.Equal(49m, ledger.Aging.Total);
        Assert.Equal(["charge", "payer-payment", "patient-payment", "refund"], ledger.Entries.Select(e => e.Kind));
        Assert.Contains(ledger.Payments, p => p.PaymentId == payment.PaymentId && p.Refunded == 5m && p.Reference == "1042");
    }

    [Fact]
    public async Task reconciles_to_the_cent_for_any_mix_of_payer_postings_reversals_write_offs_payments_and_refunds()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var patient = await RegisteredPatient(biller);
        var random = new Random(2026_12_03);
        decimal Cents(int max) => random.Next(0, max * 100) / 100m;
        decimal charges = 0, paid = 0, pr = 0, adjusted = 0, patientPaid = 0, refunded = 0, writtenOff = 0;
        var claims = new List<(Guid Id, decimal Charge)>();
        var payments = new List<(Guid Id, decimal Left)>();
        for (var step = 0; step < 40; step++)
        {
            switch (random.Next(6))
            {
                case 0 or 1 when claims.Count < 6:
                    var charge = Cents(400) + 1m;
                    claims.Add((await Claim(App, patient.Id, charge), charge));
                    charges += charge;
                    break;
                case 2 when claims.Count > 0:
                    var (id, c) = claims[random.Next(claims.Count)];
                    decimal p = Cents((int)(c / 2)), co = Cents(10), d = Cents(30), ci = Cents(20);
                    var reversal = random.Next(5) == 0;
                    var sign = reversal ? -1m : 1m;
                    await Paid(App, id, patient.Id, c, sign * p, sign * co, sign * d, sign * ci, reversal);
                    paid += sign * p; adjusted += sign * co; pr += sign * (d + ci);
                    break;
                case 3:
                    var amount = Cents(60) + 0.01m;
                    var posted = await Created<PaymentPosted>(await biller.PostAsJsonAsync(North($"patients/{patient.Id}/payments"),
                        new PostPatientPayment(amount)));
                    payments.Add((posted.PaymentId, amount));
                    patientPaid += amount;
                    break;
                case 4 when payments.Count > 0:
                    var i = random.Next(payments.Count);
                    var refund = Math.Min(payments[i].Left, Cents(30) + 0.01m);
                    if (refund <= 0) break;
                    await Created<RefundPosted>(await biller.PostAsJsonAsync(North($"patients/{patient.Id}/payments/{payments[i].Id}/refunds"),
                        new RefundPatientPayment(refund, "Refund test", "Approver")));
                    payments[i] = (payments[i].Id, payments[i].Left - refund);
                    refunded += refund;
                    break;
                case 5 when claims.Count > 0:
                    var w = Cents(5) + 0.01m;
                    await WrittenOff(App, claims[random.Next(claims.Count)].Id, patient.Id, w);
                    writtenOff += w;
                    break;
            }
        }

        var ledger = await Ledger(App, biller, patient.Id);

        Assert.Equal(charges, ledger.Charges);
        Assert.Equal(paid, ledger.InsurancePaid);
        Assert.Equal(adjusted, ledger.Adjustments);
        Assert.Equal(pr, ledger.PatientResponsibility);
        Assert.Equal(patientPaid, ledger.PatientPaid);
        Assert.Equal(refunded, ledger.Refunded);
        Assert.Equal(writtenOff, ledger.WrittenOff);
        var patientWrittenOff = ledger.Visits.Sum(v => v.PatientWrittenOff);
        Assert.Equal(pr - patientWrittenOff - patientPaid + refunded, ledger.Balance);
        // Every entry's running balance moves by exactly what the entry says the patient owes more or less.
        var previous = 0m;
        foreach (var e in ledger.Entries)
        {
            var delta = e.Balance - previous;
            if (e.Kind == "write-off") Assert.True(delta <= 0m && -delta <= e.WrittenOff);
            else Assert.Equal(e.PatientResponsibility - e.PatientPaid + e.Refunded, delta);
            previous = e.Balance;
        }
        Assert.Equal(ledger.Balance, ledger.Entries.Count == 0 ? 0m : ledger.Entries[^1].Balance);
        Assert.Equal(ledger.Charges, ledger.Visits.Sum(v => v.Charges));
        Assert.Equal(ledger.InsurancePaid, ledger.Visits.Sum(v => v.InsurancePaid));
        Assert.Equal(ledger.PatientResponsibility, ledger.Visits.Sum(v => v.PatientResponsibility));
        Assert.Equal(ledger.WrittenOff, ledger.Visits.Sum(v => v.PayerWrittenOff + v.PatientWrittenOff));
        Assert.Equal(ledger.Balance, ledger.Aging.Total);
    }

    [Fact]
    public async Task refuses_a_refund_larger_than_what_is_left_of_the_payment_and_one_without_an_approver()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var patient = await RegisteredPatient(biller);
        var payment = await Created<PaymentPosted>(await biller.PostAsJsonAsync(North($"patients/{patient.Id}/payments"), new PostPatientPayment(30m)));

        var tooMuch = await biller.PostAsJsonAsync(North($"patients/{patient.Id}/payments/{payment.PaymentId}/refunds"),
            new RefundPatientPayment(30.01m, "Too much", "Dana"));
        var noApprover = await biller.PostAsJsonAsync(North($"patients/{patient.Id}/payments/{payment.PaymentId}/refunds"),
            new { amount = 5m, reason = "No approver" });
        var check = await biller.PostAsJsonAsync(North($"patients/{patient.Id}/payments"), new PostPatientPayment(10m, PatientPaymentMethod.Check));
        var unknown = await biller.PostAsJsonAsync(North($"patients/{Guid.NewGuid()}/payments"), new PostPatientPayment(10m));

        Assert.Equal(HttpStatusCode.Conflict, tooMuch.StatusCode);
        Assert.Contains("refund-exceeds-payment", await tooMuch.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, noApprover.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, check.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", tooMuch.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task another_practice_gets_404_for_the_ledger_and_payments()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var patient = await RegisteredPatient(biller);
        var riverside = await App.ClientFor(Users.RiversideAdmin);

        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(North($"patients/{patient.Id}/ledger"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.PostAsJsonAsync(North($"patients/{patient.Id}/payments"), new PostPatientPayment(5m))).StatusCode);
        // A coder has no business with balances.
        var coder = await App.ClientFor(Users.NorthCoder);
        Assert.Equal(HttpStatusCode.Forbidden, (await coder.GetAsync(North($"patients/{patient.Id}/ledger"))).StatusCode);
    }
}
