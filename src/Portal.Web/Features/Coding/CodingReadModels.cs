using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Marten.Events.Projections;
using Portal.Billing.Coding;
using Portal.Web.Features.Codes;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Settings;
using Portal.Web.Platform;

namespace Portal.Web.Features.Coding;

/// <summary>
/// The coding screen in one load: encounter header, visit notes and documents (from <see cref="EncounterDetails"/>),
/// the codes so far with their warnings, provider queries, due time and the stream version (also the ETag).
/// </summary>
public sealed record CodingChart(EncounterDetails Encounter, EncounterStatus Status, int Priority, DateTimeOffset? DueAt, bool Overdue,
    Coder? Coder, CodedDiagnosis[] Diagnoses, ServiceLine[] Lines, CodeFinding[] Findings, ProviderQuery[] Queries, long Version,
    QaOutcome? Qa = null)
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
            [.. w.DiagnosisFindings, .. w.LineFindings], w.Queries, e.Version, w.Qa);
    }
}

/// <summary>One QA review, for the accuracy report (inline projection of <see cref="ChartReviewed"/>).</summary>
public sealed record QaReview(Guid Id, Guid EncounterId, Guid CoderId, string CoderName, string Reviewer, bool Corrected, int Correct,
    int Compared, decimal Accuracy, DateTimeOffset At, QaError[]? Errors = null, decimal ChargeImpact = 0)
{
    /// <summary>Reviews recorded before error types existed have none; a correction then counts as one error of unknown type.</summary>
    public bool ErrorFree => Errors is { } e ? e.Length == 0 : !Corrected;
}

public sealed partial class QaReviewProjection : EventProjection
{
    public static QaReview Create(IEvent<ChartReviewed> e) =>
        new(e.Id, e.Data.EncounterId, e.Data.CoderId, e.Data.CoderName, e.Data.By, e.Data.Corrected, e.Data.Correct, e.Data.Compared,
            e.Data.Accuracy, e.Data.At, e.Data.Errors ?? [], e.Data.ChargeImpact);
}

/// <summary>A rebuttal of a QA review, by encounter (a chart is reviewed once): the worklist of disputes and the accuracy report read it.</summary>
public sealed record QaRebuttalRow(Guid Id, Guid CoderId, string Reason, string FiledBy, DateTimeOffset FiledAt, RebuttalStatus Status,
    string? Note, string? DecidedBy, DateTimeOffset? DecidedAt);

public sealed partial class QaRebuttalRowProjection : SingleStreamProjection<QaRebuttalRow, Guid>
{
    public static QaRebuttalRow Create(QaRebuttalFiled e) =>
        new(e.EncounterId, e.CoderId, e.Reason, e.By, e.At, RebuttalStatus.Pending, null, null, null);

    public static QaRebuttalRow Apply(QaRebuttalDecided e, QaRebuttalRow r) =>
        r with { Status = e.Accepted ? RebuttalStatus.Accepted : RebuttalStatus.Rejected, Note = e.Note, DecidedBy = e.By, DecidedAt = e.At };
}

/// <summary>
/// A coder's QA results over the reviews in the window. Accuracy is code-level: Σ correct ÷ Σ |coder's ∪ reviewer's codes|.
/// EncounterAccuracy is charts with no error ÷ charts reviewed (stricter: units, pointers and sequencing count too). OverCoded and
/// UnderCoded add up the dollar impact of the corrections each way. A review whose rebuttal was accepted counts as error-free.
/// </summary>
public sealed record CoderAccuracy(Guid CoderId, string CoderName, int Reviews, int Corrected, int Correct, int Compared, decimal Accuracy,
    int ErrorFree = 0, decimal EncounterAccuracy = 0, IReadOnlyDictionary<string, int>? ErrorsByType = null, decimal OverCoded = 0,
    decimal UnderCoded = 0, int Rebuttals = 0, int RebuttalsAccepted = 0);

