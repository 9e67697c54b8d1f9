using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Billing.PatientBilling;
using Portal.Web.Features.Intake;
using Portal.Web.Platform.Email;

namespace Portal.Web.Features.PatientBalances;

/// <summary>Statement runs of the practice: start one, watch its progress, download the print batch; the admin sets branding and policy.</summary>
public class StatementsModel(IQuerySession query, TimeProvider clock) : PracticePageModel
{
    public IReadOnlyList<StatementRun> Runs { get; private set; } = [];
    public PatientBillingSettings Settings { get; private set; } = default!;
    public bool CanManageSettings => User.Allows(Permissions.PatientBillingSettingsManage, Practice);
    public bool AnyRunning => Runs.Any(r => r.Status is RunStatus.Queued or RunStatus.Running);

    public async Task OnGetAsync(CancellationToken ct) => await Load(ct);

    /// <summary>The runs table alone, for htmx to poll while a run is in progress.</summary>
    public async Task<IActionResult> OnGetRunsAsync(CancellationToken ct)
    {
        await Load(ct);
        Response.Headers.Vary = "HX-Request";
        return Partial("_StatementRuns", this);
    }

    public async Task<IActionResult> OnPostAsync(StatementDelivery delivery, [FromServices] IDocumentSession session, [FromServices] StatementRunQueue queue,
        [FromServices] PortalLinks links, CancellationToken ct)
    {
        await PatientBalanceEndpoints.Start(HttpContext, session, queue, links, delivery, clock, ct);
        return Redirect($"{Root}/statements");
    }

    public async Task<IActionResult> OnPostSettingsAsync(UpdatePatientBillingSettings input, string? address, string? intervals,
        [FromServices] IDocumentSession session, CancellationToken ct)
    {
        var ok = await TryWrite(async () =>
        {
            var notice = (intervals ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.TryParse(s, out var d) ? d : -1).ToArray();
            var policy = new StatementPolicy(input.MinimumBalance, input.MinimumDaysBetween, notice, input.DueInDays);
            if (policy.Problems().ToList() is { Count: > 0 } problems) throw new UnprocessableInput(string.Join(" ", problems));
            session.Store(new PatientBillingSettings(Practice.PracticeId, input.DisplayName.Trim(),
                (address ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(4).ToArray(), input.Phone?.Trim(),
                input.MinimumBalance, input.MinimumDaysBetween, notice, input.DueInDays, input.PlanGraceDays,
                string.IsNullOrWhiteSpace(input.StripeAccountId) ? null : input.StripeAccountId.Trim(), User.Actor(), clock.GetUtcNow()));
            await session.SaveChangesAsync(ct);
        });
        if (ok) return Redirect($"{Root}/statements");
        await Load(ct);
        return Page();
    }

    /// <summary>The run's print batch as one PDF.</summary>
    public async Task<IActionResult> OnGetPrintAsync(Guid runId, [FromServices] IDocumentSession session, CancellationToken ct)
    {
        if (await query.LoadAsync<StatementRun>(runId, ct) is null) return NotFound();
        var records = await query.Query<StatementRecord>().Where(s => s.RunId == runId && s.Delivery == StatementDelivery.Print).ToListAsync(ct);
        await PhiAudit.Record(session, HttpContext, PhiAudit.View, nameof(StatementRun), runId, null, ct);
        var stream = new MemoryStream();
        StatementPdf.Write(records.OrderBy(r => r.Statement.PatientName).Select(r => r.Statement), stream);
        stream.Position = 0;
        return File(stream, "application/pdf", $"statements-{runId}.pdf");
    }

    async Task Load(CancellationToken ct)
    {
        Runs = await query.Query<StatementRun>().OrderByDescending(r => r.CreatedAt).Take(20).ToListAsync(ct);
        Settings = await PatientBillingSettings.For(query, Practice.PracticeId, Practice.Name, ct);
    }
}
