using System.Security.Claims;
using Marten;
using Microsoft.Extensions.Caching.Memory;
using Portal.Web.Platform;

namespace Portal.Web.Features.ApiClients;

/// <summary>The rate-limit plan of a registered app, read from its registration and remembered for a minute per node.</summary>
sealed class ApiClientPlans(IDocumentStore store, IMemoryCache cache) : IApiPlans
{
    public async Task<string?> PlanOf(ClaimsPrincipal app, CancellationToken ct)
    {
        var tenant = app.FindFirstValue(PortalClaims.Tenant);
        var clientId = app.FindFirstValue("sub");
        if (!Guid.TryParse(tenant, out _) || string.IsNullOrEmpty(clientId)) return null;
        return await cache.GetOrCreateAsync($"api-plan|{tenant}|{clientId}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1);
            await using var session = store.QuerySession(tenant);
            return await session.Query<ApiClient>().Where(c => c.ClientId == clientId).Select(c => c.Plan).FirstOrDefaultAsync(ct);
        });
    }
}
