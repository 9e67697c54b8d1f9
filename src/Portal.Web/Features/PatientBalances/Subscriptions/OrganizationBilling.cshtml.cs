using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Features.Tenancy;
using Portal.Web.Features.Users;

namespace Portal.Web.Features.PatientBalances.Subscriptions;

/// <summary>An organization admin's (practice or vendor) view of Portal's billing: the plan, whether a payment failed, the invoices.</summary>
public class OrganizationBillingModel(UserAdministration admin, IDocumentStore store, PortalStripe stripe, TimeProvider clock) : PageModel
{
    public Organization Organization { get; private set; } = default!;
    public OrganizationBilling Billing { get; private set; } = default!;
    public DateTimeOffset? ReadOnlyFrom => Billing.PastDueSince is { } since && Billing.GraceDays is { } days ? since.AddDays(days) : null;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (User.OrganizationId() is not { } id || await admin.AdministeredOrganization(User, id, ct) is not { } org) return NotFound();
        Organization = org;
        Billing = await SubscriptionEndpoints.BillingOf(store, stripe, org.Id, clock.GetUtcNow(), ct);
        return Page();
    }
}
