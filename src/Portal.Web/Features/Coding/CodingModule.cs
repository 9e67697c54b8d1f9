using System.Security.Claims;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Identity;
using Npgsql;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;
using Portal.Web.Platform.Home;
using Portal.Web.Platform.Reactions;

namespace Portal.Web.Features.Coding;

public static class CodingModule
{
    public static IServiceCollection AddCoding(this IServiceCollection services) =>
        services.AddHostedService<CodingSchema>()
            .AddHomeCard<MyChartsCard>().AddHomeCard<NextChartCard>().AddHomeCard<ReviewsDueCard>().AddHomeCard<OpenQueriesCard>()
            .AddHomeCard<PastSlaCard>().AddHomeCard<NotSentCard>()
            .AddReaction<ProviderQueryMail>()
            .Configure<Swashbuckle.AspNetCore.SwaggerGen.SwaggerGenOptions>(o => o.SchemaFilter<CodingExamples>())
            .ConfigureMarten(o =>
        {
            o.Projections.Add<CodingQueueRowProjection>(ProjectionLifecycle.Inline);
            o.Projections.Add<QaReviewProjection>(ProjectionLifecycle.Inline);
            // The queue row's columns and indexes are CodingQueue's (ADR 0037): columns without Marten's one index per column.
            o.Policies.ForAllDocuments(m => { if (m.DocumentType == typeof(CodingQueueRow)) CodingQueue.MapColumns(m); });
            o.Projections.Add<QaRebuttalRowProjection>(ProjectionLifecycle.Inline);
            o.Schema.For<QaReview>().Index(r => r.CoderId).Index(r => r.EncounterId).Index(r => r.At);
            o.Schema.For<QaRebuttalRow>().Duplicate(r => r.Status);
        }).AddReaction<ChartReturnFromBilling>();
}

/// <summary>
/// At startup: creates the queue row's indexes once Marten has created the queue table, dropping those of older versions
/// (idempotent; ADR 0037), and rebuilds the queue
/// rows from the encounter streams if some were written before the row carried the encounter list's fields (it replaced the
/// separate EncounterListRow): an upgraded database then lists its encounters in full.
/// </summary>
sealed class CodingSchema(NpgsqlDataSource db, TenantDatabases databases, IDocumentStore store, ILogger<CodingSchema> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        foreach (var (_, source) in databases.All) await CodingQueue.EnsureIndexes(source, ct);
        await using var stale = db.CreateCommand(
            $"select exists (select 1 from {MartenSetup.Schema}.{CodingQueue.Table} where not (data ? 'OpenedAt'))");
        if (await stale.ExecuteScalarAsync(ct) is not true) return;
        log.LogWarning("Coding queue rows from an older version found: rebuilding them from the encounter streams.");
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.RebuildProjectionAsync<CodingQueueRowProjection>(ct);
        log.LogInformation("Coding queue rows rebuilt.");
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>Coding helpers beside the permission table (Platform/Permissions.cs), which alone decides who may call what.</summary>
public static class CodingAccess
{
    /// <summary>Work a chart: its coder, or a lead (practice admin; vendor admin for the firm's own coders).</summary>
    public static readonly string[] Coders = [Roles.Coder, Roles.VendorCoder, Roles.PracticeAdmin, Roles.VendorAdmin];

    /// <summary>The QA reviewer's name for the events; registered apps cannot review.</summary>
    public static string Reviewer(ClaimsPrincipal user) => CodingCaller.From(user).QaReviewer
        ? user.Actor()
        : throw new RuleViolation("Only a QA reviewer of the practice can review charts.", "qa-reviewer-required");

    /// <summary>
    /// The coder a lead may assign: practice admins pick the practice's coders or coders of an engaged vendor; a vendor
    /// admin picks only the firm's own coders. Anyone else is 422.
    /// </summary>
    public static async Task<Coder> AssignableCoder(IQuerySession session, UserManager<PortalUser> users, CodingCaller lead, Guid practiceId,
        Guid coderId)
    {
        var user = await users.FindByIdAsync(coderId.ToString());
        var roles = user is null ? [] : await users.GetRolesAsync(user);
        if (user is not null && roles.Contains(Roles.Coder) && user.OrganizationId == practiceId && lead.PracticeAdmin)
            return new Coder(user.Id, user.DisplayName, null);
        // A vendor coder only while the firm is engaged and has not taken them off this client.
        if (user is not null && roles.Contains(Roles.VendorCoder) && (lead.PracticeAdmin || lead.VendorAdminOf == user.OrganizationId)
            && (await session.Query<Engagement>().FirstOrDefaultAsync(e => e.VendorId == user.OrganizationId && e.RevokedAt == null))
                ?.Covers(user.Id, vendorAdmin: false) == true)
            return new Coder(user.Id, user.DisplayName, user.OrganizationId);
        throw new UnprocessableInput("This user cannot be assigned charts of this practice by you.",
            new Dictionary<string, string[]> { ["coderId"] = ["Pick a coder of the practice, or a vendor coder the engaged firm assigns to this practice."] });
    }
}
