using System.Security.Cryptography;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Portal.Web.Features.Codes;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Settings;

namespace Portal.Web.Features.Coding;

/// <summary>
/// The coding screen in one load: encounter header, visit notes and documents (from <see cref="EncounterDetails"/>),
/// the codes so far with their warnings, provider queries, due time and the stream version (also the ETag).
/// </summary>
public sealed record CodingChart(EncounterDetails Encounter, EncounterStatus Status, int Priority, DateTimeOffset? DueAt, bool Overdue,
    Coder? Coder, CodedDiagnosis[] Diagnoses, ServiceLine[] Lines, CodeFinding[] Findings, ProviderQuery[] Queries, long Version)
{
    public IEnumerable<ProviderQuery> OpenQueries => Queries.Where(q => q.Open);

    public static async Task<CodingChart?> Load(IQuerySession query, Guid encounterId, DateTimeOffset now, CancellationToken ct)
    {
        var batch = query.CreateBatchQuery();
        var details = batch.Load<EncounterDetails>(encounterId);
        var encounter = batch.Load<Encounter>(encounterId);
        await batch.Execute(ct);
        return await details is { } d && await encounter is { } e ? From(d, e, now) : null;
    }

    public static CodingChart From(EncounterDetails details, Encounter e, DateTimeOffset now)
    {
        var w = e.Coding;
        var overdue = w.DueAt < now && CodingQueueRow.Running.Contains(e.Status);
        return new(details.WithState(e), e.Status, w.Priority, w.DueAt, overdue, w.Coder, w.Diagnoses, w.Lines,
            [.. w.DiagnosisFindings, .. w.LineFindings], w.Queries, e.Version);
    }
}

/// <summary>One QA review, for the accuracy report (inline projection of <see cref="ChartReviewed"/>).</summary>
public sealed record QaReview(Guid Id, Guid EncounterId, Guid CoderId, string CoderName, string Reviewer, bool Corrected, int Correct,
    int Compared, decimal Accuracy, DateTimeOffset At);

public sealed partial class QaReviewProjection : EventProjection
{
    public static QaReview Create(IEvent<ChartReviewed> e) =>
        new(e.Id, e.Data.EncounterId, e.Data.CoderId, e.Data.CoderName, e.Data.By, e.Data.Corrected, e.Data.Correct, e.Data.Compared,
            e.Data.Accuracy, e.Data.At);
}

/// <summary>A coder's code-level accuracy: Σ correct ÷ Σ |coder's ∪ reviewer's codes| over the reviews in the window.</summary>
public sealed record CoderAccuracy(Guid CoderId, string CoderName, int Reviews, int Corrected, int Correct, int Compared, decimal Accuracy);

public static class Accuracy
{
    /// <summary>
    /// The codes compared: each diagnosis code, and each procedure code with its modifiers (99213-25 ≠ 99213).
    /// Sequence and units are not counted at code level.
    /// </summary>
    public static HashSet<string> Codes(IEnumerable<CodedDiagnosis> diagnoses, IEnumerable<ServiceLine> lines) =>
    [
        .. diagnoses.Select(d => "dx:" + d.Code),
        .. lines.Select(l => "px:" + string.Join('-', [l.Code, .. l.Modifiers.Order(StringComparer.Ordinal)])),
    ];

    public static (int Correct, int Compared) Compare(IEnumerable<CodedDiagnosis> coderDx, IEnumerable<ServiceLine> coderLines,
        IEnumerable<CodedDiagnosis> reviewerDx, IEnumerable<ServiceLine> reviewerLines)
    {
        var coder = Codes(coderDx, coderLines);
        var reviewer = Codes(reviewerDx, reviewerLines);
        return (coder.Intersect(reviewer).Count(), coder.Union(reviewer).Count());
    }

    public static decimal Ratio(int correct, int compared) => compared == 0 ? 1m : Math.Round((decimal)correct / compared, 4);

    public static async Task<IReadOnlyList<CoderAccuracy>> PerCoder(IQuerySession query, DateTimeOffset? from, DateTimeOffset? to,
        CancellationToken ct)
    {
        var q = query.Query<QaReview>().AsQueryable();
        if (from is { } f) q = q.Where(r => r.At >= f);
        if (to is { } t) q = q.Where(r => r.At < t);
        var reviews = await q.ToListAsync(ct);
        return [.. reviews.GroupBy(r => r.CoderId).Select(g =>
        {
            var (correct, compared) = (g.Sum(r => r.Correct), g.Sum(r => r.Compared));
            return new CoderAccuracy(g.Key, g.OrderByDescending(r => r.At).First().CoderName, g.Count(), g.Count(r => r.Corrected),
                correct, compared, Ratio(correct, compared));
        }).OrderBy(a => a.CoderName)];
    }
}

public static class QaSampling
{
    /// <summary>
    /// Whether a submitted chart goes to QA. Coders with fewer approved charts than NewCoderChartCount have every chart
    /// reviewed; otherwise a deterministic QaSamplePercent share, by a hash of the encounter id (stable across retries and tests).
    /// </summary>
    public static (bool Sampled, string Why) Decide(PracticeSettings settings, Guid encounterId, int approvedCharts)
    {
        if (approvedCharts < settings.NewCoderChartCount)
            return (true, $"new coder: {approvedCharts} of {settings.NewCoderChartCount} approved charts");
        var bucket = Bucket(encounterId);
        return bucket < settings.QaSamplePercent
            ? (true, $"sampled: bucket {bucket} < {settings.QaSamplePercent}%")
            : (false, $"not sampled: bucket {bucket} ≥ {settings.QaSamplePercent}%");
    }

