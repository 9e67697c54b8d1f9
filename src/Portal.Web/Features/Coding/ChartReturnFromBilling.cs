using JasperFx.Events;
using Marten;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Intake;
using Portal.Web.Platform.Reactions;

namespace Portal.Web.Features.Coding;

/// <summary>
/// A biller sent a claim back to coding (ClaimReturnedToCoding on the claim stream) → the encounter's chart is returned to its
/// coder with the biller's note as the reason, so it shows in the coding queue and on the chart again (ADR 0013).
/// </summary>
public sealed class ChartReturnFromBilling : Reaction<ClaimReturnedToCoding>
{
    public override string Name => "coding.return-from-billing";

    public override async Task HandleAsync(ReactionContext context, IEvent<ClaimReturnedToCoding> e, CancellationToken ct)
    {
        var stream = await context.Session.Events.FetchForWriting<Encounter>(e.Data.EncounterId, ct);
        if (stream.Aggregate?.ReturnFromBilling(e.Data.ClaimId, "From billing: " + e.Data.Note, e.Data.By, e.Data.At) is { } returned)
            stream.AppendOne(returned);
    }
}
