using System.Text;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;
using Portal.Web.Platform.Csv;

namespace Portal.Web.Features.Payments;

/// <summary>A page of remittances by cursor: pass <c>next</c> back as <c>cursor</c> (also in the Link rel="next" header).</summary>
public sealed record RemittancePage(IReadOnlyList<RemittanceSummary> Items, string? Next);

public sealed record RemittanceSummary(Guid Id, RemittanceState State, string FileName, string Source, DateTimeOffset ReceivedAt, string ReceivedBy,
    decimal Amount, int Posted, int Skipped, int Unmatched, string[] Payers, string[] Traces, string? RefusalReason)
{
    public static RemittanceSummary From(RemittanceView r) => new(r.Id, r.State, r.FileName, r.Source, r.ReceivedAt, r.ReceivedBy, r.Amount, r.Posted,
        r.Skipped, r.Unmatched, [.. r.Checks.Select(c => c.PayerName).Distinct()], [.. r.Checks.Select(c => c.TraceNumber)], r.RefusalReason);
}

/// <summary>A CARC or RARC with its words, as the API returns it next to every code.</summary>
public sealed record ReasonWords(string Code, string Text);

public sealed record WorkItemDetails(DenialWorkItem Item, ReasonWords[] Reasons, string CategoryText);

public static class PaymentEndpoints
{
    public const int MaxFileBytes = 50 * 1024 * 1024;

