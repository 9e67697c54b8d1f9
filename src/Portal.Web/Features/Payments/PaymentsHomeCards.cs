using Marten;
using Portal.Web.Platform;
using Portal.Web.Platform.Home;

namespace Portal.Web.Features.Payments;

/// <summary>
/// The home page's <see cref="HomeSlots.Denials"/> card: open denial work items (open or appealed), those past their due date and
/// those due within <see cref="SoonDays"/> days, for whoever may read denials in the practice (billers, practice admins, a vendor
/// engaged for A/R). Two indexed counts (State, DueDate).
/// </summary>
public sealed class DenialsCard : IHomeCard
{
    public const int SoonDays = 14;

    public async Task<HomeCard?> For(HomeContext c, CancellationToken ct)
    {
        if (!c.Allows(Permissions.DenialsRead) || c.User.IsInRole(Roles.Provider) && !c.User.IsInRole(Roles.PracticeAdmin)) return null;
        var today = DateOnly.FromDateTime(c.Now.UtcDateTime);
        var soon = today.AddDays(SoonDays);
        var open = await c.Query.Query<DenialWorkItem>()
            .Where(i => (i.State == WorkItemState.Open || i.State == WorkItemState.Appealed) && i.DueDate <= soon)
            .Select(i => i.DueDate).ToListAsync(ct);
        var count = await c.Query.Query<DenialWorkItem>().CountAsync(i => i.State == WorkItemState.Open || i.State == WorkItemState.Appealed, ct);
        var overdue = open.Count(d => d < today);
        var dueSoon = open.Count - overdue;
        var text = count == 0 ? "No denial waits for follow-up."
            : $"{Plural(count, "open denial")}" + (overdue > 0 ? $", {overdue} past the appeal due date" : "")
              + (dueSoon > 0 ? $", {dueSoon} due within {SoonDays} days." : ".");
        IReadOnlyList<HomeLink> links = count == 0 ? [new("See the denials", $"{c.Root}/denials")]
            : [new("Work the denials", $"{c.Root}/denials?state=Open"), .. overdue > 0 ? new[] { new HomeLink("Past due", $"{c.Root}/denials?overdue=true") } : []];
        return new HomeCard(HomeSlots.Denials, "Denials", count.ToString(), text, links, Attention: overdue > 0 || dueSoon > 0);
    }

    static string Plural(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";
}
