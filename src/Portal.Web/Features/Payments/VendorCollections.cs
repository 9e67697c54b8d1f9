using System.Security.Claims;
using Npgsql;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;

namespace Portal.Web.Features.Payments;

/// <summary>One client's collections figures on the vendor's across-clients dashboard.</summary>
public sealed record ClientCollections(Guid PracticeId, string PracticeName, KpiReport Kpis);

/// <summary>
/// The collections dashboard across clients for a billing vendor (issue 12 item 9): the practices whose active engagement names
/// <c>ar</c> or <c>reports</c> and covers the caller (the firm's admin chooses its staff per client), each with the same KPIs as the
/// practice's own dashboard. A practice engaged for coding or claims only is not listed.
/// </summary>
public static class VendorCollections
{
    public static async Task<IReadOnlyList<ClientCollections>> For(PracticeAccess access, TenantDatabases databases, ClaimsPrincipal user, DateOnly from,
        DateOnly to, CancellationToken ct)
    {
        var practices = (await access.PracticesFor(user, ct, EngagementFunctions.Ar))
            .Concat(await access.PracticesFor(user, ct, EngagementFunctions.Reports))
            .DistinctBy(p => p.Id).OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList();
        var rows = new List<ClientCollections>(practices.Count);
        foreach (var p in practices) rows.Add(new ClientCollections(p.Id, p.Name, await PaymentQueries.Kpi(databases.For(p.Id), p.Id, from, to, ct)));
        return rows;
    }
}
