using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.ApiClients;
using Portal.Web.Features.Demo;
using Portal.Web.Platform;

namespace Portal.Tests.ApiClients;

public class RegisteringApiClients(PortalApp app) : PortalTest(app)
{
    static readonly string North = $"/api/v1/practices/{DemoData.NorthClinic}";

    [Fact]
    public async Task a_registered_app_acts_for_its_practice_until_revoked()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var response = await admin.PostAsJsonAsync($"{North}/api-clients", new RegisterApiClient("Lab bridge", [Scopes.PracticeRead]));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var credentials = (await response.Content.ReadFromJsonAsync<ApiClientCredentials>())!;

        var app = await TokenClient(credentials, Scopes.PracticeRead);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync(North)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync($"/api/v1/practices/{DemoData.RiversidePediatrics}")).StatusCode);

        var listed = await admin.GetItemsAsync<ApiClient>($"{North}/api-clients");
        Assert.Contains(listed!, c => c.ClientId == credentials.ClientId && c.Active);
        Assert.DoesNotContain(credentials.ClientSecret, JsonSerializer.Serialize(listed));

        var revoked = await admin.PostAsync($"{North}/api-clients/{credentials.Id}/revoke", null);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);

        // Its access token has not expired, but the registration is gone: cut off at once (its tokens are revoked with it: 401).
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.GetAsync(North)).StatusCode);
        using var anonymous = App.Anonymous();
        var newToken = await anonymous.PostAsync("/connect/token", TokenRequest(credentials, Scopes.PracticeRead));
        Assert.False(newToken.IsSuccessStatusCode);
    }

    [Fact]
    public async Task an_app_cannot_ask_for_scopes_beyond_its_registration()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var credentials = (await (await admin.PostAsJsonAsync($"{North}/api-clients",
            new RegisterApiClient("Read only", [Scopes.PracticeRead]))).Content.ReadFromJsonAsync<ApiClientCredentials>())!;
        using var anonymous = App.Anonymous();

        var response = await anonymous.PostAsync("/connect/token", TokenRequest(credentials, Scopes.PracticeAdmin));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task unknown_scopes_get_422_and_register_nothing()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var response = await admin.PostAsJsonAsync($"{North}/api-clients", new RegisterApiClient("Bad", ["everything"]));
        var empty = await admin.PostAsJsonAsync($"{North}/api-clients", new { name = "No scopes", scopes = Array.Empty<string>() });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var listed = await admin.GetItemsAsync<ApiClient>($"{North}/api-clients");
        Assert.DoesNotContain(listed!, c => c.Name is "Bad" or "No scopes");
    }

    [Fact]
    public async Task only_practice_admins_manage_apps_and_only_their_own()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var riversideAdmin = await App.ClientFor(Users.RiversideAdmin);
        var northAdmin = await App.ClientFor(Users.NorthAdmin);
        var demo = (await northAdmin.GetItemsAsync<ApiClient>($"{North}/api-clients"))!.Single(c => c.ClientId == "north-app");

        Assert.Equal(HttpStatusCode.Forbidden, (await biller.GetAsync($"{North}/api-clients")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riversideAdmin.GetAsync($"{North}/api-clients")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await riversideAdmin.PostAsync($"/api/v1/practices/{DemoData.RiversidePediatrics}/api-clients/{demo.Id}/revoke", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await App.AppClient("north-app")).GetAsync(North)).StatusCode);
    }

    async Task<HttpClient> TokenClient(ApiClientCredentials credentials, string scope)
    {
        using var anonymous = App.Anonymous();
        var response = await anonymous.PostAsync("/connect/token", TokenRequest(credentials, scope));
        var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
        var http = new HttpClient { BaseAddress = App.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    static FormUrlEncodedContent TokenRequest(ApiClientCredentials credentials, string scope) => new(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials", ["client_id"] = credentials.ClientId, ["client_secret"] = credentials.ClientSecret,
        ["scope"] = scope,
    });
}

public class ApiClientsInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task a_practice_admin_registers_an_app_sees_its_secret_once_and_revokes_it()
    {
        await SignIn(Users.NorthAdmin);
        await Page.GetByRole(AriaRole.Link, new() { Name = "North Clinic Family Medicine" }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "API clients" }).ClickAsync();

        await Page.GetByLabel("App name").FillAsync("Billing dashboard");
        await Page.GetByLabel("practice.read").CheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();

        Assert.Contains("Billing dashboard is registered", await Page.GetByRole(AriaRole.Status).InnerTextAsync());
        Assert.False(string.IsNullOrWhiteSpace(await Page.Locator("#client-secret").InnerTextAsync()));

        Page.Dialog += (_, dialog) => dialog.AcceptAsync();
        var row = Page.Locator("#api-clients tr", new() { HasText = "Billing dashboard" });
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#api-clients tr", new() { HasText = "Billing dashboard" }).Locator(".badge")).ToHaveTextAsync("Revoked");
    }

    [Fact]
    public async Task a_biller_cannot_open_the_api_clients_page()
    {
        await SignIn(Users.NorthBiller);

        var response = await Page.GotoAsync($"/practices/{DemoData.NorthClinic}/api-clients");

        Assert.Contains("access-denied", Page.Url);
        Assert.NotNull(response);
    }
}
