using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Identity;
using Npgsql;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;
using Portal.Web.Platform.Email;

namespace Portal.Web.Features.Users;

/// <summary>Invite a colleague to your organization: they get a mail with a link and choose their own password.</summary>
public sealed record InviteUser([Required, EmailAddress, MaxLength(256)] string Email, [Required, MinLength(2), MaxLength(100)] string DisplayName,
    [Required, MinLength(1)] string[] Roles);

/// <summary>
/// An invitation to join an organization. Global (not tenanted), like the users themselves. Only a SHA-256 hash of the
/// link's secret is kept, so a database reader cannot accept an invitation. <see cref="PendingEmail"/> holds the
/// address while the invitation is open (null once accepted or revoked): a unique index on it keeps one open
/// invitation per address even when two admins invite at the same moment.
/// </summary>
public sealed record Invitation(Guid Id, Guid OrganizationId, string Email, string DisplayName, string[] Roles, string TokenHash,
    string InvitedBy, Guid? InvitedById, DateTimeOffset InvitedAt, DateTimeOffset ExpiresAt) : IHasRevision
{
    /// <summary>Marten's revision: the ETag for If-Match on resend and revoke.</summary>
    public long Version { get; set; }

    public string? PendingEmail { get; init; }
    public DateTimeOffset? AcceptedAt { get; init; }
    public Guid? UserId { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }

    public string Status(DateTimeOffset now) =>
        AcceptedAt is not null ? "accepted" : RevokedAt is not null ? "revoked" : ExpiresAt <= now ? "expired" : "pending";
}

public sealed record InvitationView(Guid Id, string Email, string DisplayName, string[] Roles, string InvitedBy, DateTimeOffset InvitedAt,
    DateTimeOffset ExpiresAt, string Status, long Version = 0);

/// <summary>Who does it: a signed-in admin, the invitee accepting, or the demo seeder.</summary>
public readonly record struct Actor(string Name, Guid? Id)
{
    public static Actor Of(ClaimsPrincipal user) => new(user.Actor(), user.UserId());
}

