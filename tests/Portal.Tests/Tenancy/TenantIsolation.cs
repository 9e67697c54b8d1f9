using Portal.Web.Features.Demo;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;

namespace Portal.Tests.Tenancy;

public class TenantIsolation(PortalApp app) : PortalTest(app)
{
    static readonly Guid North = DemoData.NorthClinic, Riverside = DemoData.RiversidePediatrics;

    [Theory]
    [InlineData("")]
    [InlineData("/engagements")]
    [InlineData("/engagements/0197a000-0000-7000-8000-0000000000ff")]
    public async Task a_practice_user_gets_404_on_another_practices_api_routes(string route)
    {
        var riversideAdmin = await App.ClientFor(Users.RiversideAdmin);

        var response = await riversideAdmin.GetAsync($"/api/v1/practices/{North}{route}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task a_practice_user_gets_404_when_writing_to_another_practice()
    {
        var riversideAdmin = await App.ClientFor(Users.RiversideAdmin);
        var engagement = (await (await App.ClientFor(Users.NorthAdmin))
            .GetItemsAsync<Engagement>($"/api/v1/practices/{North}/engagements"))!.Single();

        var revoke = await riversideAdmin.PostAsJsonAsync($"/api/v1/practices/{North}/engagements/{engagement.Id}/revoke",
            new RevokeEngagement("not mine"));
        var throughOwnPractice = await riversideAdmin.PostAsJsonAsync(
            $"/api/v1/practices/{Riverside}/engagements/{engagement.Id}/revoke", new RevokeEngagement("not mine"));

        Assert.Equal(HttpStatusCode.NotFound, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, throughOwnPractice.StatusCode);
        var still = await (await App.ClientFor(Users.NorthAdmin)).GetFromJsonAsync<Engagement>(
            $"/api/v1/practices/{North}/engagements/{engagement.Id}");
        Assert.True(still!.Active);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/engagements")]
    public async Task a_practice_user_gets_404_on_another_practices_pages(string route)
    {
        var browser = await App.SignedInBrowser(Users.RiversideAdmin);

        var response = await browser.GetAsync($"/practices/{North}{route}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("North Clinic", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task an_unknown_practice_is_404_like_a_forbidden_one()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/practices/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/practices/{DemoData.AcmeCoding}")).StatusCode);
    }

    [Fact]
    public async Task an_app_registered_to_one_practice_cannot_read_another()
    {
        var northApp = await App.AppClient("north-app");

        var own = await northApp.GetAsync($"/api/v1/practices/{North}/engagements");
        var other = await northApp.GetAsync($"/api/v1/practices/{Riverside}/engagements");
        var practices = await northApp.GetItemsAsync<PracticeSummary>("/api/v1/practices");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal([North], practices!.Select(p => p.Id));
    }

    [Fact]
    public async Task a_token_without_the_scope_gets_403()
    {
        var readOnly = await App.AppClient("north-app", Scopes.PracticeRead);

        var read = await readOnly.GetAsync($"/api/v1/practices/{North}/engagements");
        var grant = await readOnly.PostAsJsonAsync($"/api/v1/practices/{North}/engagements", new GrantEngagement(DemoData.AcmeCoding));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, grant.StatusCode);
        Assert.Equal("application/problem+json", grant.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task an_app_cannot_get_a_scope_it_was_not_registered_for()
    {
        using var http = App.Anonymous();
        var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "riverside-app", ["client_secret"] = "riverside-app-dev-secret",
            ["scope"] = Scopes.PracticeAdmin,
        }));

        // OpenIddict answers invalid_request (not invalid_scope) for a scope the client holds no permission for.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("scope", error.GetProperty("error_description").GetString());
        Assert.False(error.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task a_user_without_the_role_gets_403_even_with_the_scope()
    {
        var coder = await App.ClientFor(Users.NorthCoder);

        var response = await coder.PostAsJsonAsync($"/api/v1/practices/{North}/engagements", new GrantEngagement(DemoData.AcmeCoding));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task the_api_refuses_requests_without_a_token()
    {
        using var http = App.Anonymous();

        var response = await http.GetAsync($"/api/v1/practices/{North}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task pages_send_anonymous_visitors_to_sign_in()
    {
        using var http = App.Anonymous();

        var response = await http.GetAsync($"/practices/{North}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/sign-in", response.Headers.Location!.ToString());
    }
}
