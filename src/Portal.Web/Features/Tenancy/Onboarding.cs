using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;
using Portal.Web.Features.Users;
using Portal.Web.Platform;

namespace Portal.Web.Features.Tenancy;

// Issue 14, item 8: the platform operator onboards a practice or a vendor with its first admin (an invitation), and suspends
// or reactivates an organisation. A suspended organisation's users and apps get 403 with a plain message on every request
// (SuspendedOrganizationGate) and its practices are closed to engaged vendors; nothing is deleted. The operator sees
// organisations only: names, kinds, dates, never a practice's patients or charts.

public sealed record OnboardOrganization(
    [Required, StringLength(200, MinimumLength = 2)] string Name,
    OrganizationKind Kind,
    [StringLength(10, MinimumLength = 10)] string? Npi,
    [Required, EmailAddress, MaxLength(256)] string AdminEmail,
    [Required, StringLength(100, MinimumLength = 2)] string AdminName,
    [StringLength(40)] string? Database = null);

public sealed record SuspendOrganization([Required, StringLength(500, MinimumLength = 3)] string Reason);

/// <summary>An organisation as the operator sees it: no PHI. <see cref="Version"/> is its ETag (W/"version") for If-Match.</summary>
/// <param name="Database">For a practice: the database that holds its data (ADR 0031; "main" unless the operator placed it elsewhere).</param>
public sealed record OrganizationSummary(Guid Id, string Name, OrganizationKind Kind, string? Npi, DateTimeOffset CreatedAt,
    DateTimeOffset? SuspendedAt, string? SuspendedReason, long Version = 0, string? Database = null)
{
    /// <summary>Deprecated: the same number as <see cref="Version"/>, kept for clients written before the two counters became one.</summary>
    public long Revision => Version;

    public static OrganizationSummary From(Organization o) =>
        new(o.Id, o.Name, o.Kind, o.Npi, o.CreatedAt, o.SuspendedAt, o.SuspendedReason, Math.Max(1, o.Version));
}

public sealed record OnboardedOrganization(OrganizationSummary Organization, InvitationView Invitation);

public sealed class Onboarding(IDocumentStore store, IMemoryCache cache, Invitations invitations, TimeProvider clock, TenantDatabases databases)
{
    /// <summary>The databases a new practice can be placed in (ADR 0031): "main" alone unless Portal:Databases names more.</summary>
    public IReadOnlyList<string> Databases => databases.Names;

    public async Task<IReadOnlyList<OrganizationSummary>> List(CancellationToken ct)
    {
        await using var q = store.QuerySession();
        return [.. (await q.Query<Organization>().OrderBy(o => o.Name).ToListAsync(ct)).Select(Summary)];
    }

    OrganizationSummary Summary(Organization o) => OrganizationSummary.From(o) with
    {
        Database = o.Kind == OrganizationKind.Practice ? databases.DatabaseOf(o.Id.ToString()) : null,
    };

    public async Task<OnboardedOrganization> Create(OnboardOrganization input, Actor actor, HttpRequest? request, CancellationToken ct)
    {
        var errors = new Platform.FieldErrors()
            .Check(input.Kind is OrganizationKind.Practice or OrganizationKind.Vendor, "kind", "Onboard a Practice or a Vendor.")
            .Check(input.Kind != OrganizationKind.Practice || input.Npi is null || Intake.Identifiers.IsValidNpi(input.Npi), "npi",
                "Not a valid NPI (10 digits with the Luhn check digit).")
            .Check(input.Database is null || databases.Names.Contains(input.Database), "database",
                $"Choose one of the configured databases: {string.Join(", ", databases.Names)}.")
            .Check(input.Database is null or TenantDatabases.Main || input.Kind == OrganizationKind.Practice, "database",
                "Only a practice's data is placed in a database; vendors live in the common one.");
        errors.ThrowIfAny("The organisation cannot be created.");
        await using var q = store.QuerySession();
        var name = input.Name.Trim();
        if (await q.Query<Organization>().AnyAsync(o => o.Name == name, ct))
            throw new RuleViolation($"An organisation named {name} exists already.", "organization-exists");
        var org = new Organization(Guid.CreateVersion7(), input.Kind, name, input.Kind == OrganizationKind.Practice ? input.Npi : null, clock.GetUtcNow());
        // The practice's database first: its first event (the admin's invitation, settings, anything) must land there.
        if (input.Kind == OrganizationKind.Practice) await databases.PlaceAsync(org.Id, input.Database ?? TenantDatabases.Main, ct);
        await using (var session = store.LightweightSession())
        {
            session.Store(org);
            await session.SaveChangesAsync(ct);
        }
        var invitation = await invitations.Invite(org, new InviteUser(input.AdminEmail.Trim(), input.AdminName.Trim(), [Roles.AdminOf(org.Kind)]),
            actor, request, ct);
        return new(Summary(org), invitation);
    }

    public Task<OrganizationSummary?> Suspend(Guid id, string reason, CancellationToken ct, long? expectedVersion = null) =>
        Change(id, expectedVersion, ct, o => o.SuspendedAt is not null
            ? throw new RuleViolation("This organisation is suspended already.", "already-suspended")
            : o.Kind == OrganizationKind.Operator
                ? throw new RuleViolation("Portal's own operator organisation cannot be suspended.", "operator")
                : o with { SuspendedAt = clock.GetUtcNow(), SuspendedReason = reason.Trim() });

