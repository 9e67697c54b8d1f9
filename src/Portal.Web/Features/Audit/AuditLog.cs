using System.Globalization;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;
using Portal.Web.Platform.Csv;

namespace Portal.Web.Features.Audit;

/// <summary>Filters of the PHI access log; every one optional. Dates are UTC days, both ends included.</summary>
public sealed record AuditFilter
{
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    /// <summary>Part of the actor's name or app id, case-insensitive.</summary>
    public string? Actor { get; init; }
    /// <summary>view, list, export or download.</summary>
    public string? Action { get; init; }
    /// <summary>The operation of the permission table, e.g. patients.read.</summary>
    public string? Operation { get; init; }
    /// <summary>A patient, encounter or document id: its entries and, for a patient, every read of their records.</summary>
    public Guid? RecordId { get; init; }

    public bool Any => From is not null || To is not null || !string.IsNullOrWhiteSpace(Actor) || !string.IsNullOrWhiteSpace(Action)
        || !string.IsNullOrWhiteSpace(Operation) || RecordId is not null;

    public static AuditFilter Parse(IQueryCollection q) => new()
    {
        From = DateOnly.TryParse(q["from"], out var from) ? from : null,
        To = DateOnly.TryParse(q["to"], out var to) ? to : null,
        Actor = q["actor"].ToString() is { Length: > 0 } actor ? actor : null,
        Action = q["action"].ToString() is { Length: > 0 } action ? action : null,
        Operation = q["operation"].ToString() is { Length: > 0 } op ? op : null,
        RecordId = Guid.TryParse(q["recordId"], out var id) ? id : null,
    };

    /// <summary>
    /// The API's reading: a from, to or recordId it cannot read is a 400 naming it (docs/api.md, "Filtering"), not a filter silently
    /// dropped (which would widen the answer); the page's address bar stays lenient (<see cref="Parse"/>).
    /// </summary>
    public static AuditFilter ParseStrict(IQueryCollection q)
    {
        foreach (var name in new[] { "from", "to" })
            if (q[name].ToString() is { Length: > 0 } text && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                throw new InvalidInput(name, $"{name} must be a date as yyyy-MM-dd.");
        if (q["recordId"].ToString() is { Length: > 0 } id && !Guid.TryParse(id, out _))
            throw new InvalidInput("recordId", "recordId must be a patient, encounter or document id (uuid).");
        return Parse(q);
    }

    public string QueryString(int? page = null) => string.Join('&', new Dictionary<string, string?>
    {
        ["from"] = From?.ToString("yyyy-MM-dd"), ["to"] = To?.ToString("yyyy-MM-dd"), ["actor"] = Actor, ["action"] = Action,
        ["operation"] = Operation, ["recordId"] = RecordId?.ToString(), ["page"] = page?.ToString(),
    }.Where(kv => !string.IsNullOrEmpty(kv.Value)).Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value!)}"));
}

public static class AuditLog
{
    public static readonly string[] Actions = [PhiAudit.View, PhiAudit.List, PhiAudit.Export, PhiAudit.Download];

    /// <summary>The practice's PHI access entries matching the filter, newest first.</summary>
    public static IQueryable<AuditEntry> Query(IQuerySession query, AuditFilter f) => Filtered(query, f).OrderByDescending(a => a.At);

