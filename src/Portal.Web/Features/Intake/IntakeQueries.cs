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
}

public static class IntakeQueries
{
    public static readonly string[] EncounterSorts = ["-dos", "dos", "patient", "-patient", "-opened", "opened"];

    /// <summary>The encounter list's rows, filtered and sorted; callers show them as <see cref="EncounterListRow"/>.</summary>
    public static IQueryable<Coding.CodingQueueRow> Encounters(IQuerySession query, EncounterFilter f)
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
        return (f.Sort ?? "-dos") switch
        {
            "-dos" => q.OrderByDescending(r => r.DateOfService).ThenByDescending(r => r.OpenedAt),
            "dos" => q.OrderBy(r => r.DateOfService).ThenBy(r => r.OpenedAt),
            "patient" => q.OrderBy(r => r.PatientName).ThenByDescending(r => r.DateOfService),
            "-patient" => q.OrderByDescending(r => r.PatientName).ThenByDescending(r => r.DateOfService),
            "-opened" => q.OrderByDescending(r => r.OpenedAt),
            "opened" => q.OrderBy(r => r.OpenedAt),
            _ => throw new BadHttpRequestException($"sort must be one of {string.Join(", ", EncounterSorts)}."),
        };
    }

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
