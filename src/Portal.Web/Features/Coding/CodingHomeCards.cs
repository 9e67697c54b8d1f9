using Marten;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Settings;
using Portal.Web.Platform;
using Portal.Web.Platform.Home;

namespace Portal.Web.Features.Coding;

// The coding workflow's cards on each role's home page (Platform/Home): a coder's charts and the next one, QA's reviews due,
// the provider's open queries, and what a practice admin or biller must look at (unanswered queries, charts past the SLA).

static class HomeRoles
{
    public static bool IsCoder(HomeContext c) => c.User.IsInRole(Roles.Coder) || c.User.IsInRole(Roles.VendorCoder);
    public static bool IsManager(HomeContext c) => c.User.IsInRole(Roles.PracticeAdmin) || c.User.IsInRole(Roles.Biller);
}

/// <summary>Coder: the charts they hold.</summary>
public sealed class MyChartsCard : IHomeCard
{
    public async Task<HomeCard?> For(HomeContext c, CancellationToken ct)
    {
        if (!HomeRoles.IsCoder(c) || !c.Allows(Permissions.CodingWork) || c.User.UserId() is not { } me) return null;
        var mine = await c.Query.Query<CodingQueueRow>().Where(r => r.CoderId == me && r.Status != EncounterStatus.Approved
            && r.Status != EncounterStatus.ReadyForQa).ToListAsync(ct);
        var returned = mine.Count(r => r.Status == EncounterStatus.Returned);
        var late = mine.Count(r => r.IsOverdue(c.Now));
        var text = mine.Count == 0 ? "You hold no charts. Pull the next one from the queue."
            : $"{Plural(mine.Count, "chart")} assigned to you" + (returned > 0 ? $", {returned} returned by QA" : "")
              + (late > 0 ? $", {late} past the due time." : ".");
        return new HomeCard(HomeSlots.MyWork, "My charts", mine.Count.ToString(), text,
            [new("Open my queue", $"{c.Root}/coding/queue?coder=me")], Attention: late > 0 || returned > 0);
    }

