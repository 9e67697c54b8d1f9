using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;

namespace Portal.Web.Features.Coding;

public class QueueModel(IQuerySession query, TimeProvider clock) : CodingPageModel
{
    /// <summary>May send encounters to coding from here (the practice's intake writers).</summary>
    public bool CanWrite => User.Allows(Permissions.IntakeWrite, Practice);
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;
    public QueueFilter Filter { get; private set; } = new();
    public QueueTable Table { get; private set; } = default!;
    public IReadOnlyList<EncounterListRow> NewEncounters { get; private set; } = [];

    public async Task OnGetAsync([FromServices] UserManager<PortalUser> users, CancellationToken ct)
    {
        Notice = Request.Query["empty"] == "1" ? "The queue is empty: no chart is waiting to be coded. Check back later." : null;
        await Load(users, ct);
    }

    /// <summary>htmx: just the table, when a filter changes.</summary>
    public async Task<IActionResult> OnGetRowsAsync([FromServices] UserManager<PortalUser> users, CancellationToken ct)
    {
        await LoadRows(users, ct);
        Response.Headers.Vary = "HX-Request";
        return Partial("_QueueRows", Table);
    }

    public async Task<IActionResult> OnGetExportAsync([FromServices] IDocumentSession session, CancellationToken ct)
    {
        var filter = QueueQuery.Parse(Request.Query);
        var now = clock.GetUtcNow();
        var rows = await CodingQueue.Rows(session, filter, Caller.Me.Id, Caller.Me.VendorId, now).Take(10_000).ToListAsync(ct);
        await PhiAudit.Record(session, HttpContext, PhiAudit.Export, "CodingQueue", null, null, ct);
        return CodingQueue.Csv(rows.Select(r => CodingQueueItem.From(r, Practice.PracticeId, Practice.Name, now)));
    }

    /// <summary>"Pull next chart": the same atomic pick as the API; straight to its coding screen.</summary>
    public async Task<IActionResult> OnPostNextAsync([FromServices] IDocumentStore store, [FromServices] TenantDatabases db, CancellationToken ct)
    {
        var pulled = await CodingQueue.PullNext(store, db, [Practice.PracticeId], Caller.Me, clock, ct);
        return Redirect(pulled is { } p ? ChartUrl(p.EncounterId) : $"{Root}/coding/queue?empty=1");
    }

    /// <summary>htmx: a lead gives a chart to a coder; answers the table.</summary>
    public async Task<IActionResult> OnPostAssignAsync(Guid encounterId, Guid? coderId, [FromServices] IDocumentSession session,
        [FromServices] UserManager<PortalUser> users, CancellationToken ct)
    {
        if (!IsLead) return Forbid();
        if (coderId is not { } id) Error = "Choose a coder to assign the chart to.";
        else
            await TryWrite(async () =>
            {
                var coder = await CodingAccess.AssignableCoder(session, users, Caller, Practice.PracticeId, id);
                if (await CodingWrites.Assign(session, encounterId, null, coder, null, User.Actor(), clock, ct) is null)
                    throw new RuleViolation("No such chart in this practice.");
            });
        await LoadRows(users, ct);
        Response.Headers.Vary = "HX-Request";
        ViewData["Error"] = Error;
        return Partial("_QueueRows", Table);
    }

    /// <summary>Intake staff put a New encounter into the queue (due = now + the practice's turnaround SLA).</summary>
    public async Task<IActionResult> OnPostSendAsync(Guid? encounterId, int priority, [FromServices] IDocumentSession session,
        [FromServices] UserManager<PortalUser> users, CancellationToken ct)
    {
        if (encounterId is not { } id) Error = "Choose an encounter to send to coding.";
        else if (await TryWrite(() => CodingWrites.Queue(session, id, null, new SendToCoding(Math.Clamp(priority, 0, 9)), Practice.PracticeId,
                     User.Actor(), clock, ct)))
            return Redirect($"{Root}/coding/queue");
        await Load(users, ct);
        return Page();
    }

    async Task Load(UserManager<PortalUser> users, CancellationToken ct)
    {
        await LoadRows(users, ct);
        if (CanWrite)
            NewEncounters = [.. (await IntakeQueries.Encounters(query, new EncounterFilter { Status = EncounterStatus.New, Sort = "-dos" })
                .Take(100).ToListAsync(ct)).Select(EncounterListRow.From)];
    }

    async Task LoadRows(UserManager<PortalUser> users, CancellationToken ct)
    {
        Filter = QueueQuery.Parse(Request.Query);
        var now = clock.GetUtcNow();
        var page = await CodingQueue.Rows(query, Filter, Caller.Me.Id, Caller.Me.VendorId, now)
            .ToPageAsync(Paging.ForPortalPage(PageNumber), ct);
        var assignable = IsLead ? await AssignableCoders(query, users, Practice.PracticeId, ct) : [];
        Table = new QueueTable([.. page.Items.Select(r => CodingQueueItem.From(r, Practice.PracticeId, Practice.Name, now))],
            page.Page, page.PageCount, page.Total, p => $"{Root}/coding/queue?{QueueQuery.String(Filter, p)}",
            $"{Root}/coding/queue?handler=Export&{QueueQuery.String(Filter)}", QueueQuery.Filtered(Filter), ShowPractice: false,
            assignable, IsLead ? $"{Root}/coding/queue?handler=Assign&{QueueQuery.String(Filter, PageNumber)}" : null);
    }
}
