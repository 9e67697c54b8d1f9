using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Portal.Web.Features.Identity;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Platform;

namespace Portal.Web.Features.Tenancy;

public sealed record Me(string Subject, string Name, Guid? OrganizationId, string? OrganizationKind, string[] Roles, string[] Scopes,
    IReadOnlyList<PracticeSummary> Practices);

public sealed record PracticeSummary(Guid Id, string Name, string? Npi);

public sealed record VendorSummary(Guid Id, string Name);

/// <summary>Grant a vendor access to this practice's data for the named functions.</summary>
public sealed record GrantEngagement(
    [Required] Guid VendorId,
    string[]? Functions = null,
    bool OffshoreAllowed = false,
    [MaxLength(500)] string? Note = null);

/// <summary>End a vendor's access now. The reason is kept in the engagement's history.</summary>
public sealed record RevokeEngagement([Required, MinLength(3), MaxLength(500)] string Reason);

public static class TenancyEndpoints
{
    public static void MapTenancy(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Practices and engagements");

        api.MapGet("/me", GetMe).WithName("GetMe").Requires(Permissions.Me)
            .WithSummary("Who the token speaks for, and the practices it may act for");
        api.MapGet("/practices", ListPractices).WithName("ListPractices").Requires(Permissions.Me).Sorts(PracticeSorting)
            .WithSummary("Practices the caller may act for right now");
        api.MapGet("/vendors", ListVendors).WithName("ListVendors").Requires(Permissions.EngagementsManage).Sorts(VendorSorting)
            .WithSummary("Coding and billing vendors a practice can engage");

        var clients = api.MapGroup("/vendor/clients").WithTags("Vendor clients");
        clients.MapGet("", ListClients).WithName("ListVendorClients").Requires(Permissions.VendorClientsRead).Sorts(ClientSorting)
            .WithSummary("The practices that engage the caller's firm, with the coders assigned to each; a coder sees their own clients");
        clients.MapPut("/{engagementId:guid}/coders", AssignClientCoders).WithName("AssignVendorClientCoders").HonoursIfMatch()
            .Requires(Permissions.VendorClientsAssign)
            .WithSummary("Choose which of the firm's coders work a client (coderIds: null for all, [] for none)")
            .WithDescription("Coders taken off the client lose it at once: its queue, charts and API calls give 404, and the charts they " +
                             "held go back to the practice's queue. 422 for ids that are not the firm's coders; 409 engagement-revoked.")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);

        var practice = api.MapGroup("/practices/{practiceId:guid}");
        practice.MapGet("", GetPractice).WithName("GetPractice").Requires(Permissions.PracticeRead)
            .WithSummary("The practice's profile");