/// <summary>
/// Invitations replace admin-made passwords: the admin names the person and their roles, Portal mails them a link that
/// works once, for seven days, and the invitee sets their own password. Resending makes a new link (the old one stops
/// working); revoking closes it.
/// </summary>
public sealed class Invitations(UserManager<PortalUser> users, IDocumentStore store, TimeProvider clock, IMailSender mail, PortalLinks links)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public async Task<IReadOnlyList<InvitationView>> Open(Guid organizationId, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var open = await query.Query<Invitation>()
            .Where(i => i.OrganizationId == organizationId && i.AcceptedAt == null && i.RevokedAt == null)
            .OrderByDescending(i => i.InvitedAt).ToListAsync(ct);
        return [.. open.Select(View)];
    }

    public async Task<InvitationView> Invite(Organization org, InviteUser body, Actor actor, HttpRequest? request, CancellationToken ct)
    {
        var roles = UserAdministration.CheckRoles(org, body.Roles);
        var email = body.Email.Trim();
        if (await users.FindByEmailAsync(email) is not null)
            throw new RuleViolation("A user with this email already exists.", "user-exists");
        var now = clock.GetUtcNow();
        var pending = users.NormalizeEmail(email);

        await using var session = store.LightweightSession();
        var open = await session.Query<Invitation>().FirstOrDefaultAsync(i => i.PendingEmail == pending, ct);
        if (open is not null && open.ExpiresAt > now)
            throw new RuleViolation("An invitation to this email is already open; resend or revoke it.", "invitation-open");
        // An expired invitation gives its address up to the new one.
        if (open is not null) session.StoreChecked(open, open with { PendingEmail = null, RevokedAt = now }, null);

        var (token, hash) = NewToken();
        var invitation = new Invitation(Guid.CreateVersion7(), org.Id, email, body.DisplayName.Trim(), roles, hash, actor.Name, actor.Id, now,
            now + Lifetime) { PendingEmail = pending };
        session.Store(invitation);
        session.Store(AuditEntry(invitation, "user-invited", $"roles: {string.Join(", ", roles)}", actor, now));
        try { await session.SaveChangesAsync(ct); }
        catch (Exception e) when (IsUniqueViolation(e))
        {
            throw new RuleViolation("An invitation to this email is already open; resend or revoke it.", "invitation-open");
        }
        await Send(org, invitation, token, request, ct);
        return View(invitation);
    }

    /// <summary>A new link and seven more days; the old link stops working. Null when the invitation is not this organization's.</summary>
    public async Task<InvitationView?> Resend(Organization org, Guid invitationId, Actor actor, HttpRequest? request, CancellationToken ct,
        long? expected = null)
    {
        await using var session = store.LightweightSession();
        var invitation = await session.LoadAsync<Invitation>(invitationId, ct);
        if (invitation is null || invitation.OrganizationId != org.Id) return null;
        StaleVersion.Check(expected, invitation.Version);
        if (invitation.AcceptedAt is not null || invitation.RevokedAt is not null)
            throw new RuleViolation($"This invitation was {invitation.Status(clock.GetUtcNow())}; invite again instead.", "invitation-closed");
        var now = clock.GetUtcNow();
        var (token, hash) = NewToken();
        invitation = session.StoreChecked(invitation, invitation with { TokenHash = hash, ExpiresAt = now + Lifetime }, expected);
        session.Store(AuditEntry(invitation, "invitation-resent", "", actor, now));
        await session.SaveChangesAsync(ct);
        await Send(org, invitation, token, request, ct);
        return View(invitation);
    }

    public async Task<InvitationView?> Revoke(Organization org, Guid invitationId, Actor actor, CancellationToken ct, long? expected = null)
    {
        await using var session = store.LightweightSession();
        var invitation = await session.LoadAsync<Invitation>(invitationId, ct);
        if (invitation is null || invitation.OrganizationId != org.Id) return null;
        StaleVersion.Check(expected, invitation.Version);
        if (invitation.AcceptedAt is not null || invitation.RevokedAt is not null)
            throw new RuleViolation($"This invitation was already {invitation.Status(clock.GetUtcNow())}.", "invitation-closed");
        var now = clock.GetUtcNow();
        invitation = session.StoreChecked(invitation, invitation with { PendingEmail = null, RevokedAt = now }, expected);
        session.Store(AuditEntry(invitation, "invitation-revoked", "", actor, now));
        await session.SaveChangesAsync(ct);
        return View(invitation);
    }

    /// <summary>The open, unexpired invitation this link names, or null: unknown, wrong secret, used, revoked and expired all look alike.</summary>
    public async Task<Invitation?> FindUsable(Guid invitationId, string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token)) return null;
        await using var query = store.QuerySession();
        var invitation = await query.LoadAsync<Invitation>(invitationId, ct);
        if (invitation is null || invitation.Status(clock.GetUtcNow()) != "pending") return null;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(invitation.TokenHash))
            ? invitation : null;
    }

    public async Task<Organization?> OrganizationOf(Invitation invitation, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        return await query.LoadAsync<Organization>(invitation.OrganizationId, ct);
    }

    /// <summary>
    /// Creates the account with the invitee's own password. The identity store's unique user name makes a second
    /// acceptance of the same link (or a race of two) fail rather than create a second account.
    /// </summary>
    public async Task<(PortalUser? User, IReadOnlyList<string> Errors)> Accept(Invitation invitation, string displayName, string password,
        CancellationToken ct)
    {
        var user = new PortalUser
        {
            Id = Guid.CreateVersion7(), UserName = invitation.Email, Email = invitation.Email, EmailConfirmed = true,
            DisplayName = displayName.Trim(), OrganizationId = invitation.OrganizationId,
        };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
            return (null, created.Errors.Any(e => e.Code is "DuplicateUserName" or "DuplicateEmail")
                ? ["This invitation was used already. Sign in instead."]
                : [.. created.Errors.Select(e => e.Description)]);
        var roles = await users.AddToRolesAsync(user, invitation.Roles);
        if (!roles.Succeeded)
        {
            await users.DeleteAsync(user);
            return (null, [.. roles.Errors.Select(e => e.Description)]);
        }
        var now = clock.GetUtcNow();
        await using var session = store.LightweightSession();
        var accepted = session.StoreChecked(invitation, invitation with { PendingEmail = null, AcceptedAt = now, UserId = user.Id }, null);
        session.Store(AuditEntry(accepted, "invitation-accepted", $"roles: {string.Join(", ", invitation.Roles)}", new Actor(user.DisplayName, user.Id), now));
        await session.SaveChangesAsync(ct);
        return (user, []);
    }

    async Task Send(Organization org, Invitation invitation, string token, HttpRequest? request, CancellationToken ct)
    {
        var link = links.Absolute(request, $"/account/accept-invitation?invitation={invitation.Id}&token={token}");
        await mail.SendAsync(new OutgoingMail(invitation.Email, $"You are invited to {org.Name} on Portal",
        [
            $"Hello {invitation.DisplayName},",
            $"{invitation.InvitedBy} invited you to join {org.Name} on Portal as {string.Join(", ", invitation.Roles.Select(Roles.Label))}.",
            $"Open the link below to choose your password. It works once, until {invitation.ExpiresAt:d MMMM yyyy HH:mm} UTC.",
            "If you did not expect this invitation, ignore this mail.",
        ], "Accept the invitation", link), ct);
    }

    InvitationView View(Invitation i) =>
        new(i.Id, i.Email, i.DisplayName, i.Roles, i.InvitedBy, i.InvitedAt, i.ExpiresAt, i.Status(clock.GetUtcNow()), i.Version);

    static UserAdminAuditEntry AuditEntry(Invitation i, string action, string details, Actor actor, DateTimeOffset at) =>
        new(Guid.CreateVersion7(), i.OrganizationId, action, i.UserId ?? Guid.Empty, i.Email, details, actor.Name, actor.Id, at);

    static (string Token, string Hash) NewToken()
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (token, Hash(token));
    }

    static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    static bool IsUniqueViolation(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }) return true;
        return false;
    }
}
