using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Features.Tenancy;

namespace Portal.Web.Features.PatientBalances.Subscriptions;

/// <summary>
/// The platform operator's billing of Portal's tenants: plans (monthly base + per-claim or per-chart usage), which organization
/// (practice or vendor) is on which plan, the usage counted from the events, and reporting closed days to Stripe.
/// </summary>
public class PlatformBillingModel(IDocumentStore store, PortalStripe stripe, TimeProvider clock) : PageModel
{
    public IReadOnlyList<BillingPlan> Plans { get; private set; } = [];
    public IReadOnlyList<Organization> Organizations { get; private set; } = [];
    public IReadOnlyList<OrganizationSubscription> Subscriptions { get; private set; } = [];
    public IReadOnlyList<UsageRow> Usage { get; private set; } = [];
    public bool StripeOn => stripe.Settings.Enabled;
    public DateTimeOffset Now { get; private set; }
    public string? Notice { get; private set; }
    public string? Error { get; private set; }

    public string NameOf(Guid organizationId) => Organizations.FirstOrDefault(o => o.Id == organizationId)?.Name ?? organizationId.ToString();

    public async Task OnGetAsync(CancellationToken ct)
    {
        Notice = Request.Query["done"].ToString() is { Length: > 0 } done ? done : null;
        await Load(ct);
    }

    public Task<IActionResult> OnPostPlanAsync(string? planId, string? name, OrganizationKind? audience, decimal monthlyBase, decimal perUnit,
        string? metric, string? basePrice, string? meteredPrice, string? meterEvent, CancellationToken ct) =>
        Act(async () =>
        {
            planId = planId?.Trim() ?? "";
            if (planId.Length is 0 or > 50 || !planId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                throw new UnprocessableInput("The plan id takes letters, digits and dashes, up to 50.");
            if (string.IsNullOrWhiteSpace(name) || metric is not ("claim" or "chart") || string.IsNullOrWhiteSpace(basePrice)
                || string.IsNullOrWhiteSpace(meterEvent) || monthlyBase is < 0 or > 100000 || perUnit is < 0 or > 1000)
                throw new UnprocessableInput("Give the name, a monthly base and a price per unit (0 or more), the metric, the Stripe base price and the meter's event name.");
            await using var s = store.LightweightSession();
            var current = await s.LoadAsync<BillingPlan>(planId, ct);
            s.Store(new BillingPlan(planId, name.Trim(), monthlyBase, perUnit, metric, basePrice.Trim(),
                string.IsNullOrWhiteSpace(meteredPrice) ? null : meteredPrice.Trim(), meterEvent.Trim(), audience) { Version = (current?.Version ?? 0) + 1 });
            await s.SaveChangesAsync(ct);
            return $"Plan {name.Trim()} is saved.";
        }, ct);

    public Task<IActionResult> OnPostAssignAsync(Guid organizationId, string? planId, string? billingEmail, int graceDays, CancellationToken ct) =>
        Act(async () =>
        {
            if (string.IsNullOrWhiteSpace(planId) || !new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(billingEmail?.Trim())
                || string.IsNullOrWhiteSpace(billingEmail) || graceDays is < 0 or > 60)
                throw new UnprocessableInput("Choose a plan, give the billing e-mail and a grace period of 0 to 60 days.");
            if (!StripeOn) throw new UnprocessableInput("Stripe is not configured (Portal:Stripe:SecretKey): plans cannot be assigned.");
            var row = await SubscriptionEndpoints.Assign(store, stripe, organizationId, new Subscribe(planId, billingEmail.Trim(), graceDays), clock, ct)
                ?? throw new UnprocessableInput("Choose a practice or a vendor.");
            await using var q = store.QuerySession();
            return $"{(await q.LoadAsync<Organization>(row.Id, ct))?.Name} is on plan {row.PlanId}.";
        }, ct);

    public Task<IActionResult> OnPostReportAsync(CancellationToken ct) =>
        Act(async () =>
        {
            var sent = await UsageReporting.ReportClosedDays(store, stripe, clock.GetUtcNow(), ct);
            return sent.Count == 0 ? "Nothing to report: every closed day is already with Stripe." : $"Reported {sent.Count} days of usage to Stripe.";
        }, ct);

    async Task<IActionResult> Act(Func<Task<string>> write, CancellationToken ct)
    {
        try
        {
            var done = await write();
            return Redirect($"/platform/billing?done={Uri.EscapeDataString(done)}");
        }
        catch (Exception e) when (e is RuleViolation or UnprocessableInput)
        {
            Error = e.Message;
        }
        await Load(ct);
        return Page();
    }

    async Task Load(CancellationToken ct)
    {
        Now = clock.GetUtcNow();
        await using var q = store.QuerySession();
        Plans = await q.Query<BillingPlan>().OrderBy(p => p.Id).ToListAsync(ct);
        Subscriptions = await q.Query<OrganizationSubscription>().ToListAsync(ct);
        Organizations = [.. (await q.Query<Organization>().ToListAsync(ct)).Where(o => o.Kind != OrganizationKind.Operator).OrderBy(o => o.Name)];
        Usage = await SubscriptionEndpoints.RecentUsage(store, Now, ct);
    }
}
