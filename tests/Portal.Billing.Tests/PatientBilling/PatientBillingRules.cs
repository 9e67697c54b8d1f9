using System.Diagnostics;
using Portal.Billing.PatientBilling;

namespace Portal.Billing.Tests.PatientBilling;

public class StatementSelection
{
    static readonly DateOnly Today = new(2026, 3, 1);
    static readonly StatementPolicy Policy = new(10m, 25, [30, 20, 15], 21);

    static StatementCandidate Candidate(decimal balance = 50m, DateOnly? last = null, int notices = 0, bool hold = false,
        bool collections = false, bool plan = false) =>
        new(Guid.NewGuid(), balance, last, notices, hold, collections, plan);

    [Fact]
    public void a_first_notice_goes_to_a_balance_at_or_above_the_minimum_due_in_the_policy_days()
    {
        var d = StatementRules.Decide(Policy, Candidate(10m), Today);
        Assert.Equal(Notice.First, d.Notice);
        Assert.Equal(Today.AddDays(21), d.DueDate);
        Assert.Equal(SkipReason.BelowMinimum, StatementRules.Decide(Policy, Candidate(9.99m), Today).Skipped);
        Assert.Equal(SkipReason.BelowMinimum, StatementRules.Decide(Policy, Candidate(-5m), Today).Skipped);
    }

    [Fact]
    public void hold_collections_and_a_plan_in_good_standing_are_never_sent_a_statement()
    {
        Assert.Equal(SkipReason.OnHold, StatementRules.Decide(Policy, Candidate(hold: true), Today).Skipped);
        Assert.Equal(SkipReason.InCollections, StatementRules.Decide(Policy, Candidate(collections: true, hold: true), Today).Skipped);
        Assert.Equal(SkipReason.OnPaymentPlan, StatementRules.Decide(Policy, Candidate(plan: true), Today).Skipped);
    }

    [Fact]
    public void no_statement_within_the_minimum_days_even_for_a_first_notice()
    {
        Assert.Equal(SkipReason.StatementTooRecent, StatementRules.Decide(Policy, Candidate(last: Today.AddDays(-24), notices: 0), Today).Skipped);
        Assert.Equal(Notice.First, StatementRules.Decide(Policy, Candidate(last: Today.AddDays(-25), notices: 0), Today).Notice);
    }

    [Fact]
    public void the_dunning_cycle_is_first_second_final_at_the_configured_intervals_then_collections_review()
    {
        Assert.Equal(SkipReason.NotYetDue, StatementRules.Decide(Policy, Candidate(last: Today.AddDays(-29), notices: 1), Today).Skipped);
        Assert.Equal(Notice.Second, StatementRules.Decide(Policy, Candidate(last: Today.AddDays(-30), notices: 1), Today).Notice);
        // The final notice waits 20 days, but never less than the 25 days between statements.
        Assert.Equal(SkipReason.StatementTooRecent, StatementRules.Decide(Policy, Candidate(last: Today.AddDays(-20), notices: 2), Today).Skipped);
        Assert.Equal(Notice.Final, StatementRules.Decide(Policy, Candidate(last: Today.AddDays(-25), notices: 2), Today).Notice);
        Assert.Equal(SkipReason.ReadyForCollections, StatementRules.Decide(Policy, Candidate(last: Today.AddDays(-40), notices: 3), Today).Skipped);
        Assert.False(StatementRules.ReadyForCollections(Policy, 3, Today.AddDays(-14), Today));
        Assert.True(StatementRules.ReadyForCollections(Policy, 3, Today.AddDays(-15), Today));
    }

    [Fact]
    public void a_policy_names_its_problems()
    {
        Assert.Empty(StatementPolicy.Default.Problems());
        Assert.Equal(3, new StatementPolicy(-1m, 10, [30, 30], 0).Problems().Count());
    }
}

public class PaymentPlanSchedules
{
    [Fact]
    public void instalments_add_up_to_the_total_to_the_cent_with_the_odd_cents_first()
    {
        var s = PaymentPlans.Schedule(100m, 3, new DateOnly(2026, 1, 31));
        Assert.Equal([33.34m, 33.33m, 33.33m], s.Select(i => i.Amount));
        Assert.Equal([new DateOnly(2026, 1, 31), new DateOnly(2026, 2, 28), new DateOnly(2026, 3, 31)], s.Select(i => i.DueOn));
    }

    [Fact]
    public void any_total_and_count_adds_up()
    {
        var random = new Random(1317);
        for (var n = 0; n < 2000; n++)
        {
            var total = random.Next(1, 10_000_000) / 100m;
            var count = random.Next(1, 61);
            if (total * 100 < count) continue;
            var s = PaymentPlans.Schedule(total, count, new DateOnly(2026, 1, 1));
            Assert.Equal(total, s.Sum(i => i.Amount));
            Assert.All(s, i => Assert.True(i.Amount <= s[0].Amount && i.Amount > 0));
        }
    }