/// <summary>One QA review as the reviews list shows it: the chart, what QA found, and the rebuttal if any.</summary>
public sealed record QaReviewItem(Guid ReviewId, Guid EncounterId, string PatientName, DateOnly? DateOfService, Guid CoderId,
    string CoderName, string Reviewer, DateTimeOffset ReviewedAt, bool Corrected, decimal Accuracy, QaError[] Errors, decimal ChargeImpact,
    RebuttalStatus? Rebuttal, string? RebuttalReason, string? RebuttalNote);

/// <summary>Filters of the reviews list, from the query string.</summary>
public sealed class QaReviewFilter
{
    public Guid? CoderId { get; set; }
    /// <summary>pending, accepted, rejected: reviews with a rebuttal in that state; any: with a rebuttal.</summary>
    public string? Rebuttal { get; set; }
    /// <summary>true: only reviews that found an error.</summary>
    public bool? Errors { get; set; }
    public DateTimeOffset? From { get; set; }
    public DateTimeOffset? To { get; set; }
    /// <summary>reviewed (default -reviewed), coder, accuracy, impact (docs/api.md, "Sorting").</summary>
    public string? Sort { get; set; }
    /// <summary>Cursor paging (docs/api.md): the previous answer's <c>next</c>; with <see cref="Limit"/>, instead of the deprecated page and pageSize.</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "cursor")]
    public string? Cursor { get; set; }
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "limit")]
    public int? Limit { get; set; }
    public int? Page { get; set; }
    public int? PageSize { get; set; }
}

public static class QaReviews
{
    public static readonly string[] RebuttalFilters = ["pending", "accepted", "rejected", "any"];

    public static readonly Sorting<QaReview> Sorting = new Sorting<QaReview>("-reviewed")
    {
        { "reviewed", "when the review was recorded", r => r.At },
        { "coder", "coder name", r => r.CoderName },
        { "accuracy", "code-level accuracy of the chart", r => r.Accuracy },
        { "impact", "dollar impact (reviewer's charges − coder's)", r => r.ChargeImpact },
    }.TieBreak(r => r.Id);

    /// <summary>QA reviewers and the practice admin see every coder's reviews; a coder sees their own.</summary>
    public static bool SeesAll(System.Security.Claims.ClaimsPrincipal user) =>
        user.IsInRole(Roles.PracticeAdmin) || user.IsInRole(Roles.QaReviewer);

    /// <summary>
    /// Whose reviews the caller sees: everyone's (null) for QA and the practice admin; a vendor's admin, the firm's coders
    /// (how its people pass the client's QA); anyone else, their own.
    /// </summary>
    public static async Task<IReadOnlyCollection<Guid>?> VisibleCoders(System.Security.Claims.ClaimsPrincipal user,
        Microsoft.AspNetCore.Identity.UserManager<Identity.PortalUser> users)
    {
        if (SeesAll(user)) return null;
        var caller = CodingCaller.From(user);
        if (caller.VendorAdminOf is { } firm)
            return [.. (await users.GetUsersInRoleAsync(Roles.VendorCoder)).Where(u => u.OrganizationId == firm).Select(u => u.Id), caller.Me.Id];
        return [caller.Me.Id];
    }

    /// <summary>Newest first. <paramref name="onlyCoders"/> (see <see cref="VisibleCoders"/>) bounds the list, whatever the filter says.</summary>
    /// <summary>A page of reviews; with <paramref name="context"/> (the API), by cursor when the caller sent cursor or limit.</summary>
    public static async Task<PageOf<QaReviewItem>> List(IQuerySession query, QaReviewFilter f, IReadOnlyCollection<Guid>? onlyCoders,
        CancellationToken ct, HttpContext? context = null)
    {
        var sort = Sorting.Parse(f.Sort);
        var filtered = await Filtered(query, f, onlyCoders, ct);
        var page = context is null
            ? await sort.Apply(filtered).ToPageAsync(f.Page, f.PageSize, ct)
            : await filtered.ToPageOrCursorAsync(sort, f.Page, f.PageSize, f.Cursor, f.Limit, context, ct);
        return new PageOf<QaReviewItem>(await Describe(query, page.Items, ct), page.Page, page.PageSize, page.Total) { Next = page.Next };
    }

