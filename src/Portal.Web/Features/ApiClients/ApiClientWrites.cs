using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text.Json;
using Marten;
using OpenIddict.Abstractions;
using Portal.Web.Features.Identity;
using Portal.Web.Platform;
using Oidc = OpenIddict.Abstractions.OpenIddictConstants;

namespace Portal.Web.Features.ApiClients;

/// <summary>Register a third-party app for this practice. The secret is returned once and never again.</summary>
/// <remarks>Plan: the rate-limit plan, one of Portal:ApiLimits:Plans (default "standard").</remarks>
/// <remarks>RedirectUris: where the app receives authorization codes when it signs users in (authorization code + PKCE, with the
/// user's consent and refresh tokens); exact match, https, or http://localhost / http://127.0.0.1 for apps on the user's machine.</remarks>
public sealed record RegisterApiClient([Required, MinLength(3), MaxLength(100)] string Name, [Required, MinLength(1)] string[] Scopes,
    [MaxLength(50)] string? Plan = null, [MaxLength(10)] string[]? RedirectUris = null);

public static class ApiClientWrites
{
    /// <summary>An active app's name is unique in the practice (ignoring case), so the list and the audit name one app; freed on revoke.</summary>
    public static readonly UniqueKeyKind NameKey =
        new("api-client-name", "api-client-name-taken", name => $"This practice already has an active app named '{name}'.");

    public static async Task<ApiClientCredentials> Register(IDocumentSession session, IOpenIddictApplicationManager applications,
        CurrentPractice practice, RegisterApiClient body, string actor, TimeProvider clock, CancellationToken ct, ApiLimitSettings? limits = null)
    {
        var plan = string.IsNullOrWhiteSpace(body.Plan) ? ApiLimitSettings.DefaultPlan : body.Plan.Trim();
        if (limits is not null && !limits.HasPlan(plan))
            throw new UnprocessableInput($"There is no plan named '{plan}'.",
                new Dictionary<string, string[]> { ["plan"] = [$"Use one of: {string.Join(", ", limits.PlanNames)}."] });
        // A practice grants its apps practice scopes only; platform scopes (users.admin, codesets.admin) are refused like unknown ones.
        var known = Platform.Scopes.Practice.ToHashSet();
        var scopes = body.Scopes.Select(s => s.Trim()).Where(s => s.Length > 0).Distinct().ToArray();
        var unknown = scopes.Where(s => !known.Contains(s)).ToArray();
        if (scopes.Length == 0 || unknown.Length > 0)
            throw new UnprocessableInput(scopes.Length == 0 ? "Choose at least one scope." : $"Scope(s) an app of this practice cannot have: {string.Join(", ", unknown)}.",
                new Dictionary<string, string[]> { ["scopes"] = [$"Use any of: {string.Join(", ", known)}."] });

        var redirectUris = CheckRedirectUris(body.RedirectUris);
        var name = body.Name.Trim();
        if (await session.Query<ApiClient>().AnyAsync(c => c.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && c.RevokedAt == null, ct))
            throw NameKey.Violation(name);

        var id = Guid.CreateVersion7();
        var clientId = $"app-{id:N}"[..20];
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var registered = new ApiClientRegistered(id, clientId, name, scopes, actor, clock.GetUtcNow(), plan, redirectUris);

        session.Events.StartStream<ApiClient>(id, registered);
        session.Claim(NameKey, name, id, registered.RegisteredAt);
        await session.SaveClaimingAsync(NameKey, name, ct);
        // OpenIddict's store is another database context: if creating the credential fails, the registration is
        // revoked again so no half-registered client is left usable or listed as active.
        try
        {
            await applications.CreateAsync(Descriptor(clientId, secret, registered.Name, practice.PracticeId, scopes, redirectUris), ct);
        }
        catch
        {
            // Through FetchForWriting, so the quick append knows the stream version and the snapshot's Version stays right.
            var stream = await session.Events.FetchForWriting<ApiClient>(id, CancellationToken.None);
            stream.AppendOne(new ApiClientRevoked(id, "system", clock.GetUtcNow()));
            session.Release(NameKey, name);
            await session.SaveChangesAsync(CancellationToken.None);
            throw;
        }
        return new ApiClientCredentials(id, clientId, secret, registered.Name, scopes, "/connect/token", plan, redirectUris,
            redirectUris is null ? null : "/connect/authorize");
    }

