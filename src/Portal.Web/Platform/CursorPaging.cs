using System.Globalization;
using System.Text;
using Marten;
using Microsoft.AspNetCore.WebUtilities;

namespace Portal.Web.Platform;

/// <summary>
/// One page of a list under the cursor convention (docs/api.md, "Paging"): <c>items</c>, and <c>next</c>, the cursor of the page
/// after this one (null on the last page). The same cursor is in the <c>Link: &lt;…&gt;; rel="next"</c> header.
/// </summary>
public sealed record CursorPage<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>A checked <c>?cursor=&amp;limit=</c>: <see cref="After"/> is the decoded position (null on the first page).</summary>
public readonly record struct CursorRequest(string? After, int Limit)
{
    /// <summary>The list's sort when it is not the default (<see cref="ISort.Value"/>): the next cursor carries it (docs/api.md, "Sorting").</summary>
    public string? Sort { get; init; }

    /// <summary>Rows to fetch: one more than the page, so we know whether a next page exists without counting.</summary>
    public int Fetch => Limit + 1;
}

/// <summary>
/// The cursor convention of every list: <c>cursor</c> (opaque; from <c>next</c> or the Link header) and <c>limit</c> (default 50,
/// at most 200). Lists are keyset-paged on a stable sort key, so a page never skips or repeats a row when rows are added meanwhile.
/// Lists that also take <c>page</c>/<c>pageSize</c> keep answering those as before (<see cref="Paging"/>) when asked that way.
/// The one implementation: a list parses with <see cref="Parse"/>, reads its position with <see cref="Position"/>, fetches
/// <see cref="CursorRequest.Fetch"/> rows after it, and answers <see cref="Page{T}"/> + <see cref="WithLink{T}"/>; its key is
/// <see cref="Key"/>(a number that orders the rows, and an optional tie-breaker).
/// </summary>
public static class CursorPaging
{
    public const int DefaultLimit = 50, MaxLimit = 200;
    const string Prefix = "c1.";

