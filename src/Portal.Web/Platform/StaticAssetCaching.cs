using Microsoft.AspNetCore.StaticFiles;

namespace Portal.Web.Platform;

/// <summary>
/// How long browsers keep Portal's own static files (CSS, scripts, icons). The layout links each with
/// <c>asp-append-version</c>, a hash of the file's content in <c>?v=</c>: a changed file is a new address, so an address with a
/// version is kept a year without asking again (<c>immutable</c>). Without a version (an address typed or linked elsewhere, the
/// browser's own <c>/favicon.ico</c>) the browser asks each time and gets 304 while the file is unchanged (its ETag).
/// Before, neither was said: browsers guessed a freshness from the file's age, so after a deploy (or on a fresh checkout)
/// every page load asked for the CSS and the three scripts again, four extra round trips a page.
/// </summary>
public static class StaticAssetCaching
{
    public const string Versioned = "public, max-age=31536000, immutable";
    public const string Unversioned = "no-cache";

    public static void Apply(StaticFileResponseContext context) =>
        context.Context.Response.Headers.CacheControl =
            context.Context.Request.Query.ContainsKey("v") ? Versioned : Unversioned;
}
