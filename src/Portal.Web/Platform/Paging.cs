using Marten;
using Marten.Pagination;

namespace Portal.Web.Platform;

/// <summary>A page of a list, with the total so clients can page on.</summary>
public sealed record PageOf<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total)
{
    /// <summary>
    /// Lists that also page by cursor (docs/api.md, "Paging"): the next page's cursor when the caller asked with <c>cursor</c> or
    /// <c>limit</c> (then <see cref="Page"/> is 0 and <see cref="Total"/> counts every matching row); null (left out) otherwise.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Next { get; init; }

    public int PageCount => Total == 0 ? 1 : (int)Math.Ceiling(Total / (double)PageSize);
    public bool HasPrevious => Page > 1;
    public bool HasNext => Page < PageCount;

    public PageOf<TOut> Map<TOut>(Func<T, TOut> map) => new([.. Items.Select(map)], Page, PageSize, Total) { Next = Next };
}

/// <summary>A checked <c>?page=&amp;pageSize=</c>: <see cref="Skip"/> and <see cref="Through"/> cannot overflow.</summary>
public readonly record struct PageRequest(int Page, int Size)
{
    public int Skip => (Page - 1) * Size;

    /// <summary>Rows needed from the top to fill this page (for merging several sorted sources).</summary>
    public int Through => Page * Size;
}

/// <summary>The one paging parser for every list, API and page alike.</summary>
public static class Paging
{
    // MaxPage * MaxPageSize stays far below int.MaxValue, so offsets never overflow (page=2147483647 used to).
    public const int DefaultPageSize = 25, MaxPageSize = 200, MaxPage = 100_000;

    /// <summary>Out-of-range values are the caller's mistake: 400 problem details naming <c>page</c> or <c>pageSize</c>.</summary>
    public static PageRequest Parse(int? page, int? pageSize, int defaultSize = DefaultPageSize)
    {
        var p = page ?? 1;
        var size = pageSize ?? defaultSize;
        if (p is < 1 or > MaxPage) throw new InvalidInput("page", $"page must be between 1 and {MaxPage}.");
        if (size is < 1 or > MaxPageSize) throw new InvalidInput("pageSize", $"pageSize must be between 1 and {MaxPageSize}.");
        return new PageRequest(p, size);
    }

    /// <summary>Portal pages take <c>?p=</c> from the address bar: a page out of range shows the nearest one instead of an error.</summary>
    public static PageRequest ForPortalPage(int page, int size = DefaultPageSize) => new(Math.Clamp(page, 1, MaxPage), size);

    public static Task<PageOf<T>> ToPageAsync<T>(this IQueryable<T> query, int? page, int? pageSize, CancellationToken ct) =>
        query.ToPageAsync(Parse(page, pageSize), ct);

    public static async Task<PageOf<T>> ToPageAsync<T>(this IQueryable<T> query, PageRequest page, CancellationToken ct)
    {
        var list = await query.ToPagedListAsync(page.Page, page.Size, ct);
        return new PageOf<T>([.. list], page.Page, page.Size, list.TotalItemCount);
    }
}
