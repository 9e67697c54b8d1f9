using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;

namespace Portal.Web.Features.Coding;

/// <summary>QA reviews with their error types, dollar impact and rebuttals: every coder's for QA and the admin, one's own for a coder.</summary>
public class ReviewsModel(IQuerySession query, Microsoft.AspNetCore.Identity.UserManager<Identity.PortalUser> users, TimeProvider clock)
    : CodingPageModel
{
    public PageOf<QaReviewItem> Reviews { get; private set; } = default!;
    public QaReviewFilter Filter { get; private set; } = new();
    public bool SeesAll => QaReviews.SeesAll(User);
    /// <summary>QA, the practice admin and a vendor's admin pick among coders; a coder sees their own.</summary>
    public bool PicksCoders => SeesAll || Caller.VendorAdminOf is not null;
    public IReadOnlyList<CoderAccuracy> Coders { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Filter = Parse();
        var visible = await QaReviews.VisibleCoders(User, users);
        Reviews = await QaReviews.List(query, Filter, visible, ct);
        if (PicksCoders)
            Coders = [.. (await Accuracy.PerCoder(query, clock.GetUtcNow().AddDays(-QaModel.AccuracyDays), null, ct))
                .Where(a => visible is null || visible.Contains(a.CoderId))];
        return Page();
    }

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        var rows = await QaReviews.All(query, Parse(), await QaReviews.VisibleCoders(User, users), ct);
        return QaReviews.Csv(rows);
    }

    QaReviewFilter Parse() => new()
    {
        CoderId = Guid.TryParse(Request.Query["coder"], out var coder) ? coder : null,
        Rebuttal = QaReviews.RebuttalFilters.Contains(Request.Query["rebuttal"].ToString()) ? Request.Query["rebuttal"].ToString() : null,
        Errors = Request.Query["errors"] == "true" ? true : null,
        Page = int.TryParse(Request.Query["p"], out var p) && p > 0 ? Math.Min(p, Paging.MaxPage) : 1,
        PageSize = Paging.DefaultPageSize,
    };

    public string Query(int? page = null) => string.Join('&', new Dictionary<string, string?>
    {
        ["coder"] = Filter.CoderId?.ToString(), ["rebuttal"] = Filter.Rebuttal, ["errors"] = Filter.Errors == true ? "true" : null,
        ["p"] = page?.ToString(),
    }.Where(kv => kv.Value is not null).Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value!)}"));
}
