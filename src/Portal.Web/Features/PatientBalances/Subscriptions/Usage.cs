using System.Globalization;
using JasperFx.Events;
using Marten;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;
using Portal.Web.Platform.Reactions;
using Stripe;

namespace Portal.Web.Features.PatientBalances.Subscriptions;

/// <summary>
/// How much an organization used Portal on one day (UTC), per metric: "claim" (claims created in the practice) or "chart" (charts
/// coded and submitted: counted for the practice, and for the vendor whose coder submitted it). Global, id
/// <c>{organization}:{metric}:{yyyy-MM-dd}</c>; counted from the events by <see cref="UsageCounting"/>, never typed in.
/// </summary>
public sealed record UsageCount(string Id, Guid OrganizationId, string Metric, string Period, long Count, DateTimeOffset UpdatedAt)
{
    public static string IdFor(Guid organizationId, string metric, string period) => $"{organizationId:N}:{metric}:{period}";

    /// <summary>
    /// Every count, summed over the databases (ADR 0031): the reaction counts in the practice's own transaction, so a practice's
    /// counts are in its database, and a vendor's chart count can be in several.
    /// </summary>
    public static async Task<IReadOnlyList<UsageCount>> AcrossDatabases(IDocumentStore store, CancellationToken ct) =>
        [.. (await store.QueryEachDatabase(async (q, c) => await q.Query<UsageCount>().ToListAsync(c), ct))
            .GroupBy(c => c.Id).Select(g => g.First() with { Count = g.Sum(c => c.Count), UpdatedAt = g.Max(c => c.UpdatedAt) })];
    public static string PeriodOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>
/// Counts usage from the event store (ADR 0010 reaction: the count and the reaction's receipt commit together, so a replayed event
/// is not counted twice). Every ClaimCreated is a claim of its practice (corrected and void claims too: each is a claim sent);
/// every ChartSubmitted is a chart coded for the practice and, when a vendor's coder submitted it, for the vendor as well (a chart
/// sent back and submitted again was coded again, and counts again).
/// </summary>
public sealed class UsageCounting : IReaction
{
    public string Name => "billing.usage-count";

    public Type[] EventTypes => [typeof(ClaimCreated), typeof(ChartSubmitted)];

    public async Task HandleAsync(ReactionContext context, IEvent e, CancellationToken ct)
    {
        if (!Guid.TryParse(e.TenantId, out var practice)) return;
        var period = UsageCount.PeriodOf(e.Timestamp);
        switch (e.Data)
        {
            case ClaimCreated:
                await Add(context, practice, "claim", period, ct);
                break;
            case ChartSubmitted:
                await Add(context, practice, "chart", period, ct);
                var encounter = await context.Session.LoadAsync<Encounter>(e.StreamId, ct);
                if (encounter?.Coding.Coder?.VendorId is { } vendor) await Add(context, vendor, "chart", period, ct);
                break;
        }
    }