    /// <summary>
    /// Redirect URIs are compared exactly by the authorization server. https only, except loopback http for native apps (RFC 8252
    /// section 7.3); no fragments, no user info, no wildcards. None given: the app uses client credentials only.
    /// </summary>
    public static string[]? CheckRedirectUris(string[]? uris)
    {
        var list = (uris ?? []).Select(u => u.Trim()).Where(u => u.Length > 0).Distinct().ToArray();
        if (list.Length == 0) return null;
        var bad = list.Where(u => !Uri.TryCreate(u, UriKind.Absolute, out var uri) || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0
            || u.Contains('*') || u.Length > 2000
            || !(uri.Scheme == "https" || (uri.Scheme == "http" && (uri.Host is "localhost" or "127.0.0.1" or "[::1]")))).ToArray();
        if (bad.Length > 0)
            throw new UnprocessableInput("Redirect URIs must be absolute https URLs (or http://localhost for apps on the user's machine), without #fragments.",
                new Dictionary<string, string[]> { ["redirectUris"] = [.. bad.Select(u => $"'{u}' is not allowed.")] });
        return list;
    }

    public static OpenIddictApplicationDescriptor Descriptor(string clientId, string secret, string name, Guid practiceId, IEnumerable<string> scopes,
        string[]? redirectUris = null)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = Oidc.ClientTypes.Confidential,
            DisplayName = name,
            Properties = { [ConnectEndpoints.PracticeProperty] = JsonSerializer.SerializeToElement(practiceId.ToString()) },
            Permissions = { Oidc.Permissions.Endpoints.Token, Oidc.Permissions.GrantTypes.ClientCredentials },
        };
        foreach (var scope in scopes) descriptor.Permissions.Add(Oidc.Permissions.Prefixes.Scope + scope);
        if (redirectUris is not null)
        {
            // Acting for users: the user sees the app and its scopes and allows or denies (explicit consent, remembered per user and app).
            descriptor.ConsentType = Oidc.ConsentTypes.Explicit;
            descriptor.Permissions.UnionWith([Oidc.Permissions.Endpoints.Authorization, Oidc.Permissions.GrantTypes.AuthorizationCode,
                Oidc.Permissions.GrantTypes.RefreshToken, Oidc.Permissions.ResponseTypes.Code,
                Oidc.Permissions.Scopes.Profile, Oidc.Permissions.Scopes.Email, Oidc.Permissions.Prefixes.Scope + Oidc.Scopes.OfflineAccess]);
            descriptor.Requirements.Add(Oidc.Requirements.Features.ProofKeyForCodeExchange);
            foreach (var uri in redirectUris) descriptor.RedirectUris.Add(new Uri(uri));
        }
        return descriptor;
    }

    public static async Task<ApiClient?> Revoke(IDocumentSession session, IOpenIddictApplicationManager applications, Guid id,
        long? expectedVersion, string actor, TimeProvider clock, CancellationToken ct)
    {
        var stream = expectedVersion is { } v
            ? await session.Events.FetchForWriting<ApiClient>(id, v, ct)
            : await session.Events.FetchForWriting<ApiClient>(id, ct);
        if (stream.Aggregate is null) return null;
        var revoked = stream.Aggregate.Revoke(actor, clock.GetUtcNow());
        stream.AppendOne(revoked);
        session.Release(NameKey, stream.Aggregate.Name);
        await session.SaveChangesAsync(ct);
        if (await applications.FindByClientIdAsync(stream.Aggregate.ClientId, ct) is { } application)
            await applications.DeleteAsync(application, ct);
        return stream.Aggregate.Apply(revoked) with { Version = stream.Aggregate.Version + 1 };
    }
}