    public Task<OrganizationSummary?> Reactivate(Guid id, CancellationToken ct, long? expectedVersion = null) =>
        Change(id, expectedVersion, ct, o => o.SuspendedAt is null
            ? throw new RuleViolation("This organisation is not suspended.", "not-suspended")
            : o with { SuspendedAt = null, SuspendedReason = null });

    async Task<OrganizationSummary?> Change(Guid id, long? expectedVersion, CancellationToken ct, Func<Organization, Organization> change)
    {
        await using var session = store.LightweightSession();
        var org = await session.LoadAsync<Organization>(id, ct);
        if (org is null) return null;
        // One version for every change of the organisation (its security settings too): a stale If-Match is 412, and a writer
        // who saved in between makes Marten refuse this one at save time (412 as well).
        var changed = session.StoreChecked(org, change(org), expectedVersion);
        await session.SaveChangesAsync(ct);
        // The directory caches organisations for a minute: a suspension must hold from the next request.
        cache.Remove((typeof(Organization), id));
        return OrganizationSummary.From(changed);
    }
}

public static class OnboardingEndpoints
{
    public static void MapOnboarding(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/platform/organizations").WithTags("Platform");
        group.MapGet("", ListOrganizations)
            .WithName("ListOrganizations").Requires(Permissions.OrganizationsManage).Sorts(Sorting)
            .WithSummary("Every organisation: name, kind, NPI, since when, suspended or not (no practice data); cursor and limit");
        group.MapPost("", Create).WithName("OnboardOrganization").Idempotent().Requires(Permissions.OrganizationsManage)
            .WithSummary("Create a practice or a vendor and invite its first admin by e-mail")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(422);
        group.MapPost("/{organizationId:guid}/suspension", Suspend).WithName("SuspendOrganization").HonoursIfMatch()
            .Requires(Permissions.OrganizationsManage)
            .WithSummary("Suspend an organisation: its users and apps get 403 from the next request; its data stays")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412);
        group.MapDelete("/{organizationId:guid}/suspension", Reactivate).WithName("ReactivateOrganization").HonoursIfMatch()
            .Requires(Permissions.OrganizationsManage)
            .WithSummary("Reactivate a suspended organisation")
            .ProducesProblem(409).ProducesProblem(412);
    }

    static readonly Sorting<OrganizationSummary> Sorting = new Sorting<OrganizationSummary>("name")
    {
        { "name", "organisation name", o => o.Name },
        { "kind", "practice or vendor", o => o.Kind },
        { "created", "since when", o => o.CreatedAt },
        { "suspended", "when it was suspended", o => o.SuspendedAt },
    }.TieBreak(o => o.Id);

    static async Task<Ok<CursorPage<OrganizationSummary>>> ListOrganizations(Onboarding onboarding, string? sort, string? cursor, int? limit, HttpContext context,
        CancellationToken ct)
    {
        var order = Sorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        return TypedResults.Ok(order.Apply(await onboarding.List(ct)).Slice(request).WithLink(context));
    }

    static async Task<Created<OnboardedOrganization>> Create(OnboardOrganization body, Onboarding onboarding, HttpContext context, CancellationToken ct)
    {
        var created = await onboarding.Create(body, Actor.Of(context.User), context.Request, ct);
        return TypedResults.Created($"/api/v1/platform/organizations/{created.Organization.Id}", created);
    }

    static async Task<Results<Ok<OrganizationSummary>, NotFoundProblem>> Suspend(Guid organizationId, SuspendOrganization body,
        Onboarding onboarding, HttpContext context, CancellationToken ct) =>
        Answer(context, await onboarding.Suspend(organizationId, body.Reason, ct, ETags.Parse(context.Request.Headers.IfMatch)));

    static async Task<Results<Ok<OrganizationSummary>, NotFoundProblem>> Reactivate(Guid organizationId, Onboarding onboarding,
        HttpContext context, CancellationToken ct) =>
        Answer(context, await onboarding.Reactivate(organizationId, ct, ETags.Parse(context.Request.Headers.IfMatch)));

    static Results<Ok<OrganizationSummary>, NotFoundProblem> Answer(HttpContext context, OrganizationSummary? o)
    {
        if (o is null) return new NotFoundProblem("No organisation with this id.");
        context.Response.Headers.ETag = ETags.For(o.Version);
        return TypedResults.Ok(o);
    }
}

/// <summary>What the suspension gate asks: is this organisation suspended, and why.</summary>
public sealed class OrganizationStanding(OrganizationDirectory organizations, AccessFacts facts) : IOrganizationStanding
{
    // A request read the organisation with its token or its session (fresh: a suspension is seen at once on every node,
    // ADR 0036); the directory's one-minute cache only answers when it was not read (no user, or a route the check skipped).
    public async Task<(bool Suspended, string Name)> For(ClaimsPrincipal user, Guid organizationId, CancellationToken ct) =>
        (facts.TryGet<Organization>(user, organizationId, out var read) ? read : await organizations.Find(organizationId, ct))
            is { SuspendedAt: not null } org ? (true, org.Name) : (false, "");
}