    static async Task Add(ReactionContext context, Guid organization, string metric, string period, CancellationToken ct)
    {
        var id = UsageCount.IdFor(organization, metric, period);
        var now = context.Clock.GetUtcNow();
        var count = await context.Session.LoadAsync<UsageCount>(id, ct) ?? new UsageCount(id, organization, metric, period, 0, now);
        context.Session.Store(count with { Count = count.Count + 1, UpdatedAt = now });
    }
}

/// <summary>
/// Reports metered usage to Stripe Billing (meter events on the platform account). Each organization's plan meters one metric;
/// each closed day is reported once, with identifier and Idempotency-Key <c>portal-{organization}-{metric}-{day}</c>: a retry (or
/// a second Portal node) sends the same identifier, Stripe counts it once, and the stored <see cref="UsageReport"/> stops Portal
/// from asking again. Only closed days are reported (a day's count no longer changes once the day is over), at most 30 days back
/// (Stripe accepts meter events up to 35 days old).
/// </summary>
public static class UsageReporting
{
    public static async Task<IReadOnlyList<UsageReport>> ReportClosedDays(IDocumentStore store, PortalStripe stripe, DateTimeOffset now,
        CancellationToken ct)
    {
        if (!stripe.Settings.Enabled) return [];
        var today = UsageCount.PeriodOf(now);
        var oldest = UsageCount.PeriodOf(now.AddDays(-30));
        await using var s = store.LightweightSession();
        var subscriptions = await s.Query<OrganizationSubscription>().Where(x => x.Status != SubscriptionStatus.Cancelled).ToListAsync(ct);
        var plans = (await s.Query<BillingPlan>().ToListAsync(ct)).ToDictionary(p => p.Id);
        var sent = new List<UsageReport>();
        foreach (var sub in subscriptions)
        {
            if (!plans.TryGetValue(sub.PlanId, out var plan)) continue;
            var counts = (await UsageCount.AcrossDatabases(store, ct)).Where(c => c.OrganizationId == sub.Id && c.Metric == plan.Metric).ToList();
            foreach (var count in counts.Where(c => string.CompareOrdinal(c.Period, today) < 0 && string.CompareOrdinal(c.Period, oldest) >= 0)
                         .OrderBy(c => c.Period, StringComparer.Ordinal))
            {
                if (await s.LoadAsync<UsageReport>(ReportId(sub.Id, plan.Metric, count.Period), ct) is not null) continue;
                sent.Add(await Send(s, stripe, sub, plan, count.Period, count.Count, now, ct));
            }
        }
        return sent;
    }

    public static string ReportId(Guid organizationId, string metric, string period) => $"portal-{organizationId:N}-{metric}-{period}";

    /// <summary>One period's usage to Stripe, once: stored after Stripe took it (or said it already had it).</summary>
    public static async Task<UsageReport> Send(IDocumentSession s, PortalStripe stripe, OrganizationSubscription sub, BillingPlan plan, string period,
        long quantity, DateTimeOffset now, CancellationToken ct)
    {
        var identifier = ReportId(sub.Id, plan.Metric, period);
        if (await s.LoadAsync<UsageReport>(identifier, ct) is { } already) return already;
        // A day's usage is stamped at the end of that day, so it lands in the billing period the day belongs to.
        DateTime? timestamp = DateOnly.TryParseExact(period, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day.ToDateTime(new TimeOnly(23, 59, 59), DateTimeKind.Utc)
            : null;
        try
        {
            await new Stripe.Billing.MeterEventService(stripe.Client).CreateAsync(new Stripe.Billing.MeterEventCreateOptions
            {
                EventName = plan.MeterEventName, Identifier = identifier, Timestamp = timestamp,
                Payload = new() { ["stripe_customer_id"] = sub.StripeCustomerId, ["value"] = quantity.ToString(CultureInfo.InvariantCulture) },
            }, new RequestOptions { IdempotencyKey = identifier }, ct);
        }
        catch (StripeException e) when (e.StripeError?.Code == "duplicate_meter_event")
        {
            // Stripe already has this period (a report whose answer we lost): it counted once; record it.
        }
        var report = new UsageReport(identifier, sub.Id, plan.Metric, period, quantity, now);
        s.Store(report);
        await s.SaveChangesAsync(ct);
        return report;
    }
}

/// <summary>Reports closed days' usage every Portal:Billing:UsageReportEvery (default 1 hour); nothing when Stripe is off.</summary>
sealed class UsageReporter(IDocumentStore store, PortalStripe stripe, IConfiguration config, TimeProvider clock, BackgroundWork work,
    ILogger<UsageReporter> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = config.GetValue("Portal:Billing:UsageReportEvery", TimeSpan.FromHours(1));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, clock, stoppingToken);
                using var lease = await work.EnterAsync(stoppingToken);
                var sent = await UsageReporting.ReportClosedDays(store, stripe, clock.GetUtcNow(), stoppingToken);
                if (sent.Count > 0) log.LogInformation("Reported {Count} days of usage to Stripe", sent.Count);
            }
            catch (OperationCanceledException) { return; }
            catch (Exception e)
            {
                log.LogWarning("Usage report round failed: {Exception}", SafeLog.Describe(e));
            }
        }
    }
}
