using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using Portal.Web.Platform;
using Oidc = OpenIddict.Abstractions.OpenIddictConstants;

namespace Portal.Web.Features.Identity;

/// <summary>What the user store says about a user right now: read on every authenticated request (ADR 0008).</summary>
public sealed record UserStanding(string? SecurityStamp, bool Disabled, string[] Roles, bool SessionLive,
    Tenancy.Organization? Organization = null, Tenancy.Organization? Practice = null);

/// <summary>
/// Server-side sign-in sessions and the per-request check of cookies and user tokens against the user store.
/// A session is a row in Identity's own <c>AspNetUserTokens</c> table (login provider <see cref="Provider"/>, name = the
/// session id carried in the cookie), so sign-out deletes it and a replayed cookie finds nothing. No migration needed.
/// </summary>
public sealed class Sessions(NpgsqlDataSource db, TimeProvider clock, Marten.IDocumentStore store)
{
    public const string Provider = "Portal.Session";

    /// <summary>The session id claim in the sign-in cookie.</summary>
    public const string SessionIdClaim = "sid";

    /// <summary>A one-way digest of the security stamp, carried in user access tokens (JWTs are readable; the stamp is not shown).</summary>
    public const string StampClaim = "stamp";

    /// <summary>A session is forgotten this long after sign-in, however active; the cookie itself slides for 8 hours.</summary>
    public static readonly TimeSpan MaxSessionAge = TimeSpan.FromHours(24);

    // Identity keeps a disabled account locked out until the year 9999 (UserAdministration); a temporary lockout after
    // wrong passwords must not end the real user's open sessions, or anyone could sign a colleague out by guessing.
    static readonly DateTimeOffset DisabledFrom = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string StampDigest(string? securityStamp) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("portal-session:" + securityStamp)))[..22];

    /// <summary>
    /// One round trip: stamp, lockout, roles and (for cookies) whether the session still exists, and the user's organisation and
    /// the route's practice as they are now (the suspension gate and the practice check take them from <see cref="AccessFacts"/>,
    /// so a suspension made on another node reaches portal pages on the next request, as it does bearer requests; ADR 0036).
    /// </summary>
    public async Task<UserStanding?> Standing(Guid userId, string? sessionId, Guid? organization = null, Guid? practice = null,
        CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"""
            select u."SecurityStamp", u."LockoutEnd", {RolesOfUserSql},
                   exists(select 1 from identity."AspNetUserTokens" t
                          where t."UserId" = u."Id" and t."LoginProvider" = $2 and t."Name" = $3 and t."Value" collate "C" >= $4),
                   co.data, co.mt_version, po.data, po.mt_version
            from identity."AspNetUsers" u
            left join {MartenSetup.Schema}.mt_doc_organization co on co.id = $5
            left join {MartenSetup.Schema}.mt_doc_organization po on po.id = $6
            where u."Id" = $1
            """);
        cmd.Parameters.Add(new() { Value = userId });
        cmd.Parameters.Add(new() { Value = Provider });
        cmd.Parameters.Add(new() { Value = sessionId ?? "" });
        cmd.Parameters.Add(new() { Value = Stamp(clock.GetUtcNow() - MaxSessionAge) });
        cmd.Parameters.Add(new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid, Value = (object?)organization ?? DBNull.Value });
        cmd.Parameters.Add(new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid, Value = (object?)practice ?? DBNull.Value });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var lockoutEnd = reader.IsDBNull(1) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(1);
        var serializer = store.Options.Serializer();
        return new UserStanding(reader.IsDBNull(0) ? null : reader.GetString(0), IsDisabled(lockoutEnd),
            reader.GetFieldValue<string[]>(2), reader.GetBoolean(3),
            AccessCheck.ReadOrganization(serializer, reader, 4), AccessCheck.ReadOrganization(serializer, reader, 6));
    }

    /// <summary>A disabled account, as opposed to a temporary lockout after wrong passwords (which keeps sessions).</summary>
    public static bool IsDisabled(DateTimeOffset? lockoutEnd) => lockoutEnd >= DisabledFrom;

    /// <summary>The user's current role names as one array column; <c>u</c> is the <c>AspNetUsers</c> row.</summary>
    public const string RolesOfUserSql = """
        array(select r."Name" from identity."AspNetUserRoles" ur join identity."AspNetRoles" r on r."Id" = ur."RoleId"
              where ur."UserId" = u."Id")
        """;

    /// <summary>Records a new session for the user and forgets the user's sessions older than <see cref="MaxSessionAge"/>.</summary>
    public async Task<string> Start(Guid userId, CancellationToken ct = default)
    {
        var id = Base64Url(RandomNumberGenerator.GetBytes(16));
        var now = clock.GetUtcNow();
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(new("""
            delete from identity."AspNetUserTokens" where "UserId" = $1 and "LoginProvider" = $2 and "Value" collate "C" < $3
            """) { Parameters = { new() { Value = userId }, new() { Value = Provider }, new() { Value = Stamp(now - MaxSessionAge) } } });
        batch.BatchCommands.Add(new("""
            insert into identity."AspNetUserTokens" ("UserId", "LoginProvider", "Name", "Value") values ($1, $2, $3, $4)
            """) { Parameters = { new() { Value = userId }, new() { Value = Provider }, new() { Value = id }, new() { Value = Stamp(now) } } });
        await batch.ExecuteNonQueryAsync(ct);
        return id;
    }

    public async Task End(Guid userId, string sessionId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            delete from identity."AspNetUserTokens" where "UserId" = $1 and "LoginProvider" = $2 and "Name" = $3
            """);
        cmd.Parameters.Add(new() { Value = userId });
        cmd.Parameters.Add(new() { Value = Provider });
        cmd.Parameters.Add(new() { Value = sessionId });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Ends every session of the user (disabled or deleted accounts).</summary>
    public async Task EndAll(Guid userId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            delete from identity."AspNetUserTokens" where "UserId" = $1 and "LoginProvider" = $2
            """);
        cmd.Parameters.Add(new() { Value = userId });
        cmd.Parameters.Add(new() { Value = Provider });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The same principal with the roles the user holds now, so a demoted user is refused at once (403).</summary>
    public static ClaimsPrincipal WithCurrentRoles(ClaimsPrincipal principal, string[] roles)
    {
        var held = principal.FindAll(Oidc.Claims.Role).Select(c => c.Value).ToHashSet();
        if (held.SetEquals(roles)) return principal;
        var identity = ((ClaimsIdentity)principal.Identity!).Clone();
        foreach (var claim in identity.FindAll(Oidc.Claims.Role).ToList()) identity.RemoveClaim(claim);
        foreach (var role in roles) identity.AddClaim(new Claim(Oidc.Claims.Role, role));
        return new ClaimsPrincipal(identity);
    }

    public static Guid? UserId(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirst(Oidc.Claims.Subject)?.Value, out var id) ? id : null;

    // Fixed-width ISO 8601 in UTC, so text comparison in SQL orders like time.
    static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'");

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// The sign-in cookie: signing in starts a server-side session, signing out ends it, and every request checks the
/// session, the security stamp and the disabled flag against the store and takes the user's current roles.
/// Replaces Identity's interval-based SecurityStampValidator (ADR 0008).
/// </summary>
sealed class PortalCookieEvents(Sessions sessions, IOptions<IdentityOptions> identity, AccessFacts facts) : CookieAuthenticationEvents
{
    public override async Task SigningIn(CookieSigningInContext context)
    {
        if (context.Principal is { Identity: ClaimsIdentity id } principal && Sessions.UserId(principal) is { } userId)
        {
            // A refreshed sign-in (new roles, changed password) replaces the session it came from.
            if (CurrentSession(context.HttpContext) is { } old && old.UserId == userId)
                await sessions.End(userId, old.SessionId, context.HttpContext.RequestAborted);
            foreach (var stale in id.FindAll(Sessions.SessionIdClaim).ToList()) id.RemoveClaim(stale);
            id.AddClaim(new Claim(Sessions.SessionIdClaim, await sessions.Start(userId, context.HttpContext.RequestAborted)));
        }
        await base.SigningIn(context);
    }

