using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using Marten.Pagination;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

/// <summary>Filters of the encounter list, bound from the query string by the API and the page alike.</summary>
public sealed class EncounterFilter
{
    public EncounterStatus? Status { get; set; }
    public DateOnly? DosFrom { get; set; }
    public DateOnly? DosTo { get; set; }
    public Guid? ProviderId { get; set; }
    /// <summary>Part of the patient's name, or the exact MRN.</summary>
    public string? Patient { get; set; }
    /// <summary>dos, -dos (default), patient, -patient, opened, -opened.</summary>
    public string? Sort { get; set; }
    public int? Page { get; set; }
    public int? PageSize { get; set; }
    /// <summary>Cursor paging (docs/api.md): the previous answer's <c>next</c>; with <see cref="Limit"/>, instead of page and pageSize.</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "cursor")]
    public string? Cursor { get; set; }
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "limit")]
    public int? Limit { get; set; }
}

public static class IntakeQueries
{
    public static readonly string[] EncounterSorts = ["-dos", "dos", "patient", "-patient", "-opened", "opened"];

    /// <summary>
    /// A page of encounters by cursor (Platform/CursorPaging): keyset on the date of service then the opening time for sort -dos/dos,
    /// on the opening time for -opened/opened; a name sort has no stable key to page on (400: use page and pageSize).
    /// </summary>
    public static async Task<PageOf<Coding.CodingQueueRow>> EncountersByCursor(IQuerySession query, EncounterFilter f, CancellationToken ct)
    {
        var request = CursorPaging.Parse(f.Cursor, f.Limit);
        if (f.Page is not null || f.PageSize is not null)
            throw new InvalidInput("cursor", "Page either by cursor and limit or by page and pageSize, not both.");
        var sort = f.Sort ?? "-dos";
        if (sort is "patient" or "-patient")
            throw new InvalidInput("sort", "Cursor paging orders by date of service or opening time (sort -dos, dos, -opened, opened).");
        var filtered = Filter(query, f);
        var total = await filtered.CountAsync(ct);
        var q = filtered;
        var byDos = sort is "-dos" or "dos";
        var descending = sort.StartsWith('-');
        if (request.Position() is { } after)
        {
            var ticks = after.Number;
            if (byDos && !long.TryParse(after.Tie, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ticks))
                throw new InvalidInput("cursor", "cursor must be a value this list returned in 'next'.");
            var at = CursorPaging.Time(Math.Clamp(ticks, 0, DateTimeOffset.MaxValue.UtcTicks));
            var dos = DateOnly.FromDayNumber((int)Math.Clamp(after.Number, 0, DateOnly.MaxValue.DayNumber));
            q = (byDos, descending) switch
            {
                (true, true) => q.Where(r => r.DateOfService < dos || (r.DateOfService == dos && r.OpenedAt < at)),
                (true, false) => q.Where(r => r.DateOfService > dos || (r.DateOfService == dos && r.OpenedAt > at)),
                (false, true) => q.Where(r => r.OpenedAt < at),
                (false, false) => q.Where(r => r.OpenedAt > at),
            };
        }
        q = Sorted(q, sort);
        var rows = await q.Take(request.Fetch).ToListAsync(ct);
        var page = CursorPaging.Page(rows, request, r => byDos
            ? CursorPaging.Key(r.DateOfService.DayNumber, CursorPaging.Ticks(r.OpenedAt).ToString(System.Globalization.CultureInfo.InvariantCulture))
            : CursorPaging.Key(CursorPaging.Ticks(r.OpenedAt)));
        return new PageOf<Coding.CodingQueueRow>(page.Items, 0, request.Limit, total) { Next = page.Next };
    }

    /// <summary>The encounter list's rows, filtered and sorted; callers show them as <see cref="EncounterListRow"/>.</summary>
    public static IQueryable<Coding.CodingQueueRow> Encounters(IQuerySession query, EncounterFilter f) => Sorted(Filter(query, f), f.Sort ?? "-dos");

