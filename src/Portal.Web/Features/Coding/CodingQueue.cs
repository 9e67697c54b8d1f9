using Marten;
using Marten.Events.Aggregation;
using Marten.Services;
using Npgsql;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;

namespace Portal.Web.Features.Coding;

/// <summary>
/// One encounter as the lists show it: the coding queues, and intake's encounter list (<see cref="EncounterListRow"/> is its
/// API shape). An inline projection of the encounter stream, one row per encounter, and the only document besides the stream's
/// snapshot that a status change rewrites. Status, coder, priority and due time are duplicated into columns so "next chart"
/// is one indexed SELECT … FOR UPDATE SKIP LOCKED.
/// </summary>
public sealed record CodingQueueRow(Guid Id, EncounterStatus Status, DateOnly DateOfService, string PatientName, string Mrn,
    Guid RenderingProviderId, string RenderingProviderName, string? PayerName, int Priority, DateTimeOffset? QueuedAt,
    DateTimeOffset? DueAt, Guid? CoderId, string? CoderName, Guid? VendorId, DateTimeOffset? OnHoldSince, int OpenQueries,
    DateTimeOffset UpdatedAt, string PlaceOfService = "", Guid PatientId = default, string BillingProviderName = "", int Documents = 0,
    DateTimeOffset OpenedAt = default, DateTimeOffset? SubmittedAt = null)
{
    /// <summary>Statuses whose turnaround clock runs: on hold (waiting for the provider) stops it, submitting ends it.</summary>
    public static readonly EncounterStatus[] Running =
        [EncounterStatus.Queued, EncounterStatus.Assigned, EncounterStatus.InProgress, EncounterStatus.Returned];

    public bool IsOverdue(DateTimeOffset now) => DueAt < now && Running.Contains(Status);
}

public sealed partial class CodingQueueRowProjection : SingleStreamProjection<CodingQueueRow, Guid>
{
    public static CodingQueueRow Create(EncounterOpened e) =>
        new(e.EncounterId, EncounterStatus.New, e.DateOfService, e.PatientName, e.Mrn, e.RenderingProviderId, e.RenderingProviderName,
            e.PayerName, 0, null, null, null, null, null, null, 0, e.At, e.PlaceOfService, e.PatientId, e.BillingProviderName, 0, e.At);

    public static CodingQueueRow Apply(DocumentAttached _, CodingQueueRow r) => r with { Documents = r.Documents + 1 };

    public static CodingQueueRow Apply(ChartQueued e, CodingQueueRow r) =>
        r with { Status = EncounterStatus.Queued, Priority = e.Priority, QueuedAt = e.At, DueAt = e.DueAt, UpdatedAt = e.At };

    public static CodingQueueRow Apply(ChartAssigned e, CodingQueueRow r) =>
        r with { Status = EncounterStatus.Assigned, CoderId = e.Coder.Id, CoderName = e.Coder.Name, VendorId = e.Coder.VendorId, UpdatedAt = e.At };

    public static CodingQueueRow Apply(ChartReleased e, CodingQueueRow r) =>
        r with { Status = EncounterStatus.Queued, CoderId = null, CoderName = null, VendorId = null, UpdatedAt = e.At };

    // Only the first code moves the row (CodingStarted): later code edits leave the queue row, the list and the details alone.
    public static CodingQueueRow Apply(CodingStarted e, CodingQueueRow r) => r with { Status = EncounterStatus.InProgress, UpdatedAt = e.At };

    public static CodingQueueRow Apply(ProviderQueryRaised e, CodingQueueRow r) =>
        r with { Status = EncounterStatus.OnHold, OnHoldSince = r.OnHoldSince ?? e.At, OpenQueries = r.OpenQueries + 1, UpdatedAt = e.At };

