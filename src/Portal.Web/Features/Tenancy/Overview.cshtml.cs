using Marten;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Platform;

namespace Portal.Web.Features.Tenancy;

public class OverviewModel(IQuerySession query) : PageModel
{
    public CurrentPractice Practice { get; private set; } = default!;
    public int ActiveEngagements { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Practice = HttpContext.RequiredPractice();
        ActiveEngagements = await query.Query<Engagement>().CountAsync(e => e.RevokedAt == null, ct);
    }
}