        var engagements = practice.MapGroup("/engagements");
        engagements.MapGet("", ListEngagements).WithName("ListEngagements").Requires(Permissions.EngagementsRead).Sorts(EngagementSorting)
            .WithSummary("The practice's vendor engagements, active first")
            .WithDescription("Filter with ?status=active|revoked|all (default all).");
        engagements.MapGet("/{engagementId:guid}", GetEngagement).WithName("GetEngagement").Requires(Permissions.EngagementsRead)
            .WithSummary("One engagement; its ETag is the stream version");
        engagements.MapPost("", Grant).WithName("GrantEngagement").Idempotent().Requires(Permissions.EngagementsManage)
            .WithSummary("Engage a vendor: its users may work this practice's data from now on")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(422);
        engagements.MapPost("/{engagementId:guid}/revoke", Revoke).WithName("RevokeEngagement").HonoursIfMatch()
            .Requires(Permissions.EngagementsManage)
            .WithSummary("Revoke an engagement: the vendor loses access at once")
            .WithDescription("Send If-Match with the ETag you read to make sure you revoke what you saw; a stale one gives 412.")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412);
    }

    static async Task<Ok<Me>> GetMe(ClaimsPrincipal user, PracticeAccess access, CancellationToken ct)
    {
        var practices = await access.PracticesFor(user, ct);
        return TypedResults.Ok(new Me(
            user.FindFirstValue("sub") ?? "", user.Actor(), user.OrganizationId(), user.FindFirstValue(PortalClaims.OrganizationKind),
            [.. user.FindAll("role").Select(c => c.Value)],
            [.. user.FindAll("oi_scp").Select(c => c.Value)],
            [.. practices.Select(p => new PracticeSummary(p.Id, p.Name, p.Npi))]));
    }

    static readonly Sorting<PracticeSummary> PracticeSorting = new Sorting<PracticeSummary>("name")
    {
        { "name", "practice name", p => p.Name },
        { "npi", "organisation NPI", p => p.Npi },
        { "id", "Portal's id", p => p.Id },
    }.TieBreak(p => p.Id);

    static readonly Sorting<VendorSummary> VendorSorting = new Sorting<VendorSummary>("name")
    {
        { "name", "vendor name", v => v.Name },
        { "id", "Portal's id", v => v.Id },
    }.TieBreak(v => v.Id);

    static readonly Sorting<VendorClient> ClientSorting = new Sorting<VendorClient>("practice")
    {
        { "practice", "practice name", c => c.PracticeName },
        { "granted", "when the engagement was granted", c => c.GrantedAt },
    }.TieBreak(c => c.EngagementId);

    static readonly Sorting<Engagement> EngagementSorting = new Sorting<Engagement>("active,-granted")
    {
        { "active", "active engagements before revoked ones", e => e.Active ? 0 : 1 },
        { "granted", "when the engagement was granted", e => e.GrantedAt },
        { "vendor", "vendor name", e => e.VendorName },
        { "revoked", "when it was revoked", e => e.RevokedAt },
    }.TieBreak(e => e.Id);

    static async Task<Ok<CursorPage<PracticeSummary>>> ListPractices(ClaimsPrincipal user, PracticeAccess access, string? sort, string? cursor, int? limit,
        HttpContext context, CancellationToken ct)
    {
        var order = PracticeSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        return TypedResults.Ok(order.Apply((await access.PracticesFor(user, ct)).Select(p => new PracticeSummary(p.Id, p.Name, p.Npi))).Slice(request).WithLink(context));
    }

    static async Task<Ok<CursorPage<VendorSummary>>> ListVendors(IQuerySession query, string? sort, string? cursor, int? limit, HttpContext context,
        CancellationToken ct)
    {
        var order = VendorSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        return TypedResults.Ok(order.Apply((await TenancyQueries.Vendors(query, ct)).Select(v => new VendorSummary(v.Id, v.Name))).Slice(request).WithLink(context));
    }

    static async Task<Ok<PracticeSummary>> GetPractice(HttpContext context, OrganizationDirectory organizations, CancellationToken ct)
    {
        var practice = context.RequiredPractice();
        var organization = await organizations.Find(practice.PracticeId, ct);
        return TypedResults.Ok(new PracticeSummary(practice.PracticeId, practice.Name, organization?.Npi));
    }

    static async Task<Ok<CursorPage<Engagement>>> ListEngagements(IQuerySession query, string? status, string? sort, string? cursor, int? limit,
        HttpContext context, CancellationToken ct)
    {
        var order = EngagementSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        return TypedResults.Ok(order.Apply(await TenancyQueries.Engagements(query, status, ct)).Slice(request).WithLink(context));
    }

    static async Task<Results<Ok<Engagement>, NotFoundProblem>> GetEngagement(Guid engagementId, IQuerySession query,
        HttpContext context, CancellationToken ct)
    {
        var engagement = await query.LoadAsync<Engagement>(engagementId, ct);
        if (engagement is null) return NotFound("No engagement with this id in this practice.");
        context.Response.Headers.ETag = ETags.For(engagement.Version);
        return TypedResults.Ok(engagement);
    }

    static async Task<Created<Engagement>> Grant(GrantEngagement body, HttpContext context, IDocumentSession session,
        TimeProvider clock, CancellationToken ct)
    {
        var engagement = await EngagementWrites.Grant(session, context.RequiredPractice(), body, context.User.Actor(), clock, ct);
        context.Response.Headers.ETag = ETags.For(engagement.Version);
        return TypedResults.Created($"/api/v1/practices/{engagement.PracticeId}/engagements/{engagement.Id}", engagement);
    }

    static async Task<Results<Ok<Engagement>, NotFoundProblem>> Revoke(Guid engagementId, RevokeEngagement body,
        HttpContext context, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var expected = ETags.Parse(context.Request.Headers.IfMatch);
        var engagement = await EngagementWrites.Revoke(session, engagementId, expected, body.Reason, context.User.Actor(), clock, ct);
        if (engagement is null) return NotFound("No engagement with this id in this practice.");
        context.Response.Headers.ETag = ETags.For(engagement.Version);
        return TypedResults.Ok(engagement);
    }

    static async Task<Ok<CursorPage<VendorClient>>> ListClients(ClaimsPrincipal user, IQuerySession query,
        OrganizationDirectory organizations, string? sort, string? cursor, int? limit, HttpContext context, CancellationToken ct)
    {
        var order = ClientSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        return TypedResults.Ok(order.Apply(await VendorClient.For(query, organizations, user.OrganizationId()!.Value, user.UserId(),
            user.IsInRole(Roles.VendorAdmin), ct)).Slice(request).WithLink(context));
    }

    static async Task<Results<Ok<VendorClient>, NotFoundProblem>> AssignClientCoders(Guid engagementId, AssignClientCoders body,
        ClaimsPrincipal user, HttpContext context, IDocumentStore store, UserManager<PortalUser> users, OrganizationDirectory organizations,
        TimeProvider clock, CancellationToken ct)
    {
        var client = await EngagementWrites.AssignCoders(store, users, organizations, user.OrganizationId()!.Value, engagementId, body.CoderIds,
            user.Actor(), clock, ct, ETags.Parse(context.Request.Headers.IfMatch));
        if (client is null) return NotFound("No engagement of your firm has this id.");
        context.Response.Headers.ETag = ETags.For(client.Version);
        return TypedResults.Ok(client);
    }

    static NotFoundProblem NotFound(string detail) =>
        new NotFoundProblem(detail);
}