    internal static string Plural(int n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";
}

/// <summary>Coder: how many charts wait, and a button that pulls the next one and opens it.</summary>
public sealed class NextChartCard : IHomeCard
{
    public async Task<HomeCard?> For(HomeContext c, CancellationToken ct)
    {
        if (!HomeRoles.IsCoder(c) || !c.Allows(Permissions.CodingWork)) return null;
        var waiting = await c.Query.Query<CodingQueueRow>().CountAsync(r => r.Status == EncounterStatus.Queued, ct);
        return new HomeCard(HomeSlots.NextChart, "Next chart", waiting.ToString(),
            waiting == 0 ? "The queue is empty: nothing waits for a coder." : $"{MyChartsCard.Plural(waiting, "chart")} waiting in the queue, most urgent first.",
            waiting == 0 ? [new("See the queue", $"{c.Root}/coding/queue")] : [new("Code the next chart", $"{c.Root}/coding/queue?handler=next", Post: true)]);
    }
}

/// <summary>QA reviewer: charts waiting for review, and coders' rebuttals to decide.</summary>
public sealed class ReviewsDueCard : IHomeCard
{
    public async Task<HomeCard?> For(HomeContext c, CancellationToken ct)
    {
        if (!c.Allows(Permissions.QaReview)) return null;
        var due = await c.Query.Query<CodingQueueRow>().CountAsync(r => r.Status == EncounterStatus.ReadyForQa, ct);
        var rebuttals = await c.Query.Query<QaRebuttalRow>().CountAsync(r => r.Status == RebuttalStatus.Pending, ct);
        var text = due == 0 ? "No chart waits for review." : $"{MyChartsCard.Plural(due, "chart")} waiting for QA review.";
        if (rebuttals > 0) text += $" {MyChartsCard.Plural(rebuttals, "coder rebuttal")} to decide.";
        return new HomeCard(HomeSlots.ReviewsDue, "Reviews due", due.ToString(), text,
            [new("Open the QA queue", $"{c.Root}/coding/qa")], Attention: rebuttals > 0);
    }
}

/// <summary>
/// Provider: the queries addressed to them. Practice admin: every unanswered query (they may answer for a provider who has
/// no login). Biller: the count, so they know why charts wait.
/// </summary>
public sealed class OpenQueriesCard : IHomeCard
{
    public async Task<HomeCard?> For(HomeContext c, CancellationToken ct)
    {
        var provider = c.User.IsInRole(Roles.Provider);
        if (!provider && !HomeRoles.IsManager(c)) return null;
        if (!c.Allows(Permissions.QueriesRead) && !c.Allows(Permissions.CodingRead)) return null;
        var settings = await PracticeSettings.For(c.Query, c.Practice.PracticeId, ct);
        var open = await ProviderQueries.Open(c.Query, null, settings.QueryEscalationHours, c.Now, ct);
        var lead = c.User.IsInRole(Roles.PracticeAdmin);
        if (provider && !lead)
        {
            var me = c.User.UserId();
            var mine = (await IntakeQueries.Providers(c.Query, ct)).Where(p => p.UserId is not null && p.UserId == me).Select(p => p.Id).ToHashSet();
            open = [.. open.Where(q => mine.Contains(q.ProviderId))];
        }
        var escalated = open.Count(q => q.Escalated);
        var title = provider && !lead ? "Queries for you" : "Unanswered provider queries";
        var text = open.Count == 0 ? (provider && !lead ? "No coder is waiting for your answer." : "No chart waits for a provider's answer.")
            : $"{MyChartsCard.Plural(open.Count, "query")} waiting for an answer" + (escalated > 0 ? $", {escalated} past {settings.QueryEscalationHours} hours." : ".");
        text = text.Replace("querys", "queries");
        IReadOnlyList<HomeLink> links = c.Allows(Permissions.QueriesRead)
            ? [new(provider && !lead ? "Answer your queries" : lead ? "Answer or follow up" : "See the queries", $"{c.Root}/coding/queries")]
            : [];
        return new HomeCard(HomeSlots.OpenQueries, title, open.Count.ToString(), text, links, Attention: escalated > 0 || (provider && open.Count > 0));
    }
}

/// <summary>Practice admin and biller: charts past the coding turnaround SLA, and encounters never sent to coding.</summary>
public sealed class PastSlaCard : IHomeCard
{
    public async Task<HomeCard?> For(HomeContext c, CancellationToken ct)
    {
        if (!HomeRoles.IsManager(c) || !c.Allows(Permissions.CodingRead)) return null;
        var soon = c.Now.AddHours(24);
        var running = await c.Query.Query<CodingQueueRow>().Where(r => r.DueAt < soon && (r.Status == EncounterStatus.Queued
            || r.Status == EncounterStatus.Assigned || r.Status == EncounterStatus.InProgress || r.Status == EncounterStatus.Returned))
            .ToListAsync(ct);
        var late = running.Count(r => r.DueAt < c.Now);
        var dueSoon = running.Count - late;
        var text = late == 0 ? "No chart is past its coding due time." : $"{MyChartsCard.Plural(late, "chart")} past the coding due time.";
        if (dueSoon > 0) text += $" {MyChartsCard.Plural(dueSoon, "more chart")} due within 24 hours.";
        return new HomeCard(HomeSlots.PastSla, "Charts past the SLA", late.ToString(), text,
            [new("See the late charts", $"{c.Root}/coding/queue?overdue=true")], Attention: late > 0);
    }
}

/// <summary>Whoever registers encounters: the ones still waiting to be sent to coding.</summary>
public sealed class NotSentCard : IHomeCard
{
    public async Task<HomeCard?> For(HomeContext c, CancellationToken ct)
    {
        if (!c.Allows(Permissions.CodingSend) || !c.Allows(Permissions.EncountersList) || c.User.IsInRole(Roles.Provider) && !HomeRoles.IsManager(c)) return null;
        var waiting = await c.Query.Query<CodingQueueRow>().CountAsync(r => r.Status == EncounterStatus.New, ct);
        return new HomeCard(HomeSlots.Other, "Not sent to coding", waiting.ToString(),
            waiting == 0 ? "Every registered encounter is with coding." : $"{MyChartsCard.Plural(waiting, "encounter")} registered but not sent to coding yet.",
            [new("See them", $"{c.Root}/encounters?status=New"), new("Register an encounter", $"{c.Root}/encounters/new")]);
    }
}
