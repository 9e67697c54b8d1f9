using System.Security.Claims;
using Marten;
using Marten.Pagination;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

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