    [Fact]
    public void payments_fill_instalments_in_order_and_an_unpaid_one_past_grace_is_missed()
    {
        var s = PaymentPlans.Schedule(90m, 3, new DateOnly(2026, 1, 10));
        var status = PaymentPlans.Status(s, 40m, new DateOnly(2026, 2, 16), graceDays: 5);
        Assert.Equal([InstalmentState.Paid, InstalmentState.Missed, InstalmentState.Upcoming], status.Instalments.Select(i => i.State));
        Assert.Equal(10m, status.Instalments[1].Paid);
        Assert.False(status.InGoodStanding);
        Assert.Equal(50m, status.Remaining);

        var onTime = PaymentPlans.Status(s, 40m, new DateOnly(2026, 2, 15), graceDays: 5);
        Assert.Equal(InstalmentState.Due, onTime.Instalments[1].State);
        Assert.True(onTime.InGoodStanding);
        Assert.True(PaymentPlans.Status(s, 90m, new DateOnly(2027, 1, 1), 5).Completed);
    }

    [Fact]
    public void a_schedule_refuses_nonsense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PaymentPlans.Schedule(0m, 3, new DateOnly(2026, 1, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => PaymentPlans.Schedule(0.02m, 3, new DateOnly(2026, 1, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => PaymentPlans.Schedule(10m, 61, new DateOnly(2026, 1, 1)));
    }
}

public class PatientAgingBuckets
{
    [Fact]
    public void payments_pay_the_oldest_charges_first()
    {
        var today = new DateOnly(2026, 6, 1);
        var buckets = PatientAging.Buckets([
            new(today.AddDays(-100), 40m), new(today.AddDays(-45), 30m), new(today.AddDays(-5), 20m), new(today.AddDays(-1), -50m),
        ], today);
        Assert.Equal(new AgingBuckets(20m, 20m, 0m, 0m), buckets);
        Assert.Equal(40m, buckets.Total);
        Assert.Equal(-10m, PatientAging.Buckets([new(today, 10m), new(today, -20m)], today).Current);
    }
}

public class StatementPdfs
{
    [Fact]
    public void a_statement_shows_the_practice_the_visits_what_insurance_paid_and_the_amount_due()
    {
        var statement = new Statement(Guid.NewGuid(), new StatementPractice("North Clinic Family Medicine", ["12 Main St", "Springfield, IL 62701"], "555-0100"),
            "Jane Doe", ["4 Elm St", "Springfield, IL 62702"], "N-1001", new DateOnly(2026, 3, 1), Notice.Second, new DateOnly(2026, 3, 22), 64.00m,
            [new StatementVisit(new DateOnly(2026, 1, 5), "99213 Office visit", 120m, 56m, 0m, 0m, 64m)], 0m, "https://portal.example/pay/abc");
        var path = Path.Combine(Path.GetTempPath(), $"portal-statement-{Guid.NewGuid():N}.pdf");
        File.WriteAllBytes(path, StatementPdf.Render(statement));
        try
        {
            var text = PdfText(path);
            foreach (var expected in new[] { "North Clinic Family Medicine", "12 Main St", "Second notice", "Jane Doe", "N-1001", "$64.00",
                         "03/22/2026", "99213 Office visit", "$56.00", "$120.00", "https://portal.example/pay/abc" })
                Assert.Contains(expected, text);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void a_print_batch_is_one_pdf_with_each_statement_on_its_own_pages()
    {
        var visits = Enumerable.Range(0, 40).Select(i => new StatementVisit(new DateOnly(2026, 1, 1).AddDays(i), $"Visit {i}", 10m, 5m, 0m, 0m, 5m)).ToList();
        Statement S(string name, IReadOnlyList<StatementVisit> v) => new(Guid.NewGuid(), new StatementPractice("P", [], null), name, [], "A", new DateOnly(2026, 3, 1),
            Notice.First, new DateOnly(2026, 3, 22), v.Sum(x => x.PatientOwes), v, 0m, null);
        var path = Path.Combine(Path.GetTempPath(), $"portal-batch-{Guid.NewGuid():N}.pdf");
        using (var file = File.Create(path)) StatementPdf.Write([S("Ann", visits), S("Bob", visits.Take(1).ToList())], file);
        try
        {
            var pages = PdfText(path).Split('\f', StringSplitOptions.RemoveEmptyEntries).Where(p => p.Trim().Length > 0).ToList();
            Assert.Equal(3, pages.Count);
            Assert.Contains("Ann", pages[0]);
            Assert.Contains("Visit 39", pages[1]);
            Assert.Contains("Bob", pages[2]);
        }
        finally { File.Delete(path); }
    }

    static string PdfText(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("pdftotext", ["-layout", path, "-"]) { RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text;
    }
}
