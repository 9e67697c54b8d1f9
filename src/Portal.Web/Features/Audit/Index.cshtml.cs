using Marten;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;

namespace Portal.Web.Features.Audit;

/// <summary>The practice admin's view of who read the practice's PHI: filters, pages, CSV export.</summary>
public class IndexModel(IQuerySession query) : PageModel
{
    public CurrentPractice Practice => HttpContext.RequiredPractice();
    public string Root => $"/practices/{Practice.PracticeId}";
    public AuditFilter Filter { get; private set; } = new();
    public PageOf<AuditEntry> Entries { get; private set; } = new([], 1, Paging.DefaultPageSize, 0);

    public async Task OnGetAsync(int? page, CancellationToken ct)
    {
        Filter = AuditFilter.Parse(Request.Query);
        Entries = await AuditLog.Query(query, Filter).ToPageAsync(Math.Max(1, page ?? 1), 50, ct);
    }

    public string PageUrl(int page) => $"{Root}/audit?{Filter.QueryString(page)}";
    public string ExportUrl => $"/api/v1/practices/{Practice.PracticeId}/audit/export.csv?{Filter.QueryString()}";
}
