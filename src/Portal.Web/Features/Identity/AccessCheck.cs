using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore;
using Npgsql;
using NpgsqlTypes;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using OpenIddict.Validation.AspNetCore;
using Portal.Web.Features.PatientBalances.Subscriptions;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;
using Oidc = OpenIddict.Abstractions.OpenIddictConstants;

namespace Portal.Web.Features.Identity;

/// <summary>
/// Every bearer token is checked against the store in ONE prepared statement (ADR 0036), in place of OpenIddict's token entry
/// and authorization entry validation (each an EF Core query), the user check (ADR 0008) and the separate reads of the later
/// gates. The statement reads, on the common database:
/// <list type="bullet">
/// <item>the token's entry: it must exist, be <c>valid</c> (not revoked or redeemed), and not be a reference token's payload; its
/// creation and expiration dates, authorization id and type replace the token's own, exactly as OpenIddict's
/// <c>RestoreTokenEntryProperties</c> does, so OpenIddict's expiration check that runs next reads the stored expiry;</item>
/// <item>the authorization (grant) the entry names, if any: it must exist and be <c>valid</c> (a user disconnecting an app);</item>
/// <item>for a token acting for a user (<c>org</c> claim): the user must exist, not be disabled, and have the security stamp the
/// token was issued with; its roles are replaced by the current ones (ADR 0008);</item>
/// <item>for an app's token: whether its registration is active (not revoked), when its practice lives in the common database;</item>
/// <item>the caller's organisation and the route's practice (suspension, kind), and, for a write, both subscriptions (read-only
/// past the grace period).</item>
/// </list>
/// The last two are handed to <see cref="AccessFacts"/> for the gates after authentication, which then do not query again. Nothing
/// is cached across requests: a revocation, a disabled app or user, a suspension or a lapsed payment is refused on the next request,
/// on every node.
/// </summary>
sealed class AccessCheck(NpgsqlDataSource db, TenantDatabases databases, IDocumentStore store, AccessFacts facts)
    : IOpenIddictValidationHandler<OpenIddictValidationEvents.ValidateTokenContext>
{
    // Where OpenIddict restores a token entry's properties (that handler, and its status checks, run only with entry validation
    // enabled, which Portal no longer enables): before its principal, expiration, presenter and audience checks.
    public static OpenIddictValidationHandlerDescriptor Descriptor { get; } =
        OpenIddictValidationHandlerDescriptor.CreateBuilder<OpenIddictValidationEvents.ValidateTokenContext>()
            .UseScopedHandler<AccessCheck>()
            .SetOrder(OpenIddictValidationHandlers.Protection.RestoreTokenEntryProperties.Descriptor.Order)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

    static readonly string Statement = $"""
        select t."Status", t."CreationDate", t."ExpirationDate", t."AuthorizationId", t."Type", t."ReferenceId",
               a."Id" is not null, a."Status",
               u."Id" is not null, u."SecurityStamp", u."LockoutEnd", {Sessions.RolesOfUserSql},
               exists(select 1 from {MartenSetup.Schema}.mt_doc_apiclient c
                      where c.tenant_id = $3 and c.data ->> 'ClientId' = $4 and c.data ->> 'RevokedAt' is null),
               co.data, co.mt_version, po.data, po.mt_version, cs.data, ps.data
        from (select 1) one
        left join {PortalIdentityDb.Schema}."OpenIddictTokens" t on t."Id" = $1
        left join {PortalIdentityDb.Schema}."OpenIddictAuthorizations" a on a."Id" = t."AuthorizationId"
        left join {PortalIdentityDb.Schema}."AspNetUsers" u on u."Id" = $2
        left join {MartenSetup.Schema}.mt_doc_organization co on co.id = $5
        left join {MartenSetup.Schema}.mt_doc_organization po on po.id = $6
        left join {MartenSetup.Schema}.mt_doc_organizationsubscription cs on $7 and cs.id = $5
        left join {MartenSetup.Schema}.mt_doc_organizationsubscription ps on $7 and ps.id = $6
        """;

    public async ValueTask HandleAsync(OpenIddictValidationEvents.ValidateTokenContext context)
    {
        if (context.Principal is not { } principal) return;

        // Every access token our server issues has a stored entry (token storage is on). A token without an id could only come
        // from someone holding our signing key, so it is refused rather than let through unchecked (OpenIddict would skip it).
        var tokenId = principal.GetTokenId();
        if (string.IsNullOrEmpty(tokenId))
        {
            context.Reject(Oidc.Errors.InvalidToken, "The access token has no stored entry.");
            return;
        }

        var http = context.Transaction.GetHttpRequest()?.HttpContext;
        var actsForUser = principal.HasClaim(c => c.Type == PortalClaims.Organization);
        Guid? userId = actsForUser ? Sessions.UserId(principal) : null;
        var tenant = principal.GetClaim(PortalClaims.Tenant);
        // An app's registration lives in its practice's database: read here only when that is the common one (ADR 0031).
        var appTenant = !actsForUser && Guid.TryParse(tenant, out _)
            && (!databases.Several || databases.DatabaseOf(tenant!) == TenantDatabases.Main) ? tenant : null;
        Guid? callerOrg = principal.OrganizationId() ?? (Guid.TryParse(tenant, out var t) ? t : null);
        var practice = http?.RoutePracticeId();
        var write = http is not null && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
            && !HttpMethods.IsOptions(http.Request.Method);

        await using var cmd = db.CreateCommand(Statement);
        cmd.Parameters.Add(new() { NpgsqlDbType = NpgsqlDbType.Text, Value = tokenId });
        cmd.Parameters.Add(new() { NpgsqlDbType = NpgsqlDbType.Uuid, Value = (object?)userId ?? DBNull.Value });
        cmd.Parameters.Add(new() { NpgsqlDbType = NpgsqlDbType.Varchar, Value = (object?)appTenant ?? DBNull.Value });
        cmd.Parameters.Add(new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)principal.GetClaim(Oidc.Claims.Subject) ?? DBNull.Value });
        cmd.Parameters.Add(new() { NpgsqlDbType = NpgsqlDbType.Uuid, Value = (object?)callerOrg ?? DBNull.Value });
        cmd.Parameters.Add(new() { NpgsqlDbType = NpgsqlDbType.Uuid, Value = (object?)practice ?? DBNull.Value });
        cmd.Parameters.Add(new() { NpgsqlDbType = NpgsqlDbType.Boolean, Value = write });
        await using var reader = await cmd.ExecuteReaderAsync(context.CancellationToken);
        await reader.ReadAsync(context.CancellationToken);

        // The token's entry: gone, revoked, redeemed, or the stored payload of a reference token presented as a JWT.
        if (reader.IsDBNull(0) || !string.Equals(reader.GetString(0), Oidc.Statuses.Valid, StringComparison.OrdinalIgnoreCase)
            || !reader.IsDBNull(5) && reader.GetString(5).Length > 0)
        {
            context.Reject(Oidc.Errors.InvalidToken, "The access token is no longer valid.");
            return;
        }
        var authorizationId = reader.IsDBNull(3) ? null : reader.GetString(3);
        principal
            .SetCreationDate(Utc(reader, 1))
            .SetExpirationDate(Utc(reader, 2))
            .SetAuthorizationId(context.AuthorizationId = authorizationId)
            .SetTokenId(context.TokenId = tokenId)
            .SetTokenType(reader.IsDBNull(4) ? null : reader.GetString(4));

        // The grant the token was issued under: revoked when the user disconnects the app or is disabled.
        if (authorizationId is not null
            && (!reader.GetBoolean(6) || !string.Equals(reader.IsDBNull(7) ? null : reader.GetString(7), Oidc.Statuses.Valid, StringComparison.OrdinalIgnoreCase)))
        {
            context.Reject(Oidc.Errors.InvalidToken, "The authorization this token was issued under was revoked.");
            return;
        }

        if (actsForUser)
        {
            if (userId is null || !reader.GetBoolean(8) || Sessions.IsDisabled(reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10))
                || Sessions.StampDigest(reader.IsDBNull(9) ? null : reader.GetString(9)) != principal.GetClaim(Sessions.StampClaim))
            {
                context.Reject(Oidc.Errors.InvalidToken, "The user of this token was disabled, removed or changed their credentials.");
                return;
            }
            context.Principal = Sessions.WithCurrentRoles(principal, reader.GetFieldValue<string[]>(11));
        }

        facts.Record(context.Principal, appTenant is null ? null : reader.GetBoolean(12));
        var serializer = store.Options.Serializer();
        if (callerOrg is { } org) facts.Add(org, ReadOrganization(serializer, reader, 13));
        if (practice is { } id) facts.Add(id, ReadOrganization(serializer, reader, 15));
        if (write)
        {
            if (callerOrg is { } o) facts.Add(o, reader.IsDBNull(17) ? null : serializer.FromJson<OrganizationSubscription>(reader, 17));
            if (practice is { } i) facts.Add(i, reader.IsDBNull(18) ? null : serializer.FromJson<OrganizationSubscription>(reader, 18));
        }
    }

    /// <summary>An organisation document read in a statement of its own (its JSON at <paramref name="index"/>, its version next).</summary>
    internal static Organization? ReadOrganization(ISerializer serializer, NpgsqlDataReader reader, int index)
    {
        if (reader.IsDBNull(index)) return null;
        var organization = serializer.FromJson<Organization>(reader, index);
        // Organisations are revisioned: Marten sets the version from its column on load, as here.
        organization.Version = reader.GetInt64(index + 1);
        return organization;
    }

    static DateTimeOffset? Utc(NpgsqlDataReader reader, int index) =>
        reader.IsDBNull(index) ? null : reader.GetFieldValue<DateTimeOffset>(index);
}
