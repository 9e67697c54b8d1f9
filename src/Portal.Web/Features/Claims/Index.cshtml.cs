using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Features.Codes;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;
using Portal.Web.Platform.Csv;

namespace Portal.Web.Features.Claims;

/// <summary>The biller's claim work queue: claims grouped by the edits they fail, filters, sorting, paging, CSV, bulk actions.</summary>
public class IndexModel(IQuerySession query, TimeProvider clock) : PracticePageModel
{
    public ClaimFilter Filter { get; private set; } = new();
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;
    public PageOf<ClaimRow> Rows { get; private set; } = new([], 1, Paging.DefaultPageSize, 0);
    public IReadOnlyList<ClaimEditGroup> Groups { get; private set; } = [];
    public IReadOnlyList<Payer> Payers { get; private set; } = [];
    public IReadOnlyList<Provider> Providers { get; private set; } = [];
    public IReadOnlyList<ClaimNotDrafted> NotDrafted { get; private set; } = [];
    public long AllClaims { get; private set; }
    public IReadOnlyList<BulkClaimResult>? BulkResults { get; private set; }
    public bool CanWork => User.Allows(Permissions.ClaimsWrite, Practice);
    public bool CanReady => User.Allows(Permissions.ClaimsReady, Practice);
    DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    public async Task OnGetAsync(CancellationToken ct) => await Load(ct);

    public async Task<IActionResult> OnGetExportAsync([FromServices] IDocumentSession session, CancellationToken ct)
    {
        Filter = FilterFromQuery(Request.Query);
        var rows = await ClaimQueries.Sorted(ClaimQueries.Filtered(session, Filter, Today), Filter.Sort).Take(10_000).ToListAsync(ct);
        await PhiAudit.Record(session, HttpContext, PhiAudit.Export, "ClaimList", null, null, ct);
        return new CsvDownload<ClaimRow>($"claims-{Today:yyyy-MM-dd}.csv", ClaimQueries.Columns, rows.Select(c => ClaimRow.From(c, Today)));
    }

    public Task<IActionResult> OnPostRescrubAsync(Guid[] claimIds, [FromServices] CodeCatalog catalog, CancellationToken ct) =>
        Bulk("rescrub", claimIds, catalog, ct);

    public Task<IActionResult> OnPostReadyAsync(Guid[] claimIds, [FromServices] CodeCatalog catalog, CancellationToken ct) =>
        Bulk("ready", claimIds, catalog, ct);

    async Task<IActionResult> Bulk(string action, Guid[] claimIds, CodeCatalog catalog, CancellationToken ct)
    {
        if (claimIds.Length == 0) Error = "Tick the claims to act on first.";
        else if (claimIds.Length > 200) Error = "Act on at most 200 claims at a time.";
        else BulkResults = await ClaimBulk.Run(HttpContext.RequestServices, catalog, action, claimIds.Distinct().ToArray(), User.Actor(), clock, ct);
        await Load(ct);
        return Page();
    }

    async Task Load(CancellationToken ct)
    {
        Filter = FilterFromQuery(Request.Query);
        var page = await ClaimQueries.Sorted(ClaimQueries.Filtered(query, Filter, Today), Filter.Sort).ToPageAsync(Paging.ForPortalPage(PageNumber), ct);
        Rows = page.Map(c => ClaimRow.From(c, Today));
        Groups = await ClaimQueries.ByEdit(query, Filter, Today, ct);
        Payers = await IntakeQueries.Payers(query, ct);
        Providers = await IntakeQueries.Providers(query, ct);
        NotDrafted = await query.Query<ClaimNotDrafted>().OrderByDescending(n => n.At).Take(20).ToListAsync(ct);
        AllClaims = Filter.Any ? await query.Query<ClaimView>().CountAsync(ct) : Rows.Total;
    }

    public string QueryString(int? page = null, string? rule = null, bool keepRule = true) => string.Join('&', new Dictionary<string, string?>
    {
        ["payerId"] = Filter.PayerId?.ToString(), ["providerId"] = Filter.ProviderId?.ToString(),
        ["dosFrom"] = Filter.DosFrom?.ToString("yyyy-MM-dd"), ["dosTo"] = Filter.DosTo?.ToString("yyyy-MM-dd"), ["state"] = Filter.State,
        ["age"] = Filter.Age, ["rule"] = rule ?? (keepRule ? Filter.Rule : null), ["search"] = Filter.Search, ["sort"] = Filter.Sort,
        ["p"] = page?.ToString(),
    }.Where(kv => !string.IsNullOrEmpty(kv.Value)).Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value!)}"));

    public static readonly (string Value, string Label)[] StateOptions =
        [("open", "Needs attention"), .. Enum.GetValues<ClaimState>().Select(s => (s.ToString(), ClaimStates.Label(s)))];

    // Lenient on purpose: a hand-edited URL with a bad value drops that filter instead of failing the page.
    static ClaimFilter FilterFromQuery(IQueryCollection q)
    {
        var state = q["state"].ToString();
        var age = q["age"].ToString();
        var sort = q["sort"].ToString();
        return new ClaimFilter
        {
            PayerId = Guid.TryParse(q["payerId"], out var payer) ? payer : null,
            ProviderId = Guid.TryParse(q["providerId"], out var provider) ? provider : null,
            DosFrom = DateOnly.TryParseExact(q["dosFrom"], "yyyy-MM-dd", out var from) ? from : null,
            DosTo = DateOnly.TryParseExact(q["dosTo"], "yyyy-MM-dd", out var to) ? to : null,
            State = StateOptions.Any(s => s.Value == state) ? state : null,
            Age = ClaimFilter.AgeBuckets.Contains(age) ? age : null,
            Rule = q["rule"].ToString() is { Length: > 0 and <= 60 } rule ? rule : null,
            Search = q["search"].ToString() is { Length: > 0 and <= 100 } search ? search : null,
            Sort = ClaimQueries.Sorting.OrDefault(sort),
        };
    }
}
