using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Features.Claims;
using Portal.Web.Platform;

namespace Portal.Web.Features.Payments;

public class UnmatchedModel(IQuerySession query) : PaymentsPageModel
{
    public IReadOnlyList<UnmatchedClaimPayment> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Rows = await query.Query<UnmatchedClaimPayment>().Where(u => u.State == UnmatchedState.Open).OrderByDescending(u => u.ReceivedAt).ToListAsync(ct);

    /// <summary>Link by the claim's patient control number (what the biller reads on the claim), then post.</summary>
    public async Task<IActionResult> OnPostAsync(Guid unmatchedId, string? claimNumber, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct)
    {
        var pcn = claimNumber?.Trim() ?? "";
        var claim = pcn.Length == 0 ? null : await session.Query<ClaimView>().FirstOrDefaultAsync(c => c.PatientControlNumber == pcn, ct);
        if (claim is null) Error = $"No claim with the claim number '{pcn}' in this practice.";
        else if (await session.LoadAsync<UnmatchedClaimPayment>(unmatchedId, ct) is null) return NotFound();
        else if (await TryWrite(() => FollowUpWrites.Link(session, Practice.PracticeId, unmatchedId, new LinkUnmatched(claim.Id), User.Actor(), clock, ct)))
            Notice = $"Linked to claim {claim.PatientControlNumber} and posted.";
        await OnGetAsync(ct);
        return Page();
    }
}