    /// <summary>The export: up to 10,000 reviews, same filters.</summary>
    public static async Task<IReadOnlyList<QaReviewItem>> All(IQuerySession query, QaReviewFilter f, IReadOnlyCollection<Guid>? onlyCoders,
        CancellationToken ct) =>
        await Describe(query, await Sorting.Parse(f.Sort).Apply(await Filtered(query, f, onlyCoders, ct)).Take(10_000).ToListAsync(ct), ct);

    static async Task<IQueryable<QaReview>> Filtered(IQuerySession query, QaReviewFilter f, IReadOnlyCollection<Guid>? onlyCoders,
        CancellationToken ct)
    {
        if (f.Rebuttal is { } r && !RebuttalFilters.Contains(r))
            throw new InvalidInput("rebuttal", $"rebuttal must be one of: {string.Join(", ", RebuttalFilters)}.");
        var q = query.Query<QaReview>().AsQueryable();
        if (onlyCoders is not null)
        {
            Guid[] visible = [.. onlyCoders];
            q = q.Where(x => visible.Contains(x.CoderId));
        }
        if (f.CoderId is { } coder) q = q.Where(x => x.CoderId == coder);
        if (f.From is { } from) q = q.Where(x => x.At >= from);
        if (f.To is { } to) q = q.Where(x => x.At < to);
        if (f.Errors == true) q = q.Where(x => x.Corrected);
        if (f.Rebuttal is { } rebuttal)
        {
            var disputes = query.Query<QaRebuttalRow>().AsQueryable();
            if (rebuttal != "any")
            {
                var status = Enum.Parse<RebuttalStatus>(rebuttal, ignoreCase: true);
                disputes = disputes.Where(x => x.Status == status);
            }
            var ids = await disputes.Select(x => x.Id).ToListAsync(ct);
            q = q.Where(x => ids.Contains(x.EncounterId));
        }
        return q;
    }

    static async Task<IReadOnlyList<QaReviewItem>> Describe(IQuerySession query, IReadOnlyList<QaReview> reviews, CancellationToken ct)
    {
        if (reviews.Count == 0) return [];
        var ids = reviews.Select(r => r.EncounterId).Distinct().ToArray();
        var batch = query.CreateBatchQuery();
        var rows = batch.LoadMany<CodingQueueRow>().ById(ids);
        var rebuttals = batch.LoadMany<QaRebuttalRow>().ById(ids);
        await batch.Execute(ct);
        var rowById = (await rows).ToDictionary(x => x.Id);
        var rebuttalById = (await rebuttals).ToDictionary(x => x.Id);
        return [.. reviews.Select(r =>
        {
            var row = rowById.GetValueOrDefault(r.EncounterId);
            var dispute = rebuttalById.GetValueOrDefault(r.EncounterId);
            return new QaReviewItem(r.Id, r.EncounterId, row?.PatientName ?? "", row?.DateOfService, r.CoderId, r.CoderName, r.Reviewer, r.At,
                r.Corrected, r.Accuracy, r.Errors ?? [], r.ChargeImpact, dispute?.Status, dispute?.Reason, dispute?.Note);
        })];
    }

    static readonly Platform.Csv.CsvColumn<QaReviewItem>[] CsvColumns =
    [
        new("encounter_id", i => i.EncounterId), new("patient", i => i.PatientName), new("dos", i => i.DateOfService),
        new("coder", i => i.CoderName), new("reviewer", i => i.Reviewer), new("reviewed_at", i => i.ReviewedAt), new("corrected", i => i.Corrected),
        new("code_accuracy", i => i.Accuracy), new("errors", i => i.Errors.Length), new("error_types", i => string.Join("; ", i.Errors.Select(QaErrors.Label))),
        new("charge_impact", i => i.ChargeImpact), new("rebuttal", i => i.Rebuttal?.ToString().ToLowerInvariant()),
        new("rebuttal_reason", i => i.RebuttalReason), new("rebuttal_note", i => i.RebuttalNote),
    ];

