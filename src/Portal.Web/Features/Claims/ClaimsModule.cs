using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Portal.Web.Features.Codes;
using Portal.Web.Features.Coding;
using Portal.Web.Platform.Reactions;

namespace Portal.Web.Features.Claims;

/// <summary>
/// An approved encounter that did not become a claim, with why in plain words (no coverage in force on the date of service:
/// self-pay). Id = encounter id. The work queue lists them so nothing approved disappears silently; drafting the claim later
/// (POST /claims with the encounter id, after adding the coverage) removes it.
/// </summary>
public sealed record ClaimNotDrafted(Guid Id, string PatientName, DateOnly DateOfService, string Rule, string Reason, DateTimeOffset At);

/// <summary>
/// Chart approved (the coder's submit when not sampled for QA, else QA's review) → the claim stream is created from the encounter
/// and scrubbed (ADR 0013). Once per encounter: by event (the runner's receipt) and by encounter (the claim-encounter key). A chart
/// the biller sent back to coding and that is approved again hands its new codes to the claim instead.
/// </summary>
public sealed class ClaimDraftOnApproval : IReaction
{
    public string Name => "claims.draft-on-approval";

    public Type[] EventTypes => [typeof(ChartApproved), typeof(ChartReviewed)];

    public async Task HandleAsync(ReactionContext context, IEvent e, CancellationToken ct)
    {
        var (encounterId, by) = e.Data switch
        {
            ChartApproved a => (a.EncounterId, a.By),
            ChartReviewed r => (r.EncounterId, r.By),
            _ => throw new ArgumentException($"Unexpected event {e.EventTypeName}."),
        };
        var session = context.Session;
        var catalog = context.Services.GetRequiredService<CodeCatalog>();
        if (await session.LoadAsync<Platform.UniqueKey>(ClaimWrites.EncounterKey.IdFor(encounterId.ToString()), ct) is { } key)
        {
            await ClaimWrites.TakeRecodedChart(session, catalog, key.OwnerId, encounterId, by, context.Clock, ct);
            return;
        }
        try
        {
            if (await ClaimWrites.Draft(session, catalog, encounterId, "chart approval", ClaimWrites.System, context.Clock, ct) is not null)
                session.Delete<ClaimNotDrafted>(encounterId);
        }
        catch (Platform.RuleViolation refused) when (refused.Code is "no-coverage" or "no-payer" or "no-provider" or "no-patient" or "encounter-not-approved")
        {
            context.Services.GetRequiredService<ILogger<ClaimDraftOnApproval>>().LogInformation("Encounter {EncounterId} was approved but not drafted as a claim: {Rule}", encounterId, refused.Code);
            var details = await session.LoadAsync<Intake.EncounterDetails>(encounterId, ct);
            session.Store(new ClaimNotDrafted(encounterId, details?.PatientName ?? "", details?.DateOfService ?? default, refused.Code!,
                refused.Message, context.Clock.GetUtcNow()));
        }
    }
}

public static class ClaimsModule
{
    public static IServiceCollection AddClaims(this IServiceCollection services) =>
        services.Configure<Swashbuckle.AspNetCore.SwaggerGen.SwaggerGenOptions>(o => o.SchemaFilter<ClaimExamples>())
            .ConfigureMarten(o =>
        {
            o.Schema.For<BillingProfile>();
            o.Schema.For<ClaimNotDrafted>();
            // The claim stream's snapshot (ClaimEvents.cs): indexed for the work queue, batching and remittance matching.
            o.Projections.Snapshot<ClaimView>(SnapshotLifecycle.Inline);
            o.Schema.For<ClaimView>().Index(c => c.PatientControlNumber).Index(c => c.EncounterId).Index(c => c.State)
                .Index(c => c.PatientId).Index(c => c.CreatedAt);
        }).AddReaction<ClaimDraftOnApproval>();
}
