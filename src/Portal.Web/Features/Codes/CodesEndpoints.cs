using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Portal.Billing.CodeFiles;
using Portal.Web.Platform;

namespace Portal.Web.Features.Codes;

public sealed record CodeSummary(string Code, string Display, bool Billable, string ShortDescription, string LongDescription);

public sealed record CodeSearchResult(string System, string Version, DateOnly EffectiveFrom, DateOnly? EffectiveTo,
    int Total, int Limit, int Offset, IReadOnlyList<CodeSummary> Items, string? Notice)
{
    /// <summary>The cursor of the next page (also in the Link header); null on the last one.</summary>
    public string? Next { get; init; }
}

public sealed record CodeDetails(string System, string Version, DateOnly ValidFrom, DateOnly? ValidTo, CodeSummary Code,
    bool Manifestation, string[] Flags, CodeSummary? Parent, IReadOnlyList<CodeSummary> Children, IReadOnlyList<CodeFinding> Findings, string? Notice);

/// <summary>Run the code edits for one encounter's codes on a date of service.</summary>
public sealed record CheckCodes(
    [Required] string Dos,
    string[]? Diagnoses = null,
    ProcedureLine[]? Procedures = null,
    [RegularExpression("^[FMU]$")] string? PatientSex = null,
    string? PatientBirthDate = null);

public sealed record CodeCheckResult(DateOnly Dos, bool Passed, IReadOnlyList<CodeFinding> Findings);

public static class CodesEndpoints
{
    /// <summary>The AMA asks for this notice wherever CPT content is shown.</summary>
    public const string CptNotice = "CPT® is a registered trademark of the American Medical Association. CPT content shown here was loaded by your organization under its own AMA licence.";

