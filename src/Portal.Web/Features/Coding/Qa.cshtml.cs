using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;

namespace Portal.Web.Features.Coding;

public class QaModel(IQuerySession query, TimeProvider clock) : CodingPageModel
{
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;
    public PageOf<CodingQueueRow> Ready { get; private set; } = default!;
    public IReadOnlyList<CoderAccuracy> Accuracy { get; private set; } = [];
    public TurnaroundReport Turnaround { get; private set; } = default!;
    public PageOf<QaReviewItem> PendingRebuttals { get; private set; } = default!;
    public ProductivityReport Productivity { get; private set; } = default!;
    public const decimal Target = 0.95m;
    public const int AccuracyDays = 90;

    /// <summary>Volume beside quality per coder, last 30 days, as CSV.</summary>
    public async Task<IActionResult> OnGetProductivityCsvAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return (await ProductivityReport.For(query, now.AddDays(-30), now, null, ct)).Csv();
    }

    /// <summary>The turnaround per coder of the last 30 days, as CSV.</summary>
    public async Task<IActionResult> OnGetTurnaroundCsvAsync(CancellationToken ct)
    {
        return (await LastThirtyDays(ct)).Csv();
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Notice = Request.Query["done"].ToString() switch
        {
            "accepted" => "Accepted: the chart is approved and counted as correct.",
            "corrected" => "Corrected: the chart is approved with your codes; the differences count against the coder's accuracy.",
            "returned" => "Returned to the coder with your reason.",
            _ => null,
        };
        var filter = new QueueFilter { Status = EncounterStatus.ReadyForQa, Sort = "due" };
        Ready = await CodingQueue.Rows(query, filter, null, null, clock.GetUtcNow()).ToPageAsync(Paging.ForPortalPage(PageNumber), ct);
        // The last 90 days: what a manager acts on, and a bounded read however long the practice has used QA.
        Accuracy = await Coding.Accuracy.PerCoder(query, clock.GetUtcNow().AddDays(-AccuracyDays), null, ct);
        PendingRebuttals = await QaReviews.List(query, new QaReviewFilter { Rebuttal = "pending", PageSize = 10 }, null, ct);
        // Turnaround and productivity read the same 30 days of submissions: one aggregate query for both.
        var now = clock.GetUtcNow();
        var submissions = await Submissions.ByCoder(query, now.AddDays(-30), now, ct);
        Turnaround = await TurnaroundReport.For(query, Practice.PracticeId, now.AddDays(-30), now, now, ct, submissions);
        Productivity = await ProductivityReport.For(query, now.AddDays(-30), now, null, ct, submissions);
        return Page();
    }

    Task<TurnaroundReport> LastThirtyDays(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return TurnaroundReport.For(query, Practice.PracticeId, now.AddDays(-30), now, now, ct);
    }
}
