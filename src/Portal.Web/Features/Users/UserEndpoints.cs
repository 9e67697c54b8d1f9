using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Platform;

namespace Portal.Web.Features.Users;

public static class UserEndpoints
{
    public static void MapUsers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/organizations/{organizationId:guid}/users").WithTags("Users")
            .RequireScope(Scopes.UsersAdmin, Roles.PracticeAdmin, Roles.VendorAdmin, Roles.PlatformAdmin);

        group.MapGet("", List).WithName("ListUsers").WithSummary("Users of your organization (practice or vendor) with their roles");
        group.MapPost("", Add).WithName("AddUser")
            .WithSummary("Add a user; the answer carries a temporary password, shown once")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        group.MapPut("/{userId:guid}/roles", SetRoles).WithName("ChangeUserRoles").WithSummary("Replace a user's roles")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        group.MapPost("/{userId:guid}/disable", Disable).WithName("DisableUser").WithSummary("Lock a user out for good")
            .ProducesProblem(404).ProducesProblem(409);
        app.MapGet("/api/v1/organizations/{organizationId:guid}/user-audit", History).WithTags("Users").WithName("ListUserAdminAudit")
            .RequireScope(Scopes.UsersAdmin, Roles.PracticeAdmin, Roles.VendorAdmin, Roles.PlatformAdmin)
            .WithSummary("Who added, disabled, enabled or changed the roles of your organization's users, newest first")
            .WithDescription("?limit= (1–500, default 100).");
        group.MapPost("/{userId:guid}/enable", Enable).WithName("EnableUser").WithSummary("Let a disabled or locked-out user sign in again")
            .ProducesProblem(404);
    }

    static async Task<Results<Ok<IReadOnlyList<OrganizationUser>>, NotFoundProblem>> List(Guid organizationId, HttpContext context,
        UserAdministration admin, CancellationToken ct) =>
        await admin.AdministeredOrganization(context.User, organizationId, ct) is { } org
            ? TypedResults.Ok(await admin.List(org.Id, ct))
            : NoOrganization();

    static async Task<Results<Created<UserAdded>, NotFoundProblem>> Add(Guid organizationId, AddUser body, HttpContext context,
        UserAdministration admin, CancellationToken ct)
    {
        if (await admin.AdministeredOrganization(context.User, organizationId, ct) is not { } org) return NoOrganization();
        var added = await admin.Add(org, body, context.User);
        return TypedResults.Created($"/api/v1/organizations/{org.Id}/users/{added.User.Id}", added);
    }

    static async Task<Results<Ok<OrganizationUser>, NotFoundProblem>> SetRoles(Guid organizationId, Guid userId, ChangeRoles body,
        HttpContext context, UserAdministration admin, CancellationToken ct) =>
        await admin.AdministeredOrganization(context.User, organizationId, ct) is { } org
            && await admin.ChangeRoles(org, userId, body.Roles, context.User) is { } user
            ? TypedResults.Ok(user)
            : NoOrganization();

    static Task<Results<Ok<OrganizationUser>, NotFoundProblem>> Disable(Guid organizationId, Guid userId, HttpContext context,
        UserAdministration admin, CancellationToken ct) => SetDisabled(organizationId, userId, true, context, admin, ct);

    static Task<Results<Ok<OrganizationUser>, NotFoundProblem>> Enable(Guid organizationId, Guid userId, HttpContext context,
        UserAdministration admin, CancellationToken ct) => SetDisabled(organizationId, userId, false, context, admin, ct);

    static async Task<Results<Ok<OrganizationUser>, NotFoundProblem>> SetDisabled(Guid organizationId, Guid userId, bool disabled,
        HttpContext context, UserAdministration admin, CancellationToken ct) =>
        await admin.AdministeredOrganization(context.User, organizationId, ct) is { } org
            && await admin.SetDisabled(org, userId, disabled, context.User) is { } user
            ? TypedResults.Ok(user)
            : NoOrganization();

    static async Task<Results<Ok<IReadOnlyList<UserAdminAuditEntry>>, NotFoundProblem>> History(Guid organizationId, int? limit,
        HttpContext context, UserAdministration admin, CancellationToken ct)
    {
        if (limit is < 1 or > 500) throw new BadHttpRequestException("limit must be between 1 and 500.");
        return await admin.AdministeredOrganization(context.User, organizationId, ct) is { } org
            ? TypedResults.Ok(await admin.History(org.Id, limit ?? 100, ct))
            : NoOrganization();
    }

    static NotFoundProblem NoOrganization() => new NotFoundProblem("No such user in an organization you administer.");
}
