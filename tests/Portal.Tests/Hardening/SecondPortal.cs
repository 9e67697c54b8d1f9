using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Web.Features.Demo;

namespace Portal.Tests.Hardening;

/// <summary>
/// A second Portal in memory (TestServer), for what the shared fixture cannot show: another environment, or a database
/// path the test can cut. It migrates and seeds the same test database (both are idempotent) and runs no projection
/// daemon, so the fixture's daemon keeps its place.
/// </summary>
public sealed class SecondPortal(string connectionString, string environment) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.UseSetting("ConnectionStrings:Portal", connectionString);
        builder.UseSetting("Portal:SeedDemoData", "true");
        builder.UseSetting("Portal:Daemon", "Disabled");
    }

    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>A token from this instance's own token endpoint.</summary>
    public async Task<HttpClient> AppClient(string clientId)
    {
        var app = DemoData.Clients.Single(c => c.ClientId == clientId);
        var http = CreateClient();
        var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = app.Secret,
            ["scope"] = string.Join(' ', app.Scopes),
        }));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Token request failed: {body}");
        http.DefaultRequestHeaders.Authorization = new("Bearer", JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString());
        return http;
    }

    public async Task<HttpClient> SignedInBrowser(string email)
    {
        var http = Browser();
        var form = await http.GetStringAsync("/account/sign-in");
        var token = Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var response = await http.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email, ["Password"] = DemoData.Password, ["ReturnUrl"] = "/", ["__RequestVerificationToken"] = token,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"Sign-in failed: {(int)response.StatusCode}");
        return http;
    }
}