    public static void MapCodes(this IEndpointRouteBuilder app)
    {
        var codes = app.MapGroup("/api/v1/codes").WithTags("Code sets").Requires(Permissions.CodesRead);
        codes.MapGet("/{system}", Search).WithName("SearchCodes").Sorts(SearchSorting)
            .WithSummary("Search a code set by code (dot optional, prefix) or by words in any order")
            .WithDescription("Systems: icd10cm, hcpcs, cpt, modifier, pos. Words may be abbreviations (htn, dm2, copd, chf, afib…) and tolerate typos. " +
                "Restricted to the version in force on dos (YYYY-MM-DD, default today). billableOnly drops headers; limit 1–100 (default 20); cursor from 'next' (or the Link header), or the deprecated offset ≥ 0.")
            .ProducesProblem(400).ProducesProblem(404);
        codes.MapGet("/{system}/{code}", Get).WithName("GetCode")
            .WithSummary("One code as of a date of service, with its parent header, children and the edits that apply to it alone")
            .ProducesProblem(400).ProducesProblem(404);
        codes.MapPost("/check", Check).WithName("CheckCodes")
            .WithSummary("Run the code edits (validity, header, manifestation, age/sex, modifiers, NCCI PTP, MUE) for one date of service")
            .ProducesValidationProblem().ProducesProblem(400);

        var sets = app.MapGroup("/api/v1/code-sets").WithTags("Code sets");
        sets.MapGet("", Versions).WithName("ListCodeSetVersions").Requires(Permissions.CodesRead).Sorts(VersionSorting)
            .WithSummary("Loaded code-set versions and the dates each is in force");
        sets.MapGet("/{system}/imports", History).WithName("ListCodeSetImports").Requires(Permissions.CodesRead).Sorts(ImportSorting)
            .WithSummary("Import history of a code set, newest first, with each file's SHA-256");
        sets.MapPost("/{system}/imports", Import).WithName("ImportCodeSet")
            .Requires(Permissions.CodeSetsImport)
            .DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(256L * 1024 * 1024))
            .WithSummary("Import an official code-set file as a version (multipart: file, version, optional effectiveFrom)")
            .WithDescription("For Portal's operators: a user token of a platform admin with scope codesets.admin; code sets are global, " +
                "so no practice's admin may change them. " +
                "The file is refused as a whole (422, with the line number) if any line is bad. The same file twice changes nothing. " +
                "Large NCCI files are better loaded with the CLI: codes import ncci <file> --version 2026Q1.")
            .ProducesProblem(404).ProducesProblem(422);
        app.MapCodeSetUploads();
    }

    /// <summary>Search hits come in the index's rank order, the one sort a search has (the key names it, so the convention holds).</summary>
    static readonly Sorting<CodeSummary> SearchSorting = new Sorting<CodeSummary>("rank")
    {
        { "rank", "search relevance: exact code, code prefix, then the best word matches", c => 0 },
    };

    static readonly Sorting<CodeSetVersion> VersionSorting = new Sorting<CodeSetVersion>("system,effective")
    {
        { "system", "code system", v => v.System },
        { "effective", "first day in force", v => v.EffectiveFrom },
        { "version", "version name", v => v.Version },
    }.TieBreak(v => v.Version);

    static readonly Sorting<CodeSetImportRecord> ImportSorting = new Sorting<CodeSetImportRecord>("-imported")
    {
        { "imported", "when the file was imported", r => r.ImportedAt },
        { "effective", "first day in force", r => r.EffectiveFrom },
        { "version", "version name", r => r.Version },
        { "rows", "rows read", r => r.Rows },
    }.TieBreak(r => r.Id);

    static async Task<Results<Ok<CodeSearchResult>, ProblemHttpResult>> Search(string system, string? q, string? dos, bool? billableOnly,
        string? sort, string? cursor, int? limit, int? offset, CodeCatalog catalog, TimeProvider clock, HttpContext context, CancellationToken ct)
    {
        SearchSorting.Parse(sort);
        if (!CodeSystems.Searchable.Contains(system)) return UnknownSystem(system);
        if (ParseDos(dos, clock) is not { } day) return BadDos(dos);
        if (string.IsNullOrWhiteSpace(q) || q.Length > 100) return Bad("q is required (1–100 characters): a code, a code prefix or words.");
        if (limit is < 1 or > 100) return Bad("limit must be between 1 and 100.");
        if (offset is < 0 or > 10_000) return Bad("offset must be between 0 and 10000.");
        // The cursor convention by position (offset stays for existing clients): search hits have no key to page on but their rank.
        if (cursor is not null && offset is not null) throw new InvalidInput("cursor", "Page either by cursor or by offset, not both.");
        var at = cursor is null ? offset ?? 0 : CursorPaging.Parse(cursor, limit).Offset();
        if (at > 10_000) return Bad("offset must be between 0 and 10000.");
        var size = limit ?? 20;
        if (catalog.VersionOn(system, day) is not { } version) return NoVersion(system, day);
        var index = await catalog.Index(version, ct);
        var (hits, total) = index.Search(q, billableOnly ?? false, size, at);
        var next = at + size < Math.Min(total, 10_000) ? new CursorPage<CodeSummary>([], CursorPaging.Encode("p" + (at + size))).WithLink(context).Next : null;
        return TypedResults.Ok(new CodeSearchResult(system, version.Version, version.EffectiveFrom, version.EffectiveTo, total,
            size, at, [.. hits.Select(h => Summary(system, h.Entry))], Notice(system)) { Next = next });
    }

    static async Task<Results<Ok<CodeDetails>, ProblemHttpResult>> Get(string system, string code, string? dos, CodeCatalog catalog,
        TimeProvider clock, CancellationToken ct)
    {
        if (!CodeSystems.Searchable.Contains(system)) return UnknownSystem(system);
        if (ParseDos(dos, clock) is not { } day) return BadDos(dos);
        if (await Details(catalog, system, code, day, ct) is { } details) return TypedResults.Ok(details);
        var findings = await CodeRules.CheckCode(catalog, system, code, day, ct);
        return TypedResults.Problem(statusCode: 404, title: "Not a code on this date of service",
            detail: findings.FirstOrDefault()?.Message ?? $"{code} is not a {system} code.",
            extensions: new Dictionary<string, object?> { ["rule"] = findings.FirstOrDefault()?.Rule, ["code"] = CodeSystems.Normalize(code) });
    }

    /// <summary>A code with its hierarchy and the findings that concern it alone (the page shows the same).</summary>
    public static async Task<CodeDetails?> Details(CodeCatalog catalog, string system, string code, DateOnly day, CancellationToken ct)
    {
        if (catalog.VersionOn(system, day) is not { } version) return null;
        var index = await catalog.Index(version, ct);
        if (index.Find(code) is not { } entry) return null;
        var findings = await CodeRules.CheckCode(catalog, system, entry.Code, day, ct);
        return new CodeDetails(system, version.Version, version.EffectiveFrom, version.EffectiveTo, Summary(system, entry),
            entry.IsManifestation, entry.Flags.Split(',', StringSplitOptions.RemoveEmptyEntries),
            index.ParentOf(entry) is { } p ? Summary(system, p) : null,
            [.. index.ChildrenOf(entry).OrderBy(c => c.Order).Select(c => Summary(system, c))], findings, Notice(system));
    }

    static async Task<Results<Ok<CodeCheckResult>, ProblemHttpResult>> Check(CheckCodes body, CodeCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        if (ParseDos(body.Dos, clock) is not { } day) return BadDos(body.Dos);
        DateOnly? born = null;
        if (body.PatientBirthDate is { Length: > 0 } b)
        {
            if (!DateOnly.TryParseExact(b, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                return Bad("patientBirthDate must be a date (YYYY-MM-DD).");
            born = d;
        }
        var patient = body.PatientSex is null && born is null ? null : new PatientFacts(body.PatientSex, born);
        var claim = CodeRules.ClaimOf(day, body.Diagnoses, body.Procedures, patient);
        // A code check, not a claim: claim-level data is not asked for, and pointers and charges only when the lines give them.
        var findings = (await CodeRules.Scrub(catalog, claim, day, null, ct))
            .Where(f => f.Rule != "required-data" && f.Location != "claim"
                && !(f.Rule is "line-pointer-missing" or "line-pointer-invalid" && body.Procedures?[f.Position!.Value - 1].DiagnosisPointers is null)
                && !(f.Rule == "line-charge" && body.Procedures?[f.Position!.Value - 1].Charge is null)
                && !(f.Rule is "patient-sex-unknown" or "patient-dob-missing" && patient is null))
            .ToList();
        return TypedResults.Ok(new CodeCheckResult(day, findings.All(f => f.Severity != FindingSeverity.Error), findings));
    }

    static Ok<CursorPage<CodeSetVersion>> Versions(CodeCatalog catalog, string? sort, string? cursor, int? limit, HttpContext context)
    {
        var order = VersionSorting.Parse(sort);
        var all = CodeSystems.All.SelectMany(catalog.Versions);
        // The default keeps the catalogue's own order (by system as listed, then effective date).
        return TypedResults.Ok((order.IsDefault ? all : order.Apply(all)).Slice(CursorPaging.Parse(cursor, limit, order)).WithLink(context));
    }

    static async Task<Results<Ok<CursorPage<CodeSetImportRecord>>, ProblemHttpResult>> History(string system, string? sort, string? cursor, int? limit,
        NpgsqlDataSource db, HttpContext context, CancellationToken ct)
    {
        var order = ImportSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        return CodeSystems.IsKnown(system) ? TypedResults.Ok(order.Apply(await CodeSetImport.HistoryAsync(db, system, ct)).Slice(request).WithLink(context)) : UnknownSystem(system);
    }

    static async Task<Results<Created<ImportSummary>, Ok<ImportSummary>, ProblemHttpResult>> Import(string system, IFormFile file,
        [FromForm] string version, [FromForm] string? effectiveFrom, NpgsqlDataSource db, CodeCatalog catalog, ClaimsPrincipal user,
        CancellationToken ct)
    {
        if (!CodeSystems.IsKnown(system)) return UnknownSystem(system);
        DateOnly? from = null;
        if (effectiveFrom is { Length: > 0 })
        {
            if (!DateOnly.TryParseExact(effectiveFrom, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                throw new UnprocessableInput("effectiveFrom must be a date (YYYY-MM-DD).",
                    new Dictionary<string, string[]> { ["effectiveFrom"] = ["Use YYYY-MM-DD."] });
            from = d;
        }
        ImportSummary summary;
        try
        {
            await using var stream = file.OpenReadStream();
            summary = await CodeSetImport.ImportAsync(db, system, version, from, stream, file.FileName, user.Actor(), null, ct);
        }
        catch (CodeFileRejected e)
        {
            throw new UnprocessableInput($"{file.FileName} was refused and nothing was imported. {e.Message}",
                new Dictionary<string, string[]> { ["file"] = [e.Message] },
                new Dictionary<string, object?> { ["line"] = e.Line, ["column"] = e.Column });
        }
        if (summary.Unchanged) return TypedResults.Ok(summary);
        await catalog.RefreshAsync(ct);
        return TypedResults.Created($"/api/v1/code-sets/{system}/imports", summary);
    }

    public static CodeSummary Summary(string system, CodeEntry e) =>
        new(e.Code, CodeSystems.Display(system, e.Code), e.Billable, e.ShortDescription, e.LongDescription);

    public static DateOnly? ParseDos(string? dos, TimeProvider clock) =>
        string.IsNullOrEmpty(dos) ? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)
        : DateOnly.TryParseExact(dos, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    static string? Notice(string system) => system == CodeSystems.Cpt ? CptNotice : null;

    static ProblemHttpResult UnknownSystem(string system) => TypedResults.Problem(statusCode: 404, title: "Unknown code system",
        detail: $"'{system}' is not a code system here; use one of {string.Join(", ", CodeSystems.Searchable)}.");

    static ProblemHttpResult NoVersion(string system, DateOnly day) => TypedResults.Problem(statusCode: 404, title: "No code set for this date",
        detail: $"No {system} code set is loaded for {day:yyyy-MM-dd}.");

    static ProblemHttpResult BadDos(string? dos) => Bad($"dos '{dos}' is not a date; use YYYY-MM-DD.");

    static ProblemHttpResult Bad(string detail) => TypedResults.Problem(statusCode: 400, title: "The request is malformed", detail: detail);
}
