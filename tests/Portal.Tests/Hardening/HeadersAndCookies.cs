using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Demo;
using static Portal.Tests.Coding.CodingGiven;

namespace Portal.Tests.Hardening;

/// <summary>Item 11: security headers on every response, no inline script in any page, cookie flags.</summary>
public partial class HeadersAndCookies(PortalApp app) : PortalTest(app)
{
    static readonly string Root = $"/practices/{DemoData.NorthClinic}";

    /// <summary>Every Razor page route the app maps, with its parameters filled in from real data.</summary>
    async Task<List<string>> PageRoutes()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var chart = await QueuedChart(admin);
        var values = new Dictionary<string, string>
        {
            ["practiceId"] = DemoData.NorthClinic.ToString(), ["encounterId"] = chart.Encounter.Id.ToString(),
            ["patientId"] = chart.Encounter.PatientId.ToString(), ["code"] = "404", ["id"] = Guid.NewGuid().ToString(),
            ["claimId"] = Guid.NewGuid().ToString(), // the claim page's 404 carries the headers too
            ["batchId"] = Guid.NewGuid().ToString(), // claim submission: an unknown batch still carries the headers
            // Payments pages: an unknown remittance or work item is a 404 page, which must carry the headers too.
            ["remittanceId"] = Guid.NewGuid().ToString(), ["workItemId"] = Guid.NewGuid().ToString(),
            // The pay-online page (issue 13) with a link that is not one: it renders its "expired" page.
            ["token"] = "not-a-pay-link",
        };
        var templates = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<PageActionDescriptor>() is not null)
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .Distinct().ToList();
        Assert.Contains("/practices/{practiceId:guid}/coding/charts/{encounterId:guid}", templates);
        return [.. templates.Select(t => RouteParameter().Replace(t, m => values.TryGetValue(m.Groups[1].Value, out var v) ? v
            : throw new InvalidOperationException($"No test value for {{{m.Groups[1].Value}}} in {t}: add one here.")))];
    }

    [Fact]
    public async Task every_page_route_and_the_api_carry_the_security_headers_and_pages_have_no_inline_script()
    {
        var pages = await PageRoutes();
        using var northAdmin = await App.SignedInBrowser(Users.NorthAdmin);
        using var vendorAdmin = await App.SignedInBrowser(Users.VendorAdmin);
        using var anonymous = App.Anonymous();
        var api = await App.AppClient("north-app");
        var checkedPages = 0;

        foreach (var page in pages)
        {
            var browser = page.StartsWith("/vendor/") ? vendorAdmin : northAdmin;
            var response = await browser.GetAsync(page);
            AssertHardened(response, page);
            if (response.Content.Headers.ContentType?.MediaType == "text/html")
            {
                AssertNoInlineScript(await response.Content.ReadAsStringAsync(), page);
                checkedPages++;
            }
        }
        Assert.True(checkedPages >= 20, $"Only {checkedPages} pages rendered HTML.");

        foreach (var (client, path) in new[]
        {
            (anonymous, "/account/sign-in"), (anonymous, "/"), (anonymous, "/css/site.css"), (anonymous, "/js/site.js"),
            (anonymous, "/health/ready"), (anonymous, "/.well-known/openid-configuration"), (anonymous, "/no/such/page"),
            (anonymous, "/api/v1/practices"), (api, "/api/v1/practices"), (api, $"/api/v1{Root}/patients"),
            (api, $"/api/v1{Root}/patients/{Guid.NewGuid()}"), (northAdmin, "/no/such/page"),
        })
            AssertHardened(await client.GetAsync(path), path);
    }

    [Fact]
    public async Task swagger_ui_gets_its_own_policy_still_without_inline_script_or_framing()
    {
        using var anonymous = App.Anonymous();

        foreach (var path in new[] { "/swagger/index.html", "/swagger/index.js", "/swagger/v1/swagger.json" })
        {
            var response = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var csp = Header(response, "Content-Security-Policy");
            Assert.Contains("script-src 'self';", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        }
        AssertNoInlineScript(await anonymous.GetStringAsync("/swagger/index.html"), "/swagger/index.html");
    }

    [Fact]
    public async Task authentication_and_antiforgery_cookies_are_httponly_and_samesite_and_not_secure_only_on_loopback_http()
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var http = new HttpClient(handler) { BaseAddress = App.BaseAddress };
        var form = await http.GetAsync("/account/sign-in");
        var antiforgery = SetCookies(form).Single(c => c.StartsWith(".AspNetCore.Antiforgery."));
        var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/account/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Email"] = Users.NorthBiller, ["Password"] = DemoData.Password, ["ReturnUrl"] = "/",
                ["__RequestVerificationToken"] = PortalApp.AntiforgeryToken(await form.Content.ReadAsStringAsync()),
            }),
            Headers = { { "Cookie", antiforgery.Split(';')[0] } },
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var auth = SetCookies(response).Single(c => c.StartsWith("portal.auth="));

        foreach (var cookie in new[] { antiforgery, auth })
        {
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Matches("(?i)samesite=(lax|strict)", cookie);
            // Testing runs on plain HTTP over loopback: SameAsRequest, so not Secure here (see the Staging test).
            Assert.DoesNotContain("secure", cookie.Replace("samesite", ""), StringComparison.OrdinalIgnoreCase);
        }
        Assert.Null(Header(form, "Strict-Transport-Security"));
    }

    /// <summary>Identity's external and two-factor cookies too, and any scheme added later: one post-configuration covers all.</summary>
    static async Task AssertEveryCookieScheme(IServiceProvider services, CookieSecurePolicy secure)
    {
        var schemes = (await services.GetRequiredService<IAuthenticationSchemeProvider>().GetAllSchemesAsync())
            .Where(s => typeof(CookieAuthenticationHandler).IsAssignableFrom(s.HandlerType)).ToList();
        Assert.Contains(schemes, s => s.Name == IdentityConstants.TwoFactorUserIdScheme);
        Assert.Contains(schemes, s => s.Name == IdentityConstants.ExternalScheme);
        var options = services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>();
        foreach (var scheme in schemes)
        {
            var cookie = options.Get(scheme.Name).Cookie;
            Assert.True(cookie.HttpOnly, scheme.Name);
            Assert.True(cookie.SameSite is SameSiteMode.Lax or SameSiteMode.Strict, $"{scheme.Name}: {cookie.SameSite}");
            Assert.Equal(secure, cookie.SecurePolicy);
        }
        var antiforgery = services.GetRequiredService<IOptions<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions>>().Value.Cookie;
        Assert.True(antiforgery.HttpOnly);
        Assert.Equal(secure, antiforgery.SecurePolicy);
    }

    [Fact]
    public Task every_cookie_scheme_is_httponly_and_samesite() => AssertEveryCookieScheme(App.Services, CookieSecurePolicy.SameAsRequest);

    [Fact]
    public async Task outside_development_and_testing_cookies_are_secure_and_hsts_is_sent()
    {
        await using var staging = new SecondPortal(App.ConnectionString, "Staging");
        // As behind the TLS-terminating balancer with forwarded headers applied (docs/deployment.md 2.1): the request is HTTPS.
        using var http = staging.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("https://localhost") });

        var response = await http.GetAsync("/account/sign-in");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("max-age=", Header(response, "Strict-Transport-Security"));
        var antiforgery = SetCookies(response).Single(c => c.StartsWith(".AspNetCore.Antiforgery."));
        Assert.Contains("; secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("max-age=", Header(await http.GetAsync("/api/v1/practices"), "Strict-Transport-Security"));
        await AssertEveryCookieScheme(staging.Services, CookieSecurePolicy.Always);
    }

    static void AssertHardened(HttpResponseMessage response, string path)
    {
        var csp = Header(response, "Content-Security-Policy") ?? throw new Xunit.Sdk.XunitException($"{path}: no Content-Security-Policy");
        Assert.True(Regex.IsMatch(csp, @"(^|; )script-src 'self'(;|$)"), $"{path}: script-src is not 'self' only: {csp}");
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.True(Header(response, "X-Content-Type-Options") == "nosniff", $"{path}: no nosniff");
        Assert.True(Header(response, "X-Frame-Options") == "DENY", $"{path}: X-Frame-Options");
        Assert.True(Header(response, "Referrer-Policy") is "strict-origin-when-cross-origin" or "no-referrer" or "same-origin", $"{path}: Referrer-Policy");
        Assert.True(Header(response, "Permissions-Policy")?.Contains("camera=()") == true, $"{path}: Permissions-Policy");
    }

    /// <summary>The CSP would block them anyway; this names the page to fix instead of a silent dead button.</summary>
    static void AssertNoInlineScript(string html, string path)
    {
        foreach (Match script in Regex.Matches(html, "<script\\b[^>]*>", RegexOptions.IgnoreCase))
            Assert.True(script.Value.Contains("src=", StringComparison.OrdinalIgnoreCase), $"{path}: inline <script>: {script.Value}");
        var handler = Regex.Match(html, "<[^>]+\\son[a-z]+\\s*=", RegexOptions.IgnoreCase);
        Assert.False(handler.Success, $"{path}: inline event handler: {handler.Value}");
        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        // htmx runs these through eval, which the policy (and htmx-config allowEval:false) refuses.
        Assert.DoesNotMatch("(?i)\\shx-on[:-]", html);
        Assert.DoesNotMatch("(?i)hx-(vals|vars)\\s*=\\s*['\"]\\s*js:", html);
        Assert.DoesNotMatch("(?i)<style\\b", html);
    }

    static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var v) || response.Content.Headers.TryGetValues(name, out v) ? string.Join(", ", v) : null;

    static IEnumerable<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var v) ? v : [];

    [GeneratedRegex(@"\{([a-zA-Z]+)(:[^}]*)?\}")]
    private static partial Regex RouteParameter();
}