public static class TenancyQueries
{
    // Organisations are global documents in the common database: read them through a common session, not the practice's
    // (over several databases the practice's session is another database; ADR 0031).
    public static async Task<IReadOnlyList<Organization>> Vendors(IQuerySession query, CancellationToken ct)
    {
        await using var common = query.DocumentStore.QuerySession();
        return await common.Query<Organization>().Where(o => o.Kind == OrganizationKind.Vendor).OrderBy(o => o.Name).ToListAsync(ct);
    }

    public static async Task<IReadOnlyList<Engagement>> Engagements(IQuerySession query, string? status, CancellationToken ct)
    {
        var q = query.Query<Engagement>().AsQueryable();
        q = status?.ToLowerInvariant() switch
        {
            "active" => q.Where(e => e.RevokedAt == null),
            "revoked" => q.Where(e => e.RevokedAt != null),
            null or "" or "all" => q,
            _ => throw new BadHttpRequestException("status must be active, revoked or all."),
        };
        var list = await q.ToListAsync(ct);
        return [.. list.OrderBy(e => e.Active ? 0 : 1).ThenByDescending(e => e.GrantedAt)];
    }
}

public static class EngagementWrites
{
    /// <summary>One active engagement per vendor and practice: claimed on grant, released on revoke.</summary>
    public static readonly UniqueKeyKind ActiveKey =
        new("engagement-vendor", "engagement-exists", vendor => $"Vendor {vendor} is already engaged by this practice.");

