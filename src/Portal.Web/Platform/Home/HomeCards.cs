using System.Security.Claims;
using Marten;

namespace Portal.Web.Platform.Home;

/// <summary>A link on a home card: where the work is. <paramref name="Post"/>: a button that posts (with the antiforgery token), e.g. "Code the next chart".</summary>
public sealed record HomeLink(string Text, string Href, bool Post = false);

/// <summary>
/// One card on a role's home page: a title, an optional figure (a count), one plain sentence and the links to the work.
/// <paramref name="Attention"/> marks work that is late or waiting on someone (shown first, with a warning colour).
/// <paramref name="Slot"/> orders the cards (<see cref="HomeSlots"/>); cards of the same slot keep registration order.
/// </summary>
public sealed record HomeCard(string Slot, string Title, string? Figure, string Text, IReadOnlyList<HomeLink> Links, bool Attention = false);

/// <summary>
/// The slots of a practice's home page, in the order they are shown. Features fill them by registering an <see cref="IHomeCard"/>;
/// a slot nobody fills shows nothing (no "coming soon" cards). <see cref="ClaimsNeedingWork"/> and <see cref="Denials"/> are
/// reserved for the claims and payments features.
/// </summary>
public static class HomeSlots
{
    public const string MyWork = "my-work";
    public const string NextChart = "next-chart";
    public const string ReviewsDue = "reviews-due";
    public const string OpenQueries = "open-queries";
    public const string PastSla = "past-sla";
    /// <summary>Claims that failed edits, were rejected or wait for a biller (claims feature).</summary>
    public const string ClaimsNeedingWork = "claims-needing-work";
    /// <summary>Denied claim lines awaiting follow-up (payments feature).</summary>
    public const string Denials = "denials";
    public const string Other = "other";

    public static readonly string[] Order = [MyWork, NextChart, ReviewsDue, OpenQueries, PastSla, ClaimsNeedingWork, Denials, Other];

    public static int Rank(string slot) => Array.IndexOf(Order, slot) is var i and >= 0 ? i : Order.Length;
}

/// <summary>
/// What a card sees: the signed-in user, the practice the card is for (the permission table decides with it, so a vendor's
/// staff see only what the engagement names) and a query session on that practice's tenant.
/// </summary>
public sealed record HomeContext(ClaimsPrincipal User, CurrentPractice Practice, IQuerySession Query, DateTimeOffset Now)
{
    public string Root => $"/practices/{Practice.PracticeId}";
    public bool Allows(Permission permission) => User.Allows(permission, Practice);
}

/// <summary>
/// A feature's contribution to the home page of a practice. Return null when the card is not for this user (check the
/// permission table with <see cref="HomeContext.Allows"/>) or has nothing to say. Register with <c>services.AddHomeCard&lt;T&gt;()</c>.
/// Keep it to one or two indexed counts: the home page is the first page of everyone's day.
/// </summary>
public interface IHomeCard
{
    Task<HomeCard?> For(HomeContext context, CancellationToken ct);
}

public static class HomeCardRegistration
{
    public static IServiceCollection AddHomeCard<T>(this IServiceCollection services) where T : class, IHomeCard =>
        services.AddScoped<IHomeCard, T>();
}

/// <summary>Collects the registered cards for one practice, ordered by slot.</summary>
public sealed class HomeBoard(IEnumerable<IHomeCard> cards, IDocumentStore store, TimeProvider clock)
{
    public async Task<IReadOnlyList<HomeCard>> For(ClaimsPrincipal user, CurrentPractice practice, CancellationToken ct)
    {
        await using var query = store.QuerySession(practice.TenantId);
        var context = new HomeContext(user, practice, query, clock.GetUtcNow());
        var shown = new List<HomeCard>();
        foreach (var card in cards)
            if (await card.For(context, ct) is { } c) shown.Add(c);
        return [.. shown.Select((c, i) => (c, i)).OrderBy(x => HomeSlots.Rank(x.c.Slot)).ThenBy(x => x.i).Select(x => x.c)];
    }
}
