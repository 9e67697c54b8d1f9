using System.Text.Json;
using Portal.Web.Features.ApiClients;
using Portal.Web.Platform;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.ApiPlatform;

public class RateLimitsPerClient(PortalApp app) : PortalTest(app)
{
    static int Header(HttpResponseMessage response, string name) => int.Parse(response.Headers.GetValues(name).Single());

    async Task<HttpClient> RegisteredApp(string name, string? plan)
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var registered = await admin.PostAsJsonAsync(North("api-clients"), new RegisterApiClient(name, [Scopes.PracticeRead], plan));
        var credentials = (await registered.Content.ReadFromJsonAsync<ApiClientCredentials>())!;
        Assert.Equal(plan ?? "standard", credentials.Plan);
        using var http = App.Anonymous();
        var token = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = credentials.ClientId,
            ["client_secret"] = credentials.ClientSecret, ["scope"] = Scopes.PracticeRead,
        }));
        var accessToken = JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
        var client = App.Anonymous();
        client.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
        return client;
    }

    [Fact]
    public async Task an_app_over_its_plan_gets_429_with_retry_after_and_the_limit_headers()
    {
        var app = await RegisteredApp("Tiny plan app", "tiny");
        for (var i = 1; i <= 3; i++)
        {
            var ok = await app.GetAsync("/api/v1/practices");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(3, Header(ok, "RateLimit-Limit"));
            Assert.Equal(3 - i, Header(ok, "RateLimit-Remaining"));
            Assert.InRange(Header(ok, "RateLimit-Reset"), 1, 3600);
        }

        var refused = await app.GetAsync(North("api-clients"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 3600);
        Assert.Equal(0, Header(refused, "RateLimit-Remaining"));

        // Partitioned per client: the practice's other apps and its users are not slowed by this one.
        var other = await App.AppClient("north-app");
        var answer = await other.GetAsync("/api/v1/practices");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.True(Header(answer, "RateLimit-Remaining") > 1000);
        var user = await App.ClientFor(Users.NorthAdmin);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/api/v1/practices")).StatusCode);
    }

    [Fact]
    public async Task an_app_over_its_daily_quota_gets_429_until_the_day_ends_and_the_policy_header_names_both_limits()
    {
        var app = await RegisteredApp("Quota plan app", "quota");
        for (var i = 1; i <= 2; i++)
        {
            var ok = await app.GetAsync("/api/v1/practices");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("100;w=60, 2;w=86400", ok.Headers.GetValues("RateLimit-Policy").Single());
            Assert.Equal(2, Header(ok, "RateLimit-Limit"));
            Assert.Equal(2 - i, Header(ok, "RateLimit-Remaining"));
        }

        var refused = await app.GetAsync("/api/v1/practices");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("for this day", await refused.Content.ReadAsStringAsync());
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 86_400);
        Assert.InRange(Header(refused, "RateLimit-Reset"), 1, 86_400);
        Assert.Equal(0, Header(refused, "RateLimit-Remaining"));
    }

    [Fact]
    public async Task every_api_answer_shows_the_limits_even_an_error()
    {
        var user = await App.ClientFor(Users.NorthAdmin);
        var missing = await user.GetAsync(North($"patients/{Guid.NewGuid()}"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(1_000_000, Header(missing, "RateLimit-Limit"));
        Assert.True(missing.Headers.Contains("RateLimit-Reset"));
    }

    [Fact]
    public async Task registering_an_app_on_an_unknown_plan_is_a_422()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var response = await admin.PostAsJsonAsync(North("api-clients"), new RegisterApiClient("Gold app", [Scopes.PracticeRead], "gold"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }
}
