using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Platform;
using Portal.Web.Platform.Csv;

namespace Portal.Web.Features.Payments;

public class DenialsModel(IQuerySession query, TimeProvider clock) : PaymentsPageModel
{
    public PageOf<DenialWorkItem> Rows { get; private set; } = new([], 1, Paging.DefaultPageSize, 0);
    [BindProperty(SupportsGet = true)] public string? State { get; set; }
    [BindProperty(SupportsGet = true)] public string? Category { get; set; }
    [BindProperty(SupportsGet = true)] public string? Owner { get; set; }
    [BindProperty(SupportsGet = true)] public bool Overdue { get; set; }
    [BindProperty(SupportsGet = true)] public int P { get; set; } = 1;

    public DateOnly Today => PaymentEndpoints.Today(clock);

    IQueryable<DenialWorkItem> Filtered() =>
        PaymentQueries.WorkItems(query, State is "" ? null : State, Category is "" ? null : Category, Owner is "" ? null : Owner, null,
            Overdue ? true : null, Today);

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (State is not null && State.Length > 0 && !Enum.TryParse<WorkItemState>(State, true, out _)) State = null;
        Rows = await Filtered().ToPageAsync(Paging.ForPortalPage(P), ct);
    }

    public async Task<IActionResult> OnGetExportAsync(CancellationToken ct)
    {
        if (State is not null && State.Length > 0 && !Enum.TryParse<WorkItemState>(State, true, out _)) State = null;
        return CsvDownload.Of("denial-work-items.csv", PaymentEndpoints.WorkItemColumns, await Filtered().ToListAsync(ct));
    }

    public async Task<IActionResult> OnPostAsync(Guid[] ids, string? assignTo, [FromServices] IDocumentSession session, CancellationToken ct)
    {
        if (ids.Length == 0) Error = "Tick the work items to assign.";
        else if (await TryWrite(() => FollowUpWrites.Assign(session, new AssignWorkItems(ids, assignTo), User.Actor(), clock, ct)))
            Notice = $"{ids.Length} work item(s) assigned to {(string.IsNullOrWhiteSpace(assignTo) ? "nobody" : assignTo.Trim())}.";
        await OnGetAsync(ct);
        return Page();
    }

    public string PageUrl(int page) =>
        $"{Root}/denials?state={State}&category={Category}&owner={Uri.EscapeDataString(Owner ?? "")}&overdue={(Overdue ? "true" : "false")}&p={page}";
}