    public static async Task<Engagement> Grant(IDocumentSession session, CurrentPractice practice, GrantEngagement body,
        string actor, TimeProvider clock, CancellationToken ct)
    {
        Organization? vendor;
        await using (var common = session.DocumentStore.QuerySession()) vendor = await common.LoadAsync<Organization>(body.VendorId, ct);
        if (vendor is not { Kind: OrganizationKind.Vendor })
            throw new UnprocessableInput("vendorId does not name a vendor.",
                new Dictionary<string, string[]> { ["vendorId"] = ["No vendor has this id."] });
        var functions = body.Functions is { Length: > 0 } f ? f.Select(x => x.Trim().ToLowerInvariant()).Distinct().ToArray() : ["coding"];
        var unknown = functions.Except(Engagement.KnownFunctions).ToArray();
        if (unknown.Length > 0)
            throw new UnprocessableInput($"Unknown function(s): {string.Join(", ", unknown)}.",
                new Dictionary<string, string[]> { ["functions"] = [$"Use any of: {string.Join(", ", Engagement.KnownFunctions)}."] });
        var taken = $"{vendor.Name} is already engaged by this practice.";
        // Also catches engagements granted before the key existed; the key decides races.
        if (await session.Query<Engagement>().AnyAsync(e => e.VendorId == vendor.Id && e.RevokedAt == null, ct))
            throw ActiveKey.Violation(vendor.Id.ToString(), taken);

        var granted = new EngagementGranted(Guid.CreateVersion7(), practice.PracticeId, vendor.Id, vendor.Name, functions,
            body.OffshoreAllowed, actor, clock.GetUtcNow(), body.Note);
        session.Events.StartStream<Engagement>(granted.EngagementId, granted);
        session.Claim(ActiveKey, vendor.Id.ToString(), granted.EngagementId, granted.GrantedAt);
        await session.SaveClaimingAsync(ActiveKey, vendor.Id.ToString(), ct, taken);
        return Engagement.Create(granted);
    }

    public static async Task<Engagement?> Revoke(IDocumentSession session, Guid engagementId, long? expectedVersion, string reason,
        string actor, TimeProvider clock, CancellationToken ct)
    {
        var stream = expectedVersion is { } v
            ? await session.Events.FetchForWriting<Engagement>(engagementId, v, ct)
            : await session.Events.FetchForWriting<Engagement>(engagementId, ct);
        if (stream.Aggregate is null) return null;
        var revoked = stream.Aggregate.Revoke(actor, clock.GetUtcNow(), reason);
        stream.AppendOne(revoked);
        // Defence in depth: an engagement granted twice before the key existed must not leave the vendor in, so every other
        // active engagement of the same vendor in this practice is revoked in the same commit.
        var others = await session.Query<Engagement>()
            .Where(e => e.VendorId == stream.Aggregate.VendorId && e.RevokedAt == null && e.Id != engagementId).ToListAsync(ct);
        foreach (var other in others)
        {
            var twin = await session.Events.FetchForWriting<Engagement>(other.Id, ct);
            if (twin.Aggregate is { Active: true } active)
                twin.AppendOne(active.Revoke(actor, revoked.RevokedAt, reason));
        }
        session.Release(ActiveKey, stream.Aggregate.VendorId.ToString());
        // The firm's coders lose the practice at once; the charts they held go back to the practice's queue in the same commit.
        await Coding.CodingWrites.ReleaseVendorCharts(session, stream.Aggregate.VendorId,
            $"Engagement of {stream.Aggregate.VendorName} revoked: {reason}", actor, revoked.RevokedAt, ct);
        await session.SaveChangesAsync(ct);
        return stream.Aggregate.Apply(revoked) with { Version = stream.CurrentVersion ?? stream.Aggregate.Version + 1 };
    }