    public static int Bucket(Guid id) => (int)(BitConverter.ToUInt32(SHA256.HashData(id.ToByteArray()), 0) % 100);
}

/// <summary>An open provider query as the provider's worklist shows it, with its age and whether it is past escalation.</summary>
public sealed record OpenProviderQuery(Guid EncounterId, Guid QueryId, Guid ProviderId, string ProviderName, string PatientName,
    DateOnly DateOfService, string Question, string[] Options, string RaisedBy, DateTimeOffset RaisedAt, double AgeHours, bool Escalated);

public static class ProviderQueries
{
    public static async Task<IReadOnlyList<OpenProviderQuery>> Open(IQuerySession query, Guid? providerId, int escalationHours,
        DateTimeOffset now, CancellationToken ct)
    {
        var rows = await query.Query<CodingQueueRow>().Where(r => r.OpenQueries > 0).OrderBy(r => r.DueAt).Take(500).ToListAsync(ct);
        if (rows.Count == 0) return [];
        var encounters = await query.LoadManyAsync<Encounter>(ct, rows.Select(r => r.Id));
        var byId = rows.ToDictionary(r => r.Id);
        return [.. encounters
            .SelectMany(e => e.Coding.Queries.Where(q => q.Open && (providerId is null || q.ProviderId == providerId))
                .Select(q => (Row: byId[e.Id], Query: q)))
            .Select(x =>
            {
                var age = (now - x.Query.RaisedAt).TotalHours;
                return new OpenProviderQuery(x.Row.Id, x.Query.QueryId, x.Query.ProviderId, x.Query.ProviderName, x.Row.PatientName,
                    x.Row.DateOfService, x.Query.Question, x.Query.Options, x.Query.RaisedBy, x.Query.RaisedAt, Math.Round(age, 1),
                    age >= escalationHours);
            })
            .OrderByDescending(q => q.AgeHours)];
    }
}

/// <summary>One coder's turnaround over the charts first submitted in the window.</summary>
public sealed record CoderTurnaround(Guid CoderId, string CoderName, int Submitted, int WithinSla, decimal WithinSlaShare, double MedianHours);

/// <summary>
/// Turnaround against the practice's SLA (domain brief §9: "% within SLA per client"). A chart is within SLA when its first
/// submission came no later than its due time; the due time already moved by the time the chart waited on a provider query,
/// so query-pending time is excluded. Median hours run from queued to first submission (including time on hold).
/// </summary>
public sealed record TurnaroundReport(DateTimeOffset From, DateTimeOffset To, int TurnaroundHours, int Submitted, int WithinSla,
    decimal WithinSlaShare, double MedianHours, int OpenOverdue, IReadOnlyList<CoderTurnaround> PerCoder)
{
    public static async Task<TurnaroundReport> For(IQuerySession query, Guid practiceId, DateTimeOffset from, DateTimeOffset to,
        DateTimeOffset now, CancellationToken ct)
    {
        var turnaroundHours = (await Settings.PracticeSettings.For(query, practiceId, ct)).TurnaroundHours;
        var submitted = await query.Query<CodingQueueRow>().Where(r => r.SubmittedAt >= from && r.SubmittedAt < to).ToListAsync(ct);
        var overdue = await query.Query<CodingQueueRow>().CountAsync(r => r.DueAt < now && (r.Status == EncounterStatus.Queued
            || r.Status == EncounterStatus.Assigned || r.Status == EncounterStatus.InProgress || r.Status == EncounterStatus.Returned), ct);
        static bool Within(CodingQueueRow r) => r.DueAt is null || r.SubmittedAt <= r.DueAt;
        static double Median(IEnumerable<CodingQueueRow> rows)
        {
            var hours = rows.Where(r => r.QueuedAt is not null).Select(r => (r.SubmittedAt!.Value - r.QueuedAt!.Value).TotalHours).Order().ToArray();
            return hours.Length == 0 ? 0 : hours.Length % 2 == 1 ? hours[hours.Length / 2] : (hours[hours.Length / 2 - 1] + hours[hours.Length / 2]) / 2;
        }
        var perCoder = submitted.Where(r => r.CoderId is not null).GroupBy(r => r.CoderId!.Value).Select(g =>
        {
            var within = g.Count(Within);
            return new CoderTurnaround(g.Key, g.First().CoderName ?? "", g.Count(), within, Share(within, g.Count()), Math.Round(Median(g), 1));
        }).OrderBy(c => c.CoderName).ToList();
        var withinAll = submitted.Count(Within);
        return new(from, to, turnaroundHours, submitted.Count, withinAll, Share(withinAll, submitted.Count), Math.Round(Median(submitted), 1),
            overdue, perCoder);
    }

    static decimal Share(int part, int whole) => whole == 0 ? 0 : Math.Round((decimal)part / whole, 4);

    public string Csv()
    {
        var csv = new System.Text.StringBuilder("coder,submitted,within_sla,within_sla_share,median_hours\n");
        foreach (var c in PerCoder)
            csv.Append(c.CoderName.Replace(",", " ")).Append(',').Append(c.Submitted).Append(',').Append(c.WithinSla).Append(',')
                .Append(c.WithinSlaShare.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(',')
                .Append(c.MedianHours.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        return csv.ToString();
    }
}