    public static void MapPayments(this IEndpointRouteBuilder app)
    {
        var practice = app.MapGroup("/api/v1/practices/{practiceId:guid}");

        var payments = practice.MapGroup("").WithTags("Payments");
        payments.MapPost("/remittances", Import).WithName("ImportRemittance").Idempotent().Requires(Permissions.PaymentsPost)
            .WithSummary("Import an 835 remittance (ERA): balanced, matched and posted exactly once")
            .WithDescription("Send the X12 as the body (application/edi-x12, text/plain or application/octet-stream), or multipart/form-data with a " +
                             "'file' part. 201: posted (counts of posted, already-posted and unmatched claim payments). 200 with outcome AlreadyPosted: " +
                             "the same file was posted before, nothing posted. 422: malformed, foreign (another payee) or unbalanced; " +
                             "'problems' lists segment, position, loop and the amounts that disagree; nothing posted. Idempotency-Key honoured.")
            .Accepts<string>("application/edi-x12", "text/plain", "application/octet-stream", "multipart/form-data")
            .DisableAntiforgery() // bearer-token API: no cookies, so no cross-site forgery to defend against
            .ProducesProblem(409).ProducesProblem(413).ProducesProblem(422);
        payments.MapGet("/remittances", ListRemittances).WithName("ListRemittances").Requires(Permissions.PaymentsRead).Sorts(RemittanceSorting)
            .WithSummary("Remittances received, newest first (or in the sort asked for), by cursor")
            .WithDescription("Cursor paging (docs/api.md): ?limit= (1–200, default 50); pass the answer's 'next' as ?cursor= for the next page (also in Link rel=\"next\"). " +
                             "The default sort (-received) pages by keyset, another by position.");
        payments.MapGet("/remittances/{remittanceId:guid}", GetRemittance).WithName("GetRemittance").Requires(Permissions.PaymentsRead)
            .WithSummary("One remittance: checks, claims posted or skipped, PLB adjustments, or why it was refused");
        payments.MapGet("/unmatched-payments", ListUnmatched).WithName("ListUnmatchedPayments").Requires(Permissions.PaymentsRead).Sorts(UnmatchedSorting)
            .WithSummary("Claim payments no claim matched (the unmatched queue), newest first; ?state=open|linked; cursor and limit");
        payments.MapPost("/unmatched-payments/{unmatchedId:guid}/link", Link).WithName("LinkUnmatchedPayment").HonoursIfMatch().Requires(Permissions.PaymentsPost)
            .WithSummary("Link an unmatched claim payment to a claim by hand and post it (once: a second link is 409)")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(422);

        var denials = practice.MapGroup("/denials").WithTags("Denials");
        denials.MapGet("", ListWorkItems).WithName("ListDenialWorkItems").Requires(Permissions.DenialsRead).Sorts(PaymentQueries.WorkItemSorting)
            .WithSummary("Denial follow-up work items, soonest due first")
            .WithDescription("Filters: state (open, appealed, resolved, writtenoff), category, owner ('-' = unassigned), payerId, overdue=true. Paging: cursor and limit (1–200, default 50; 'next' and the Link rel=\"next\" header), or the deprecated page and pageSize (max 200).");
        denials.MapGet("/export.csv", ExportWorkItems).WithName("ExportDenialWorkItems").Requires(Permissions.DenialsRead)
            .WithSummary("The filtered work items as CSV").Produces<string>(200, "text/csv");
        denials.MapGet("/{workItemId:guid}", GetWorkItem).WithName("GetDenialWorkItem").Requires(Permissions.DenialsRead)
            .WithSummary("One work item with its CARCs/RARCs in plain words, notes, attachments, appeals; ETag = version");
        denials.MapPost("/assign", Assign).WithName("AssignDenialWorkItems").HonoursIfMatch().Requires(Permissions.DenialsWork)
            .WithSummary("Assign work items (bulk) to an owner; owner null unassigns").ProducesValidationProblem().ProducesProblem(422);
        denials.MapPost("/{workItemId:guid}/notes", AddNote).WithName("AddDenialNote").HonoursIfMatch().Requires(Permissions.DenialsWork)
            .WithSummary("Add a note (call reference, next step)").ProducesValidationProblem().ProducesProblem(412).ProducesProblem(422);
        denials.MapPost("/{workItemId:guid}/attachments", Attach).WithName("AttachDenialDocument").HonoursIfMatch().Requires(Permissions.DenialsWork)
            .WithSummary("Attach a PDF, image or text document (multipart/form-data 'file')")
            .DisableAntiforgery().ProducesProblem(413).ProducesProblem(415);
        denials.MapGet("/{workItemId:guid}/documents/{documentId:guid}", Download).WithName("DownloadDenialDocument").Requires(Permissions.DenialsRead)
            .WithSummary("Download an attachment or an appeal letter (PDF)").Produces(200, contentType: "application/pdf");
        denials.MapPost("/{workItemId:guid}/appeal", Appeal).WithName("AppealDenial").HonoursIfMatch().Requires(Permissions.DenialsWork)
            .WithSummary("Appeal: next level, letter PDF generated from the claim and denial facts, deadline from the payer's appeal window")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412);
        denials.MapPost("/{workItemId:guid}/corrected-claim", CorrectedClaim).WithName("SendCorrectedClaimFromDenial").HonoursIfMatch()
            .Requires(Permissions.ClaimsVoid)
            .WithSummary("Send a corrected claim (frequency 7) from the denial: drafted with the payer's claim number, scrubbed into the claims work queue")
            .WithDescription("Body: reason (what the corrected claim corrects), optional payerClaimNumber (default: the remittance's CLP07). 201 with the " +
                             "work item and the new claim's id (Location: the claim). The denied claim is voided as replaced. 409 when the payer does not " +
                             "have the claim, it was already corrected or voided, or the item is closed. Optional If-Match: the work item's ETag.")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        denials.MapPost("/{workItemId:guid}/resolve", Resolve).WithName("ResolveDenial").HonoursIfMatch().Requires(Permissions.DenialsWork)
            .WithSummary("Resolve the item with its outcome and the amount recovered").ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412);
        denials.MapPost("/{workItemId:guid}/write-off", WriteOff).WithName("WriteOffDenial").HonoursIfMatch().Requires(Permissions.DenialsWork)
            .WithSummary("Write off a denied amount with a reason; above the practice's limit it waits for an approver")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        denials.MapPost("/{workItemId:guid}/write-off/approve", ApproveWriteOff).WithName("ApproveDenialWriteOff").HonoursIfMatch()
            .Requires(Permissions.WriteOffApprove)
            .WithSummary("Approve a write-off waiting for approval (not by the person who asked)").ProducesProblem(409).ProducesProblem(412);
        denials.MapGet("/settings", GetSettings).WithName("GetPaymentSettings").Requires(Permissions.DenialsRead)
            .WithSummary("Write-off approval limit and appeal windows (default 90 days, per payer)");
        denials.MapPut("/settings", PutSettings).WithName("ChangePaymentSettings").HonoursIfMatch().Requires(Permissions.PaymentSettingsManage)
            .WithSummary("Change the write-off approval limit and appeal windows").ProducesValidationProblem();

        app.MapGet("/api/v1/vendor/collections", VendorCollectionsApi).WithTags("AR").WithName("GetVendorCollections").Sorts(CollectionsSorting)
            .Requires(Permissions.VendorCollections)
            .WithSummary("The collections KPIs of every practice engaging the caller's firm for A/R or reports (only those), side by side")
            .WithDescription("?from=&to= (yyyy-MM-dd; default the last 90 days). A practice whose engagement names neither function, or was revoked, is not listed.");

        var ar = practice.MapGroup("").WithTags("AR");
        ar.MapGet("/ar/aging", Aging).WithName("GetArAging").Requires(Permissions.ArRead)
            .WithSummary("A/R aging 0–30, 31–60, 61–90, 91–120, over 120 days: insurance by payer, patient responsibility by patient")
            .WithDescription("?asOf=yyyy-MM-dd (today), ?basis=DateOfService|SubmissionDate. Credit balances are kept out.");
        ar.MapGet("/ar/aging/export.csv", ExportAging).WithName("ExportArAging").Requires(Permissions.ArRead)
            .WithSummary("The aging by payer and by patient as CSV").Produces<string>(200, "text/csv");
        ar.MapGet("/ar/ledger", Ledger).WithName("GetLedgerBalances").Requires(Permissions.ArRead).Sorts(PaymentQueries.LedgerSorting)
            .WithSummary("Ledger balances per account: ?account=claim|line|patient|payer, optional ?id=; cursor and limit");
        ar.MapGet("/ar/follow-up", FollowUpQueue).WithName("GetArFollowUpQueue").Requires(Permissions.ArRead).Sorts(FollowUpSorting)
            .WithSummary("A/R follow-up: claims without an answer after the payer's expected days, and timely-filing alarms, most urgent first")
            .WithDescription("?reason=no-response|timely-filing, ?owner=me|<name>|- (nobody's). Expected days (default 30), timely-filing limit from the date " +
                             "of service (default 90) and warning days (default 15) are set per practice and per payer in PUT …/denials/settings.");
        ar.MapPost("/ar/follow-up/assign", AssignFollowUps).WithName("AssignArFollowUps").HonoursIfMatch().Requires(Permissions.ArFollowUpWork)
            .WithSummary("Put claims (bulk) in a biller's follow-up queue; owner null takes them out").ProducesValidationProblem().ProducesProblem(422);
        ar.MapPost("/ar/follow-up/{claimId:guid}/notes", AddFollowUpNote).WithName("AddArFollowUpNote").HonoursIfMatch().Requires(Permissions.ArFollowUpWork)
            .WithSummary("Add a claim status note (what the payer said, call reference), optionally a status and the next follow-up date")
            .WithDescription("Optional If-Match: the follow-up's ETag (its revision; W/\"0\" before the first note). 412 when stale.")
            .ProducesValidationProblem().ProducesProblem(412).ProducesProblem(422);
        ar.MapGet("/kpis", Kpis).WithName("GetCollectionKpis").Requires(Permissions.ReportsRead)
            .WithSummary("Collections KPIs: days in A/R, clean-claim, first-pass, denial, net and gross collection rates, top CARCs, payments by month")
            .WithDescription("?from=&to= (yyyy-MM-dd; default the last 90 days). Formulas: docs/payments.md.");
    }

    // Import

    static async Task<IResult> Import(Guid practiceId, HttpRequest request, EraImport import, CancellationToken ct)
    {
        var (bytes, name) = await ReadFile(request, ct);
        var result = await import.ImportAsync(practiceId, bytes, name, EraImport.Api, request.HttpContext.User.Actor(), ct);
        return result.Outcome switch
        {
            EraOutcome.Refused => throw Refusal(result),
            EraOutcome.AlreadyPosted => TypedResults.Ok(result),
            _ => TypedResults.Created($"/api/v1/practices/{practiceId}/remittances/{result.RemittanceId}", result),
        };
    }

    public static UnprocessableInput Refusal(EraImportResult result) =>
        new(result.Message, new Dictionary<string, string[]> { ["file"] = [.. result.Problems.Select(Describe)] },
            new Dictionary<string, object?>
            {
                ["remittanceId"] = result.RemittanceId, ["problems"] = result.Problems,
                ["segment"] = result.Problems.FirstOrDefault()?.Segment, ["position"] = result.Problems.FirstOrDefault()?.Position,
            });

    public static string Describe(RemittanceProblem p) =>
        $"Segment {p.Segment}{(p.Position is { } pos ? $" (character {pos})" : "")}, {p.Loop}: {p.Detail}" +
        (p.Expected is { } e ? $"; expected {e:0.00}, found {p.Actual:0.00}" : "") + ".";

    static async Task<(byte[] Bytes, string Name)> ReadFile(HttpRequest request, CancellationToken ct)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault()
                ?? throw new UnprocessableInput("No file was sent.", new Dictionary<string, string[]> { ["file"] = ["Attach the 835 as 'file'."] });
            if (file.Length > MaxFileBytes) throw new RefusedContent(413, "Too large", "The largest 835 accepted is 50 MB.");
            await using var s = file.OpenReadStream();
            return ((await DocumentTypes.ReadAtMost(s, MaxFileBytes, ct))!, file.FileName);
        }
        var bytes = await DocumentTypes.ReadAtMost(request.Body, MaxFileBytes, ct)
            ?? throw new RefusedContent(413, "Too large", "The largest 835 accepted is 50 MB.");
        if (bytes.Length == 0)
            throw new UnprocessableInput("The body is empty.", new Dictionary<string, string[]> { ["file"] = ["Send the 835 as the body."] });
        return (bytes, request.Headers["X-File-Name"].FirstOrDefault() ?? "remittance.835");
    }

    static readonly Sorting<RemittanceView> RemittanceSorting = new Sorting<RemittanceView>("-received")
    {
        { "received", "when the 835 was received", r => r.ReceivedAt },
        { "amount", "total of its checks", r => r.Amount },
        { "payer", "the first check's payer", r => r.PayerName },
        { "state", "posted or refused", r => r.State },
        { "posted", "claim payments posted", r => r.Posted },
        { "file", "file name", r => r.FileName },
    }.TieBreak(r => r.Id);

    static readonly Sorting<UnmatchedClaimPayment> UnmatchedSorting = new Sorting<UnmatchedClaimPayment>("-received")
    {
        { "received", "when the remittance was received", u => u.ReceivedAt },
        { "paid", "amount paid", u => u.Paid },
        { "charge", "charge on the remittance", u => u.Charge },
        { "payer", "payer name", u => u.PayerName },
        { "patient", "patient name", u => u.PatientName },
        { "dos", "date of service", u => u.DateOfService },
    }.TieBreak(u => u.Id);

    static readonly Sorting<FollowUpRow> FollowUpSorting = new Sorting<FollowUpRow>("urgency")
    {
        // Timely-filing alarms first, the nearest limit first, then the longest without an answer: the queue's own order.
        { "urgency", "timely-filing alarms first, nearest limit, longest without an answer",
            x => Tuple.Create(x.Reasons.Contains(FollowUpReason.TimelyFiling) ? 0 : 1, x.DaysToLimit, -(x.DaysWithoutAnswer ?? 0)) },
        { "limit", "days left to the timely-filing limit", x => x.DaysToLimit },
        { "waiting", "days without an answer", x => x.DaysWithoutAnswer },
        { "dos", "date of service", x => x.DateOfService },
        { "charge", "charge", x => x.Charge },
        { "payer", "payer name", x => x.PayerName },
        { "patient", "patient name", x => x.PatientName },
        { "owner", "owner", x => x.Owner },
    }.TieBreak(x => x.ClaimId);

    static readonly Sorting<ClientCollections> CollectionsSorting = new Sorting<ClientCollections>("practice")
    {
        { "practice", "practice name", c => c.PracticeName },
        { "ar", "A/R total", c => c.Kpis.ArTotal },
        { "daysInAr", "days in A/R", c => c.Kpis.DaysInAr },
        { "denialRate", "denial rate", c => c.Kpis.DenialRate },
        { "payments", "payments in the period", c => c.Kpis.Payments },
        { "netCollectionRate", "net collection rate", c => c.Kpis.NetCollectionRate },
    }.TieBreak(c => c.PracticeId);

    static async Task<Ok<RemittancePage>> ListRemittances(IQuerySession query, HttpContext context, string? sort, string? cursor, int? limit,
        CancellationToken ct)
    {
        // The cursor convention (Platform/CursorPaging): newest first by receipt time (Guid v7 ids and receipt times both grow);
        // another sort pages by position.
        var order = RemittanceSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        var q = query.Query<RemittanceView>().AsQueryable();
        if (!order.IsDefault)
        {
            var sorted = (await order.Apply(q).ToCursorPageAsync(request, ct)).WithLink(context);
            return TypedResults.Ok(new RemittancePage([.. sorted.Items.Select(RemittanceSummary.From)], sorted.Next));
        }
        if (request.Position() is { } after)
        {
            var at = CursorPaging.Time(after.Number);
            q = q.Where(r => r.ReceivedAt < at);
        }
        var rows = await q.OrderByDescending(r => r.ReceivedAt).Take(request.Fetch).ToListAsync(ct);
        var page = CursorPaging.Page(rows, request, r => CursorPaging.Key(CursorPaging.Ticks(r.ReceivedAt))).WithLink(context);
        return TypedResults.Ok(new RemittancePage([.. page.Items.Select(RemittanceSummary.From)], page.Next));
    }

    static async Task<Results<Ok<RemittanceView>, NotFoundProblem>> GetRemittance(Guid remittanceId, IQuerySession query, CancellationToken ct) =>
        await query.LoadAsync<RemittanceView>(remittanceId, ct) is { } r ? TypedResults.Ok(r) : new NotFoundProblem("No such remittance in this practice.");

    static async Task<Ok<CursorPage<UnmatchedClaimPayment>>> ListUnmatched(IQuerySession query, string? state, string? sort, string? cursor, int? limit,
        HttpContext context, CancellationToken ct)
    {
        var order = UnmatchedSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        var s = state is { Length: > 0 } ? Enum.TryParse<UnmatchedState>(state, true, out var v) ? v
            : throw new InvalidInput("state", "state must be open or linked.") : UnmatchedState.Open;
        return TypedResults.Ok((await order.Apply(query.Query<UnmatchedClaimPayment>().Where(u => u.State == s))
            .ToCursorPageAsync(request, ct)).WithLink(context));
    }

    static async Task<Results<Ok<UnmatchedClaimPayment>, NotFoundProblem>> Link(Guid practiceId, Guid unmatchedId, LinkUnmatched body,
        IDocumentSession session, HttpContext context, TimeProvider clock, CancellationToken ct)
    {
        if (await session.LoadAsync<UnmatchedClaimPayment>(unmatchedId, ct) is null) return new NotFoundProblem("No such unmatched claim payment in this practice.");
        return TypedResults.Ok(await FollowUpWrites.Link(session, practiceId, unmatchedId, body, context.User.Actor(), clock, ct));
    }

    // Denials

    static async Task<Ok<PageOf<DenialWorkItem>>> ListWorkItems(IQuerySession query, TimeProvider clock, string? state, string? category, string? owner,
        Guid? payerId, bool? overdue, string? sort, string? cursor, int? limit, int? page, int? pageSize, HttpContext context, CancellationToken ct)
    {
        var order = PaymentQueries.WorkItemSorting.Parse(sort);
        return TypedResults.Ok(await PaymentQueries.FilteredWorkItems(query, state, category, owner, payerId, overdue, Today(clock))
            .ToPageOrCursorAsync(order, page, pageSize, cursor, limit, context, ct));
    }

    static async Task<CsvDownload<DenialWorkItem>> ExportWorkItems(IQuerySession query, TimeProvider clock, string? state, string? category,
        string? owner, Guid? payerId, bool? overdue, string? sort, CancellationToken ct) =>
        CsvDownload.Of("denial-work-items.csv", WorkItemColumns,
            await PaymentQueries.WorkItems(query, state, category, owner, payerId, overdue, Today(clock), sort).ToListAsync(ct));

    public static readonly CsvColumn<DenialWorkItem>[] WorkItemColumns =
    [
        new("due", i => i.DueDate), new("state", i => i.State), new("category", i => ReasonText.Category(i.Category)), new("patient", i => i.PatientName),
        new("claim", i => i.PatientControlNumber), new("payer_claim_number", i => i.PayerClaimNumber), new("payer", i => i.PayerName),
        new("date_of_service", i => i.DateOfService), new("denied", i => i.DeniedAmount, "0.00"),
        new("reasons", i => string.Join("; ", i.Reasons.Select(r => ReasonText.Describe(r.Group, r.Carc)))), new("next_action", i => i.NextAction),
        new("owner", i => i.Owner), new("appeals", i => i.Appeals.Length), new("id", i => i.Id),
    ];

    public static WorkItemDetails Details(DenialWorkItem item) => new(item,
        [.. item.Reasons.Select(r => new ReasonWords($"{r.Group}-{r.Carc}", ReasonText.Describe(r.Group, r.Carc)))
            .Concat(item.Reasons.SelectMany(r => r.Remarks).Distinct().Select(m => new ReasonWords(m, ReasonText.Rarc(m))))],
        ReasonText.Category(item.Category));

    static async Task<Results<Ok<WorkItemDetails>, NotFoundProblem>> GetWorkItem(Guid workItemId, IQuerySession query, HttpContext context,
        CancellationToken ct)
    {
        if (await query.LoadAsync<DenialWorkItem>(workItemId, ct) is not { } item) return NoItem();
        context.Response.Headers.ETag = ETags.For(item.Version);
        return TypedResults.Ok(Details(item));
    }

    static NotFoundProblem NoItem() => new("No such work item in this practice.");

    static async Task<Results<Ok<int>, NotFoundProblem>> Assign(AssignWorkItems body, IDocumentSession session, HttpContext context, TimeProvider clock,
        CancellationToken ct)
    {
        var found = await session.Query<DenialWorkItem>().Where(i => i.Id.IsOneOf(body.Ids)).CountAsync(ct);
        if (found != body.Ids.Distinct().Count()) return NoItem();
        return TypedResults.Ok(await FollowUpWrites.Assign(session, body, context.User.Actor(), clock, ct));
    }

    static async Task<Results<Ok<WorkItemDetails>, NotFoundProblem>> Write(IDocumentSession session, Guid id, HttpContext context,
        Func<long?, Task<DenialWorkItem>> write, CancellationToken ct)
    {
        if (await session.LoadAsync<DenialWorkItem>(id, ct) is null) return NoItem();
        var item = await write(ETags.Parse(context.Request.Headers.IfMatch));
        context.Response.Headers.ETag = ETags.For(item.Version);
        return TypedResults.Ok(Details(item));
    }

    static Task<Results<Ok<WorkItemDetails>, NotFoundProblem>> AddNote(Guid workItemId, AddWorkItemNote body, IDocumentSession session,
        HttpContext context, TimeProvider clock, CancellationToken ct) =>
        Write(session, workItemId, context, v => FollowUpWrites.AddNote(session, workItemId, v, body, context.User.Actor(), clock, ct), ct);

    static async Task<Results<Ok<WorkItemDetails>, NotFoundProblem>> Attach(Guid workItemId, IFormFile file, IDocumentSession session,
        HttpContext context, IOptions<DocumentOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (await session.LoadAsync<DenialWorkItem>(workItemId, ct) is null) return NoItem();
        await using var content = file.OpenReadStream();
        return TypedResults.Ok(Details(await FollowUpWrites.Attach(session, workItemId, file.FileName, content, options.Value.MaxBytes,
            context.User.Actor(), clock, ct)));
    }

    static async Task<Results<FileContentHttpResult, NotFoundProblem>> Download(Guid workItemId, Guid documentId, IQuerySession query,
        HttpContext context, CancellationToken ct)
    {
        var doc = await query.LoadAsync<WorkItemDocument>(documentId, ct);
        if (doc is null || doc.WorkItemId != workItemId) return new NotFoundProblem("No such document on this work item.");
        Serve(context.Response, doc);
        return TypedResults.File(doc.Content, doc.ContentType == "text/plain" ? "text/plain; charset=utf-8" : doc.ContentType);
    }

    public static void Serve(HttpResponse response, WorkItemDocument doc)
    {
        var disposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(doc.FileName);
        response.Headers.ContentDisposition = disposition.ToString();
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
        response.Headers.ContentSecurityPolicy = "sandbox";
    }

    static Task<Results<Ok<WorkItemDetails>, NotFoundProblem>> Appeal(Guid practiceId, Guid workItemId, AppealDenial body, IDocumentSession session,
        HttpContext context, TimeProvider clock, CancellationToken ct) =>
        Write(session, workItemId, context, v => FollowUpWrites.Appeal(session, practiceId, workItemId, v, body, context.User.Actor(), clock, ct), ct);

    public sealed record CorrectedClaimSent(Guid ClaimId, WorkItemDetails WorkItem);

    static async Task<Results<Created<CorrectedClaimSent>, NotFoundProblem>> CorrectedClaim(Guid practiceId, Guid workItemId, CorrectDeniedClaim body,
        IDocumentSession session, HttpContext context, Codes.CodeCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        if (await session.LoadAsync<DenialWorkItem>(workItemId, ct) is null) return NoItem();
        var (item, claimId) = await FollowUpWrites.CorrectedClaim(session, catalog, workItemId, ETags.Parse(context.Request.Headers.IfMatch), body,
            context.User.Actor(), clock, ct);
        context.Response.Headers.ETag = ETags.For(item.Version);
        return TypedResults.Created($"/api/v1/practices/{practiceId}/claims/{claimId}", new CorrectedClaimSent(claimId, Details(item)));
    }

    static Task<Results<Ok<WorkItemDetails>, NotFoundProblem>> Resolve(Guid workItemId, ResolveDenial body, IDocumentSession session,
        HttpContext context, TimeProvider clock, CancellationToken ct) =>
        Write(session, workItemId, context, v => FollowUpWrites.Resolve(session, workItemId, v, body, context.User.Actor(), clock, ct), ct);

    static Task<Results<Ok<WorkItemDetails>, NotFoundProblem>> WriteOff(Guid practiceId, Guid workItemId, WriteOffDenial body,
        IDocumentSession session, HttpContext context, TimeProvider clock, CancellationToken ct) =>
        Write(session, workItemId, context, v => FollowUpWrites.WriteOff(session, practiceId, workItemId, v, body, context.User.Actor(), clock, ct), ct);

    static Task<Results<Ok<WorkItemDetails>, NotFoundProblem>> ApproveWriteOff(Guid workItemId, IDocumentSession session, HttpContext context,
        TimeProvider clock, CancellationToken ct) =>
        Write(session, workItemId, context, v => FollowUpWrites.ApproveWriteOff(session, workItemId, v, context.User.Actor(), clock, ct), ct);

    static async Task<Ok<PaymentSettings>> GetSettings(Guid practiceId, IQuerySession query, CancellationToken ct) =>
        TypedResults.Ok(await query.LoadAsync<PaymentSettings>(practiceId, ct) ?? PaymentSettings.Default(practiceId));

    static async Task<Ok<PaymentSettings>> PutSettings(Guid practiceId, ChangePaymentSettings body, IDocumentSession session, HttpContext context,
        TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(await FollowUpWrites.ChangeSettings(session, practiceId, body, context.User.Actor(), clock, ct));

    // A/R

    static async Task<Ok<AgingReport>> Aging(Guid practiceId, TenantDatabases databases, TimeProvider clock, DateOnly? asOf, AgingBasis? basis,
        CancellationToken ct) =>
        TypedResults.Ok(await PaymentQueries.Aging(databases.For(practiceId), practiceId, asOf ?? Today(clock), basis ?? AgingBasis.DateOfService, ct));

    static async Task<CsvDownload<(string Party, AgingRow Row)>> ExportAging(Guid practiceId, TenantDatabases databases, TimeProvider clock, DateOnly? asOf,
        AgingBasis? basis, CancellationToken ct)
    {
        var report = await PaymentQueries.Aging(databases.For(practiceId), practiceId, asOf ?? Today(clock), basis ?? AgingBasis.DateOfService, ct);
        return CsvDownload.Of($"ar-aging-{report.AsOf:yyyy-MM-dd}.csv", AgingColumns,
            report.ByPayer.Select(r => ("insurance", r)).Concat(report.ByPatient.Select(r => ("patient", r))));
    }

    public static readonly CsvColumn<(string Party, AgingRow Row)>[] AgingColumns =
    [
        new("party", r => r.Party), new("name", r => r.Row.Key), new("0_30", r => r.Row.Days0To30, "0.00"), new("31_60", r => r.Row.Days31To60, "0.00"),
        new("61_90", r => r.Row.Days61To90, "0.00"), new("91_120", r => r.Row.Days91To120, "0.00"), new("over_120", r => r.Row.Over120, "0.00"),
        new("total", r => r.Row.Total, "0.00"),
    ];

    static async Task<Ok<CursorPage<LedgerBalance>>> Ledger(Guid practiceId, TenantDatabases databases, string? account, string? id, string? sort,
        string? cursor, int? limit, HttpContext context, CancellationToken ct)
    {
        var order = PaymentQueries.LedgerSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        return TypedResults.Ok(order.Apply(await PaymentQueries.Balances(databases.For(practiceId), practiceId, account ?? "claim", id, ct))
            .Slice(request).WithLink(context));
    }

    static async Task<Ok<KpiReport>> Kpis(Guid practiceId, TenantDatabases databases, TimeProvider clock, DateOnly? from, DateOnly? to,
        CancellationToken ct)
    {
        var end = to ?? Today(clock);
        var start = from ?? end.AddDays(-89);
        if (start > end) throw new InvalidInput("from", "from must not be after to.");
        return TypedResults.Ok(await PaymentQueries.Kpi(databases.For(practiceId), practiceId, start, end, ct));
    }

    static async Task<Ok<CursorPage<FollowUpRow>>> FollowUpQueue(Guid practiceId, IQuerySession query, HttpContext context, TimeProvider clock,
        string? reason, string? owner, string? sort, string? cursor, int? limit, CancellationToken ct)
    {
        var order = FollowUpSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        return TypedResults.Ok(order.Apply(await ArFollowUps.Queue(query, practiceId, Today(clock), owner == "me" ? context.User.Actor() : owner,
            ArFollowUps.ParseReason(reason), ct)).Slice(request).WithLink(context));
    }

    static async Task<Results<Ok<int>, NotFoundProblem>> AssignFollowUps(AssignFollowUps body, IDocumentSession session, HttpContext context,
        TimeProvider clock, CancellationToken ct) =>
        await ArFollowUps.Assign(session, body with { Owner = body.Owner == "me" ? context.User.Actor() : body.Owner }, context.User.Actor(), clock, ct)
            is { } n ? TypedResults.Ok(n) : new NotFoundProblem("One or more claims are not in this practice.");

    static async Task<Results<Ok<ArFollowUp>, NotFoundProblem>> AddFollowUpNote(Guid claimId, AddFollowUpNote body, IDocumentSession session,
        HttpContext context, TimeProvider clock, CancellationToken ct)
    {
        var expected = ETags.Parse(context.Request.Headers.IfMatch) is { } v ? (int)v : (int?)null;
        if (await ArFollowUps.AddNote(session, claimId, expected, body, context.User.Actor(), clock, ct) is not { } f)
            return new NotFoundProblem("No such claim in this practice.");
        context.Response.Headers.ETag = ETags.For(f.Revision);
        return TypedResults.Ok(f);
    }

    static async Task<Ok<CursorPage<ClientCollections>>> VendorCollectionsApi(Tenancy.PracticeAccess access, TenantDatabases databases, HttpContext context,
        TimeProvider clock, DateOnly? from, DateOnly? to, string? sort, string? cursor, int? limit, CancellationToken ct)
    {
        var order = CollectionsSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        var end = to ?? Today(clock);
        var start = from ?? end.AddDays(-89);
        if (start > end) throw new InvalidInput("from", "from must not be after to.");
        return TypedResults.Ok(order.Apply(await VendorCollections.For(access, databases, context.User, start, end, ct)).Slice(request).WithLink(context));
    }

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}