    // Time waiting for the provider does not count against the coder: the due time moves by the time on hold.
    public static CodingQueueRow Apply(ProviderQueryAnswered e, CodingQueueRow r) => r with
    {
        Status = e.ChartResumed ? EncounterStatus.InProgress : r.Status,
        OnHoldSince = e.ChartResumed ? null : r.OnHoldSince,
        DueAt = e.ChartResumed ? r.DueAt + e.HeldFor : r.DueAt,
        OpenQueries = Math.Max(0, r.OpenQueries - 1),
        UpdatedAt = e.At,
    };

    // The first submission ends the coder's turnaround; a resubmission after QA returned the chart does not move it.
    public static CodingQueueRow Apply(ChartSubmitted e, CodingQueueRow r) => r with
    {
        Status = e.SampledForQa ? EncounterStatus.ReadyForQa : EncounterStatus.Approved, SubmittedAt = r.SubmittedAt ?? e.At, UpdatedAt = e.At,
    };

    public static CodingQueueRow Apply(ChartApproved e, CodingQueueRow r) => r with { Status = EncounterStatus.Approved, UpdatedAt = e.At };

    public static CodingQueueRow Apply(ChartReviewed e, CodingQueueRow r) => r with { Status = EncounterStatus.Approved, UpdatedAt = e.At };

    public static CodingQueueRow Apply(ChartReturned e, CodingQueueRow r) => r with { Status = EncounterStatus.Returned, UpdatedAt = e.At };
    public static CodingQueueRow Apply(ChartReturnedByBilling e, CodingQueueRow r) => r with { Status = EncounterStatus.Returned, UpdatedAt = e.At };
}

/// <summary>A queue row as the queue screens and the API list it, labelled with its practice (the vendor queue spans several).</summary>
public sealed record CodingQueueItem(Guid EncounterId, Guid PracticeId, string PracticeName, EncounterStatus Status, DateOnly DateOfService,
    string PatientName, string Mrn, string RenderingProviderName, string? PayerName, int Priority, DateTimeOffset? QueuedAt,
    DateTimeOffset? DueAt, bool Overdue, Guid? CoderId, string? CoderName, int OpenQueries)
{
    public static CodingQueueItem From(CodingQueueRow r, Guid practiceId, string practiceName, DateTimeOffset now) =>
        new(r.Id, practiceId, practiceName, r.Status, r.DateOfService, r.PatientName, r.Mrn, r.RenderingProviderName, r.PayerName,
            r.Priority, r.QueuedAt, r.DueAt, r.IsOverdue(now), r.CoderId, r.CoderName, r.OpenQueries);
}

/// <summary>Queue filters, bound from the query string. Without status, the queue shows every chart in coding (not new, not approved).</summary>
public sealed class QueueFilter
{
    public EncounterStatus? Status { get; set; }
    public Guid? CoderId { get; set; }
    /// <summary>"me": the caller's own charts.</summary>
    public string? Coder { get; set; }
    public bool? Overdue { get; set; }
    /// <summary>due (default), -due, priority (highest first), -priority, dos, -dos.</summary>
    public string? Sort { get; set; }
    /// <summary>Cursor paging (docs/api.md): the previous answer's <c>next</c>; with <see cref="Limit"/>, instead of the deprecated page and pageSize.</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "cursor")]
    public string? Cursor { get; set; }
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "limit")]
    public int? Limit { get; set; }
    public int? Page { get; set; }
    public int? PageSize { get; set; }
}

public static class CodingQueue
{
    /// <summary>The coding queues' sort keys (practice and vendor queue, API and pages alike; docs/api.md, "Sorting").</summary>
    public static readonly Sorting<CodingQueueRow> Sorting = new Sorting<CodingQueueRow>("due")
    {
        { "due", "SLA due time", r => r.DueAt },
        // "priority" has always meant the most urgent first; "-priority" the least.
        { "dos", "date of service, then due time", r => r.DateOfService, r => r.DueAt },
        { "patient", "patient name", r => r.PatientName },
        { "status", "status", r => r.Status },
        { "coder", "assigned coder's name", r => r.CoderName },
        { "queued", "when the chart was queued", r => r.QueuedAt },
    }.TieBreak(r => r.Id);

