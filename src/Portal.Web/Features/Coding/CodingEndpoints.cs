using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Portal.Web.Features.Codes;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Settings;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;

namespace Portal.Web.Features.Coding;

public static class CodingEndpoints
{
    const string IfMatch = "Send If-Match with the ETag you read (the stream version); a stale one gives 412 and changes nothing.";

    public static void MapCoding(this IEndpointRouteBuilder app)
    {
        var practice = app.MapGroup("/api/v1/practices/{practiceId:guid}");

        var queue = practice.MapGroup("/coding/queue").WithTags("Coding queue");
        queue.MapGet("", ListQueue).WithName("ListCodingQueue").Requires(Permissions.CodingRead).Sorts(CodingQueue.Sorting)
            .WithSummary("Charts in coding, a page at a time, with due time and an overdue flag")
            .WithDescription("Filters: status (Queued, Assigned, InProgress, OnHold, ReadyForQa, Returned, Approved; default: all in coding), " +
                             "coderId, coder=me, overdue=true. sort: see the parameter (priority: the highest first). Paging: cursor and limit (1–200, default 50; " +
                             "'next' and the Link rel=\"next\" header; page is 0 and total counts every match), or the deprecated page and pageSize (max 200). " +
                             "Vendor users see the unassigned charts and their own firm's.");
        queue.MapGet("/export.csv", ExportQueue).WithName("ExportCodingQueue").Requires(Permissions.CodingRead)
            .WithSummary("The filtered queue as CSV (the export is audited)").Produces<string>(200, "text/csv");
        queue.MapPost("/next", PullNext).WithName("PullNextChart").Idempotent().Requires(Permissions.CodingWork)
            .WithSummary("Take the next chart: highest priority, then earliest due; 204 when the queue is empty")
            .WithDescription("Atomic: two coders pulling at once never get the same chart.");

        var chart = practice.MapGroup("/encounters/{encounterId:guid}/coding").WithTags("Coding").HonoursIfMatch();
        chart.MapGet("", GetChart).WithName("GetCodingChart").Requires(Permissions.CodingRead)
            .WithSummary("The coding screen in one read: header, notes, documents, codes, findings, queries; the ETag is the version");
        chart.MapPost("/queue", SendToCoding).WithName("SendToCoding").Requires(Permissions.CodingSend)
            .WithSummary("Put the encounter into the coding queue; due = now + the practice's turnaround SLA")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412);
        chart.MapPost("/assign", Assign).WithName("AssignChart").Requires(Permissions.CodingAssign)
            .WithSummary("A lead assigns (or reassigns) the chart to a coder")
            .WithDescription("Practice admins assign to the practice's coders or to coders of an engaged vendor; vendor admins to their own coders. " + IfMatch)
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        chart.MapPost("/release", Release).WithName("ReleaseChart").Requires(Permissions.CodingWork)
            .WithSummary("Give the chart back to the queue, saying why (its coder or a lead)")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412);
        chart.MapPut("/diagnoses", CodeDiagnoses).WithName("CodeDiagnoses").Requires(Permissions.CodingWork)
            .WithSummary("Set the diagnoses in claim order (ICD-10-CM, at most 12)")
            .WithDescription("Each code is checked for the date of service: errors give 422 naming the code and the rule (structured in " +
                             "'findings'); warnings come back in the chart's findings; age/sex edits need overrideReason. " + IfMatch)
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        chart.MapPut("/lines", CodeLines).WithName("CodeServiceLines").Requires(Permissions.CodingWork)
            .WithSummary("Set the service lines: CPT/HCPCS, modifiers, units, charge, diagnosis pointers")
            .WithDescription("Charge defaults to the fee schedule × units (422 when the code has no fee and no charge is given). " +
                             "Modifiers, NCCI pairs and MUE units are edited; errors give 422. " + IfMatch)
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        chart.MapPut("", CodeWholeChart).WithName("CodeChart").Requires(Permissions.CodingWork)
            .WithSummary("Set the diagnoses and the service lines in one all-or-nothing write (the coding screen's Save), and submit if asked")
            .WithDescription("The same checks as PUT …/diagnoses and PUT …/lines, the lines checked against the new diagnoses; any error " +
                             "gives 422 and saves neither. Leave out diagnoses or lines to keep them; sending neither is 400. With " +
                             "\"submit\": true the chart is submitted as coded in the same write (QA sampling and approval as POST …/submit; " +
                             "409 and nothing saved when it cannot be). One write instead of two or three, about half their server work. " + IfMatch)
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        chart.MapPost("/queries", RaiseQuery).WithName("RaiseProviderQuery").Requires(Permissions.CodingWork)
            .WithSummary("Query the rendering provider; the chart goes on hold until answered")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        chart.MapPost("/queries/{queryId:guid}/answer", AnswerQuery).WithName("AnswerProviderQuery")
            .Requires(Permissions.QueryAnswer)
            .WithSummary("The provider answers; with no other query open the chart goes back to its coder")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        chart.MapPost("/queries/{queryId:guid}/answer-for-provider", AnswerQueryForProvider).WithName("AnswerProviderQueryForProvider")
            .Requires(Permissions.QueryAnswerForProvider)
            .WithSummary("A practice admin answers for the provider (e.g. one without a login); recorded as on the provider's behalf")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        chart.MapPost("/submit", Submit).WithName("SubmitChart").Requires(Permissions.CodingWork)
            .WithSummary("Submit the coded chart: to QA (sampled, new coder, or returned before) or approved")
            .ProducesProblem(409).ProducesProblem(412);
        chart.MapPost("/review", Review).WithName("ReviewChart").Requires(Permissions.QaReview)
            .WithSummary("QA accepts or corrects the chart; code-level accuracy is recorded")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        chart.MapPost("/return", Return).WithName("ReturnChart").Requires(Permissions.QaReview)
            .WithSummary("QA returns the chart to its coder with a reason")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412);

        chart.MapPost("/rebuttal", FileRebuttal).WithName("FileQaRebuttal").Requires(Permissions.QaRebuttalFile)
            .WithSummary("The coder disputes QA's correction of their chart; a QA reviewer or the practice admin decides")
            .WithDescription("Only the coder QA corrected, once per review (409 not-your-review, no-qa-correction, rebuttal-exists). " + IfMatch)
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412);
        chart.MapPost("/rebuttal/decision", DecideRebuttal).WithName("DecideQaRebuttal")
            .Requires(Permissions.QaRebuttalDecide)
            .WithSummary("Accept a rebuttal (the coder's codes are restored; the review no longer counts against them) or reject it")
            .WithDescription("Rejecting needs a note (422). 409 no-pending-rebuttal, own-rebuttal. " + IfMatch)
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);

        practice.MapGet("/provider-queries", OpenQueries).WithName("ListOpenProviderQueries").WithTags("Coding").Sorts(ProviderQuerySorting)
            .Requires(Permissions.QueriesRead)
            .WithSummary("Open provider queries, oldest first, with age and an escalation flag after QueryEscalationHours")
            .WithDescription("?providerId= narrows to one rendering provider.");
        practice.MapGet("/qa/accuracy", AccuracyReport).WithName("GetCodingAccuracy").WithTags("Coding").Sorts(AccuracySorting)
            .Requires(Permissions.QaReports)
            .WithSummary("Code-level accuracy per coder: Σ correct ÷ Σ |coder's ∪ reviewer's codes| over the QA reviews")
            .WithDescription("Optional ?from=&to= (ISO dates) limit the reviews counted. A vendor's admin gets the firm's coders.");

        practice.MapGet("/qa/reviews", ListReviews).WithName("ListQaReviews").WithTags("Coding").Sorts(QaReviews.Sorting)
            .Requires(Permissions.QaReviewsRead).Produces<PageOf<QaReviewItem>>(200, "application/json", "text/csv")
            .WithSummary("QA reviews, newest first: error types, dollar impact (reviewer's charges − coder's) and rebuttals")
            .WithDescription("Filters: coderId, rebuttal (pending, accepted, rejected, any), errors=true, from, to. Paging: cursor and limit (1–200, default 50), " +
                             "or the deprecated page and pageSize (max 200). " +
                             "Coders see their own reviews only; a vendor's admin, the firm's coders'. Add ?format=csv for up to 10,000 rows as CSV.");

        practice.MapGet("/coding/productivity", Productivity).WithName("GetCodingProductivity").WithTags("Coding")
            .Requires(Permissions.QaReports).Produces<ProductivityReport>(200, "application/json", "text/csv")
            .WithSummary("Per coder: charts first submitted, active days, charts per active day and within-SLA share, beside QA accuracy")
            .WithDescription("?from=&to= (ISO dates; default the last 30 days). A vendor's admin gets the firm's coders. " +
                             "Add ?format=csv for the rows as CSV.");

        practice.MapGet("/coding/turnaround", Turnaround).WithName("GetCodingTurnaround").WithTags("Coding")
            .Requires(Permissions.QaReports).Produces<TurnaroundReport>(200, "application/json", "text/csv")
            .WithSummary("Turnaround against the practice's SLA: share of charts first submitted by their due time, per coder")
            .WithDescription("?from=&to= (ISO dates; default the last 30 days) select charts by first submission. Query-pending time " +
                             "is excluded (the due time moves by the time on hold). Add ?format=csv for the per-coder rows as CSV.");

        var vendor = app.MapGroup("/api/v1/vendor/queue").WithTags("Coding queue");
        vendor.MapGet("", VendorQueue).WithName("ListVendorQueue").Requires(Permissions.VendorQueueRead).Sorts(CodingQueue.Sorting)
            .WithSummary("One queue across every practice that engages the caller's firm, each row labelled with its practice")
            .WithDescription("Same filters and sorts as the practice queue. A revoked engagement drops out at once.");
        vendor.MapPost("/next", VendorPullNext).WithName("PullNextVendorChart").Idempotent().Requires(Permissions.VendorQueueWork)
            .WithSummary("Take the next chart across the engaged practices; 204 when all queues are empty");
    }

    // Queue

    static async Task<Ok<PageOf<CodingQueueItem>>> ListQueue(IQuerySession query, [AsParameters] QueueFilter filter, HttpContext context,
        TimeProvider clock, CancellationToken ct)
    {
        var practice = context.RequiredPractice();
        var now = clock.GetUtcNow();
        var caller = CodingCaller.From(context.User);
        var sort = CodingQueue.Sorting.Parse(filter.Sort);
        var page = await CodingQueue.Filtered(query, filter, caller.Me.Id, caller.Me.VendorId, now)
            .ToPageOrCursorAsync(sort, filter.Page, filter.PageSize, filter.Cursor, filter.Limit, context, ct);
        return TypedResults.Ok(page.Map(r => CodingQueueItem.From(r, practice.PracticeId, practice.Name, now)));
    }

    static async Task<Platform.Csv.CsvDownload<CodingQueueItem>> ExportQueue(IDocumentSession session, [AsParameters] QueueFilter filter, HttpContext context,
        TimeProvider clock, CancellationToken ct)
    {
        var practice = context.RequiredPractice();
        var now = clock.GetUtcNow();
        var caller = CodingCaller.From(context.User);
        var rows = await CodingQueue.Rows(session, filter, caller.Me.Id, caller.Me.VendorId, now).Take(10_000).ToListAsync(ct);
        await PhiAudit.Record(session, context, PhiAudit.Export, "CodingQueue", null, null, ct);
        return CodingQueue.Csv(rows.Select(r => CodingQueueItem.From(r, practice.PracticeId, practice.Name, now)));
    }

    static async Task<Results<Ok<PulledChart>, NoContent>> PullNext(HttpContext context, IDocumentStore store, TenantDatabases db,
        TimeProvider clock, CancellationToken ct)
    {
        var practice = context.RequiredPractice();
        return await Pull(store, db, [(practice.PracticeId, practice.Name)], CodingCaller.From(context.User).Me, clock, ct);
    }

    static async Task<Results<Ok<PageOf<CodingQueueItem>>, NoContent>> VendorQueue(HttpContext context, PracticeAccess access,
        IDocumentStore store, [AsParameters] QueueFilter filter, TimeProvider clock, CancellationToken ct)
    {
        var caller = CodingCaller.From(context.User);
        var now = clock.GetUtcNow();
        var byCursor = filter.Cursor is not null || filter.Limit is not null;
        var sort = CodingQueue.Sorting.Parse(filter.Sort);
        var request = CursorPaging.Parse(filter.Cursor, filter.Limit, sort);
        if (byCursor) CursorPaging.NotBoth(filter.Page, filter.PageSize);
        var (page, size) = byCursor ? new PageRequest(1, request.Limit) : Paging.Parse(filter.Page, filter.PageSize, defaultSize: 50);
        // Rows needed from the top of each practice's queue: through this page, and one more by cursor to know whether a next page exists.
        var through = byCursor ? request.Offset() + request.Fetch : page * size;
        var items = new List<(CodingQueueRow Row, CodingQueueItem Item)>();
        long total = 0;
        // A firm engages a handful of practices: query each tenant for its first page*size rows, then merge in the same order.
        var practices = await access.PracticesFor(context.User, ct, EngagementFunctions.Coding);
        PhiAudit.AcrossPractices(context, practices.Select(p => p.Id));
        foreach (var practice in practices)
        {
            await using var query = store.QuerySession(practice.Id.ToString());
            var rows = CodingQueue.Rows(query, filter, caller.Me.Id, caller.Me.VendorId ?? Guid.Empty, now);
            total += await rows.CountAsync(ct);
            items.AddRange((await rows.Take(through).ToListAsync(ct)).Select(r => (r, CodingQueueItem.From(r, practice.Id, practice.Name, now))));
        }
        var ordered = CodingQueue.Merge(items, sort);
        if (byCursor) return TypedResults.Ok(ordered.Slice(request).AsPageOf(request, total, context));
        return TypedResults.Ok(new PageOf<CodingQueueItem>([.. ordered.Skip((page - 1) * size).Take(size)], page, size, total));
    }

    static async Task<Results<Ok<PulledChart>, NoContent>> VendorPullNext(HttpContext context, PracticeAccess access, IDocumentStore store,
        TenantDatabases db, TimeProvider clock, CancellationToken ct)
    {
        var practices = await access.PracticesFor(context.User, ct, EngagementFunctions.Coding);
        return await Pull(store, db, [.. practices.Select(p => (p.Id, p.Name))], CodingCaller.From(context.User).Me, clock, ct);
    }

    static async Task<Results<Ok<PulledChart>, NoContent>> Pull(IDocumentStore store, TenantDatabases db, (Guid Id, string Name)[] practices,
        Coder me, TimeProvider clock, CancellationToken ct)
    {
        if (await CodingQueue.PullNext(store, db, [.. practices.Select(p => p.Id)], me, clock, ct) is not { } pulled)
            return TypedResults.NoContent();
        return TypedResults.Ok(new PulledChart(pulled.PracticeId, practices.First(p => p.Id == pulled.PracticeId).Name, pulled.Chart));
    }

    // One chart

    static async Task<Results<Ok<CodingChart>, NotFoundProblem>> GetChart(Guid encounterId, IDocumentSession session,
        HttpContext context, TimeProvider clock, CancellationToken ct)
    {
        var chart = await CodingChart.Load(session, encounterId, clock.GetUtcNow(), ct);
        if (chart is null || !VendorVisibility.MaySee(context.User, chart)) return NotFound();
        await PhiAudit.Record(session, context, PhiAudit.View, nameof(CodingChart), chart.Encounter.Id, chart.Encounter.PatientId, ct);
        return Chart(context, chart);
    }

    static async Task<Results<Ok<CodingChart>, NotFoundProblem>> SendToCoding(Guid encounterId, SendToCoding body,
        HttpContext context, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Chart(context, await CodingWrites.Queue(session, encounterId, Version(context), body, context.RequiredPractice().PracticeId,
            context.User.Actor(), clock, ct));

    static async Task<Results<Ok<CodingChart>, NotFoundProblem>> Assign(Guid encounterId, AssignChart body, HttpContext context,
        IDocumentSession session, UserManager<PortalUser> users, TimeProvider clock, CancellationToken ct)
    {
        var coder = await CodingAccess.AssignableCoder(session, users, CodingCaller.From(context.User), context.RequiredPractice().PracticeId,
            body.CoderId!.Value);
        return Chart(context, await CodingWrites.Assign(session, encounterId, Version(context), coder, body.Reason?.Trim(),
            context.User.Actor(), clock, ct));
    }

    static async Task<Results<Ok<CodingChart>, NotFoundProblem>> Release(Guid encounterId, ReleaseChart body, HttpContext context,
        IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Chart(context, await CodingWrites.Release(session, encounterId, Version(context), CodingCaller.From(context.User), body, clock, ct));

    static async Task<Results<Ok<CodingChart>, NotFoundProblem>> CodeDiagnoses(Guid encounterId, CodeDiagnoses body,
        HttpContext context, IDocumentSession session, CodeCatalog catalog, TimeProvider clock, CancellationToken ct) =>
        Chart(context, await CodingWrites.CodeDiagnoses(session, catalog, encounterId, Version(context), CodingCaller.From(context.User),
            body, clock, ct));

    static async Task<Results<Ok<CodingChart>, NotFoundProblem>> CodeLines(Guid encounterId, CodeServiceLines body,
        HttpContext context, IDocumentSession session, CodeCatalog catalog, TimeProvider clock, CancellationToken ct) =>
        Chart(context, await CodingWrites.CodeLines(session, catalog, encounterId, Version(context), CodingCaller.From(context.User),
            body, clock, ct));

    static async Task<Results<Ok<CodingChart>, NotFoundProblem>> CodeWholeChart(Guid encounterId, CodeChart body,
        HttpContext context, IDocumentSession session, CodeCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        if (body.Diagnoses is null && body.Lines is null) throw new InvalidInput("diagnoses", "Send the diagnoses, the lines or both.");
        return Chart(context, await CodingWrites.CodeChart(session, catalog, encounterId, Version(context), CodingCaller.From(context.User),
            body.Diagnoses, body.Lines, clock, ct, body.Submit ? context.RequiredPractice().PracticeId : null));
    }

    static async Task<Results<Ok<CodingChart>, NotFoundProblem>> RaiseQuery(Guid encounterId, RaiseProviderQuery body,
        HttpContext context, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Chart(context, await CodingWrites.RaiseQuery(session, encounterId, Version(context), CodingCaller.From(context.User), body, clock, ct));

    static async Task<Results<Ok<CodingChart>, NotFoundProblem>> AnswerQuery(Guid encounterId, Guid queryId,
        AnswerProviderQuery body, HttpContext context, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Chart(context, await CodingWrites.AnswerQuery(session, encounterId, queryId, Version(context), body, context.User.UserId(),
            context.User.IsInRole(Roles.PracticeAdmin), context.User.Actor(), clock, ct));

    static async Task<Results<Ok<CodingChart>, NotFoundProblem>> AnswerQueryForProvider(Guid encounterId, Guid queryId,
        AnswerProviderQuery body, HttpContext context, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Chart(context, await CodingWrites.AnswerQuery(session, encounterId, queryId, Version(context), body, null, practiceAdmin: true,
            context.User.Actor(), clock, ct));

    static async Task<Results<Ok<CodingChart>, NotFoundProblem>> Submit(Guid encounterId, HttpContext context,
        IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Chart(context, await CodingWrites.Submit(session, encounterId, Version(context), CodingCaller.From(context.User),
            context.RequiredPractice().PracticeId, clock, ct));

    static async Task<Results<Ok<CodingChart>, NotFoundProblem>> Review(Guid encounterId, ReviewChart body, HttpContext context,
        IDocumentSession session, CodeCatalog catalog, TimeProvider clock, CancellationToken ct) =>
        Chart(context, await CodingWrites.Review(session, catalog, encounterId, Version(context), body, CodingAccess.Reviewer(context.User),
            clock, ct));

    static async Task<Results<Ok<CodingChart>, NotFoundProblem>> Return(Guid encounterId, ReturnChart body, HttpContext context,
        IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Chart(context, await CodingWrites.Return(session, encounterId, Version(context), body, CodingAccess.Reviewer(context.User), clock, ct));

    static async Task<Results<Ok<CodingChart>, NotFoundProblem>> FileRebuttal(Guid encounterId, FileQaRebuttal body,
        HttpContext context, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Chart(context, await CodingWrites.FileRebuttal(session, encounterId, Version(context), CodingCaller.From(context.User), body, clock, ct));

    static async Task<Results<Ok<CodingChart>, NotFoundProblem>> DecideRebuttal(Guid encounterId, DecideQaRebuttal body,
        HttpContext context, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Chart(context, await CodingWrites.DecideRebuttal(session, encounterId, Version(context), CodingCaller.From(context.User), body, clock, ct));

    // Reports

    static async Task<IResult> ListReviews(HttpContext context, IQuerySession query, UserManager<PortalUser> users,
        [AsParameters] QaReviewFilter filter, string? format, CancellationToken ct)
    {
        var visible = await QaReviews.VisibleCoders(context.User, users);
        if (format != "csv") return TypedResults.Ok(await QaReviews.List(query, filter, visible, ct, context));
        var rows = await QaReviews.All(query, filter, visible, ct);
        return QaReviews.Csv(rows);
    }


    static readonly Sorting<OpenProviderQuery> ProviderQuerySorting = new Sorting<OpenProviderQuery>("raised")
    {
        { "raised", "when the query was raised (oldest first)", q => q.RaisedAt },
        { "provider", "provider name", q => q.ProviderName },
        { "patient", "patient name", q => q.PatientName },
        { "dos", "date of service", q => q.DateOfService },
    }.TieBreak(q => q.QueryId);

    static readonly Sorting<CoderAccuracy> AccuracySorting = new Sorting<CoderAccuracy>("coder")
    {
        { "coder", "coder name", a => a.CoderName },
        { "accuracy", "code-level accuracy", a => a.Accuracy },
        { "reviews", "reviews counted", a => a.Reviews },
        { "encounterAccuracy", "share of charts without an error", a => a.EncounterAccuracy },
    }.TieBreak(a => a.CoderId);

    static async Task<Ok<CursorPage<OpenProviderQuery>>> OpenQueries(IQuerySession query, Guid? providerId, string? sort, string? cursor, int? limit,
        HttpContext context, TimeProvider clock, CancellationToken ct)
    {
        var order = ProviderQuerySorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        var settings = await PracticeSettings.For(query, context.RequiredPractice().PracticeId, ct);
        return TypedResults.Ok(order.Apply(await ProviderQueries.Open(query, providerId, settings.QueryEscalationHours, clock.GetUtcNow(), ct,
            VendorVisibility.FirmOf(context.User))).Slice(request).WithLink(context));
    }

    static async Task<IResult> Turnaround(HttpContext context, IQuerySession query, DateTimeOffset? from, DateTimeOffset? to, string? format,
        TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (start, end) = (from ?? now.AddDays(-30), to ?? now);
        if (end <= start)
            throw new UnprocessableInput("The window is empty.", new Dictionary<string, string[]> { ["to"] = ["to must be after from."] });
        var report = await TurnaroundReport.For(query, context.RequiredPractice().PracticeId, start, end, now, ct);
        return format == "csv"
            ? report.Csv()
            : TypedResults.Ok(report);
    }

    static async Task<IResult> Productivity(HttpContext context, IQuerySession query, UserManager<PortalUser> users, DateTimeOffset? from,
        DateTimeOffset? to, string? format, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (start, end) = (from ?? now.AddDays(-30), to ?? now);
        if (end <= start)
            throw new UnprocessableInput("The window is empty.", new Dictionary<string, string[]> { ["to"] = ["to must be after from."] });
        var report = await ProductivityReport.For(query, start, end, await QaReviews.VisibleCoders(context.User, users), ct);
        return format == "csv"
            ? report.Csv()
            : TypedResults.Ok(report);
    }

    static async Task<Ok<CursorPage<CoderAccuracy>>> AccuracyReport(HttpContext context, IQuerySession query, UserManager<PortalUser> users,
        DateTimeOffset? from, DateTimeOffset? to, string? sort, string? cursor, int? limit, CancellationToken ct)
    {
        var order = AccuracySorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        var visible = await QaReviews.VisibleCoders(context.User, users);
        return TypedResults.Ok(order.Apply((await Accuracy.PerCoder(query, from, to, ct)).Where(a => visible is null || visible.Contains(a.CoderId)))
            .Slice(request).WithLink(context));
    }

    static long? Version(HttpContext context) => ETags.Parse(context.Request.Headers.IfMatch);

    static Results<Ok<CodingChart>, NotFoundProblem> Chart(HttpContext context, CodingChart? chart)
    {
        if (chart is null) return NotFound();
        context.Response.Headers.ETag = ETags.For(chart.Version);
        return TypedResults.Ok(chart);
    }

    static NotFoundProblem NotFound() =>
        new NotFoundProblem("No encounter with this id in this practice.");
}
