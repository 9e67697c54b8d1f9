using System.Text.Json;

namespace Portal.Tests;

/// <summary>
/// Every list of the API answers a page (docs/api.md, "Paging": <c>items</c> and <c>next</c>). Tests that want a list whole read it
/// with this: pages of up to 200 rows, followed to the end unless the URL sets its own limit (then the first page only).
/// </summary>
public static class ApiLists
{
    public static async Task<List<T>?> GetItemsAsync<T>(this HttpClient client, string url, JsonSerializerOptions? options = null)
    {
        var ownLimit = url.Contains("limit=", StringComparison.Ordinal);
        var withLimit = ownLimit ? url : url + (url.Contains('?') ? "&" : "?") + "limit=200";
        var page = await Page(withLimit);
        if (page is null) return null;
        // Without a limit of the caller's, every page: identity is not reset between tests or runs, so a list of users grows
        // past one page on a database that has seen many runs, and a test looking for the user it just made must find it.
        var items = new List<T>(page.Items);
        while (!ownLimit && page?.Next is { } next)
        {
            page = await Page(withLimit + "&cursor=" + Uri.EscapeDataString(next));
            if (page is not null) items.AddRange(page.Items);
        }
        return items;

        Task<CursorPage<T>?> Page(string pageUrl) => options is null
            ? client.GetFromJsonAsync<CursorPage<T>>(pageUrl)
            : client.GetFromJsonAsync<CursorPage<T>>(pageUrl, options);
    }
}
