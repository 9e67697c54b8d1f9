using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Web.Features.Demo;
using Portal.Web.Features.PatientBalances;
using Portal.Web.Features.PatientBalances.Subscriptions;

namespace Portal.Tests.Security;

/// <summary>
/// ADR 0036: a bearer request's token entry, grant, user, app registration, organisations and subscriptions are read in one
/// statement. Each case below changes ONE fact straight in the store, as another node or an operator's script would (no cache on
/// this node is told), and the very next request must be refused: a combined check that missed or cached any of them fails here.
/// </summary>
public class AccessCheckedInOneTrip(PortalApp app) : PortalTest(app)
{
    static readonly string North = $"/api/v1/practices/{DemoData.NorthClinic}";

    async Task<(HttpClient Api, string TokenId, string? AuthorizationId)> FreshAppToken()
    {
        using var anonymous = App.Anonymous();
        var client = DemoData.Clients.Single(c => c.ClientId == "north-app");
        var response = await anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = client.ClientId, ["client_secret"] = client.Secret, ["scope"] = "practice.read",
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
        return Parts(token);
    }

    async Task<(HttpClient Api, string TokenId, string? AuthorizationId)> FreshUserToken(string email) =>
        Parts(await App.FreshUserToken(email));

    (HttpClient, string, string?) Parts(string token)
    {
        var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        var claims = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=')))).RootElement;
        return (App.WithToken(token), claims.GetProperty("oi_tkn_id").GetString()!,
            claims.TryGetProperty("oi_au_id", out var au) ? au.GetString() : null);
    }

    async Task Sql(string sql, params object[] values)
    {
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var v in values) cmd.Parameters.Add(new NpgsqlParameter { Value = v });
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task a_token_revoked_in_the_store_is_refused_on_the_next_request()
    {
        var (api, tokenId, _) = await FreshAppToken();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(North)).StatusCode);

        await Sql("""update identity."OpenIddictTokens" set "Status" = 'revoked' where "Id" = $1""", tokenId);

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync(North)).StatusCode);
    }

    [Fact]
    public async Task a_token_whose_entry_is_gone_or_expired_in_the_store_is_refused()
    {
        var (gone, goneId, _) = await FreshAppToken();
        var (expired, expiredId, _) = await FreshAppToken();
        Assert.Equal(HttpStatusCode.OK, (await gone.GetAsync(North)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await expired.GetAsync(North)).StatusCode);

        await Sql("""delete from identity."OpenIddictTokens" where "Id" = $1""", goneId);
        // The stored expiry is the one that counts (OpenIddict restores it over the JWT's), so a shortened entry ends the token.
        await Sql("""update identity."OpenIddictTokens" set "ExpirationDate" = now() - interval '1 hour' where "Id" = $1""", expiredId);

        Assert.Equal(HttpStatusCode.Unauthorized, (await gone.GetAsync(North)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await expired.GetAsync(North)).StatusCode);
    }

    [Fact]
    public async Task a_revoked_grant_is_refused_while_its_tokens_entry_is_still_valid()
    {
        var (api, tokenId, authorizationId) = await FreshUserToken(Users.NorthBiller);
        Assert.NotNull(authorizationId);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(North)).StatusCode);

        await Sql("""
            update identity."OpenIddictAuthorizations" set "Status" = 'revoked'
            where "Id" = (select "AuthorizationId" from identity."OpenIddictTokens" where "Id" = $1)
            """, tokenId);

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync(North)).StatusCode);
    }

    [Fact]
    public async Task an_app_whose_registration_is_revoked_is_refused_while_its_token_is_still_valid()
    {
        var (api, _, _) = await FreshAppToken();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(North)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/practices")).StatusCode);

        // The registration alone (its tokens left valid): on a practice's route (404, as any practice it may not see) and elsewhere (401).
        await Sql("""
            update portal.mt_doc_apiclient set data = jsonb_set(data, '{RevokedAt}', to_jsonb(now())) where data ->> 'ClientId' = 'north-app'
            """);

        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(North)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/practices")).StatusCode);
    }

    [Fact]
    public async Task a_practice_suspended_by_another_node_is_refused_on_the_next_bearer_request()
    {
        var (api, _, _) = await FreshAppToken();
        var admin = await App.ClientFor(Users.NorthAdmin);
        // Both requests put North Clinic in this node's organisation cache.
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(North)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(North)).StatusCode);

        // Suspended where this node's cache does not hear of it (another node, or the database directly).
        await Sql($$"""
            update portal.mt_doc_organization set data = jsonb_set(data, '{SuspendedAt}', to_jsonb(now())), mt_version = mt_version + 1
            where id = '{{DemoData.NorthClinic}}'
            """);

        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync(North)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync(North)).StatusCode);
    }

    [Fact]
    public async Task a_practice_suspended_by_another_node_is_refused_on_the_next_page_of_a_signed_in_user()
    {
        using var browser = await App.SignedInBrowser(Users.NorthAdmin);
        var page = $"/practices/{DemoData.NorthClinic}/encounters";
        // The page puts North Clinic in this node's organisation cache.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(page)).StatusCode);

        // Suspended where this node's cache does not hear of it (another node, or the database directly).
        await Sql($$"""
            update portal.mt_doc_organization set data = jsonb_set(data, '{SuspendedAt}', to_jsonb(now())), mt_version = mt_version + 1
            where id = '{{DemoData.NorthClinic}}'
            """);

        var refused = await browser.GetAsync(page);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("Your organization is suspended", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task a_practice_read_only_for_an_unpaid_subscription_refuses_the_next_write_and_still_reads()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var payment = $"{North}/patients/{Guid.NewGuid()}/payments";
        Assert.Equal(HttpStatusCode.NotFound, (await biller.PostAsJsonAsync(payment, new PostPatientPayment(10m))).StatusCode);

        await using (var session = App.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Store(new OrganizationSubscription(DemoData.NorthClinic, "plan", "cus_1", "sub_1", SubscriptionStatus.PastDue,
                DateTimeOffset.UtcNow.AddDays(-3), 1, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }

        var refused = await biller.PostAsJsonAsync(payment, new PostPatientPayment(10m));
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Contains("subscription-read-only", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await biller.GetAsync(North)).StatusCode);

        // Within the grace period it is not read-only: the same write reaches the handler again.
        await Sql($$"""
            update portal.mt_doc_organizationsubscription set data = jsonb_set(data, '{GraceDays}', '30') where id = '{{DemoData.NorthClinic}}'
            """);
        Assert.Equal(HttpStatusCode.NotFound, (await biller.PostAsJsonAsync(payment, new PostPatientPayment(10m))).StatusCode);
    }
}
