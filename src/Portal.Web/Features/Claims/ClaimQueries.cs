using System.Buffers.Text;
using System.Text;
using Marten;
using Portal.Billing.Scrubbing;
using Portal.Web.Platform;
using Portal.Web.Platform.Csv;

namespace Portal.Web.Features.Claims;

/// <summary>
/// The work queue's filters (API query string and page alike). state: one or more of the <see cref="ClaimState"/> names, comma
/// separated, or "open" (anything with a finding to fix or override). age: days since the date of service, 0-30, 31-60, 61-90,
/// 91-120 or 120+. rule: an edit id (docs/edits.md): claims with that open finding.
/// </summary>
/// Properties rather than a positional record: the request delegate generator's code for a positional one with <c>string?</c>
/// parameters does not compile (ADR 0046).
public sealed record ClaimFilter
{
    public Guid? PayerId { get; init; }
    public Guid? ProviderId { get; init; }
    public DateOnly? DosFrom { get; init; }
    public DateOnly? DosTo { get; init; }
    public string? State { get; init; }
    public string? Age { get; init; }
    public string? Rule { get; init; }
    public string? Search { get; init; }
    public string? Sort { get; init; }

    public bool Any => PayerId is not null || ProviderId is not null || DosFrom is not null || DosTo is not null || !string.IsNullOrEmpty(State)
        || !string.IsNullOrEmpty(Age) || !string.IsNullOrEmpty(Rule) || !string.IsNullOrEmpty(Search);

    public static readonly string[] AgeBuckets = ["0-30", "31-60", "61-90", "91-120", "120+"];
}

/// <summary>One row of the claim work queue (API list, page, CSV).</summary>
public sealed record ClaimRow(Guid Id, string PatientControlNumber, Guid PatientId, string PatientName, string Mrn, DateOnly DateOfService,
    Guid PayerId, string PayerName, Guid RenderingProviderId, string RenderingProviderName, ClaimState State, string StateLabel,
    string FrequencyCode, string Responsibility, decimal TotalCharge, int ErrorCount, int WarningCount, int OpenCount, string[] OpenRules,
    bool AwaitingCoding, int AgeDays, DateTimeOffset CreatedAt, long Version)
{
    public static ClaimRow From(ClaimView c, DateOnly today) => new(c.Id, c.PatientControlNumber, c.PatientId, c.PatientName, c.Mrn,
        c.DateOfService, c.Coverage.PayerId, c.Coverage.PayerName, c.RenderingProvider.ProviderId, c.RenderingProvider.Name, c.State,
        ClaimStates.Label(c.State), c.FrequencyCode, c.Coverage.Responsibility, c.TotalCharge, c.ErrorCount, c.WarningCount, c.OpenCount,
        c.OpenRules, c.AwaitingCoding, today.DayNumber - c.DateOfService.DayNumber, c.CreatedAt, c.Version);
}

/// <summary>A page of claims: <see cref="Next"/> is the opaque cursor of the next page (also in the Link header), null on the last.</summary>
public sealed record ClaimList(IReadOnlyList<ClaimRow> Items, string? Next);

/// <summary>An edit of the catalogue with the open claims that fail it (the queue's grouping).</summary>
public sealed record ClaimEditGroup(string Rule, string Title, string Severity, int Claims);

public static class ClaimQueries
{
    public static readonly (string Key, string Label)[] Sorts =
    [
        ("-created", "Newest first"), ("created", "Oldest first"), ("dos", "Date of service, oldest"), ("-dos", "Date of service, newest"),
        ("patient", "Patient A–Z"), ("-charge", "Highest charge"), ("-findings", "Most findings"),
    ];