    public static Platform.Csv.CsvDownload<QaReviewItem> Csv(IEnumerable<QaReviewItem> items) => new("qa-reviews.csv", CsvColumns, items);
}

/// <summary>
/// QA accuracy over the reviews in Marten. The comparison itself (codes in the union of the coder's and the reviewer's sets) and the
/// ratio are the billing library's <see cref="QaAccuracy"/>; this class only maps the chart's records to its inputs.
/// </summary>
public static class Accuracy
{
    /// <summary>Code-level comparison by the billing library (a changed code is one code compared, not two).</summary>
    public static (int Correct, int Compared) Compare(IEnumerable<CodedDiagnosis> coderDx, IEnumerable<ServiceLine> coderLines,
        IEnumerable<CodedDiagnosis> reviewerDx, IEnumerable<ServiceLine> reviewerLines) =>
        QaAccuracy.Compare(coderDx.Select(d => d.Code), coderLines.Select(l => new CodedLine(l.Code, l.Modifiers)),
            reviewerDx.Select(d => d.Code), reviewerLines.Select(l => new CodedLine(l.Code, l.Modifiers)));

    public static decimal Ratio(int correct, int compared) => QaAccuracy.Ratio(correct, compared);

    public static async Task<IReadOnlyList<CoderAccuracy>> PerCoder(IQuerySession query, DateTimeOffset? from, DateTimeOffset? to,
        CancellationToken ct)
    {
        var q = query.Query<QaReview>().AsQueryable();
        if (from is { } f) q = q.Where(r => r.At >= f);
        if (to is { } t) q = q.Where(r => r.At < t);
        var reviews = await q.ToListAsync(ct);
        var rebuttals = reviews.Count == 0 ? new Dictionary<Guid, QaRebuttalRow>()
            : (await query.LoadManyAsync<QaRebuttalRow>(ct, reviews.Select(r => r.EncounterId).Distinct())).ToDictionary(r => r.Id);
        // A review whose rebuttal was accepted no longer counts against the coder: all their codes were right.
        var scored = reviews.Select(r => rebuttals.GetValueOrDefault(r.EncounterId)?.Status == RebuttalStatus.Accepted
            ? r with { Corrected = false, Correct = r.Compared, Errors = [], ChargeImpact = 0 }
            : r).ToList();
        return [.. scored.GroupBy(r => r.CoderId).Select(g =>
        {
            var (correct, compared) = (g.Sum(r => r.Correct), g.Sum(r => r.Compared));
            var errorFree = g.Count(r => r.ErrorFree);
            var byType = g.SelectMany(r => r.Errors ?? []).GroupBy(e => e.Type).OrderBy(t => Array.IndexOf(QaErrors.Types, t.Key))
                .ToDictionary(t => t.Key, t => t.Count());
            var disputes = g.Select(r => rebuttals.GetValueOrDefault(r.EncounterId)).OfType<QaRebuttalRow>().ToList();
            return new CoderAccuracy(g.Key, g.OrderByDescending(r => r.At).First().CoderName, g.Count(), g.Count(r => r.Corrected),
                correct, compared, Ratio(correct, compared), errorFree, Ratio(errorFree, g.Count()), byType,
                -g.Where(r => r.ChargeImpact < 0).Sum(r => r.ChargeImpact), g.Where(r => r.ChargeImpact > 0).Sum(r => r.ChargeImpact),
                disputes.Count, disputes.Count(d => d.Status == RebuttalStatus.Accepted));
        }).OrderBy(a => a.CoderName)];
    }
}

