using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Users;

namespace Portal.Tests.Account;

/// <summary>A browser-like client whose cookies a test can read, copy and replay.</summary>
sealed partial class CookieClient : IDisposable
{
    public CookieContainer Cookies { get; } = new();
    public HttpClient Http { get; }
    readonly Uri baseAddress;

    public CookieClient(PortalApp app)
    {
        baseAddress = app.BaseAddress;
        Http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = Cookies }) { BaseAddress = baseAddress };
    }

    public async Task<HttpResponseMessage> SignIn(string email, string password = DemoData.Password, string? returnUrl = null)
    {
        var url = "/account/sign-in" + (returnUrl is null ? "" : "?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
        var form = await Http.GetStringAsync(url);
        return await Http.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email, ["Password"] = password, ["ReturnUrl"] = returnUrl ?? "/",
            ["__RequestVerificationToken"] = PortalApp.AntiforgeryToken(form),
        }));
    }

    /// <summary>The error the sign-in page shows after a failed attempt.</summary>
    public static string SignInError(string html) =>
        SignInAlert().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value.Trim()) : "(no error shown)";

    public string AuthCookie() => Cookies.GetCookies(baseAddress)["portal.auth"]?.Value
        ?? throw new InvalidOperationException("No sign-in cookie.");

    /// <summary>A fresh client that sends only the given sign-in cookie, as an attacker who copied it would.</summary>
    public static HttpClient Replaying(PortalApp app, string cookie)
    {
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Add("Cookie", $"portal.auth={cookie}");
        return http;
    }

    /// <summary>The home page answers 200 only to a signed-in user; anyone else is sent to sign in.</summary>
    public static async Task<bool> SignedIn(HttpClient http)
    {
        var response = await http.GetAsync("/");
        if (response.StatusCode == HttpStatusCode.OK) return true;
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/sign-in", response.Headers.Location!.ToString());
        return false;
    }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("<div class=\"alert bad\" role=\"alert\">(.*?)</div>", RegexOptions.Singleline)]
    private static partial Regex SignInAlert();
}

static partial class AccountGiven
{
    public static readonly string NorthUsers = $"/api/v1/organizations/{DemoData.NorthClinic}/users";

    public sealed record UserRef(Guid Id, string Email);

    /// <summary>A fresh user and the password they chose (<see cref="TemporaryPassword"/> keeps the older tests' name).</summary>
    public sealed record FreshUser(UserRef User, string TemporaryPassword);

    /// <summary>A new North Clinic user, invited by its admin and accepted through the mailed link; identity is not reset between tests, so every one is fresh.</summary>
    public static async Task<FreshUser> NewNorthUser(PortalApp app, params string[] roles)
    {
        var invited = await Portal.Tests.Accounts.AccountGiven.InvitedUser(app, Users.NorthAdmin, DemoData.NorthClinic, roles);
        invited.Browser.Dispose();
        var admin = await app.ClientFor(Users.NorthAdmin);
        // Every page of the list: identity keeps the users of earlier tests and runs, so there may be more than one page of them.
        var id = (await admin.GetItemsAsync<Portal.Web.Features.Users.OrganizationUser>(NorthUsers))!.Single(u => u.Email == invited.Email).Id;
        return new FreshUser(new UserRef(id, invited.Email), invited.Password);
    }

    public const string Redirect = "http://127.0.0.1/callback";

    /// <summary>The authorization request of portal-swagger with the given PKCE challenge parameters.</summary>
    public static string Authorize(string scopes, IReadOnlyDictionary<string, string> pkce) =>
        "/connect/authorize?" + string.Join('&', new Dictionary<string, string>
        {
            ["client_id"] = "portal-swagger", ["response_type"] = "code", ["redirect_uri"] = Redirect, ["scope"] = scopes, ["state"] = "test",
        }.Concat(pkce).Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}"));

    /// <summary>An API client with an access token for any user, through the real authorization code + S256 PKCE flow.</summary>
    public static async Task<HttpClient> BearerFor(PortalApp app, string email, string password, string scopes = "practice.read users.admin")
    {
        var tokens = await Tokens(app, email, password, scopes);
        var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
        return http;
    }

    public static async Task<string> RefreshTokenFor(PortalApp app, string email, string password) =>
        (await Tokens(app, email, password, "practice.read offline_access")).GetProperty("refresh_token").GetString()!;

    static async Task<JsonElement> Tokens(PortalApp app, string email, string password, string scopes)
    {
        using var browser = new CookieClient(app);
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var authorize = Authorize(scopes, new Dictionary<string, string>
        {
            ["code_challenge"] = Base64Url(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier))), ["code_challenge_method"] = "S256",
        });
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignIn(email, password, authorize)).StatusCode);
        var code = CodeFrom(await browser.Http.GetAsync(authorize));
        var token = await browser.Http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = "portal-swagger", ["code"] = code!,
            ["redirect_uri"] = Redirect, ["code_verifier"] = verifier,
        }));
        var body = await token.Content.ReadAsStringAsync();
        Assert.True(token.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The code in the authorization endpoint's redirect, or null when it redirected with an error.</summary>
    public static string? CodeFrom(HttpResponseMessage response)
    {
        var location = response.Headers.Location?.ToString()
            ?? throw new InvalidOperationException($"No redirect from the authorization endpoint ({(int)response.StatusCode}).");
        var code = Regex.Match(location, "[?&]code=([^&]+)").Groups[1].Value;
        return code.Length == 0 ? null : Uri.UnescapeDataString(code);
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
