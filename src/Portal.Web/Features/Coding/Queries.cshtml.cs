using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Settings;
using Portal.Web.Platform;

namespace Portal.Web.Features.Coding;

/// <summary>The open queries a page lists, and whether the viewer answers them (providers) or follows them (coders, admins).</summary>
public sealed record QueryList(IReadOnlyList<OpenProviderQuery> Items, bool CanAnswer, bool ProviderView, string Root, int EscalationHours,
    string? Error = null, Guid? ErrorFor = null, string? Notice = null);

public class QueriesModel(IQuerySession query, TimeProvider clock) : CodingPageModel
{
    public QueryList List { get; private set; } = default!;

    public async Task OnGetAsync(CancellationToken ct) => await Load(ct);

    /// <summary>htmx: the provider answers one query; answers the list (the answered query leaves it).</summary>
    public async Task<IActionResult> OnPostAnswerAsync(Guid encounterId, Guid queryId, string? choice, string? comment,
        [FromServices] IDocumentSession session, CancellationToken ct)
    {
        var answered = await TryWrite(async () =>
        {
            if (await CodingWrites.AnswerQuery(session, encounterId, queryId, null, new AnswerProviderQuery(choice, comment), User.UserId(),
                    User.IsInRole(Roles.PracticeAdmin), User.Actor(), clock, ct) is null)
                throw new RuleViolation("No such query in this practice.");
        });
        await Load(ct);
        List = List with
        {
            Error = answered ? null : string.Join(" ", FieldErrors.Values.SelectMany(m => m).Prepend(Error)),
            ErrorFor = answered ? null : queryId,
            Notice = answered ? "Answer saved. The chart goes back to its coder." : null,
        };
        Response.Headers.Vary = "HX-Request";
        return Partial("_QueryList", List);
    }

    async Task Load(CancellationToken ct)
    {
        var settings = await PracticeSettings.For(query, Practice.PracticeId, ct);
        var open = await ProviderQueries.Open(query, null, settings.QueryEscalationHours, clock.GetUtcNow(), ct, VendorVisibility.FirmOf(User));
        // A provider sees the queries of the provider records the practice admin linked to their account (Providers page).
        if (IsProvider && !IsLead)
        {
            var me = User.UserId();
            var mine = (await IntakeQueries.Providers(query, ct)).Where(p => p.UserId is not null && p.UserId == me).Select(p => p.Id).ToHashSet();
            open = [.. open.Where(q => mine.Contains(q.ProviderId))];
        }
        List = new QueryList(open, IsProvider, IsProvider && !IsLead, Root, settings.QueryEscalationHours);
    }
}