/// <summary>
/// What QA changed, by error type (domain brief §9: record the error type and the dollar impact). Derived from the coder's and the
/// reviewer's codes, so every review is classified the same way:
/// missed-diagnosis / unsupported-diagnosis (a diagnosis only the reviewer / only the coder listed), sequencing (the first-listed
/// diagnosis changed while the coder had it further down), missed-procedure / unsupported-procedure (by CPT/HCPCS code),
/// modifier, units and pointer (the same procedure with other modifiers, units, or diagnoses pointed at).
/// </summary>
public static class QaErrors
{
    public const string MissedDiagnosis = QaComparison.MissedDiagnosis, UnsupportedDiagnosis = QaComparison.UnsupportedDiagnosis,
        Sequencing = QaComparison.Sequencing, MissedProcedure = QaComparison.MissedProcedure,
        UnsupportedProcedure = QaComparison.UnsupportedProcedure, Modifier = QaComparison.Modifier, Units = QaComparison.Units,
        Pointer = QaComparison.Pointer, Specificity = QaComparison.Specificity, EmLevel = QaComparison.EmLevel,
        ChangedProcedure = QaComparison.ChangedProcedure;

    public static readonly string[] Types = QaComparison.Types;

    /// <summary>The errors between the coder's codes and the reviewer's, classified by the billing library (<see cref="QaComparison"/>).</summary>
    public static QaError[] Between(CodedDiagnosis[] coderDx, ServiceLine[] coderLines, CodedDiagnosis[] reviewerDx, ServiceLine[] reviewerLines) =>
        [.. QaComparison.Findings([.. coderDx.Select(d => d.Code)], [.. coderLines.Select(Line)],
                [.. reviewerDx.Select(d => d.Code)], [.. reviewerLines.Select(Line)])
            .Select(f => new QaError(f.Type, f.Code, f.Detail))];

    static QaLine Line(ServiceLine line) => new(line.Code, line.Modifiers, line.Units, line.DiagnosisPointers);

    /// <summary>Reviewer's total charge − coder's: below zero the coder over-coded (would have overbilled), above zero under-coded.</summary>
    public static decimal ChargeImpact(ServiceLine[] coderLines, ServiceLine[] reviewerLines) =>
        reviewerLines.Sum(l => l.Charge) - coderLines.Sum(l => l.Charge);

    static string Dx(string code) => CodeSystems.Display(CodeSystems.Icd10Cm, code);

    /// <summary>The code as coders write it: E78.5 for a diagnosis error, the CPT/HCPCS code as is.</summary>
    public static string ShownCode(QaError e) => e.Type is MissedDiagnosis or UnsupportedDiagnosis or Sequencing or Specificity ? Dx(e.Code) : e.Code;

    /// <summary>"missed-diagnosis E78.5": the type and the code as coders write it, for lists and CSV.</summary>
    public static string Label(QaError e) => $"{e.Type} {ShownCode(e)}";

    /// <summary>"Missed diagnosis E78.5": the same in plain words, for pages.</summary>
    public static string Shown(QaError e) => $"{Labels.Code("qa", e.Type)} {ShownCode(e)}";

    /// <summary>"missed-diagnosis 1, sequencing 2", or a dash: a coder's errors by type in one cell.</summary>
    public static string Summary(IReadOnlyDictionary<string, int>? byType) =>
        byType is { Count: > 0 } ? string.Join(", ", byType.Select(kv => $"{Labels.Code("qa", kv.Key)} {kv.Value}")) : "—";

    /// <summary>The badge class of a rebuttal's state on the pages.</summary>
    public static string Badge(RebuttalStatus status) => status switch
    {
        RebuttalStatus.Pending => "warn",
        RebuttalStatus.Accepted => "ok",
        _ => "bad",
    };
}

/// <summary>
/// Whether a submitted chart goes to QA: the billing library's <see cref="Billing.Coding.QaSampling"/> (new coder, targeted, stable
/// hash bucket) over the practice's settings and the chart's lines.
/// </summary>
public static class QaSampling
{
    public static (bool Sampled, string Why) Decide(PracticeSettings settings, Guid encounterId, int approvedCharts, ServiceLine[] lines) =>
        Billing.Coding.QaSampling.Decide(new QaSamplingRules(settings.NewCoderChartCount, settings.QaSamplePercent, settings.QaTargeted),
            encounterId, approvedCharts, [.. lines.Select(Coded)]);

