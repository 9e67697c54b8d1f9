using System.Security.Claims;
using Marten;
using Marten.Pagination;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

/// <summary>
/// One read (or export) of PHI: who, which record, when, from where. Security Rule audit controls (45 CFR 164.312(b))
/// want reads logged as well as writes; writes are already in the event streams. Tenanted: a practice reviews its own.
/// </summary>
public sealed record AuditEntry(Guid Id, string Action, string RecordType, Guid? RecordId, Guid? PatientId,
    string Actor, string? UserId, string? ClientId, string? IpAddress, string Path, DateTimeOffset At);

public static class PhiAudit
{
    public const string View = "view", Download = "download", Export = "export";

    /// <summary>Records the access and saves it with whatever else the session holds.</summary>
    public static async Task Record(IDocumentSession session, HttpContext http, string action, string recordType, Guid? recordId,
        Guid? patientId, CancellationToken ct)
    {
        var user = http.User;
        var isUser = user.HasClaim(c => c.Type == PortalClaims.Organization);
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        session.Store(new AuditEntry(Guid.CreateVersion7(), action, recordType, recordId, patientId, user.Actor(),
            isUser ? user.UserId()?.ToString() : null,
            isUser ? null : user.FindFirstValue("client_id") ?? user.FindFirstValue("sub"),
            http.Connection.RemoteIpAddress?.ToString(), http.Request.Path, clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
    }
}

/// <summary>A page of a list, with the total so clients can page on.</summary>
public sealed record PageOf<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total)
{
    public int PageCount => Total == 0 ? 1 : (int)Math.Ceiling(Total / (double)PageSize);
    public bool HasPrevious => Page > 1;
    public bool HasNext => Page < PageCount;

    public PageOf<TOut> Map<TOut>(Func<T, TOut> map) => new([.. Items.Select(map)], Page, PageSize, Total);
}

public static class Paging
{
    public const int DefaultPageSize = 25, MaxPageSize = 200;

    public static async Task<PageOf<T>> ToPageAsync<T>(this IQueryable<T> query, int? page, int? pageSize, CancellationToken ct)
    {
        var p = page ?? 1;
        var size = pageSize ?? DefaultPageSize;
        if (p < 1) throw new BadHttpRequestException("page starts at 1.");
        if (size is < 1 or > MaxPageSize) throw new BadHttpRequestException($"pageSize must be between 1 and {MaxPageSize}.");
        var list = await query.ToPagedListAsync(p, size, ct);
        return new PageOf<T>([.. list], p, size, list.TotalItemCount);
    }
}