    public static IQueryable<ClaimView> Filtered(IQuerySession session, ClaimFilter f, DateOnly today)
    {
        var q = session.Query<ClaimView>().AsQueryable();
        if (f.PayerId is { } payer) q = q.Where(c => c.Coverage.PayerId == payer);
        if (f.ProviderId is { } provider) q = q.Where(c => c.RenderingProvider.ProviderId == provider);
        if (f.DosFrom is { } from) q = q.Where(c => c.DateOfService >= from);
        if (f.DosTo is { } to) q = q.Where(c => c.DateOfService <= to);
        if (!string.IsNullOrWhiteSpace(f.State))
        {
            var parts = f.State.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Contains("open", StringComparer.OrdinalIgnoreCase))
                q = q.Where(c => c.OpenCount > 0 || c.AwaitingCoding);
            var states = parts.Where(p => !p.Equals("open", StringComparison.OrdinalIgnoreCase)).Select(p =>
                Enum.TryParse<ClaimState>(p, ignoreCase: true, out var s) ? s
                    : throw new InvalidInput("state", $"state is one or more of: open, {string.Join(", ", Enum.GetNames<ClaimState>())}.")).ToArray();
            if (states.Length > 0) q = q.Where(c => states.Contains(c.State));
        }
        if (!string.IsNullOrWhiteSpace(f.Age))
        {
            var (min, max) = f.Age switch
            {
                "0-30" => (0, 30), "31-60" => (31, 60), "61-90" => (61, 90), "91-120" => (91, 120), "120+" => (121, 100_000),
                _ => throw new InvalidInput("age", $"age is one of {string.Join(", ", ClaimFilter.AgeBuckets)} (days since the date of service)."),
            };
            var newest = today.AddDays(-min);
            var oldest = today.AddDays(-Math.Min(max, 100_000 - 1));
            q = q.Where(c => c.DateOfService <= newest && c.DateOfService >= oldest);
        }
        if (!string.IsNullOrWhiteSpace(f.Rule))
        {
            var rule = f.Rule.Trim();
            q = q.Where(c => c.OpenRules.Contains(rule));
        }
        if (!string.IsNullOrWhiteSpace(f.Search))
        {
            var s = f.Search.Trim();
            q = q.Where(c => c.PatientName.Contains(s, StringComparison.OrdinalIgnoreCase) || c.Mrn == s || c.PatientControlNumber == s.ToUpperInvariant());
        }
        return q;
    }

    /// <summary>The claim list's sort keys (docs/api.md, "Sorting"): the API, the CSV export and the work queue page alike.</summary>
    public static readonly Sorting<ClaimView> Sorting = new Sorting<ClaimView>("-created")
    {
        { "created", "when the claim was drafted", c => c.CreatedAt },
        { "dos", "date of service", c => c.DateOfService },
        { "charge", "total charge", c => c.TotalCharge },
        { "payer", "payer name", c => c.Coverage.PayerName },
        { "state", "claim state", c => c.State },
        { "patient", "patient name", c => c.PatientName },
        { "provider", "rendering provider name", c => c.RenderingProvider.Name },
        { "findings", "open findings", c => c.OpenCount },
        { "updated", "last change", c => c.UpdatedAt },
        { "controlNumber", "patient control number", c => c.PatientControlNumber },
    }.TieBreak(c => c.PatientControlNumber);

    public static IQueryable<ClaimView> Sorted(IQueryable<ClaimView> q, string? sort) => Sorting.Parse(sort).Apply(q);

    /// <summary>Open claims' edit groups: by the number of claims failing them (default: most first), the rule id, the title or the severity.</summary>
    public static readonly Sorting<ClaimEditGroup> EditSorting = new Sorting<ClaimEditGroup>("-claims")
    {
        { "claims", "number of open claims failing the edit", g => g.Claims },
        { "rule", "edit id", g => g.Rule },
        { "title", "edit title", g => g.Title },
        { "severity", "severity (Error before Warning)", g => g.Severity },
    }.TieBreak(g => g.Rule);

    /// <summary>
    /// The API list: newest first, keyset-paged under the cursor convention (Platform/CursorPaging): the key is the last row's
    /// creation time and control number, so a page never repeats or skips a claim while others are drafted. Another sort pages by
    /// position (ADR 0035).
    /// </summary>
    public static async Task<ClaimList> Page(IQuerySession session, ClaimFilter filter, string? cursor, int? limit, DateOnly today, CancellationToken ct)
    {
        var sort = Sorting.Parse(filter.Sort);
        var request = CursorPaging.Parse(cursor, limit, sort);
        var q = Filtered(session, filter with { Sort = null }, today);
        if (!sort.IsDefault)
        {
            var found = await sort.Apply(q).ToCursorPageAsync(request, ct);
            return new ClaimList([.. found.Items.Select(c => ClaimRow.From(c, today))], found.Next);
        }
        if (request.Position() is { } after)
        {
            var at = CursorPaging.Time(after.Number);
            var pcn = after.Tie ?? "";
            q = q.Where(c => c.CreatedAt < at || (c.CreatedAt == at && c.PatientControlNumber.CompareTo(pcn) < 0));
        }
        var rows = await q.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.PatientControlNumber).Take(request.Fetch).ToListAsync(ct);
        var page = CursorPaging.Page(rows, request, c => CursorPaging.Key(c.CreatedAt.UtcTicks, c.PatientControlNumber));
        return new ClaimList([.. page.Items.Select(c => ClaimRow.From(c, today))], page.Next);
    }

    /// <summary>Open claims grouped by the edits they fail, most claims first, with the edit's title in plain words.</summary>
    public static async Task<IReadOnlyList<ClaimEditGroup>> ByEdit(IQuerySession session, ClaimFilter filter, DateOnly today, CancellationToken ct)
    {
        var open = await Filtered(session, filter with { Rule = null }, today).Where(c => c.OpenCount > 0)
            .Select(c => c.OpenRules).Take(10_000).ToListAsync(ct);
        return [.. open.SelectMany(r => r).GroupBy(r => r).Select(g => new ClaimEditGroup(g.Key, Edits.Find(g.Key)?.Title ?? g.Key,
            Edits.Find(g.Key)?.Severity.ToString() ?? "Error", g.Count())).OrderByDescending(g => g.Claims).ThenBy(g => g.Rule)];
    }

    public static readonly IReadOnlyList<CsvColumn<ClaimRow>> Columns =
    [
        new("Control number", r => r.PatientControlNumber), new("Patient", r => r.PatientName), new("MRN", r => r.Mrn),
        new("Date of service", r => r.DateOfService, "yyyy-MM-dd"), new("Payer", r => r.PayerName), new("Rendering provider", r => r.RenderingProviderName),
        new("State", r => r.StateLabel), new("Frequency", r => ClaimStates.Frequency(r.FrequencyCode)), new("Charge", r => r.TotalCharge, "0.00"),
        new("Errors", r => r.ErrorCount), new("Warnings", r => r.WarningCount), new("Open edits", r => string.Join(' ', r.OpenRules)),
        new("Days since service", r => r.AgeDays), new("Claim id", r => r.Id),
    ];
}