    static CodingQueue() => Sorting.AddReversed("priority", "priority, highest first; then due time", r => r.Priority, r => r.DueAt);

    /// <summary>The vendor queue: each practice's rows arrive sorted; one sort of them all on the same keys merges them.</summary>
    public static IEnumerable<TItem> Merge<TItem>(IReadOnlyList<(CodingQueueRow Row, TItem Item)> rows, Sort<CodingQueueRow> sort)
    {
        var items = new Dictionary<CodingQueueRow, TItem>(ReferenceEqualityComparer.Instance);
        foreach (var (row, item) in rows) items[row] = item;
        return sort.Apply(rows.Select(r => r.Row)).Select(r => items[r]);
    }

    public static IQueryable<CodingQueueRow> Rows(IQuerySession query, QueueFilter f, Guid? me, Guid? vendorId, DateTimeOffset now) =>
        Sorting.Parse(f.Sort).Apply(Filtered(query, f, me, vendorId, now));

    public static IQueryable<CodingQueueRow> Filtered(IQuerySession query, QueueFilter f, Guid? me, Guid? vendorId, DateTimeOffset now)
    {
        var q = query.Query<CodingQueueRow>().AsQueryable();
        if (f.Status is { } status) q = q.Where(r => r.Status == status);
        else q = q.Where(r => r.Status != EncounterStatus.New && r.Status != EncounterStatus.Approved);
        if (f.CoderId is { } coder) q = q.Where(r => r.CoderId == coder);
        if (f.Coder == "me" && me is { } self) q = q.Where(r => r.CoderId == self);
        // A vendor's coders see the unassigned charts and their own firm's, never the practice's in-house work.
        if (vendorId is { } vendor) q = q.Where(r => r.Status == EncounterStatus.Queued || r.VendorId == vendor);
        if (f.Overdue == true)
            q = q.Where(r => r.DueAt < now && (r.Status == EncounterStatus.Queued || r.Status == EncounterStatus.Assigned
                || r.Status == EncounterStatus.InProgress || r.Status == EncounterStatus.Returned));
        return q;
    }

    static readonly Platform.Csv.CsvColumn<CodingQueueItem>[] CsvColumns =
    [
        new("encounter_id", i => i.EncounterId), new("practice", i => i.PracticeName), new("status", i => i.Status),
        new("dos", i => i.DateOfService), new("patient", i => i.PatientName), new("mrn", i => i.Mrn), new("provider", i => i.RenderingProviderName),
        new("payer", i => i.PayerName), new("priority", i => i.Priority), new("due_at", i => i.DueAt), new("overdue", i => i.Overdue),
        new("coder", i => i.CoderName), new("open_queries", i => i.OpenQueries),
    ];

    public static Platform.Csv.CsvDownload<CodingQueueItem> Csv(IEnumerable<CodingQueueItem> items) => new("coding-queue.csv", CsvColumns, items);

