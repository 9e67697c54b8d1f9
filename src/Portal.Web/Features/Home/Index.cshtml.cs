using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Portal.Web.Features.Codes;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;
using Portal.Web.Platform.Home;

namespace Portal.Web.Features.Home;

/// <summary>
/// Everyone's first page, built around their work: the cards of each practice they work in (Platform/Home: coder, QA, provider,
/// practice admin, biller), the vendor admin's clients side by side, and the platform operator's organisations, code sets and health.
/// </summary>
public class IndexModel(PracticeAccess access, HomeBoard board) : PageModel
{
    public IReadOnlyList<Organization> Practices { get; private set; } = [];
    public IReadOnlyList<(Organization Practice, IReadOnlyList<HomeCard> Cards)> Boards { get; private set; } = [];
    public VendorBoard? Vendor { get; private set; }
    public OperatorBoard? Operator { get; private set; }
    public bool IsVendorStaff => VendorVisibility.FirmOf(User) is not null;
    /// <summary>Vendor staff whose firm a client engages for A/R or reports: the collections dashboard across clients has rows for them.</summary>
    public bool ShowsCollections { get; private set; }

    public async Task OnGetAsync([FromServices] IDocumentStore store, [FromServices] OrganizationDirectory organizations,
        [FromServices] TimeProvider clock, [FromServices] CodeCatalog catalog, [FromServices] HealthCheckService health, CancellationToken ct)
    {
        Practices = await access.PracticesFor(User, ct);
        ShowsCollections = User.Allows(Permissions.VendorCollections)
            && ((await access.PracticesFor(User, ct, EngagementFunctions.Ar)).Count > 0 || (await access.PracticesFor(User, ct, EngagementFunctions.Reports)).Count > 0);
        if (User.IsInRole(Roles.PlatformAdmin))
            Operator = await OperatorBoard.Load(store, catalog, health, ct);
        if (User.IsInRole(Roles.VendorAdmin) && User.OrganizationId() is { } firm)
        {
            Vendor = await VendorBoard.Load(store, Practices, firm, clock.GetUtcNow(), ct);
            return;
        }
        // A vendor coder may work many clients: the cards of the first few, the rest through the switcher.
        var boards = new List<(Organization, IReadOnlyList<HomeCard>)>();
        foreach (var p in Practices.Take(6))
            if (await access.Resolve(User, p.Id, ct) is { } current)
                boards.Add((p, await board.For(User, current, ct)));
        Boards = boards;
    }
}

/// <summary>The vendor admin's view across clients: backlog, SLA risk and who of the firm holds how many charts.</summary>
public sealed record VendorBoard(IReadOnlyList<VendorBoard.ClientBacklog> Clients, IReadOnlyList<string> Coders,
    IReadOnlyDictionary<(string Coder, Guid Practice), int> Workload)
{
    public sealed record ClientBacklog(Guid PracticeId, string Name, int Waiting, int WithFirm, int OnHold, int PastSla, int DueSoon, int ReadyForQa);

    public int WorkloadOf(string coder) => Workload.Where(w => w.Key.Coder == coder).Sum(w => w.Value);

    public static async Task<VendorBoard> Load(IDocumentStore store, IReadOnlyList<Organization> practices, Guid firm, DateTimeOffset now,
        CancellationToken ct)
    {
        var clients = new List<ClientBacklog>();
        var workload = new Dictionary<(string, Guid), int>();
        var soon = now.AddHours(24);
        foreach (var p in practices)
        {
            await using var q = store.QuerySession(p.Id.ToString());
            // The shared queue (unassigned) and the firm's own charts: nothing of the practice's in-house work.
            var rows = await q.Query<CodingQueueRow>().Where(r => (r.Status == EncounterStatus.Queued && r.CoderId == null)
                || (r.VendorId == firm && r.Status != EncounterStatus.Approved)).ToListAsync(ct);
            var running = rows.Where(r => CodingQueueRow.Running.Contains(r.Status)).ToList();
            clients.Add(new ClientBacklog(p.Id, p.Name,
                rows.Count(r => r.Status == EncounterStatus.Queued),
                rows.Count(r => r.VendorId == firm && r.Status is EncounterStatus.Assigned or EncounterStatus.InProgress or EncounterStatus.Returned),
                rows.Count(r => r.Status == EncounterStatus.OnHold),
                running.Count(r => r.DueAt < now),
                running.Count(r => r.DueAt >= now && r.DueAt < soon),
                rows.Count(r => r.Status == EncounterStatus.ReadyForQa)));
            foreach (var g in rows.Where(r => r.VendorId == firm && r.CoderName is not null && r.Status != EncounterStatus.ReadyForQa).GroupBy(r => r.CoderName!))
                workload[(g.Key, p.Id)] = g.Count();
        }
        return new VendorBoard(clients, [.. workload.Keys.Select(k => k.Item1).Distinct().Order()], workload);
    }
}

/// <summary>The platform operator's home: organisations, code-set versions and system health. No practice's data (no PHI).</summary>
public sealed record OperatorBoard(IReadOnlyList<Organization> Organizations, IReadOnlyList<CodeSetVersion> CodeSets, HealthReport Health)
{
    public static async Task<OperatorBoard> Load(IDocumentStore store, CodeCatalog catalog, HealthCheckService health, CancellationToken ct)
    {
        await using var q = store.QuerySession();
        var organizations = await q.Query<Organization>().OrderBy(o => o.Name).ToListAsync(ct);
        var versions = CodeSystems.All.SelectMany(catalog.Versions).ToList();
        var report = await health.CheckHealthAsync(c => c.Tags.Contains("ready"), ct);
        return new OperatorBoard(organizations, versions, report);
    }
}
