using System.Net;
using System.Text.RegularExpressions;

namespace Portal.Tests.Hardening;

/// <summary>Portal's CSS and scripts: versioned addresses are kept by the browser, unversioned ones are asked for again.</summary>
public partial class StaticAssetsCached(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task the_layouts_versioned_assets_are_immutable_and_the_bare_addresses_revalidate()
    {
        using var anonymous = App.Anonymous();
        var admin = await App.SignedInBrowser(Users.NorthAdmin);
        var html = await admin.GetStringAsync("/");
        var assets = Asset().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).Distinct().ToList();
        Assert.Contains(assets, a => a.StartsWith("/css/site.css?v="));
        Assert.Contains(assets, a => a.StartsWith("/js/site.js?v="));

        foreach (var asset in assets)
        {
            var response = await anonymous.GetAsync(asset);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString());

            var bareAddress = asset[..asset.IndexOf('?')];
            var bare = await anonymous.GetAsync(bareAddress);
            Assert.Equal(HttpStatusCode.OK, bare.StatusCode);
            Assert.True(bare.Headers.CacheControl?.NoCache, $"{asset}: {bare.Headers.CacheControl}");

            // Unchanged: the browser's conditional request costs a 304, not the file again.
            var again = new HttpRequestMessage(HttpMethod.Get, bareAddress);
            again.Headers.IfNoneMatch.Add(bare.Headers.ETag!);
            Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(again)).StatusCode);
        }

        // Pages themselves are not static files: they keep their own caching (none), whatever their query says.
        var page = await anonymous.GetAsync("/account/sign-in?v=1");
        Assert.NotEqual("public, max-age=31536000, immutable", page.Headers.CacheControl?.ToString());
    }

    [GeneratedRegex("(?:href|src)=\"(/[^\"?]+\\?v=[^\"]+)\"")]
    private static partial Regex Asset();
}
