using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Platform;

namespace Portal.Web.Features.Users;

public static class UserEndpoints
{
    public static void MapUsers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/organizations/{organizationId:guid}/users").WithTags("Users")
            .Requires(Permissions.UsersManage);

        group.MapGet("", List).WithName("ListUsers").Sorts(UserSorting).WithSummary("Users of your organization (practice or vendor) with their roles, by name; cursor and limit");
        group.MapPut("/{userId:guid}/roles", SetRoles).WithName("ChangeUserRoles").WithSummary("Replace a user's roles").HonoursIfMatch()
            .WithDescription("If-Match takes the user's eTag from the list (their concurrency stamp); a stale one gives 412.")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        group.MapPost("/{userId:guid}/disable", Disable).WithName("DisableUser").WithSummary("Lock a user out for good").HonoursIfMatch()
            .ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);
        app.MapGet("/api/v1/organizations/{organizationId:guid}/user-audit", History).WithTags("Users").WithName("ListUserAdminAudit").Sorts(AuditSorting)
            .Requires(Permissions.UsersManage)
            .WithSummary("Who added, disabled, enabled or changed the roles of your organization's users, newest first")
            .WithDescription("Paging: cursor and limit (1–200, default 100 here; 201–500, accepted before the convention, answer 200 rows and 'next').");
        var invitations = app.MapGroup("/api/v1/organizations/{organizationId:guid}/invitations").WithTags("Users")
            .Requires(Permissions.UsersManage);
        invitations.MapGet("", ListInvitations).WithName("ListInvitations").Sorts(InvitationSorting)
            .WithSummary("Open invitations of your organization (pending and expired), newest first; cursor and limit");
        invitations.MapPost("", Invite).WithName("InviteUser").Idempotent().RequireRateLimiting(RateLimits.AccountEmail)
            .WithSummary("Invite a user by e-mail with roles; they choose their own password from the link (single use, 7 days)")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        invitations.MapPost("/{invitationId:guid}/resend", Resend).WithName("ResendInvitation").RequireRateLimiting(RateLimits.AccountEmail).HonoursIfMatch()
            .WithSummary("Mail a new link (7 more days); the previous link stops working").ProducesProblem(404).ProducesProblem(409);
        invitations.MapPost("/{invitationId:guid}/revoke", Revoke).WithName("RevokeInvitation").HonoursIfMatch()
            .WithSummary("Close an open invitation; its link stops working").ProducesProblem(404).ProducesProblem(409);
        var security = app.MapGroup("/api/v1/organizations/{organizationId:guid}/security").WithTags("Users")
            .Requires(Permissions.UsersManage);
        security.MapGet("", GetSecurity).WithName("GetOrganizationSecurity")
            .WithSummary("Whether your organization requires MFA (an authenticator app) of every user");
        security.MapPut("", PutSecurity).WithName("SetOrganizationSecurity").HonoursIfMatch()
            .WithSummary("Require MFA of every user of your organization, or leave it to each user")
            .WithDescription("Users without MFA are sent to enrolment at their next sign-in (live sessions within a minute) and can do nothing else until enrolled. Platform admins always need MFA.")
            .ProducesValidationProblem().ProducesProblem(404);
        group.MapPost("/{userId:guid}/enable", Enable).WithName("EnableUser").WithSummary("Let a disabled or locked-out user sign in again")
            .HonoursIfMatch().ProducesProblem(404).ProducesProblem(412);
    }

    static readonly Sorting<OrganizationUser> UserSorting = new Sorting<OrganizationUser>("name")
    {
        { "name", "display name", u => u.DisplayName },
        { "email", "e-mail address", u => u.Email },
        { "disabled", "active users before disabled ones", u => u.Disabled },
        { "mfa", "without MFA before with MFA", u => u.MfaEnabled },
    }.TieBreak(u => u.Id);

    static readonly Sorting<InvitationView> InvitationSorting = new Sorting<InvitationView>("-invited")
    {
        { "invited", "when the invitation was sent", i => i.InvitedAt },
        { "expires", "when the link expires", i => i.ExpiresAt },
        { "email", "e-mail address", i => i.Email },
        { "name", "display name", i => i.DisplayName },
        { "status", "pending or expired", i => i.Status },
    }.TieBreak(i => i.Id);

    static readonly Sorting<UserAdminAuditEntry> AuditSorting = new Sorting<UserAdminAuditEntry>("-at")
    {
        { "at", "when it happened", e => e.At },
        { "action", "what was done", e => e.Action },
        { "user", "the user's e-mail", e => e.UserEmail },
        { "actor", "who did it", e => e.Actor },
    }.TieBreak(e => e.Id);

    static async Task<Results<Ok<CursorPage<OrganizationUser>>, NotFoundProblem>> List(Guid organizationId, string? sort, string? cursor, int? limit,
        HttpContext context, UserAdministration admin, CancellationToken ct)
    {
        var order = UserSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        return await admin.AdministeredOrganization(context.User, organizationId, ct) is { } org
            ? TypedResults.Ok(order.Apply(await admin.List(org.Id, ct)).Slice(request).WithLink(context))
            : NoOrganization();
    }

    static async Task<Results<Ok<CursorPage<InvitationView>>, NotFoundProblem>> ListInvitations(Guid organizationId, string? sort, string? cursor, int? limit,
        HttpContext context, UserAdministration admin, Invitations invitations, CancellationToken ct)
    {
        var order = InvitationSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        return await admin.AdministeredOrganization(context.User, organizationId, ct) is { } org
            ? TypedResults.Ok(order.Apply(await invitations.Open(org.Id, ct)).Slice(request).WithLink(context))
            : NoOrganization();
    }

    static async Task<Results<Created<InvitationView>, NotFoundProblem>> Invite(Guid organizationId, InviteUser body,
        HttpContext context, UserAdministration admin, Invitations invitations, CancellationToken ct)
    {
        if (await admin.AdministeredOrganization(context.User, organizationId, ct) is not { } org) return NoOrganization();
        var invited = await invitations.Invite(org, body, Actor.Of(context.User), context.Request, ct);
        return TypedResults.Created($"/api/v1/organizations/{org.Id}/invitations/{invited.Id}", invited);
    }

    static async Task<Results<Ok<InvitationView>, NotFoundProblem>> Resend(Guid organizationId, Guid invitationId,
        HttpContext context, UserAdministration admin, Invitations invitations, CancellationToken ct) =>
        await admin.AdministeredOrganization(context.User, organizationId, ct) is { } org
            && await invitations.Resend(org, invitationId, Actor.Of(context.User), context.Request, ct, ETags.Parse(context.Request.Headers.IfMatch)) is { } invitation
            ? TypedResults.Ok(invitation)
            : NoOrganization();

    static async Task<Results<Ok<InvitationView>, NotFoundProblem>> Revoke(Guid organizationId, Guid invitationId,
        HttpContext context, UserAdministration admin, Invitations invitations, CancellationToken ct) =>
        await admin.AdministeredOrganization(context.User, organizationId, ct) is { } org
            && await invitations.Revoke(org, invitationId, Actor.Of(context.User), ct, ETags.Parse(context.Request.Headers.IfMatch)) is { } invitation
            ? TypedResults.Ok(invitation)
            : NoOrganization();

    static async Task<Results<Ok<OrganizationSecurity>, NotFoundProblem>> GetSecurity(Guid organizationId, HttpContext context,
        UserAdministration admin, CancellationToken ct)
    {
        if (await admin.AdministeredOrganization(context.User, organizationId, ct) is not { } org) return NoOrganization();
        context.Response.Headers.ETag = ETags.For(org.Version);
        return TypedResults.Ok(new OrganizationSecurity(org.RequireMfa) { Version = org.Version });
    }

    static async Task<Results<Ok<OrganizationSecurity>, NotFoundProblem>> PutSecurity(Guid organizationId, OrganizationSecurity body,
        HttpContext context, UserAdministration admin, CancellationToken ct)
    {
        if (await admin.AdministeredOrganization(context.User, organizationId, ct) is not { } org) return NoOrganization();
        var security = await admin.SetSecurity(org, body.RequireMfa!.Value, context.User, ct, ETags.Parse(context.Request.Headers.IfMatch));
        context.Response.Headers.ETag = ETags.For(security.Version ?? 0);
        return TypedResults.Ok(security);
    }

    static async Task<Results<Ok<OrganizationUser>, NotFoundProblem>> SetRoles(Guid organizationId, Guid userId, ChangeRoles body,
        HttpContext context, UserAdministration admin, CancellationToken ct) =>
        await admin.AdministeredOrganization(context.User, organizationId, ct) is { } org
            && await admin.ChangeRoles(org, userId, body.Roles, context.User, ETags.ParseStamp(context.Request.Headers.IfMatch)) is { } user
            ? TypedResults.Ok(user)
            : NoOrganization();

    static Task<Results<Ok<OrganizationUser>, NotFoundProblem>> Disable(Guid organizationId, Guid userId, HttpContext context,
        UserAdministration admin, CancellationToken ct) => SetDisabled(organizationId, userId, true, context, admin, ct);

    static Task<Results<Ok<OrganizationUser>, NotFoundProblem>> Enable(Guid organizationId, Guid userId, HttpContext context,
        UserAdministration admin, CancellationToken ct) => SetDisabled(organizationId, userId, false, context, admin, ct);

    static async Task<Results<Ok<OrganizationUser>, NotFoundProblem>> SetDisabled(Guid organizationId, Guid userId, bool disabled,
        HttpContext context, UserAdministration admin, CancellationToken ct) =>
        await admin.AdministeredOrganization(context.User, organizationId, ct) is { } org
            && await admin.SetDisabled(org, userId, disabled, context.User, ETags.ParseStamp(context.Request.Headers.IfMatch)) is { } user
            ? TypedResults.Ok(user)
            : NoOrganization();

    static async Task<Results<Ok<CursorPage<UserAdminAuditEntry>>, NotFoundProblem>> History(Guid organizationId, string? sort, string? cursor, int? limit,
        HttpContext context, UserAdministration admin, CancellationToken ct)
    {
        // Before the cursor convention this list took limit up to 500 (default 100); 201–500 still work, answering 200 rows and a next cursor.
        if (limit is < 1 or > 500) throw new InvalidInput("limit", "limit must be between 1 and 200.");
        var order = AuditSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit is { } l ? Math.Min(l, CursorPaging.MaxLimit) : 100, order);
        // Newest first reads only as far as the page; another sort reads the log (capped) and sorts it.
        var through = order.IsDefault ? request.Offset() + request.Fetch : MaxAuditSorted;
        return await admin.AdministeredOrganization(context.User, organizationId, ct) is { } org
            ? TypedResults.Ok(order.Apply(await admin.History(org.Id, through, ct)).Slice(request).WithLink(context))
            : NoOrganization();
    }

    const int MaxAuditSorted = 10_000;

    static NotFoundProblem NoOrganization() => new NotFoundProblem("No such user or invitation in an organization you administer.");
}