    static IQueryable<AuditEntry> Filtered(IQuerySession query, AuditFilter f)
    {
        var q = query.Query<AuditEntry>().AsQueryable();
        if (f.From is { } from) { var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero); q = q.Where(a => a.At >= start); }
        if (f.To is { } to) { var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero); q = q.Where(a => a.At < end); }
        if (!string.IsNullOrWhiteSpace(f.Actor)) { var actor = f.Actor.Trim(); q = q.Where(a => a.Actor.Contains(actor, StringComparison.OrdinalIgnoreCase)); }
        if (!string.IsNullOrWhiteSpace(f.Action)) { var action = f.Action.Trim().ToLowerInvariant(); q = q.Where(a => a.Action == action); }
        if (!string.IsNullOrWhiteSpace(f.Operation)) { var op = f.Operation.Trim(); q = q.Where(a => a.Operation == op); }
        if (f.RecordId is { } id) q = q.Where(a => a.RecordId == id || a.PatientId == id);
        return q;
    }

    public static readonly IReadOnlyList<CsvColumn<AuditEntry>> CsvColumns =
    [
        new("at", a => a.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")), new("actor", a => a.Actor), new("user_id", a => a.UserId),
        new("client_id", a => a.ClientId), new("organization_id", a => a.OrganizationId?.ToString()), new("action", a => a.Action),
        new("operation", a => a.Operation), new("record_type", a => a.RecordType), new("record_id", a => a.RecordId?.ToString()),
        new("patient_id", a => a.PatientId?.ToString()), new("purpose", a => a.Purpose), new("ip_address", a => a.IpAddress), new("path", a => a.Path),
    ];

    /// <summary>At most this many rows in one export; narrow the dates for more.</summary>
    public const int ExportLimit = 50_000;

    public static void MapAudit(this IEndpointRouteBuilder app)
    {
        var practice = app.MapGroup("/api/v1/practices/{practiceId:guid}").WithTags("Audit");
        practice.MapGet("/audit", List).WithName("ListPhiAccess").Requires(Permissions.AuditRead).Sorts(Sorting)
            .WithSummary("Who read or exported the practice's PHI, newest first")
            .WithDescription("Filters: from, to (yyyy-MM-dd, UTC days), actor (part of a name or app id), action (view, list, export, download), " +
                             "operation (e.g. patients.read), recordId (a patient, encounter or document). Paging: cursor and limit (1–200, default 50; " +
                             "'next' and the Link rel=\"next\" header; keyset on the time, so entries written meanwhile never shift a page), or the " +
                             "deprecated page and pageSize (max 200). sort: -at (default, keyset) or at; actor, action and operation page by position, " +
                             "so reads audited meanwhile can shift them by a row.")
            .ProducesProblem(400);
        practice.MapGet("/audit/export.csv", Export).WithName("ExportPhiAccess").Requires(Permissions.AuditRead)
            .WithSummary($"The filtered access log as CSV (at most {ExportLimit:N0} rows, newest first)")
            .Produces<string>(200, "text/csv");
    }

    static readonly Sorting<AuditEntry> Sorting = new Sorting<AuditEntry>("-at")
    {
        { "at", "when it happened", a => a.At },
        { "actor", "who read or exported", a => a.Actor },
        { "action", "view, list, export or download", a => a.Action },
        { "operation", "the API operation or page", a => a.Operation },
    }.TieBreak(a => a.Id);

    static async Task<Ok<PageOf<AuditEntry>>> List(IQuerySession query, HttpContext context, string? sort, string? cursor, int? limit, int? page, int? pageSize,
        CancellationToken ct)
    {
        var order = Sorting.Parse(sort);
        var filtered = Filtered(query, AuditFilter.ParseStrict(context.Request.Query));
        // Oldest first by position is as stable as the keyset: entries written meanwhile land after the reader.
        if (!order.IsDefault || (cursor is null && limit is null))
            return TypedResults.Ok(await filtered.ToPageOrCursorAsync(order, page, pageSize, cursor, limit, context, ct));
        // Keyset on (time, id), newest first: reading the log writes to it (a list is audited), so positions would shift under a reader.
        var request = CursorPaging.Parse(cursor, limit, order);
        CursorPaging.NotBoth(page, pageSize);
        var total = await filtered.CountAsync(ct);
        var q = filtered;
        if (request.Position() is { } after)
        {
            var at = CursorPaging.Time(after.Number);
            var id = Guid.TryParse(after.Tie, out var g) ? g : throw new InvalidInput("cursor", "cursor must be a value this list returned in 'next'.");
            q = q.Where(a => a.At < at || (a.At == at && a.Id.CompareTo(id) < 0));
        }
        var rows = await q.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(request.Fetch).ToListAsync(ct);
        return TypedResults.Ok(CursorPaging.Page(rows, request, a => CursorPaging.Key(CursorPaging.Ticks(a.At), a.Id.ToString("N")))
            .AsPageOf(request, total, context));
    }

    static async Task<CsvDownload<AuditEntry>> Export(IQuerySession query, HttpContext context, CancellationToken ct) =>
        new("phi-access-log.csv", CsvColumns, await Query(query, AuditFilter.Parse(context.Request.Query)).Take(ExportLimit).ToListAsync(ct));
}
