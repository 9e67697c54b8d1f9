using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;

namespace Portal.Web.Features.Claims;

/// <summary>The practice's billing profile: who bills on every claim (boxes 25/33, 837P loop 2010AA).</summary>
public class BillingProfileModel(IQuerySession query) : PracticePageModel
{
    public BillingProfileInput Input { get; private set; } = BillingProfileInput.From(null);
    public BillingProfile? Current { get; private set; }
    public bool CanManage => User.Allows(Permissions.BillingProfileManage, Practice);
    public bool Saved { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Current = await BillingProfile.For(query, Practice.PracticeId, ct);
        Input = BillingProfileInput.From(Current);
        Saved = Request.Query["saved"] == "1";
    }

    public async Task<IActionResult> OnPostAsync([FromForm] BillingProfileInput input, long? version, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct)
    {
        if (await TryWrite(() => BillingProfiles.Save(session, Practice.PracticeId, input, version, User.Actor(), clock, ct)))
            return Redirect($"{Root}/billing-profile?saved=1");
        Current = await BillingProfile.For(query, Practice.PracticeId, ct);
        Input = input;
        return Page();
    }
}
