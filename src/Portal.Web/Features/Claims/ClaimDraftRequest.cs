using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Portal.Web.Features.Coding;
using Portal.Web.Platform.Reactions;

namespace Portal.Web.Features.Claims;

/// <summary>
/// An approved encounter waiting for its claim, one per encounter in the practice's tenant (Id = encounter id). A placeholder
/// for the claims feature (issue 11): it will create the Claim stream here instead, and use this list to draft claims for
/// encounters approved before it shipped. Approved by: the coder's submit when not sampled for QA, else QA's review.
/// </summary>
public sealed record ClaimDraftRequest(Guid Id, Guid CoderId, string ApprovedBy, DateTimeOffset ApprovedAt, string ApprovedByEvent,
    long EventSequence, DateTimeOffset RequestedAt);

/// <summary>Chart approved (coding finished) → claim draft requested. Idempotent twice over: by event (receipt) and by encounter.</summary>
public sealed class ClaimDraftOnApproval : IReaction
{
    public string Name => "claims.draft-on-approval";

    public Type[] EventTypes => [typeof(ChartApproved), typeof(ChartReviewed)];

    public async Task HandleAsync(ReactionContext context, IEvent e, CancellationToken ct)
    {
        var (encounterId, coderId, by, at) = e.Data switch
        {
            ChartApproved a => (a.EncounterId, a.CoderId, a.By, a.At),
            ChartReviewed r => (r.EncounterId, r.CoderId, r.By, r.At),
            _ => throw new ArgumentException($"Unexpected event {e.EventTypeName}."),
        };
        // A chart approved again later (a QA correction after a rebuttal) keeps its first request: one claim per encounter.
        if (await context.Session.LoadAsync<ClaimDraftRequest>(encounterId, ct) is not null) return;
        context.Session.Insert(new ClaimDraftRequest(encounterId, coderId, by, at, e.EventTypeName, e.Sequence, context.Clock.GetUtcNow()));
    }
}

public static class ClaimsModule
{
    public static IServiceCollection AddClaims(this IServiceCollection services) =>
        services.ConfigureMarten(o =>
        {
            o.Schema.For<ClaimDraftRequest>();
            o.Schema.For<BillingProfile>();
            // The claim stream's snapshot (ClaimEvents.cs): indexed for the work queue, batching and remittance matching.
            o.Projections.Snapshot<ClaimView>(SnapshotLifecycle.Inline);
            o.Schema.For<ClaimView>().Index(c => c.PatientControlNumber).Index(c => c.EncounterId).Index(c => c.State);
        }).AddReaction<ClaimDraftOnApproval>();
}
