using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Platform;

namespace Portal.Web.Features.Tenancy;

public sealed record EngagementTable(Guid PracticeId, IReadOnlyList<Engagement> Rows, bool CanRevoke)
{
    public string RevokeUrl(Engagement e) => $"/practices/{PracticeId}/engagements?handler=Revoke&engagementId={e.Id}";
}

public class EngagementsModel(IQuerySession query) : PageModel
{
    public IReadOnlyList<Organization> Vendors { get; private set; } = [];
    public EngagementTable Table { get; private set; } = default!;
    public bool IsAdmin => User.IsInRole(Roles.PracticeAdmin);
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await Load(ct);

    public async Task<IActionResult> OnPostGrantAsync(GrantEngagement input, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct)
    {
        if (input.VendorId == Guid.Empty)
            Error = "Choose a vendor to engage.";
        else
        {
            try
            {
                await EngagementWrites.Grant(session, HttpContext.RequiredPractice(), input, User.Actor(), clock, ct);
                return RedirectToPage();
            }
            catch (Exception e) when (e is RuleViolation or UnprocessableInput) { Error = e.Message; }
        }
        await Load(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid engagementId, long version, string? reason,
        [FromServices] IDocumentSession session, [FromServices] TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length < 3)
            return await Fragment("Give a reason of at least 3 characters.", ct);
        try
        {
            if (await EngagementWrites.Revoke(session, engagementId, version, reason.Trim(), User.Actor(), clock, ct) is null)
                return NotFound();
        }
        catch (Exception e) when (e is RuleViolation || e.IsStaleWrite())
        {
            return await Fragment(e is RuleViolation ? e.Message : "Someone changed this engagement meanwhile; the list below is current.", ct);
        }
        return await Fragment(null, ct);
    }

    async Task<IActionResult> Fragment(string? error, CancellationToken ct)
    {
        await Load(ct);
        Response.Headers.Vary = "HX-Request";
        if (error is not null) Response.Headers["HX-Trigger"] = "engagement-error";
        ViewData["Error"] = error;
        return Partial("_EngagementTable", Table);
    }

    async Task Load(CancellationToken ct)
    {
        var practice = HttpContext.RequiredPractice();
        Vendors = IsAdmin ? await TenancyQueries.Vendors(query, ct) : [];
        Table = new EngagementTable(practice.PracticeId, await TenancyQueries.Engagements(query, null, ct), IsAdmin);
    }
}