    /// <summary>A cursor or limit that is not ours: 400 problem details naming the parameter.</summary>
    public static CursorRequest Parse(string? cursor, int? limit)
    {
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit) throw new InvalidInput("limit", $"limit must be between 1 and {MaxLimit}.");
        if (string.IsNullOrEmpty(cursor)) return new CursorRequest(null, size);
        return new CursorRequest(Decode(cursor) ?? throw new InvalidInput("cursor", "cursor must be a value this API returned in 'next'."), size);
    }

    /// <summary>Between a position and the sort it was taken under, inside a cursor (only when the sort is not the list's default).</summary>
    const string SortMark = "~s=";

    /// <summary>
    /// <see cref="Parse(string?, int?)"/> for a sorted list: the cursor must come from the same sort (a cursor of another sort is a 400
    /// naming <c>cursor</c>: the position means nothing there), and the next cursor will carry the sort when it is not the default.
    /// Cursors of the default sort carry none, so the cursors of lists that had a single order before sorting came read as before.
    /// </summary>
    public static CursorRequest Parse(string? cursor, int? limit, ISort sort)
    {
        var request = Parse(cursor, limit);
        var tag = sort.IsDefault ? null : sort.Value;
        if (request.After is not { } after) return request with { Sort = tag };
        var mark = after.LastIndexOf(SortMark, StringComparison.Ordinal);
        var given = mark < 0 ? null : after[(mark + SortMark.Length)..];
        if (given != tag)
            throw new InvalidInput("cursor", $"This cursor belongs to {(given is null ? "the default sort" : "sort=" + given)}; send it with the same sort, " +
                "or leave cursor out to start the new sort from its first page.");
        return request with { After = mark < 0 ? after : after[..mark], Sort = tag };
    }

    static string Tagged(string key, CursorRequest request) => request.Sort is { } sort ? key + SortMark + sort : key;

    /// <summary>The opaque form of a sort key: versioned so the encoding can change without misreading old cursors.</summary>
    public static string Encode(string key) => Prefix + WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(key));

    static string? Decode(string cursor)
    {
        if (!cursor.StartsWith(Prefix, StringComparison.Ordinal) || cursor.Length > 400) return null;
        try
        {
            var key = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(cursor[Prefix.Length..]));
            return key.Length > 0 && key.All(c => c is >= ' ' and <= '~') ? key : null;
        }
        catch (FormatException) { return null; }
    }

    /// <summary>Cuts the fetched rows (<see cref="CursorRequest.Fetch"/> of them at most) to a page, and names the next page's cursor.</summary>
    public static CursorPage<T> Page<T>(IReadOnlyList<T> fetched, CursorRequest request, Func<T, string> keyOf)
    {
        if (fetched.Count <= request.Limit) return new CursorPage<T>(fetched, null);
        var items = fetched.Take(request.Limit).ToList();
        return new CursorPage<T>(items, Encode(Tagged(keyOf(items[^1]), request)));
    }

    /// <summary>Adds <c>Link: &lt;this URL with cursor=next&gt;; rel="next"</c> when there is a next page.</summary>
    public static CursorPage<T> WithLink<T>(this CursorPage<T> page, HttpContext context)
    {
        if (page.Next is null) return page;
        var query = QueryHelpers.ParseQuery(context.Request.QueryString.Value);
        var pairs = query.Where(q => q.Key is not "cursor" and not "page").SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .Append(new("cursor", page.Next));
        var url = QueryHelpers.AddQueryString(context.Request.PathBase + context.Request.Path, pairs);
        var link = $"<{url}>; rel=\"next\"";
        // Once per answer, however many layers of a list add it.
        if (!context.Response.Headers.Link.Contains(link)) context.Response.Headers.Append("Link", link);
        return page;
    }

    /// <summary>A sort key that orders like the time it carries, then the id: fixed width, letters and digits only (any collation sorts it alike).</summary>
    public static string TimeKey(DateTimeOffset at, Guid id) => $"{at.UtcTicks:D19}{id:N}";

    /// <summary>
    /// A list's position as a key: the number its rows are ordered by (a sequence, or a time as <see cref="Ticks"/>), and a tie-breaker
    /// for rows with the same number (a control number), when the order needs one.
    /// </summary>
    public static string Key(long number, string? tie = null) => tie is null ? number.ToString("D19", System.Globalization.CultureInfo.InvariantCulture)
        : $"{number.ToString("D19", System.Globalization.CultureInfo.InvariantCulture)}|{tie}";

    /// <summary>A time as the number of a <see cref="Key"/>: whole microseconds, as PostgreSQL keeps it, so the last row seen compares as seen.</summary>
    public static long Ticks(DateTimeOffset at) => at.UtcTicks - at.UtcTicks % 10;

    public static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    /// <summary>
    /// Lists whose order has no stable key to page on (a name, a due date, an SLA): the cursor names the position in the sorted list
    /// (<c>p120</c>: after 120 rows). A row added or removed before that position meanwhile shifts the next page by one; keyset lists
    /// never do. Zero on the first page; a cursor of a keyset list is a 400 naming <c>cursor</c>.
    /// </summary>
    public static int Offset(this CursorRequest request)
    {
        if (request.After is not { } key) return 0;
        return key.Length is > 1 and <= 10 && key[0] == 'p'
            && int.TryParse(key.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= MaxOffset
            ? n
            : throw new InvalidInput("cursor", "cursor must be a value this list returned in 'next'.");
    }

    /// <summary>How far a position cursor may go: far beyond any practice's list, and small enough that an offset never overflows.</summary>
    public const int MaxOffset = 100_000_000;

    /// <summary>A page of a list read whole and already in its order (a practice's users, webhooks, payers): by position.</summary>
    public static CursorPage<T> Slice<T>(this IEnumerable<T> ordered, CursorRequest request)
    {
        var offset = request.Offset();
        return PageAt([.. ordered.Skip(offset).Take(request.Fetch)], request, offset);
    }

    /// <summary>A page of a sorted Marten query by position: <see cref="CursorRequest.Fetch"/> rows from the cursor's offset.</summary>
    public static async Task<CursorPage<T>> ToCursorPageAsync<T>(this IQueryable<T> sorted, CursorRequest request, CancellationToken ct) where T : notnull
    {
        var offset = request.Offset();
        var rows = await sorted.Skip(offset).Take(request.Fetch).ToListAsync(ct);
        return PageAt([.. rows], request, offset);
    }

    static CursorPage<T> PageAt<T>(List<T> fetched, CursorRequest request, int offset) =>
        fetched.Count <= request.Limit
            ? new CursorPage<T>(fetched, null)
            : new CursorPage<T>(fetched.GetRange(0, request.Limit), Encode(Tagged("p" + (offset + request.Limit).ToString(CultureInfo.InvariantCulture), request)));

    /// <summary>
    /// The page-numbered lists (<see cref="PageOf{T}"/>) by cursor when the caller sends <c>cursor</c> or <c>limit</c>: the same answer
    /// shape (page 0, <c>total</c> counting every match, <c>next</c> and the Link header), so one client type reads both modes; with
    /// neither, <c>page</c>/<c>pageSize</c> as before (deprecated, kept for existing clients).
    /// </summary>
    public static async Task<PageOf<T>> ToPageOrCursorAsync<T>(this IQueryable<T> sorted, int? page, int? pageSize, string? cursor, int? limit,
        HttpContext context, CancellationToken ct) where T : notnull
    {
        if (cursor is null && limit is null) return await sorted.ToPageAsync(page, pageSize, ct);
        var request = Parse(cursor, limit);
        NotBoth(page, pageSize);
        var total = await sorted.CountAsync(ct);
        var found = (await sorted.ToCursorPageAsync(request, ct)).WithLink(context);
        return new PageOf<T>(found.Items, 0, request.Limit, total) { Next = found.Next };
    }

    /// <summary><see cref="ToPageOrCursorAsync{T}(IQueryable{T}, int?, int?, string?, int?, HttpContext, CancellationToken)"/> of a filtered query in a parsed sort.</summary>
    public static async Task<PageOf<T>> ToPageOrCursorAsync<T>(this IQueryable<T> filtered, Sort<T> sort, int? page, int? pageSize, string? cursor, int? limit,
        HttpContext context, CancellationToken ct) where T : notnull
    {
        var sorted = sort.Apply(filtered);
        if (cursor is null && limit is null) return await sorted.ToPageAsync(page, pageSize, ct);
        var request = Parse(cursor, limit, sort);
        NotBoth(page, pageSize);
        var total = await sorted.CountAsync(ct);
        var found = (await sorted.ToCursorPageAsync(request, ct)).WithLink(context);
        return new PageOf<T>(found.Items, 0, request.Limit, total) { Next = found.Next };
    }

    /// <summary>The page-numbered answer of a cursor page: page 0, the total, <c>next</c>; adds the Link header.</summary>
    public static PageOf<T> AsPageOf<T>(this CursorPage<T> found, CursorRequest request, long total, HttpContext context) =>
        new(found.WithLink(context).Items, 0, request.Limit, total) { Next = found.Next };

    /// <summary>A request that mixes the two paging modes is refused rather than half obeyed.</summary>
    public static void NotBoth(int? page, int? pageSize)
    {
        if (page is not null || pageSize is not null)
            throw new InvalidInput("cursor", "Page either by cursor and limit or by page and pageSize, not both.");
    }

    /// <summary>The position a <see cref="Key"/> names (null on the first page); a cursor of another list is a 400 naming <c>cursor</c>.</summary>
    public static (long Number, string? Tie)? Position(this CursorRequest request)
    {
        if (request.After is not { } key) return null;
        var bar = key.IndexOf('|');
        var number = bar < 0 ? key : key[..bar];
        return number.Length == 19 && long.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            && n < DateTimeOffset.MaxValue.UtcTicks
            ? (n, bar < 0 ? null : key[(bar + 1)..])
            : throw new InvalidInput("cursor", "cursor must be a value this list returned in 'next'.");
    }
}
