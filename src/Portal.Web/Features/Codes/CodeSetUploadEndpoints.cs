using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Portal.Web.Platform;

namespace Portal.Web.Features.Codes;

/// <summary>
/// Upload → status → differences → activate: the API twin of the platform admin's upload page (<c>/codes/imports</c>).
/// The one-step <c>POST /code-sets/{system}/imports</c> (read and activate at once) stays for scripts and the CLI's users.
/// </summary>
public static class CodeSetUploadEndpoints
{
    public static void MapCodeSetUploads(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/code-sets/{system}/uploads", Upload).WithName("UploadCodeSet").WithTags("Code sets")
            .Requires(Permissions.CodeSetsImport).Idempotent().DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(256L * 1024 * 1024))
            .WithSummary("Upload an official code-set file to read in the background (multipart: file, version, optional effectiveFrom); 202 with the upload")
            .WithDescription("Poll GET /api/v1/code-set-uploads/{id} for progress. When its state is Ready, GET …/diff shows the codes added, removed and " +
                "changed against the version it would replace, and POST …/activate makes it the version. A refused file ends in state Refused with " +
                "errorLine and errorColumn; nothing is imported. The same file as the active version ends in state Unchanged.")
            .Produces<CodeSetUpload>(202).ProducesProblem(404).ProducesProblem(422);
        var uploads = app.MapGroup("/api/v1/code-set-uploads").WithTags("Code sets").Requires(Permissions.CodeSetsImport);
        uploads.MapGet("", List).WithName("ListCodeSetUploads").Sorts(UploadSorting).WithSummary("Code-set uploads, newest first; cursor and limit");
        uploads.MapGet("/{id:guid}", Get).WithName("GetCodeSetUpload")
            .WithSummary("One upload: state (Queued, Running, Ready, Unchanged, Refused, Failed, Activated, Discarded), progress, counts, or the refusal's line and column")
            .ProducesProblem(404);
        uploads.MapGet("/{id:guid}/diff", Diff).WithName("GetCodeSetUploadDiff").Sorts(DiffSorting)
            .WithSummary("A page of the codes added, removed or changed (descriptor level) against the version the upload would replace")
            .WithDescription("change = added | removed | changed (default added); limit 1–200 (default 50); cursor from 'next' (or the Link header), or the " +
                "deprecated offset ≥ 0. Counts of all three come with every page.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        uploads.MapPost("/{id:guid}/activate", Activate).WithName("ActivateCodeSetUpload").Idempotent()
            .WithSummary("Make a Ready upload the version it names (in force from its effective date)")
            .WithDescription("409 when the upload is not Ready, or when the version it was compared with changed since (upload again to see the current differences).")
            .ProducesProblem(404).ProducesProblem(409);
        uploads.MapPost("/{id:guid}/discard", Discard).WithName("DiscardCodeSetUpload").Idempotent()
            .WithSummary("Drop a Ready upload without activating it").ProducesProblem(404).ProducesProblem(409);
    }

    static async Task<Results<Accepted<CodeSetUpload>, ProblemHttpResult>> Upload(string system, IFormFile file, [FromForm] string? version,
        [FromForm] string? effectiveFrom, NpgsqlDataSource db, CodeSetUploadRunner runner, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!CodeSystems.IsKnown(system) || system == CodeSystems.IcdTabular)
            return TypedResults.Problem(statusCode: 404, title: "Unknown file kind",
                detail: $"'{system}' is not a code-set file kind; use one of {string.Join(", ", CodeSetKinds.All.Select(k => k.System))}.");
        await using var content = file.OpenReadStream();
        var upload = await CodeSetUploads.StartAsync(db, runner, system, version, effectiveFrom, content, file.FileName, user.Actor(), ct);
        return TypedResults.Accepted($"/api/v1/code-set-uploads/{upload.Id}", upload);
    }

    static readonly Sorting<CodeSetUpload> UploadSorting = new Sorting<CodeSetUpload>("-created")
    {
        { "created", "when the file was uploaded", u => u.CreatedAt },
        { "system", "code system", u => u.System },
        { "state", "upload state", u => u.State },
        { "effective", "first day in force", u => u.EffectiveFrom },
    }.TieBreak(u => u.Id);

    /// <summary>The diff comes in code order from the database: its one sort.</summary>
    static readonly Sorting<CodeSetChange> DiffSorting = new Sorting<CodeSetChange>("code")
    {
        { "code", "the code (or NCCI pair)", c => c.Key },
    };

    const int MaxUploadsSorted = 10_000;

    static async Task<Ok<CursorPage<CodeSetUpload>>> List(NpgsqlDataSource db, string? sort, string? cursor, int? limit, HttpContext context, CancellationToken ct)
    {
        var order = UploadSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        // Newest first reads only as far as the page; another sort reads the uploads (capped) and sorts them.
        var through = order.IsDefault ? request.Offset() + request.Fetch : MaxUploadsSorted;
        return TypedResults.Ok(order.Apply(await CodeSetUploads.RecentAsync(db, through, ct)).Slice(request).WithLink(context));
    }

    static async Task<Results<Ok<CodeSetUpload>, ProblemHttpResult>> Get(Guid id, NpgsqlDataSource db, CancellationToken ct) =>
        await CodeSetUploads.FindAsync(db, id, ct) is { } upload ? TypedResults.Ok(upload) : NotFound();

    static async Task<Results<Ok<CodeSetDiffPage>, ProblemHttpResult>> Diff(Guid id, string? change, string? sort, string? cursor, int? offset, int? limit,
        NpgsqlDataSource db, HttpContext context, CancellationToken ct)
    {
        DiffSorting.Parse(sort);
        change ??= "added";
        if (!CodeSetUploads.Changes.Contains(change)) throw new InvalidInput("change", "change must be added, removed or changed.");
        if (offset is < 0 or > 10_000_000) throw new InvalidInput("offset", "offset must be 0 or more.");
        if (cursor is not null && offset is not null) throw new InvalidInput("cursor", "Page either by cursor or by offset, not both.");
        var request = CursorPaging.Parse(cursor, limit);
        var at = cursor is null ? offset ?? 0 : request.Offset();
        if (await CodeSetUploads.FindAsync(db, id, ct) is not { } upload) return NotFound();
        var page = await CodeSetUploads.DiffAsync(db, upload, change, at, request.Limit, ct);
        var next = at + request.Limit < page.Total
            ? new CursorPage<CodeSetChange>([], CursorPaging.Encode("p" + (at + request.Limit))).WithLink(context).Next : null;
        return TypedResults.Ok(page with { Next = next });
    }

    static async Task<Results<Ok<CodeSetUpload>, ProblemHttpResult>> Activate(Guid id, NpgsqlDataSource db, CodeCatalog catalog, ClaimsPrincipal user,
        CancellationToken ct) =>
        await CodeSetUploads.FindAsync(db, id, ct) is null ? NotFound() : TypedResults.Ok(await CodeSetUploads.ActivateAsync(db, catalog, id, user.Actor(), ct));

    static async Task<Results<Ok<CodeSetUpload>, ProblemHttpResult>> Discard(Guid id, NpgsqlDataSource db, CancellationToken ct) =>
        await CodeSetUploads.FindAsync(db, id, ct) is null ? NotFound() : TypedResults.Ok(await CodeSetUploads.DiscardAsync(db, id, ct));

    static ProblemHttpResult NotFound() => TypedResults.Problem(statusCode: 404, title: "No such upload", detail: "There is no code-set upload with this id.");
}