    static IQueryable<Coding.CodingQueueRow> Filter(IQuerySession query, EncounterFilter f)
    {
        var q = query.Query<Coding.CodingQueueRow>().AsQueryable();
        if (f.Status is { } status) q = q.Where(r => r.Status == status);
        if (f.DosFrom is { } from) q = q.Where(r => r.DateOfService >= from);
        if (f.DosTo is { } to) q = q.Where(r => r.DateOfService <= to);
        if (f.ProviderId is { } provider) q = q.Where(r => r.RenderingProviderId == provider);
        if (!string.IsNullOrWhiteSpace(f.Patient))
        {
            var term = f.Patient.Trim();
            q = q.Where(r => r.PatientName.Contains(term, StringComparison.OrdinalIgnoreCase) || r.Mrn == term);
        }
        return q;
    }

    static IQueryable<Coding.CodingQueueRow> Sorted(IQueryable<Coding.CodingQueueRow> q, string sort) =>
        sort switch
        {
            "-dos" => q.OrderByDescending(r => r.DateOfService).ThenByDescending(r => r.OpenedAt),
            "dos" => q.OrderBy(r => r.DateOfService).ThenBy(r => r.OpenedAt),
            "patient" => q.OrderBy(r => r.PatientName).ThenByDescending(r => r.DateOfService),
            "-patient" => q.OrderByDescending(r => r.PatientName).ThenByDescending(r => r.DateOfService),
            "-opened" => q.OrderByDescending(r => r.OpenedAt),
            "opened" => q.OrderBy(r => r.OpenedAt),
            _ => throw new BadHttpRequestException($"sort must be one of {string.Join(", ", EncounterSorts)}."),
        };

    public static IQueryable<Patient> Patients(IQuerySession query, string? search, string? sort)
    {
        var q = query.Query<Patient>().AsQueryable();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            q = q.Where(p => p.Mrn == term
                || p.Demographics.LastName.Contains(term, StringComparison.OrdinalIgnoreCase)
                || p.Demographics.FirstName.Contains(term, StringComparison.OrdinalIgnoreCase));
        }
        return (sort ?? "name") switch
        {
            "name" => q.OrderBy(p => p.Demographics.LastName).ThenBy(p => p.Demographics.FirstName),
            "-name" => q.OrderByDescending(p => p.Demographics.LastName).ThenByDescending(p => p.Demographics.FirstName),
            "mrn" => q.OrderBy(p => p.Mrn),
            "-registered" => q.OrderByDescending(p => p.RegisteredAt),
            _ => throw new BadHttpRequestException("sort must be one of name, -name, mrn, -registered."),
        };
    }

    public static async Task<IReadOnlyList<Provider>> Providers(IQuerySession query, CancellationToken ct) =>
        await query.Query<Provider>().OrderBy(p => p.Name).ToListAsync(ct);

    public static async Task<IReadOnlyList<Payer>> Payers(IQuerySession query, CancellationToken ct) =>
        await query.Query<Payer>().OrderBy(p => p.Name).ToListAsync(ct);

    public static async Task<IReadOnlyList<HistoryEntry>> History(IQuerySession query, Guid streamId, CancellationToken ct)
    {
        var events = await query.Events.FetchStreamAsync(streamId, token: ct);
        return [.. events.Select(HistoryEntry.From)];
    }
}

/// <summary>One event of a stream as the history screen shows it. Who/when/why come from the event itself.</summary>
public sealed record HistoryEntry(long Version, string Event, string By, DateTimeOffset At, string? Reason, JsonElement Data)
{
    public static HistoryEntry From(JasperFx.Events.IEvent e)
    {
        var data = JsonSerializer.SerializeToElement(e.Data, e.EventType, Json);
        string? Text(string name) => data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var at = data.TryGetProperty("at", out var a) && a.TryGetDateTimeOffset(out var when) ? when : e.Timestamp;
        return new(e.Version, e.EventTypeName, Text("by") ?? e.UserName ?? "unknown", at, Text("reason"), data);
    }

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
}