    public static CodedLine Coded(ServiceLine line) => new(line.Code, line.Modifiers);
}

/// <summary>An open provider query as the provider's worklist shows it, with its age and whether it is past escalation.</summary>
public sealed record OpenProviderQuery(Guid EncounterId, Guid QueryId, Guid ProviderId, string ProviderName, string PatientName,
    DateOnly DateOfService, string Question, string[] Options, string RaisedBy, DateTimeOffset RaisedAt, double AgeHours, bool Escalated);

public static class ProviderQueries
{
    /// <param name="firm">For a vendor's staff: only the queries on the firm's charts.</param>
    public static async Task<IReadOnlyList<OpenProviderQuery>> Open(IQuerySession query, Guid? providerId, int escalationHours,
        DateTimeOffset now, CancellationToken ct, Guid? firm = null)
    {
        var open = query.Query<CodingQueueRow>().Where(r => r.OpenQueries > 0);
        if (firm is { } f) open = open.Where(r => r.VendorId == f);
        var rows = await open.OrderBy(r => r.DueAt).Take(500).ToListAsync(ct);
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
    /// <param name="groups">The window's <see cref="Submissions"/> when the caller already has them (the QA page shares one read).</param>
    public static async Task<TurnaroundReport> For(IQuerySession query, Guid practiceId, DateTimeOffset from, DateTimeOffset to,
        DateTimeOffset now, CancellationToken ct, IReadOnlyList<Submissions.Group>? groups = null)
    {
        var turnaroundHours = (await Settings.PracticeSettings.For(query, practiceId, ct)).TurnaroundHours;
        groups ??= await Submissions.ByCoder(query, from, to, ct);
        var overdue = await query.Query<CodingQueueRow>().CountAsync(r => r.DueAt < now && (r.Status == EncounterStatus.Queued
            || r.Status == EncounterStatus.Assigned || r.Status == EncounterStatus.InProgress || r.Status == EncounterStatus.Returned), ct);
        var perCoder = groups.Where(g => !g.All && g.CoderId is not null)
            .Select(g => new CoderTurnaround(g.CoderId!.Value, g.CoderName ?? "", g.Submitted, g.Within, Share(g.Within, g.Submitted),
                Math.Round(g.MedianHours ?? 0, 1)))
            .OrderBy(c => c.CoderName).ToList();
        var all = groups.FirstOrDefault(g => g.All) ?? Submissions.None;
        return new(from, to, turnaroundHours, all.Submitted, all.Within, Share(all.Within, all.Submitted), Math.Round(all.MedianHours ?? 0, 1),
            overdue, perCoder);
    }

    internal static decimal Share(int part, int whole) => whole == 0 ? 0 : Math.Round((decimal)part / whole, 4);

    static readonly Platform.Csv.CsvColumn<CoderTurnaround>[] CsvColumns =
    [
        new("coder", c => c.CoderName), new("submitted", c => c.Submitted), new("within_sla", c => c.WithinSla),
        new("within_sla_share", c => c.WithinSlaShare), new("median_hours", c => c.MedianHours),
    ];

    public Platform.Csv.CsvDownload<CoderTurnaround> Csv() => new("coding-turnaround.csv", CsvColumns, PerCoder);
}

/// <summary>
/// One coder's volume beside their quality over a window (domain brief §9: "always show accuracy beside volume"): charts first
/// submitted, the days they submitted on, charts per such day, the share within the SLA, and QA's code-level and
/// encounter-level accuracy over the reviews of the same window (null without reviews).
/// </summary>
public sealed record CoderProductivity(Guid CoderId, string CoderName, int Submitted, int ActiveDays, decimal PerActiveDay,
    decimal WithinSlaShare, int Reviews, decimal? Accuracy, decimal? EncounterAccuracy);

public sealed record ProductivityReport(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<CoderProductivity> PerCoder)
{
    /// <summary>Volume from <see cref="Submissions"/> (as the turnaround report); quality from <see cref="Accuracy"/>.</summary>
    public static async Task<ProductivityReport> For(IQuerySession query, DateTimeOffset from, DateTimeOffset to,
        IReadOnlyCollection<Guid>? onlyCoders, CancellationToken ct, IReadOnlyList<Submissions.Group>? groups = null)
    {
        var volume = (groups ?? await Submissions.ByCoder(query, from, to, ct))
            .Where(v => !v.All && v.CoderId is { } id && (onlyCoders is null || onlyCoders.Contains(id))).ToList();
        var quality = (await Coding.Accuracy.PerCoder(query, from, to, ct)).ToDictionary(a => a.CoderId);
        return new(from, to, [.. volume.Select(v =>
        {
            var q = quality.GetValueOrDefault(v.CoderId!.Value);
            return new CoderProductivity(v.CoderId.Value, v.CoderName ?? "", v.Submitted, v.ActiveDays,
                v.ActiveDays == 0 ? 0 : Math.Round((decimal)v.Submitted / v.ActiveDays, 1), TurnaroundReport.Share(v.Within, v.Submitted),
                q?.Reviews ?? 0, q?.Accuracy, q?.EncounterAccuracy);
        }).OrderByDescending(c => c.Submitted).ThenBy(c => c.CoderName)]);
    }

