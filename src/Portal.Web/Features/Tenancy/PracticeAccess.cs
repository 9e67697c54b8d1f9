using System.Linq.Expressions;
using System.Security.Claims;
using Marten;
using Portal.Web.Features.ApiClients;
using Portal.Web.Platform;

namespace Portal.Web.Features.Tenancy;

/// <summary>Who may act for which practice. The one place that answers it, for pages, API calls and tokens.</summary>
public sealed class PracticeAccess(IDocumentStore store, OrganizationDirectory organizations, AccessFacts facts) : IPracticeAccess
{
    /// <summary>The practice as the request's scope, with a vendor's engaged functions, or null (404).</summary>
    public async Task<CurrentPractice?> Resolve(ClaimsPrincipal user, Guid practiceId, CancellationToken ct)
    {
        var (practice, engagement) = await Find(user, practiceId, ct);
        return practice is null ? null : new CurrentPractice(practice.Id, practice.Name, engagement?.Functions);
    }

    /// <summary>Is this app's registration still active? A revoked app's tokens are refused on every route, not only a practice's.</summary>
    public async Task<bool> IsActiveApp(ClaimsPrincipal user, CancellationToken ct)
    {
        var tenant = user.FindFirstValue(PortalClaims.Tenant);
        if (!Guid.TryParse(tenant, out _)) return false;
        // Read with the token's entry when the request was authenticated (Identity's AccessCheck, ADR 0036).
        if (facts.TryAppActive(user, out var active)) return active;
        await using var clients = store.QuerySession(tenant);
        return await clients.QueryAsync(new ActiveApiClient { ClientId = user.FindFirstValue("sub") ?? "" }, ct);
    }

    /// <summary>The practice if <paramref name="user"/> may act for it right now, else null (callers answer 404).</summary>
    public async Task<Organization?> FindAccessiblePractice(ClaimsPrincipal user, Guid practiceId, CancellationToken ct) =>
        (await Find(user, practiceId, ct)).Practice;

    async Task<(Organization? Practice, Engagement? Engagement)> Find(ClaimsPrincipal user, Guid practiceId, CancellationToken ct)
    {
        // A bearer request read the practice with its token (fresh, so a suspension is seen on every node at once); otherwise
        // the directory's one-minute cache.
        var practice = facts.TryGet<Organization>(user, practiceId, out var read) ? read : await organizations.Find(practiceId, ct);
        if (practice is not { Kind: OrganizationKind.Practice }) return (null, null);

        var org = user.OrganizationId();
        var tenant = user.FindFirstValue(PortalClaims.Tenant);
        if (org is null)
        {
            // An app registered to one practice: its tenant claim decides, while its registration is still active.
            if (tenant != practiceId.ToString()) return (null, null);
            return await IsActiveApp(user, ct) ? (practice, null) : (null, null);
        }

        if (org == practiceId) return (practice, null);
        // A suspended practice is closed to the vendors it engaged (its own users are stopped by SuspendedOrganizationGate).
        if (practice.SuspendedAt is not null) return (null, null);
        if (user.FindFirstValue(PortalClaims.OrganizationKind) != nameof(OrganizationKind.Vendor)) return (null, null);

        // A vendor sees a practice only while the practice's engagement of it is active (and, for a coder, while the firm
        // assigns them to this client): checked on every request, so a revocation or a reassignment cuts access at once,
        // whatever cookies or tokens the vendor still holds.
        await using var practiceSession = store.QuerySession(practiceId.ToString());
        var engagement = await practiceSession.QueryAsync(new ActiveEngagement { VendorId = org.Value }, ct);
        return engagement?.Covers(user.UserId(), user.IsInRole(Roles.VendorAdmin)) == true ? (practice, engagement) : (null, null);
    }

    /// <summary>The practices <paramref name="user"/> may act for, by name: the tenant switcher and GET /api/v1/practices.</summary>
    /// <param name="function">For a vendor's staff: only the practices whose engagement names this function (e.g. coding for the vendor queue).</param>
    public async Task<IReadOnlyList<Organization>> PracticesFor(ClaimsPrincipal user, CancellationToken ct, string? function = null)
    {
        var tenant = user.FindFirstValue(PortalClaims.Tenant);
        var org = user.OrganizationId();
        List<Guid> ids;
        if (org is null)
            return Guid.TryParse(tenant, out var t) && await FindAccessiblePractice(user, t, ct) is { } own ? [own] : [];
        if (user.FindFirstValue(PortalClaims.OrganizationKind) != nameof(OrganizationKind.Vendor)) ids = [org.Value];
        else
        {
            var engagements = await store.QueryEachDatabase(async (query, c) => await query.Query<Engagement>()
                .Where(e => e.AnyTenant() && e.VendorId == org.Value && e.RevokedAt == null)
                .ToListAsync(c), ct);
            var (me, admin) = (user.UserId(), user.IsInRole(Roles.VendorAdmin));
            ids = engagements.Where(e => e.Covers(me, admin) && (function is null || e.Functions.Contains(function)))
                .Select(e => e.PracticeId).Distinct().ToList();
        }

        var practices = new List<Organization>(ids.Count);
        foreach (var id in ids)
            if (await organizations.Find(id, ct) is { Kind: OrganizationKind.Practice } practice) practices.Add(practice);
        return [.. practices.OrderBy(p => p.Name)];
    }
}

// The access checks run on every request: compiled queries, so Marten plans their SQL once instead of parsing LINQ each time.

/// <summary>Is the app with this client id registered to the session's practice and not revoked?</summary>
public sealed class ActiveApiClient : Marten.Linq.ICompiledQuery<ApiClient, bool>
{
    public string ClientId { get; set; } = "";

    public Expression<Func<Marten.Linq.IMartenQueryable<ApiClient>, bool>> QueryIs() =>
        q => q.Any(c => c.ClientId == ClientId && c.RevokedAt == null);
}

/// <summary>The session's practice's active engagement of this vendor, if any.</summary>
public sealed class ActiveEngagement : Marten.Linq.ICompiledQuery<Engagement, Engagement?>
{
    public Guid VendorId { get; set; }

    public Expression<Func<Marten.Linq.IMartenQueryable<Engagement>, Engagement?>> QueryIs() =>
        q => q.FirstOrDefault(e => e.VendorId == VendorId && e.RevokedAt == null);
}
