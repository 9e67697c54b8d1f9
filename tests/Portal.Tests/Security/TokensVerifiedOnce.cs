using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Identity;

namespace Portal.Tests.Security;

/// <summary>
/// ADR 0041: a node verifies an access token's signature once and reuses the principal it proved. What changes while a token
/// lives is still checked on every request (AccessCheckedInOneTrip, AccessEndsAtOnce: each of those tests uses its token once
/// before changing the store, so the token is already remembered when the next request must be refused). Here: the reuse is real,
/// is keyed by the token's exact bytes, and hands every request a principal of its own.
/// </summary>
public class TokensVerifiedOnce(PortalApp app) : PortalTest(app)
{
    static readonly string North = $"/api/v1/practices/{DemoData.NorthClinic}";

    [Fact]
    public async Task a_token_seen_once_is_remembered_and_the_same_payload_with_another_signature_is_still_refused()
    {
        var token = await App.FreshUserToken(Users.NorthBiller);
        var tokens = App.Services.GetRequiredService<ValidatedTokens>();
        using var api = App.WithToken(token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(North)).StatusCode);
        Assert.True(tokens.Contains(token), "the token's principal was not kept after its first request");

        // The remembered token's header and claims with a signature of one changed character: not the bytes that were proven.
        var parts = token.Split('.');
        var signature = parts[2].ToCharArray();
        signature[signature.Length / 2] = signature[signature.Length / 2] == 'A' ? 'B' : 'A';
        using var forged = App.WithToken($"{parts[0]}.{parts[1]}.{new string(signature)}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync(North)).StatusCode);
        Assert.False(tokens.Contains(forged.DefaultRequestHeaders.Authorization!.Parameter!));

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(North)).StatusCode);
    }

    [Fact]
    public async Task many_requests_of_one_token_at_once_each_get_their_own_principal()
    {
        // The handlers after the reuse rewrite the principal (roles replaced by the stored ones, stored dates): a principal
        // shared between requests failed under load with "collection was modified" (a 500) and lost claims.
        var token = await App.FreshUserToken(Users.NorthBiller);
        using var api = App.WithToken(token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(North)).StatusCode);

        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
            (await api.GetAsync(i % 2 == 0 ? North : $"{North}/encounters")).StatusCode));

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"{North}/encounters")).StatusCode);
    }
}