    static readonly Platform.Csv.CsvColumn<CoderProductivity>[] CsvColumns =
    [
        new("coder", c => c.CoderName), new("submitted", c => c.Submitted), new("active_days", c => c.ActiveDays),
        new("per_active_day", c => c.PerActiveDay), new("within_sla_share", c => c.WithinSlaShare), new("reviews", c => c.Reviews),
        new("code_accuracy", c => c.Accuracy), new("encounter_accuracy", c => c.EncounterAccuracy),
    ];

    public Platform.Csv.CsvDownload<CoderProductivity> Csv() => new("coding-productivity.csv", CsvColumns, PerCoder);
}

/// <summary>
/// Charts first submitted in a window, per coder plus the total (All), aggregated in PostgreSQL (GROUPING SETS) over the
/// duplicated submitted_at, queued_at, due_at and coder_id columns; only the coders' names come from JSON, one row each.
/// A month of a busy practice is ~100,000 charts, which the reports must not load into memory (docs/benchmarks.md).
/// </summary>
public static class Submissions
{
    public sealed record Group(bool All, Guid? CoderId, string? CoderName, int Submitted, int Within, int ActiveDays, double? MedianHours);

    public static readonly Group None = new(true, null, null, 0, 0, 0, null);

    public static async Task<IReadOnlyList<Group>> ByCoder(IQuerySession query, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var table = $"{MartenSetup.Schema}.{CodingQueue.Table}";
        var rows = await query.AdvancedSql.QueryAsync<string>($"""
            with g as (
                select grouping(coder_id) = 1 as all_coders, coder_id, count(*) as submitted,
                    count(*) filter (where due_at is null or submitted_at <= due_at) as within,
                    count(distinct (submitted_at at time zone 'UTC')::date) as active_days,
                    percentile_cont(0.5) within group (order by extract(epoch from submitted_at - queued_at) / 3600.0) as median_hours
                from {table} where tenant_id = ? and submitted_at >= ? and submitted_at < ?
                group by grouping sets ((coder_id), ()))
            select json_build_object('All', g.all_coders, 'CoderId', g.coder_id, 'Submitted', g.submitted, 'Within', g.within,
                'ActiveDays', g.active_days, 'MedianHours', g.median_hours, 'CoderName',
                (select r.data->>'CoderName' from {table} r where r.tenant_id = ? and r.coder_id = g.coder_id limit 1))::text
            from g
            """, ct, query.TenantId, from, to, query.TenantId);
        return [.. rows.Select(r => System.Text.Json.JsonSerializer.Deserialize<Group>(r)!)];
    }
}
