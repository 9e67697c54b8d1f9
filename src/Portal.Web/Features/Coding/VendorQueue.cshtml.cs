using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;

namespace Portal.Web.Features.Coding;

/// <summary>A vendor's one queue across the practices that engage it; each row names its practice and links to that practice's chart.</summary>
public class VendorQueueModel(PracticeAccess access, IDocumentStore store, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;
    public QueueFilter Filter { get; private set; } = new();
    public QueueTable Table { get; private set; } = default!;
    public bool CanPull => User.Allows(Permissions.VendorQueueWork);
    public string? Notice { get; private set; }
    public int Practices { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Notice = Request.Query["empty"] == "1" ? "Every engaged practice's queue is empty: no chart is waiting. Check back later." : null;
        await Load(ct);
        return Page();
    }

    public async Task<IActionResult> OnGetRowsAsync(CancellationToken ct)
    {
        await Load(ct);
        Response.Headers.Vary = "HX-Request";
        return Partial("_QueueRows", Table);
    }

    public async Task<IActionResult> OnPostNextAsync([FromServices] TenantDatabases db, CancellationToken ct)
    {
        var practices = await access.PracticesFor(User, ct, EngagementFunctions.Coding);
        var pulled = await CodingQueue.PullNext(store, db, [.. practices.Select(p => p.Id)], CodingCaller.From(User).Me, clock, ct);
        return Redirect(pulled is var (practiceId, encounterId, _) ? $"/practices/{practiceId}/coding/charts/{encounterId}" : "/vendor/queue?empty=1");
    }

    async Task Load(CancellationToken ct)
    {
        Filter = QueueQuery.Parse(Request.Query);
        var me = CodingCaller.From(User).Me;
        var now = clock.GetUtcNow();
        var (page, size) = Paging.ForPortalPage(PageNumber);
        var practices = await access.PracticesFor(User, ct, EngagementFunctions.Coding);
        PhiAudit.AcrossPractices(HttpContext, practices.Select(p => p.Id));
        Practices = practices.Count;
        var sort = CodingQueue.Sorting.Parse(Filter.Sort);
        var merged = new List<(CodingQueueRow, CodingQueueItem)>();
        long total = 0;
        foreach (var practice in practices)
        {
            await using var query = store.QuerySession(practice.Id.ToString());
            var rows = CodingQueue.Rows(query, Filter, me.Id, me.VendorId ?? Guid.Empty, now);
            total += await rows.CountAsync(ct);
            merged.AddRange((await rows.Take(page * size).ToListAsync(ct)).Select(r => (r, CodingQueueItem.From(r, practice.Id, practice.Name, now))));
        }
        var items = CodingQueue.Merge(merged, sort).Skip((page - 1) * size).Take(size).ToList();
        var pageCount = total == 0 ? 1 : (int)Math.Ceiling(total / (double)size);
        Table = new QueueTable(items, page, pageCount, total, p => $"/vendor/queue?{QueueQuery.String(Filter, p)}", "", QueueQuery.Filtered(Filter),
            ShowPractice: true, [], null);
    }
}
