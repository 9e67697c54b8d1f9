using Marten;
using Microsoft.Extensions.Caching.Memory;

namespace Portal.Web.Features.Tenancy;

/// <summary>
/// Organizations by id, cached for a minute: every tenant-scoped request checks the practice exists, and
/// organizations change rarely (onboarding). Grants are never cached: engagements and API client registrations are
/// read on every request, so revocation stays immediate.
/// </summary>
public sealed class OrganizationDirectory(IDocumentStore store, IMemoryCache cache)
{
    static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    public async Task<Organization?> Find(Guid id, CancellationToken ct)
    {
        if (cache.TryGetValue((typeof(Organization), id), out Organization? cached)) return cached;
        await using var query = store.QuerySession();
        var organization = await query.LoadAsync<Organization>(id, ct);
        if (organization is not null) cache.Set((typeof(Organization), id), organization, Lifetime);
        return organization;
    }
}