    /// <summary>
    /// Gives <paramref name="coder"/> the next queued chart of <paramref name="practices"/> (in whichever database): highest priority, then earliest
    /// due. The row is locked with FOR UPDATE SKIP LOCKED and the ChartAssigned event is appended in the same transaction,
    /// so two coders pulling at once lock different rows and never share a chart. Null when the queues are empty.
    /// </summary>
    public static async Task<(Guid PracticeId, Guid EncounterId, CodingChart Chart)?> PullNext(IDocumentStore store, TenantDatabases databases,
        IReadOnlyCollection<Guid> practices, Coder coder, TimeProvider clock, CancellationToken ct)
    {
        // Practices over several databases (ADR 0031): each database's practices in one pull. With more than one database, each
        // database's head of the queue is read first (no lock) and the pull goes to the database with the best head, so the
        // coder gets the best chart of all the practices, not of the first database; if another coder took that chart meanwhile,
        // the pull there takes that database's next one, or the next database is tried.
        var groups = practices.GroupBy(p => databases.DatabaseOf(p.ToString())).Select(g => (Database: g.Key, Practices: g.ToList())).ToList();
        if (groups.Count == 1)
            return await PullNext(store, databases.Named(groups[0].Database), groups[0].Practices, coder, clock, ct);
        var heads = new List<(string Database, List<Guid> Practices, QueueHead Head)>(groups.Count);
        foreach (var (database, inDatabase) in groups)
            if (await Head(databases.Named(database), inDatabase, ct) is { } head)
                heads.Add((database, inDatabase, head));
        foreach (var (database, inDatabase, _) in heads.OrderByDescending(h => h.Head.Priority).ThenBy(h => h.Head.DueAt ?? DateTimeOffset.MaxValue).ThenBy(h => h.Head.Id))
            if (await PullNext(store, databases.Named(database), inDatabase, coder, clock, ct) is { } pulled)
                return pulled;
        return null;
    }

    readonly record struct QueueHead(int Priority, DateTimeOffset? DueAt, Guid Id);

