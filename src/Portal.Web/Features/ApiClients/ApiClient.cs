using Portal.Web.Platform;

namespace Portal.Web.Features.ApiClients;

// A third-party app registered to one practice. The stream lives in the practice's tenant; OpenIddict holds the
// credential. The access check reads this record on every request, so revoking an app cuts it off at once,
// even while its already-issued access tokens have not expired.
// Plan: the rate-limit plan (Portal:ApiLimits:Plans:{plan}); events stored before plans existed read as null, the default plan.
// RedirectUris: set when the app also signs users in (authorization code + PKCE, with consent); null for client credentials only.
public sealed record ApiClientRegistered(Guid Id, string ClientId, string Name, string[] Scopes, string RegisteredBy, DateTimeOffset RegisteredAt,
    string? Plan = null, string[]? RedirectUris = null);

public sealed record ApiClientRevoked(Guid Id, string RevokedBy, DateTimeOffset RevokedAt);

public sealed record ApiClient(Guid Id, string ClientId, string Name, string[] Scopes, string RegisteredBy, DateTimeOffset RegisteredAt,
    string? RevokedBy, DateTimeOffset? RevokedAt, long Version, string Plan = ApiLimitSettings.DefaultPlan, string[]? RedirectUris = null)
{
    public bool Active => RevokedAt is null;

    public static ApiClient Create(ApiClientRegistered e) =>
        new(e.Id, e.ClientId, e.Name, e.Scopes, e.RegisteredBy, e.RegisteredAt, null, null, 1, e.Plan ?? ApiLimitSettings.DefaultPlan, e.RedirectUris);

    public ApiClient Apply(ApiClientRevoked e) => this with { RevokedBy = e.RevokedBy, RevokedAt = e.RevokedAt };

    public ApiClientRevoked Revoke(string by, DateTimeOffset now) => Active
        ? new(Id, by, now)
        : throw new RuleViolation("This API client was already revoked.", "api-client-revoked");
}

/// <summary>The one time a client secret is shown: in the answer to the registration.</summary>
public sealed record ApiClientCredentials(Guid Id, string ClientId, string ClientSecret, string Name, string[] Scopes, string TokenEndpoint,
    string Plan = ApiLimitSettings.DefaultPlan, string[]? RedirectUris = null, string? AuthorizationEndpoint = null);