    public override async Task SigningOut(CookieSigningOutContext context)
    {
        if (CurrentSession(context.HttpContext) is { } current)
            await sessions.End(current.UserId, current.SessionId, context.HttpContext.RequestAborted);
        await base.SigningOut(context);
    }

    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var userId = principal is null ? null : Sessions.UserId(principal);
        var sessionId = principal?.FindFirst(Sessions.SessionIdClaim)?.Value;
        var organization = principal?.OrganizationId();
        var practice = context.HttpContext.RoutePracticeId();
        var standing = userId is null || sessionId is null ? null
            : await sessions.Standing(userId.Value, sessionId, organization, practice, context.HttpContext.RequestAborted);
        var stamp = principal?.FindFirst(identity.Value.ClaimsIdentity.SecurityStampClaimType)?.Value;
        if (standing is null || standing.Disabled || !standing.SessionLive || standing.SecurityStamp != stamp)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        var current = Sessions.WithCurrentRoles(principal!, standing.Roles);
        context.ReplacePrincipal(current);
        // The organisations as read with the session, for the suspension gate and the practice check of this request.
        facts.Record(current, appActive: null);
        if (organization is { } org) facts.Add(org, standing.Organization);
        if (practice is { } id) facts.Add(id, standing.Practice);
    }

    // The cookie being signed out or replaced is the one this request came with (the default scheme is the cookie).
    // Never authenticate again from here: a rejected cookie signs out while its own authentication is still running.
    static (Guid UserId, string SessionId)? CurrentSession(HttpContext http) =>
        http.User.Identity?.AuthenticationType == IdentityConstants.ApplicationScheme
        && Sessions.UserId(http.User) is { } id && http.User.FindFirst(Sessions.SessionIdClaim)?.Value is { } sid
            ? (id, sid)
            : null;
}