    /// <summary>
    /// The vendor's admin sets which of the firm's coders work a client (null: all). Coders taken off the client lose it at once,
    /// and the charts they held go back to the practice's queue in the same commit. Null when the engagement is not the firm's.
    /// </summary>
    public static async Task<VendorClient?> AssignCoders(IDocumentStore store, UserManager<PortalUser> users,
        OrganizationDirectory organizations, Guid vendorId, Guid engagementId, Guid[]? coderIds, string actor, TimeProvider clock,
        CancellationToken ct, long? expectedVersion = null)
    {
        var found = (await store.QueryEachDatabase(async (lookup, c) => await lookup.Query<Engagement>()
            .Where(e => e.AnyTenant() && e.Id == engagementId && e.VendorId == vendorId).ToListAsync(c), ct)).FirstOrDefault();
        if (found is null) return null;

        string[]? names = null;
        if (coderIds is not null)
        {
            var firmCoders = (await users.GetUsersInRoleAsync(Roles.VendorCoder)).Where(u => u.OrganizationId == vendorId)
                .ToDictionary(u => u.Id);
            coderIds = [.. coderIds.Distinct()];
            var strangers = coderIds.Where(id => !firmCoders.ContainsKey(id)).ToArray();
            if (strangers.Length > 0)
                throw new UnprocessableInput("Some ids are not coders of your firm.",
                    new Dictionary<string, string[]> { ["coderIds"] = [.. strangers.Select(id => $"{id} is not one of your firm's coders.")] });
            names = [.. coderIds.Select(id => firmCoders[id].DisplayName)];
        }

        await using var session = store.LightweightSession(found.PracticeId.ToString());
        var stream = expectedVersion is { } v
            ? await session.Events.FetchForWriting<Engagement>(engagementId, v, ct)
            : await session.Events.FetchForWriting<Engagement>(engagementId, ct);
        var assigned = stream.Aggregate!.AssignCoders(coderIds, names, actor, clock.GetUtcNow());
        stream.AppendOne(assigned);
        if (coderIds is not null)
            await Coding.CodingWrites.ReleaseVendorCharts(session, vendorId, $"{found.VendorName} took the coder off this client", actor,
                assigned.At, ct, coderIds);
        await session.SaveChangesAsync(ct);
        return VendorClient.From(stream.Aggregate.Apply(assigned) with { Version = stream.Aggregate.Version + 1 },
            (await organizations.Find(found.PracticeId, ct))?.Name ?? "");
    }
}

/// <summary>A practice that engages the caller's firm, as the firm sees it: what it may do and which of its coders work it.</summary>
public sealed record VendorClient(Guid EngagementId, Guid PracticeId, string PracticeName, string[] Functions, DateTimeOffset GrantedAt,
    bool AllCoders, Guid[] CoderIds, string[] CoderNames, long Version = 0)
{
    /// <remarks>Version: the engagement's stream version, for If-Match on AssignVendorClientCoders.</remarks>
    public static VendorClient From(Engagement e, string practiceName) =>
        new(e.Id, e.PracticeId, practiceName, e.Functions, e.GrantedAt, e.CoderIds is null, e.CoderIds ?? [], e.CoderNames ?? [], e.Version);

    /// <summary>The firm's active clients; a coder sees those they are assigned to.</summary>
    public static async Task<IReadOnlyList<VendorClient>> For(IQuerySession query, OrganizationDirectory organizations, Guid vendorId,
        Guid? userId, bool vendorAdmin, CancellationToken ct)
    {
        var engagements = await query.DocumentStore.QueryEachDatabase(async (q, c) => await q.Query<Engagement>()
            .Where(e => e.AnyTenant() && e.VendorId == vendorId && e.RevokedAt == null).ToListAsync(c), ct);
        var clients = new List<VendorClient>();
        foreach (var e in engagements.Where(e => e.Covers(userId, vendorAdmin)))
            clients.Add(From(e, (await organizations.Find(e.PracticeId, ct))?.Name ?? ""));
        return [.. clients.OrderBy(c => c.PracticeName)];
    }
}

/// <summary>Which of the firm's coders work the client: null for all of them, else the list (may be empty: only the admin).</summary>
public sealed record AssignClientCoders(Guid[]? CoderIds);