    /// <summary>The best queued chart of <paramref name="practices"/> in one database, read without a lock (to choose a database).</summary>
    static async Task<QueueHead?> Head(NpgsqlDataSource db, IReadOnlyCollection<Guid> practices, CancellationToken ct)
    {
        await using var head = db.CreateCommand(HeadSql);
        head.Parameters.AddWithValue("tenants", practices.Select(p => p.ToString()).ToArray());
        await using var reader = await head.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new QueueHead(reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3), reader.GetGuid(0)) : null;
    }

    static async Task<(Guid PracticeId, Guid EncounterId, CodingChart Chart)?> PullNext(IDocumentStore store, NpgsqlDataSource db,
        IReadOnlyCollection<Guid> practices, Coder coder, TimeProvider clock, CancellationToken ct)
    {
        if (practices.Count == 0) return null;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Per practice, the head of its queue (one index probe each, skipping rows other coders hold); then the best of those.
        // "tenant_id = any(…)" in one scan would sort the whole queue: 180 ms at 100,000 charts instead of 0.2 ms.
        await using var pick = new NpgsqlCommand(PickSql, conn, tx);
        pick.Parameters.AddWithValue("tenants", practices.Select(p => p.ToString()).ToArray());
        Guid id;
        string tenant;
        await using (var reader = await pick.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct)) return null;
            (id, tenant) = (reader.GetGuid(0), reader.GetString(1));
        }
        var options = Marten.Services.SessionOptions.ForTransaction(tx);
        options.TenantId = tenant;
        // An identity-map session, so the queue row fetched with the stream is the one the projection updates (ADR 0040).
        await using var session = store.IdentitySession(options);
        var (stream, details) = await CodingWrites.FetchWithDetails(session, id, null, ct);
        var now = clock.GetUtcNow();
        stream.AppendOne(stream.Aggregate!.Assign(coder, pulled: true, "Pulled the next chart", coder.Name, now));
        await session.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        // The assigned chart from the session's identity map: no query after the commit.
        var latest = await session.Events.FetchLatest<Encounter>(id, ct);
        return (Guid.Parse(tenant), id, CodingChart.From(details!, latest!, now));
    }

    /// <summary>
    /// The best queued chart of the practices in <c>@tenants</c> (id, tenant, priority, due): per practice the head of its queue
    /// (one index probe each, skipping rows other coders hold when <paramref name="locking"/>), then the best of those.
    /// </summary>
    static readonly string PickSql = BestQueued(locking: true), HeadSql = BestQueued(locking: false);

    static string BestQueued(bool locking) => $"""
        select q.id, q.tenant_id, q.priority, q.due_at from unnest(@tenants::varchar[]) t(tenant)
        cross join lateral (
            select r.id, r.tenant_id, r.priority, r.due_at from {MartenSetup.Schema}.{Table} r
            where r.tenant_id = t.tenant and r.status = 'Queued'
            order by r.priority desc, r.due_at, r.id
            limit 1{(locking ? " for update skip locked" : "")}) q
        order by q.priority desc, q.due_at, q.id
        limit 1
        """;

    public const string Table = "mt_doc_codingqueuerow", NextIndex = "coding_queue_next";

    /// <summary>
    /// The members the queue's SQL and LINQ filter, sort or aggregate on, stored as columns so no index or query reads them
    /// from the JSON: status, priority and due time (the pull), coder, queued and submitted time (turnaround, submit's count),
    /// patient and date of service (the same-day checks, the encounter list). Marten's <c>Duplicate</c> would give each its own
    /// single-column index; every update of the row (each status change) writes an entry in each index, so only the indexes in
    /// <see cref="Indexes"/> exist (ADR 0037).
    /// </summary>
    public static void MapColumns(Marten.Schema.DocumentMapping m)
    {
        m.DuplicateField(nameof(CodingQueueRow.Status));
        m.DuplicateField(nameof(CodingQueueRow.Priority));
        m.DuplicateField(nameof(CodingQueueRow.DueAt));
        m.DuplicateField(nameof(CodingQueueRow.CoderId));
        m.DuplicateField(nameof(CodingQueueRow.SubmittedAt));
        m.DuplicateField(nameof(CodingQueueRow.QueuedAt));
        m.DuplicateField(nameof(CodingQueueRow.PatientId));
        m.DuplicateField(nameof(CodingQueueRow.DateOfService), "date");
        foreach (var (name, _) in Indexes) m.IgnoredIndexes.Add(name);
    }

    /// <summary>
    /// The queue row's indexes besides its primary key (tenant_id, id), each one a query plan uses (EXPLAIN on a seeded
    /// database, docs/benchmarks.md); partial where only some rows need an entry, so most updates write fewer entries.
    /// </summary>
    static readonly (string Name, string Definition)[] Indexes =
    [
        // The pull order, so "next chart" reads a few index entries even with 100,000 charts queued.
        (NextIndex, "(tenant_id, priority desc, due_at, id) where status = 'Queued'"),
        // A coder's charts: submit's approved count, the "my charts" card, the turnaround report's coder names.
        ("coding_queue_coder", "(tenant_id, coder_id, status) where coder_id is not null"),
        // The patient's encounters on a date of service (the lines check, EncountersOnFile), and the patient page.
        ("coding_queue_patient", "(tenant_id, patient_id, date_of_service)"),
        // The encounter list, newest date of service first (its default sort) and DOS filters.
        ("coding_queue_dos", "(tenant_id, date_of_service)"),
        // The turnaround report: charts first submitted in a window.
        ("coding_queue_submitted", "(tenant_id, submitted_at) where submitted_at is not null"),
        // Status filters and counts (QA, home cards, queue filters), overdue by due time.
        ("coding_queue_status", "(tenant_id, status, due_at)"),
    ];

    /// <summary>The single-column indexes Marten made for the row before ADR 0037; dropped on startup where they remain.</summary>
    static readonly string[] FormerIndexes =
        [.. new[] { "status", "priority", "due_at", "coder_id", "submitted_at", "queued_at", "date_of_service", "patient_id" }
            .Select(c => $"{Table}_idx_{c}")];

    /// <summary>Creates the row's indexes where missing and drops the former ones (idempotent; each database at startup).</summary>
    public static async Task EnsureIndexes(NpgsqlDataSource db, CancellationToken ct)
    {
        var sql = string.Join(";\n", [
            .. Indexes.Select(i => $"create index if not exists {i.Name} on {MartenSetup.Schema}.{Table} {i.Definition}"),
            .. FormerIndexes.Select(i => $"drop index if exists {MartenSetup.Schema}.{i}"),
        ]);
        await using var cmd = db.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
