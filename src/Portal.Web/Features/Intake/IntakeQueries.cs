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
    /// <summary>The encounter list's sort keys (docs/api.md, "Sorting"); the page's "Sort by" offers the same values.</summary>
    public static readonly Sorting<Coding.CodingQueueRow> EncounterSorting = new Sorting<Coding.CodingQueueRow>("-dos")
    {
        { "dos", "date of service, then opening time", r => r.DateOfService, r => r.OpenedAt },
        { "opened", "when the encounter was opened", r => r.OpenedAt },
        { "patient", "patient name", r => r.PatientName },
        { "status", "status", r => r.Status },
        { "provider", "rendering provider name", r => r.RenderingProviderName },
        { "payer", "primary payer name", r => r.PayerName },
    }.TieBreak(r => r.Id);

    /// <summary>
    /// A page of encounters by cursor (Platform/CursorPaging): keyset on the date of service then the opening time for sort -dos/dos,
    /// on the opening time for -opened/opened; any other sort pages by position (ADR 0035).
    /// </summary>
    public static async Task<PageOf<Coding.CodingQueueRow>> EncountersByCursor(IQuerySession query, EncounterFilter f, HttpContext context, CancellationToken ct)
    {
        var sort = EncounterSorting.Parse(f.Sort);
        var (first, descending) = sort.First;
        var keyset = sort.Is("dos", descending) || sort.Is("opened", descending);
        if (!keyset) return await Filter(query, f).ToPageOrCursorAsync(sort, f.Page, f.PageSize, f.Cursor, f.Limit, context, ct);
        var request = CursorPaging.Parse(f.Cursor, f.Limit, sort);
        CursorPaging.NotBoth(f.Page, f.PageSize);
        var filtered = Filter(query, f);
        var total = await filtered.CountAsync(ct);
        var q = filtered;
        var byDos = first == "dos";
        if (request.Position() is { } after)
        {
            var ticks = after.Number;
            if (byDos && !long.TryParse(after.Tie, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ticks))
                throw new InvalidInput("cursor", "cursor must be a value this list returned in 'next'.");
            var at = CursorPaging.Time(Math.Clamp(ticks, 0, DateTimeOffset.MaxValue.UtcTicks));
            var dos = DateOnly.FromDayNumber((int)Math.Clamp(after.Number, 0, DateOnly.MaxValue.DayNumber));
            // The cursor holds the opening time cut to whole microseconds; PostgreSQL may have rounded the stored time up to the
            // next one. Going up, "after" therefore starts one microsecond later, or the last row of a page came back as the first
            // of the next and the walk never ended (a CI run hung on it).
            var above = at.AddTicks(10);
            q = (byDos, descending) switch
            {
                (true, true) => q.Where(r => r.DateOfService < dos || (r.DateOfService == dos && r.OpenedAt < at)),
                (true, false) => q.Where(r => r.DateOfService > dos || (r.DateOfService == dos && r.OpenedAt > above)),
                (false, true) => q.Where(r => r.OpenedAt < at),
                (false, false) => q.Where(r => r.OpenedAt > above),
            };
        }
        var rows = await sort.Apply(q).Take(request.Fetch).ToListAsync(ct);
        var page = CursorPaging.Page(rows, request, r => byDos
            ? CursorPaging.Key(r.DateOfService.DayNumber, CursorPaging.Ticks(r.OpenedAt).ToString(System.Globalization.CultureInfo.InvariantCulture))
            : CursorPaging.Key(CursorPaging.Ticks(r.OpenedAt)));
        return new PageOf<Coding.CodingQueueRow>(page.Items, 0, request.Limit, total) { Next = page.Next };
    }

    /// <summary>The encounter list's rows, filtered and sorted; callers show them as <see cref="EncounterListRow"/>.</summary>
    public static IQueryable<Coding.CodingQueueRow> Encounters(IQuerySession query, EncounterFilter f) => EncounterSorting.Parse(f.Sort).Apply(Filter(query, f));

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

    public static readonly Sorting<Patient> PatientSorting = new Sorting<Patient>("name")
    {
        { "name", "last name, then first name", p => p.Demographics.LastName, p => p.Demographics.FirstName },
        { "mrn", "medical record number", p => p.Mrn },
        { "registered", "when the patient was registered", p => p.RegisteredAt },
        { "birthdate", "date of birth", p => p.Demographics.BirthDate },
    }.TieBreak(p => p.Id);

    public static IQueryable<Patient> Patients(IQuerySession query, string? search)
    {
        var q = query.Query<Patient>().AsQueryable();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            q = q.Where(p => p.Mrn == term
                || p.Demographics.LastName.Contains(term, StringComparison.OrdinalIgnoreCase)
                || p.Demographics.FirstName.Contains(term, StringComparison.OrdinalIgnoreCase));
        }
        return q;
    }

    public static IQueryable<Patient> Patients(IQuerySession query, string? search, string? sort) => PatientSorting.Parse(sort).Apply(Patients(query, search));

    public static readonly Sorting<Provider> ProviderSorting = new Sorting<Provider>("name")
    {
        { "name", "provider name", p => p.Name },
        { "npi", "NPI", p => p.Npi },
        { "enrolled", "when the provider was enrolled", p => p.EnrolledAt },
        { "id", "Portal's id", p => p.Id },
    }.TieBreak(p => p.Id);

    public static readonly Sorting<Payer> PayerSorting = new Sorting<Payer>("name")
    {
        { "name", "payer name", p => p.Name },
        { "payerId", "clearinghouse payer id", p => p.ClearinghousePayerId },
        { "timelyFiling", "timely-filing limit in days", p => p.TimelyFilingDays },
        { "added", "when the payer was added", p => p.AddedAt },
        { "id", "Portal's id", p => p.Id },
    }.TieBreak(p => p.Id);

    public static readonly Sorting<HistoryEntry> HistorySorting = new Sorting<HistoryEntry>("version")
    {
        { "version", "the stream's event order (oldest first)", e => e.Version },
        { "at", "when it happened", e => e.At },
    }.TieBreak(e => e.Version);

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
