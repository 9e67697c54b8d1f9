using Portal.Web.Platform;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Portal.Web.Features.Tenancy;

namespace Portal.Web.Features.Payments;

public class VendorCollectionsModel(PracticeAccess access, TenantDatabases databases, TimeProvider clock) : PageModel
{
    public IReadOnlyList<ClientCollections> Rows { get; private set; } = [];
    public DateOnly From { get; private set; }
    public DateOnly To { get; private set; }

    public async Task OnGetAsync(DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        To = to ?? PaymentEndpoints.Today(clock);
        From = from is { } f && f <= To ? f : To.AddDays(-89);
        Rows = await VendorCollections.For(access, databases, User, From, To, ct);
    }
}
