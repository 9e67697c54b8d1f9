using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Web.Platform;

namespace Portal.Tests.Account;

/// <summary>
/// Sign-in and token requests are limited per address and e-mail / client id. The fixture raises the limits so that
/// ordinary tests never meet them; these tests use an e-mail and a client id of their own and go one past the limit.
/// </summary>
public class RateLimiting(PortalApp app) : PortalTest(app)
{
    RateLimitSettings Limits => App.Services.GetRequiredService<IOptions<RateLimitSettings>>().Value;

    [Fact]
    public async Task hammering_sign_in_for_one_email_gets_429_with_retry_after_and_a_page_in_plain_words()
    {
        using var http = App.Anonymous();
        var email = $"nobody-{Guid.NewGuid():N}@north.example";
        // Posts without an antiforgery token are refused (400) after they are counted, which keeps the test fast.
        HttpResponseMessage last = default!;
        for (var i = 0; i <= Limits.SignIn.PermitLimit; i++)
            last = await http.PostAsync("/account/sign-in", Form(("Email", email), ("Password", "Wrong-password-1!")));

        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        Assert.True(last.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("text/html", last.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many attempts", await last.Content.ReadAsStringAsync());

        // Another account from the same address is not slowed down, and the sign-in page itself still loads.
        using var colleague = new CookieClient(App);
        Assert.Equal(HttpStatusCode.Redirect, (await colleague.SignIn(Users.NorthBiller)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/account/sign-in")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests,
            (await http.PostAsync("/account/sign-in", Form(("Email", email.ToUpperInvariant()), ("Password", "x")))).StatusCode);
    }

    [Fact]
    public async Task hammering_the_token_endpoint_for_one_client_gets_429_problem_details_with_retry_after()
    {
        using var http = App.Anonymous();
        var clientId = $"no-such-app-{Guid.NewGuid():N}";
        HttpResponseMessage last = default!;
        for (var i = 0; i <= Limits.Token.PermitLimit; i++)
            last = await http.PostAsync("/connect/token",
                Form(("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", "guess")));

        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        Assert.True(last.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await last.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(429, problem.GetProperty("status").GetInt32());

        // Other apps keep getting tokens.
        Assert.Equal(HttpStatusCode.OK, (await (await App.AppClient("riverside-app")).GetAsync("/api/v1/practices")).StatusCode);
    }

    static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));
}
