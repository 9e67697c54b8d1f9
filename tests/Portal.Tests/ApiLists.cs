using System.Text.Json;

namespace Portal.Tests;

/// <summary>
/// Every list of the API answers a page (docs/api.md, "Paging": <c>items</c> and <c>next</c>). Tests that want a short list whole
/// read its first page of up to 200 rows with this.
/// </summary>
public static class ApiLists
{
    public static async Task<List<T>?> GetItemsAsync<T>(this HttpClient client, string url, JsonSerializerOptions? options = null)
    {
        var withLimit = url.Contains("limit=", StringComparison.Ordinal) ? url : url + (url.Contains('?') ? "&" : "?") + "limit=200";
        var page = options is null
            ? await client.GetFromJsonAsync<CursorPage<T>>(withLimit)
            : await client.GetFromJsonAsync<CursorPage<T>>(withLimit, options);
        return page is null ? null : [.. page.Items];
    }
}
