using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Web.Features.ApiClients;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.ConnectedApps;

/// <summary>Issue 15 item 5: a third-party app signs a user in with authorization code + PKCE, with consent, refresh tokens and revocation.</summary>
public partial class AppsActingForUsers(PortalApp app) : PortalTest(app)
{
    const string Redirect = "http://127.0.0.1/billing-app/callback";

    async Task<ApiClientCredentials> RegisteredApp(params string[] redirectUris)
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var response = await admin.PostAsJsonAsync(North("api-clients"),
            new RegisterApiClient("Billing bridge", [Scopes.PracticeRead, Scopes.EncountersRead], RedirectUris: redirectUris));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ApiClientCredentials>())!;
    }

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static string Authorize(string clientId, string challenge, string scope = "openid offline_access practice.read encounters.read") =>
        "/connect/authorize?" + string.Join('&', new Dictionary<string, string>
        {
            ["client_id"] = clientId, ["response_type"] = "code", ["redirect_uri"] = Redirect, ["scope"] = scope,
            ["code_challenge"] = challenge, ["code_challenge_method"] = "S256", ["state"] = "xyz",
        }.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}"));

    /// <summary>Follows the browser through authorize → consent (answering it) → authorize → the app's redirect URI.</summary>
    static async Task<Uri> Consent(HttpClient browser, string authorize, string decision)
    {
        var first = await browser.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        var consentUrl = first.Headers.Location!.OriginalString;
        Assert.StartsWith("/connect/consent", consentUrl);
        var page = await browser.GetStringAsync(consentUrl);
        Assert.Contains("Billing bridge", page);
        Assert.Contains("See patients, providers and encounters, including health information", page);
        var fields = HiddenInput().Matches(page).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
        fields["decision"] = decision;
        fields["__RequestVerificationToken"] = PortalApp.AntiforgeryToken(page);
        var answered = await browser.PostAsync("/connect/consent", new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Redirect, answered.StatusCode);
        var back = await browser.GetAsync(answered.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        return back.Headers.Location!;
    }

    [Fact]
    public async Task an_app_signs_a_user_in_with_consent_reads_encounters_refreshes_and_is_cut_off_when_the_user_disconnects_it()
    {
        var registered = await RegisteredApp(Redirect);
        Assert.Equal([Redirect], registered.RedirectUris!);
        var browser = await App.SignedInBrowser(Users.NorthBiller);
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

        var callback = await Consent(browser, Authorize(registered.ClientId, challenge), "allow");
        Assert.StartsWith(Redirect, callback.ToString());
        var code = Uri.UnescapeDataString(Regex.Match(callback.Query, "[?&]code=([^&]+)").Groups[1].Value);
        Assert.Contains("state=xyz", callback.Query);

        using var app = App.Anonymous();
        var tokens = await Tokens(app, new()
        {
            ["grant_type"] = "authorization_code", ["client_id"] = registered.ClientId, ["client_secret"] = registered.ClientSecret,
            ["code"] = code, ["redirect_uri"] = Redirect, ["code_verifier"] = verifier,
        });
        var refresh = tokens.GetProperty("refresh_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Bearer(tokens).GetAsync(North("encounters"))).StatusCode);

        // The consent is remembered: the next sign-in goes straight back to the app.
        var again = await browser.GetAsync(Authorize(registered.ClientId, challenge));
        Assert.StartsWith(Redirect, again.Headers.Location!.ToString());

        var refreshed = await Tokens(app, new()
        {
            ["grant_type"] = "refresh_token", ["client_id"] = registered.ClientId, ["client_secret"] = registered.ClientSecret, ["refresh_token"] = refresh,
        });
        var api = Bearer(refreshed);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(North("encounters"))).StatusCode);

        // The user disconnects it on the Connected apps page.
        var page = await browser.GetStringAsync("/account/connected-apps");
        Assert.Contains("Billing bridge", page);
        var grantId = WebUtility.HtmlDecode(Regex.Match(page, "name=\"grantId\" value=\"([^\"]+)\"").Groups[1].Value);
        var revoked = await browser.PostAsync("/account/connected-apps?handler=Revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grantId"] = grantId, ["__RequestVerificationToken"] = PortalApp.AntiforgeryToken(page),
        }));
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.DoesNotContain("Billing bridge", await revoked.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync(North("encounters"))).StatusCode);
        var refreshAfter = await app.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["client_id"] = registered.ClientId, ["client_secret"] = registered.ClientSecret,
            ["refresh_token"] = refreshed.GetProperty("refresh_token").GetString()!,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, refreshAfter.StatusCode);
        Assert.Contains("invalid_grant", await refreshAfter.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task denying_sends_the_user_back_to_the_app_with_access_denied_and_no_code()
    {
        var registered = await RegisteredApp(Redirect);
        var browser = await App.SignedInBrowser(Users.NorthBiller);
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(Base64Url(RandomNumberGenerator.GetBytes(32)))));
        var callback = await Consent(browser, Authorize(registered.ClientId, challenge), "deny");
        Assert.StartsWith(Redirect, callback.ToString());
        Assert.Contains("error=access_denied", callback.Query);
        Assert.DoesNotContain("code=", callback.Query);
    }

    [Fact]
    public async Task redirect_uris_must_be_exact_https_or_loopback_and_other_practices_users_cannot_sign_in()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        foreach (var bad in new[] { "http://app.example.com/cb", "https://app.example.com/cb#frag", "https://*.example.com/cb", "not a uri" })
        {
            var response = await admin.PostAsJsonAsync(North("api-clients"), new RegisterApiClient("Bad app " + bad.Length, [Scopes.PracticeRead], RedirectUris: [bad]));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        }
        var registered = await RegisteredApp(Redirect);
        var riverside = await App.SignedInBrowser(Users.RiversideAdmin);
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes("x-verifier-x-verifier-x-verifier-x-verifier")));
        var refused = await riverside.GetAsync(Authorize(registered.ClientId, challenge));
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("error=access_denied", refused.Headers.Location!.Query);

        // A redirect URI that is not registered exactly is refused by the server, not followed.
        var other = await riverside.GetAsync(Authorize(registered.ClientId, challenge).Replace(Uri.EscapeDataString(Redirect), Uri.EscapeDataString(Redirect + "/x")));
        Assert.NotEqual(HttpStatusCode.Redirect, other.StatusCode);
    }

    [Fact]
    public async Task openid_discovery_names_the_endpoints_pkce_s256_and_refresh_tokens()
    {
        using var http = App.Anonymous();
        var doc = JsonDocument.Parse(await http.GetStringAsync("/.well-known/openid-configuration")).RootElement;
        Assert.EndsWith("/connect/authorize", doc.GetProperty("authorization_endpoint").GetString());
        Assert.EndsWith("/connect/token", doc.GetProperty("token_endpoint").GetString());
        Assert.Equal(["S256"], doc.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        var grants = doc.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("authorization_code", grants);
        Assert.Contains("refresh_token", grants);
        Assert.Contains("client_credentials", grants);
        Assert.Contains("encounters.read", doc.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.True(doc.TryGetProperty("jwks_uri", out _));
    }

    async Task<JsonElement> Tokens(HttpClient http, Dictionary<string, string> form)
    {
        var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement;
    }

    HttpClient Bearer(JsonElement tokens)
    {
        var http = new HttpClient { BaseAddress = App.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
        return http;
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenInput();
}
