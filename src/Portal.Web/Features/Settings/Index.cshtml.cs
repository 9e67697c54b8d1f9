using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Platform;

namespace Portal.Web.Features.Settings;

public sealed record FeeTable(IReadOnlyList<FeeScheduleEntry> Rows, bool CanEdit, string? Error = null);

public class IndexModel(IQuerySession query) : PageModel
{
    public PracticeSettings Settings { get; private set; } = default!;
    public FeeTable Fees { get; private set; } = default!;
    public bool IsAdmin => User.IsInRole(Roles.PracticeAdmin);
    public bool CanEditFees => IsAdmin || User.IsInRole(Roles.Biller);
    public bool Saved { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await Load(ct);

    public async Task<IActionResult> OnPostSettingsAsync(UpdatePracticeSettings input, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct)
    {
        if (!ModelState.IsValid) Error = "Check the values: each must be within its range.";
        else
        {
            await PracticeSettings.Change(session, HttpContext.RequiredPractice().PracticeId, input, null, User.Actor(), clock.GetUtcNow(), ct);
            Saved = true;
        }
        await Load(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostFeeAsync(string? code, decimal? amount, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct)
    {
        string? error = null;
        if (code is null || code.Trim().Length != 5 || !code.Trim().All(char.IsLetterOrDigit)) error = "A CPT or HCPCS code has 5 letters or digits.";
        else if (amount is not (>= 0 and <= 99999.99m)) error = "The charge must be between $0 and $99,999.99.";
        else
        {
            await FeeScheduleEntry.Set(session, code, amount.Value, null, User.Actor(), clock.GetUtcNow(), ct);
        }
        return await FeeFragment(error, ct);
    }

    public async Task<IActionResult> OnPostRemoveFeeAsync(string code, [FromServices] IDocumentSession session, CancellationToken ct)
    {
        session.Delete<FeeScheduleEntry>(FeeScheduleEntry.Key(code));
        await session.SaveChangesAsync(ct);
        return await FeeFragment(null, ct);
    }

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        return FeeScheduleEntry.Csv(await FeeScheduleEntry.All(query, ct));
    }

    async Task<IActionResult> FeeFragment(string? error, CancellationToken ct)
    {
        await Load(ct);
        Response.Headers.Vary = "HX-Request";
        return Partial("_FeeTable", Fees with { Error = error });
    }

    async Task Load(CancellationToken ct)
    {
        Settings = await PracticeSettings.For(query, HttpContext.RequiredPractice().PracticeId, ct);
        Fees = new FeeTable(await FeeScheduleEntry.All(query, ct), CanEditFees);
    }
}
