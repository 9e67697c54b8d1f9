using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Billing.PatientBilling;
using Portal.Web.Features.Tenancy;
using Stripe;

namespace Portal.Web.Features.PatientBalances.Subscriptions;

// Portal's own billing of its tenants (issue 13, item 8): plans, one Stripe Billing subscription per organization, metered usage
// reported idempotently, invoices for the tenant's admin, and read-only mode after a failed payment's grace period.

/// <summary>
/// A plan: monthly base (a Stripe price) plus metered usage per claim or per chart (a Stripe meter by event name). Audience: the
/// kind of organization it is for (practices or vendors); null: either.
/// </summary>
public sealed record BillingPlan(string Id, string Name, decimal MonthlyBase, decimal PerUnit, string Metric, string StripeBasePriceId,
    string? StripeMeteredPriceId, string MeterEventName, OrganizationKind? Audience = null)
{
    public long Version { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum SubscriptionStatus { Active, PastDue, Cancelled }

/// <summary>An organization's subscription (global, id = organization id).</summary>
public sealed record OrganizationSubscription(Guid Id, string PlanId, string StripeCustomerId, string StripeSubscriptionId, SubscriptionStatus Status,
    DateTimeOffset? PastDueSince, int GraceDays, DateTimeOffset UpdatedAt)
{
    /// <summary>Past due for longer than the grace period: the organization's data stays, writes are refused until paid.</summary>
    public bool ReadOnly(DateTimeOffset now) => Status == SubscriptionStatus.PastDue && PastDueSince is { } since && now - since > TimeSpan.FromDays(GraceDays);
}

/// <summary>One usage report sent to Stripe (global, id = its identifier): a second report of the same period is not sent again.</summary>
public sealed record UsageReport(string Id, Guid OrganizationId, string Metric, string Period, long Quantity, DateTimeOffset ReportedAt);

public sealed record SavePlan([Required, StringLength(100)] string Name, [Range(0, 100000)] decimal MonthlyBase, [Range(0, 1000)] decimal PerUnit,
    [Required, RegularExpression("^(claim|chart)$")] string Metric, [Required, StringLength(100)] string StripeBasePriceId,
    [StringLength(100)] string? StripeMeteredPriceId, [Required, StringLength(100)] string MeterEventName, OrganizationKind? Audience = null);

public sealed record Subscribe([Required, StringLength(50)] string PlanId, [Required, EmailAddress] string BillingEmail, [Range(0, 60)] int GraceDays = 14);

/// <summary>Usage of one period (e.g. a day "2026-12-03"): the period makes the report's identifier, so a retry is not counted twice.</summary>
public sealed record ReportUsage([Required, RegularExpression("^(claim|chart)$")] string Metric, [Range(0, 10_000_000)] long Quantity, [Required, RegularExpression(@"^\d{4}-\d{2}(-\d{2})?$")] string Period);

public sealed record InvoiceRow(string Id, string? Number, string Status, decimal AmountDue, decimal AmountPaid, DateTimeOffset Created, string? Url);

/// <summary>An organization's own view of Portal's billing: its plan, whether it is past due or read-only, and its invoices.</summary>
public sealed record OrganizationBilling(Guid OrganizationId, string? PlanId, string? PlanName, SubscriptionStatus? Status, DateTimeOffset? PastDueSince,
    int? GraceDays, bool ReadOnly, IReadOnlyList<InvoiceRow> Invoices);

/// <summary>One day's counted usage of an organization and whether it went to Stripe.</summary>
public sealed record UsageRow(Guid OrganizationId, string Metric, string Period, long Count, bool Reported);

public static class SubscriptionEndpoints
{
    public static void MapSubscriptions(this IEndpointRouteBuilder app)
    {
        var platform = app.MapGroup("/api/v1/platform").WithTags("Portal subscriptions");
        platform.MapGet("/billing-plans", Plans).WithName("ListBillingPlans").Requires(Permissions.PlatformBillingManage).Sorts(PlanSorting)
            .WithSummary("Portal's plans for practices and vendors");
        platform.MapPut("/billing-plans/{planId}", SavePlanHandler).WithName("SaveBillingPlan").HonoursIfMatch().Requires(Permissions.PlatformBillingManage)
            .WithSummary("Create or change a plan (monthly base + per-claim or per-chart usage)").ProducesValidationProblem();
        platform.MapGet("/subscriptions", Subscriptions).WithName("ListSubscriptions").Requires(Permissions.PlatformBillingManage).Sorts(SubscriptionSorting)
            .WithSummary("Every organization's subscription and whether it is read-only");
        platform.MapPost("/subscriptions/{organizationId:guid}", SubscribeHandler).WithName("SubscribeOrganization").Idempotent()
            .Requires(Permissions.PlatformBillingManage).WithSummary("Put an organization on a plan (Stripe customer and subscription)")
            .ProducesValidationProblem();
        platform.MapPost("/subscriptions/{organizationId:guid}/usage", Usage).WithName("ReportSubscriptionUsage").Idempotent()
            .Requires(Permissions.PlatformBillingManage).WithSummary("Report a period's metered usage to Stripe, once per period (a correction by hand)")
            .ProducesValidationProblem();
        platform.MapGet("/usage", UsageCounts).WithName("ListUsage").Requires(Permissions.PlatformBillingManage).Sorts(UsageSorting)
            .WithSummary("Usage counted from the events (claims created, charts coded) per organization and day, last 31 days, and whether reported");
        platform.MapPost("/usage/report", ReportNow).WithName("ReportClosedUsage").Idempotent().Requires(Permissions.PlatformBillingManage)
            .WithSummary("Report every closed day's usage not yet reported to Stripe now (the hourly job does the same)");

        app.MapGet("/api/v1/practices/{practiceId:guid}/subscription/invoices", Invoices).WithTags("Portal subscriptions")
            .WithName("ListSubscriptionInvoices").Requires(Permissions.SubscriptionInvoicesRead).Sorts(InvoiceSorting)
            .WithSummary("Portal's invoices to this practice (from Stripe)");
        app.MapGet("/api/v1/organizations/{organizationId:guid}/subscription", OwnBilling).WithTags("Portal subscriptions")
            .WithName("GetOrganizationSubscription").Requires(Permissions.OrganizationBillingRead)
            .WithSummary("Your organization's plan, payment state and Portal's invoices to it (practice or vendor admin)")
            .ProducesProblem(404);
    }

    static readonly Sorting<BillingPlan> PlanSorting = new Sorting<BillingPlan>("id")
    {
        { "id", "plan id", p => p.Id },
        { "name", "plan name", p => p.Name },
        { "monthlyBase", "monthly base price", p => p.MonthlyBase },
        { "perUnit", "price per claim or chart", p => p.PerUnit },
    }.TieBreak(p => p.Id);

    static readonly Sorting<OrganizationSubscription> SubscriptionSorting = new Sorting<OrganizationSubscription>("id")
    {
        { "id", "organization id", x => x.Id },
        { "plan", "plan id", x => x.PlanId },
        { "status", "subscription status", x => x.Status },
        { "updated", "last change", x => x.UpdatedAt },
    }.TieBreak(x => x.Id);

    static readonly Sorting<UsageRow> UsageSorting = new Sorting<UsageRow>("-period,organization")
    {
        { "period", "day counted", u => u.Period },
        { "organization", "organization id", u => u.OrganizationId },
        { "metric", "what was counted", u => u.Metric },
        { "count", "count", u => u.Count },
    }.TieBreak(u => u.Metric);

    static readonly Sorting<InvoiceRow> InvoiceSorting = new Sorting<InvoiceRow>("-created")
    {
        { "created", "invoice date", i => i.Created },
        { "due", "amount due", i => i.AmountDue },
        { "paid", "amount paid", i => i.AmountPaid },
        { "status", "invoice status", i => i.Status },
    }.TieBreak(i => i.Id);

    static async Task<Ok<CursorPage<BillingPlan>>> Plans(IDocumentStore store, string? sort, string? cursor, int? limit, HttpContext context, CancellationToken ct)
    {
        var order = PlanSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        await using var q = store.QuerySession();
        return TypedResults.Ok((await order.Apply(q.Query<BillingPlan>()).ToCursorPageAsync(request, ct)).WithLink(context));
    }

    static async Task<Results<Ok<BillingPlan>, ValidationProblem>> SavePlanHandler(string planId, SavePlan body, HttpContext context, IDocumentStore store,
        CancellationToken ct)
    {
        if (planId.Length is 0 or > 50 || !planId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["planId"] = ["Letters, digits and dashes, up to 50."] });
        await using var s = store.LightweightSession();
        var current = await s.LoadAsync<BillingPlan>(planId, ct);
        if (ETags.Parse(context.Request.Headers.IfMatch) is { } expected && expected != (current?.Version ?? 0))
            throw new JasperFx.ConcurrencyException(typeof(BillingPlan), planId);
        var plan = new BillingPlan(planId, body.Name, body.MonthlyBase, body.PerUnit, body.Metric, body.StripeBasePriceId, body.StripeMeteredPriceId,
            body.MeterEventName, body.Audience) { Version = (current?.Version ?? 0) + 1 };
        s.Store(plan);
        await s.SaveChangesAsync(ct);
        return TypedResults.Ok(plan);
    }

    static async Task<Ok<CursorPage<OrganizationSubscription>>> Subscriptions(IDocumentStore store, string? sort, string? cursor, int? limit, HttpContext context,
        CancellationToken ct)
    {
        var order = SubscriptionSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        await using var q = store.QuerySession();
        return TypedResults.Ok((await order.Apply(q.Query<OrganizationSubscription>()).ToCursorPageAsync(request, ct)).WithLink(context));
    }

    static async Task<Results<Ok<OrganizationSubscription>, NotFoundProblem>> SubscribeHandler(Guid organizationId, Subscribe body, IDocumentStore store,
        PortalStripe stripe, TimeProvider clock, CancellationToken ct)
    {
        var row = await Assign(store, stripe, organizationId, body, clock, ct);
        return row is null ? new NotFoundProblem("No organization with this id.") : TypedResults.Ok(row);
    }

    /// <summary>Puts an organization (practice or vendor) on a plan: Stripe customer and subscription, both idempotent. Null: no such organization.</summary>
    public static async Task<OrganizationSubscription?> Assign(IDocumentStore store, PortalStripe stripe, Guid organizationId, Subscribe body,
        TimeProvider clock, CancellationToken ct)
    {
        await using var s = store.LightweightSession();
        if (await s.LoadAsync<Organization>(organizationId, ct) is not { Kind: not OrganizationKind.Operator } org) return null;
        if (await s.LoadAsync<BillingPlan>(body.PlanId, ct) is not { } plan)
            throw new UnprocessableInput("No such plan.", new Dictionary<string, string[]> { ["planId"] = ["Unknown plan."] });
        if (plan.Audience is { } audience && audience != org.Kind)
            throw new UnprocessableInput($"{plan.Name} is a plan for {audience.ToString().ToLowerInvariant()}s; {org.Name} is a {org.Kind.ToString().ToLowerInvariant()}.",
                new Dictionary<string, string[]> { ["planId"] = ["The plan is for another kind of organization."] });
        var customer = await new CustomerService(stripe.Client).CreateAsync(new CustomerCreateOptions
        {
            Name = org.Name, Email = body.BillingEmail, Metadata = new() { ["organization_id"] = organizationId.ToString() },
        }, new RequestOptions { IdempotencyKey = $"portal-customer-{organizationId}" }, ct);
        var items = new List<SubscriptionItemOptions> { new() { Price = plan.StripeBasePriceId } };
        if (plan.StripeMeteredPriceId is { } metered) items.Add(new SubscriptionItemOptions { Price = metered });
        var subscription = await new SubscriptionService(stripe.Client).CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = items, Metadata = new() { ["organization_id"] = organizationId.ToString(), ["plan_id"] = plan.Id },
        }, new RequestOptions { IdempotencyKey = $"portal-subscription-{organizationId}-{plan.Id}" }, ct);
        var current = await s.LoadAsync<OrganizationSubscription>(organizationId, ct);
        // A change of plan keeps a past-due state: moving plans does not pay the open invoice.
        var row = new OrganizationSubscription(organizationId, plan.Id, customer.Id, subscription.Id, current?.Status ?? SubscriptionStatus.Active,
            current?.PastDueSince, body.GraceDays, clock.GetUtcNow());
        s.Store(row);
        await s.SaveChangesAsync(ct);
        return row;
    }

    static async Task<Results<Ok<UsageReport>, NotFoundProblem>> Usage(Guid organizationId, ReportUsage body, IDocumentStore store,
        PortalStripe stripe, TimeProvider clock, CancellationToken ct)
    {
        await using var s = store.LightweightSession();
        if (await s.LoadAsync<OrganizationSubscription>(organizationId, ct) is not { } sub) return new NotFoundProblem("The organization has no subscription.");
        var metric = body.Metric;
        var plan = await s.LoadAsync<BillingPlan>(sub.PlanId, ct);
        if (plan is null || plan.Metric != metric)
            throw new UnprocessableInput($"The organization's plan meters {plan?.Metric ?? "nothing"}, not {metric}.");
        return TypedResults.Ok(await UsageReporting.Send(s, stripe, sub, plan, body.Period, body.Quantity, clock.GetUtcNow(), ct));
    }

    static async Task<Ok<CursorPage<UsageRow>>> UsageCounts(IDocumentStore store, TimeProvider clock, string? sort, string? cursor, int? limit, HttpContext context,
        CancellationToken ct)
    {
        var order = UsageSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        return TypedResults.Ok(order.Apply(await RecentUsage(store, clock.GetUtcNow(), ct)).Slice(request).WithLink(context));
    }

    /// <summary>The last 31 days' counts, newest first, with whether each went to Stripe.</summary>
    public static async Task<IReadOnlyList<UsageRow>> RecentUsage(IDocumentStore store, DateTimeOffset now, CancellationToken ct)
    {
        await using var q = store.QuerySession();
        var since = UsageCount.PeriodOf(now.AddDays(-31));
        var counts = (await UsageCount.AcrossDatabases(store, ct)).Where(c => string.CompareOrdinal(c.Period, since) >= 0).ToList();
        var reported = (await q.Query<UsageReport>().Select(r => r.Id).ToListAsync(ct)).ToHashSet();
        return [.. counts.OrderByDescending(c => c.Period, StringComparer.Ordinal).ThenBy(c => c.OrganizationId).ThenBy(c => c.Metric)
            .Select(c => new UsageRow(c.OrganizationId, c.Metric, c.Period, c.Count, reported.Contains(UsageReporting.ReportId(c.OrganizationId, c.Metric, c.Period))))];
    }

    static async Task<Ok<IReadOnlyList<UsageReport>>> ReportNow(IDocumentStore store, PortalStripe stripe, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(await UsageReporting.ReportClosedDays(store, stripe, clock.GetUtcNow(), ct));

    static async Task<Results<Ok<OrganizationBilling>, NotFoundProblem>> OwnBilling(Guid organizationId, HttpContext context,
        Users.UserAdministration admin, IDocumentStore store, PortalStripe stripe, TimeProvider clock, CancellationToken ct) =>
        await admin.AdministeredOrganization(context.User, organizationId, ct) is { } org
            ? TypedResults.Ok(await BillingOf(store, stripe, org.Id, clock.GetUtcNow(), ct))
            : new NotFoundProblem("No organization with this id that you administer.");

    /// <summary>An organization's plan, state and invoices (from Stripe; none when it has no subscription or Stripe is off).</summary>
    public static async Task<OrganizationBilling> BillingOf(IDocumentStore store, PortalStripe stripe, Guid organizationId, DateTimeOffset now,
        CancellationToken ct)
    {
        await using var q = store.QuerySession();
        if (await q.LoadAsync<OrganizationSubscription>(organizationId, ct) is not { } sub)
            return new OrganizationBilling(organizationId, null, null, null, null, null, false, []);
        var plan = await q.LoadAsync<BillingPlan>(sub.PlanId, ct);
        return new OrganizationBilling(organizationId, sub.PlanId, plan?.Name, sub.Status, sub.PastDueSince, sub.GraceDays, sub.ReadOnly(now),
            stripe.Settings.Enabled ? await InvoicesOf(stripe, sub, ct) : []);
    }

    static async Task<IReadOnlyList<InvoiceRow>> InvoicesOf(PortalStripe stripe, OrganizationSubscription sub, CancellationToken ct)
    {
        var invoices = await new InvoiceService(stripe.Client).ListAsync(new InvoiceListOptions { Customer = sub.StripeCustomerId, Limit = 24 }, null, ct);
        return [.. invoices.Data.Select(i => new InvoiceRow(i.Id, i.Number, i.Status, Money.FromCents(i.AmountDue), Money.FromCents(i.AmountPaid),
            i.Created, i.HostedInvoiceUrl))];
    }


    static async Task<Ok<CursorPage<InvoiceRow>>> Invoices(HttpContext context, IDocumentStore store, PortalStripe stripe, string? sort, string? cursor, int? limit,
        CancellationToken ct)
    {
        var order = InvoiceSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        await using var q = store.QuerySession();
        if (await q.LoadAsync<OrganizationSubscription>(context.RequiredPractice().PracticeId, ct) is not { } sub)
            return TypedResults.Ok(new CursorPage<InvoiceRow>([], null));
        return TypedResults.Ok(order.Apply(await InvoicesOf(stripe, sub, ct)).Slice(request).WithLink(context));
    }

    /// <summary>invoice.payment_failed → past due (grace starts); invoice.paid → active again. From the platform's own webhook.</summary>
    public static async Task<string?> OnInvoiceEvent(IDocumentStore store, string type, JsonElement invoice, DateTimeOffset now, CancellationToken ct)
    {
        if (type is not ("invoice.payment_failed" or "invoice.paid")) return null;
        var customer = invoice.TryGetProperty("customer", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        await using var s = store.LightweightSession();
        var sub = await s.Query<OrganizationSubscription>().FirstOrDefaultAsync(x => x.StripeCustomerId == customer, ct);
        if (sub is null) return "no subscription for this customer";
        s.Store(type == "invoice.paid"
            ? sub with { Status = SubscriptionStatus.Active, PastDueSince = null, UpdatedAt = now }
            : sub with { Status = SubscriptionStatus.PastDue, PastDueSince = sub.PastDueSince ?? now, UpdatedAt = now });
        await s.SaveChangesAsync(ct);
        return type == "invoice.paid" ? "subscription active" : "subscription past due";
    }

    /// <summary>
    /// Read-only mode: a practice whose subscription is past due beyond its grace period may read everything and export it, but
    /// every write answers 402 Payment Required (ProblemDetails, rule "subscription-read-only"). Nothing is deleted. Paying the
    /// invoice (invoice.paid) lifts it at once.
    /// </summary>
    public static IApplicationBuilder UseSubscriptionReadOnly(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.CurrentPractice() is { } practice && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)
            && !HttpMethods.IsOptions(context.Request.Method))
        {
            var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            // A bearer request read both subscriptions with its token (Identity's AccessCheck, ADR 0036); a cookie request loads them.
            var facts = context.RequestServices.GetRequiredService<AccessFacts>();
            var sub = await Load(practice.PracticeId);
            // A vendor's staff working a client's practice: the vendor's own subscription decides too (a vendor past its grace
            // period may read its clients' work but not change it).
            if (sub?.ReadOnly(now) != true && practice.VendorFunctions is not null && context.User.OrganizationId() is { } vendor)
                sub = await Load(vendor);

            async Task<OrganizationSubscription?> Load(Guid organizationId)
            {
                if (facts.TryGet<OrganizationSubscription>(context.User, organizationId, out var read)) return read;
                await using var q = context.RequestServices.GetRequiredService<IDocumentStore>().QuerySession();
                return await q.LoadAsync<OrganizationSubscription>(organizationId, context.RequestAborted);
            }
            if (sub?.ReadOnly(now) == true)
            {
                context.Response.StatusCode = StatusCodes.Status402PaymentRequired;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails =
                    {
                        Status = 402, Title = "Read-only until the subscription is paid",
                        Detail = "Portal's invoice to this organization is unpaid past its grace period. Everything stays readable and exportable; "
                            + "changes are refused until the invoice is paid. Nothing was changed.",
                        Extensions = { ["rule"] = "subscription-read-only" },
                    },
                });
                return;
            }
        }
        await next();
    });
}
