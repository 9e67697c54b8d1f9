using System.Globalization;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Portal.Web.Features.Claims.Submission;


/// <summary>A batch in a list (its claims are in the detail).</summary>
public sealed record BatchSummary(Guid Id, long Version, BatchState State, string InterchangeControlNumber, string GroupControlNumber,
    string TransactionSetControlNumber, string Usage, string? PayerName, string FileName, long FileSize, int ClaimCount, int TransactionClaims,
    decimal TotalCharge, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, int Sends, string? AckStatusText, int ClaimsAccepted,
    int ClaimsRejected)
{
    public static BatchSummary From(ClaimBatchView b) => new(b.Id, b.Version, b.State, b.InterchangeControlNumber, b.GroupControlNumber,
        b.TransactionSetControlNumber, b.Usage, b.PayerName, b.FileName, b.FileSize, b.ClaimCount, b.TransactionClaims, b.TotalCharge, b.CreatedBy,
        b.CreatedAt, b.SentAt, b.Sends.Length, b.AckStatusText, b.ClaimsAccepted, b.ClaimsRejected);
}

/// <summary>A claim of a batch with where it stands now and, when rejected, why.</summary>
public sealed record BatchClaimRow(Guid ClaimId, string PatientControlNumber, string[] Parts, string PatientName, string PayerName,
    DateOnly DateOfService, decimal Charge, ClaimState State, string[] RejectionReasons);

public sealed record BatchDetail(BatchSummary Batch, string Reference, string SenderId, string ReceiverId, BatchSend[] SendLog,
    string[] AckErrors, Guid[] AcknowledgementIds, IReadOnlyList<BatchClaimRow> Claims);

public sealed record SendResult(Guid BatchId, BatchSend Send);

public sealed record InboxCheckResult(IReadOnlyList<InboxCheck.FileOutcome> Files);

public static class SubmissionEndpoints
{
    const string X12Type = "application/edi-x12";

    public static void MapClaimSubmission(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/practices/{practiceId:guid}/claims/submission").WithTags("Claim submission");

        g.MapGet("/settings", GetSettings).WithName("GetTradingPartnerSettings").Requires(Permissions.SubmissionRead)
            .WithSummary("The practice's trading-partner settings: submitter and receiver ids, test or production, transport")
            .WithDescription("configured = false (version 0, defaults) until an administrator saves them. The ETag is the settings' version; send it back as If-Match when changing them.");
        g.MapPut("/settings", PutSettings).WithName("UpdateTradingPartnerSettings").Requires(Permissions.SubmissionSettings).HonoursIfMatch()
            .WithSummary("Replace the trading-partner settings")
            .WithDescription("Ids as the clearinghouse assigned them. Transport Outbox (embedded folder, download) or Sftp with an account whose " +
                "credentialName names a secret in configuration (Portal:Submission:Credentials:<name>:Password | PrivateKeyPath | PrivateKey), " +
                "never the secret itself. If-Match with the ETag read: 412 when someone changed them since.")
            .ProducesValidationProblem().ProducesProblem(412);

        g.MapGet("/batches", ListBatches).WithName("ListClaimBatches").Requires(Permissions.SubmissionRead).Sorts(BatchSorting)
            .WithSummary("The practice's 837P batches, newest first")
            .WithDescription("Cursor paging (docs/api.md): limit (1–200, default 50) and cursor from the previous page's next or Link rel=\"next\".")
            .ProducesProblem(400);
        g.MapPost("/batches", CreateBatches).WithName("CreateClaimBatches").Requires(Permissions.SubmissionSend).Idempotent()
            .WithSummary("Batch ready claims into 837P files (one per payer, or one for the clearinghouse) and send them")
            .WithDescription("Body (optional): claimIds and/or payerIds to batch only those; empty = every ready claim. Control numbers (ISA13 = GS06, " +
                "ST02) come from the practice+sender counter in the same transaction. Each file is sent at once with the practice's transport; a " +
                "failed send is logged on the batch and can be retried with resend. 422 in plain words when the practice has no trading-partner " +
                "settings or billing profile, or no claim is ready.")
            .ProducesProblem(422);
        g.MapGet("/batches/{batchId:guid}", GetBatch).WithName("GetClaimBatch").Requires(Permissions.SubmissionRead)
            .WithSummary("One batch: control numbers, file, send log, 999 result and its claims as they stand now");
        g.MapGet("/batches/{batchId:guid}/file", DownloadBatch).WithName("DownloadClaimBatchFile").Requires(Permissions.SubmissionRead)
            .WithSummary("The 837P file as written (application/edi-x12)")
            .Produces(200, contentType: X12Type);
        g.MapPost("/batches/{batchId:guid}/resend", Resend).WithName("ResendClaimBatch").Requires(Permissions.SubmissionSend).Idempotent()
            .WithSummary("Send the same file again (same control numbers) with the practice's transport; every attempt is logged")
            .ProducesProblem(409).ProducesProblem(422);

        g.MapGet("/acknowledgements", ListAcknowledgements).WithName("ListAcknowledgements").Requires(Permissions.SubmissionRead).Sorts(AckSorting)
            .WithSummary("Imported 999 and 277CA files, newest first, with what each changed")
            .WithDescription("Cursor paging as for batches.").ProducesProblem(400);
        g.MapPost("/acknowledgements", ImportAcknowledgement).WithName("ImportAcknowledgement").Requires(Permissions.SubmissionSend).Idempotent()
            .Accepts<string>(X12Type, "text/plain", "application/octet-stream", "multipart/form-data")
            .WithSummary("Import a 999 or 277CA: the raw X12 as the body, or a multipart form with a 'file' part")
            .WithDescription("Matched to batches by the group and set control numbers (999 AK1/AK2) and to claims by the patient control number " +
                "(277CA TRN*2). Rejections go back to the claims work queue with the reason in plain words. All or nothing: a malformed file, or " +
                "one naming a batch or claim this practice did not send, is refused (422 with segment and position) and nothing is applied. The " +
                "same file again changes nothing: 200 with duplicate = true. 201 otherwise.")
            .Produces<AckImportResult>(201).ProducesProblem(400).ProducesProblem(422);
        g.MapGet("/acknowledgements/{acknowledgementId:guid}", GetAcknowledgement).WithName("GetAcknowledgement").Requires(Permissions.SubmissionRead)
            .WithSummary("One imported acknowledgement and its effects on batches and claims");
        g.MapPost("/inbox/check", CheckInbox).WithName("CheckSubmissionInbox").Requires(Permissions.SubmissionSend).Idempotent()
            .WithSummary("Fetch and import the 999 and 277CA files waiting in the inbox (SFTP in-folder or the embedded inbox folder)")
            .WithDescription("Files of other transaction sets (835 remittances) are left in the inbox for the feature that takes them.")
            .ProducesProblem(422);
    }

    static async Task<Ok<TradingPartnerSettings>> GetSettings(HttpContext context, IQuerySession query, CancellationToken ct)
    {
        var practiceId = context.RequiredPractice().PracticeId;
        var settings = await TradingPartnerSettings.For(query, practiceId, ct)
            ?? new TradingPartnerSettings { Id = SubmissionIds.Settings(practiceId), PracticeId = practiceId };
        if (settings.Configured) context.Response.Headers.ETag = ETags.For(settings.Version);
        return TypedResults.Ok(settings);
    }

    static async Task<Results<Ok<TradingPartnerSettings>, ValidationProblem>> PutSettings(UpdateTradingPartnerSettings body, HttpContext context,
        IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        if (body.Errors() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var settings = await SubmissionWrites.SaveSettings(session, context.RequiredPractice().PracticeId, ETags.Parse(context.Request.Headers.IfMatch),
            body, context.User.Actor(), clock, ct);
        context.Response.Headers.ETag = ETags.For(settings.Version);
        return TypedResults.Ok(settings);
    }

    static readonly Sorting<ClaimBatchView> BatchSorting = new Sorting<ClaimBatchView>("-sequence")
    {
        { "sequence|created", "the practice's batch sequence (creation order)", b => b.Sequence },
        { "sent", "when the batch was last sent", b => b.SentAt },
        { "payer", "payer name", b => b.PayerName },
        { "claims", "number of claims", b => b.ClaimCount },
        { "charge", "total charge", b => b.TotalCharge },
        { "state", "batch state", b => b.State },
    }.TieBreak(b => b.Sequence);

    static readonly Sorting<Acknowledgement> AckSorting = new Sorting<Acknowledgement>("-sequence")
    {
        { "sequence|received", "the practice's import sequence (receipt order)", a => a.Sequence },
        { "kind", "999 or 277CA", a => a.Kind },
        { "accepted", "claims accepted", a => a.Accepted },
        { "rejected", "claims rejected", a => a.Rejected },
    }.TieBreak(a => a.Sequence);

    static async Task<Ok<CursorPage<BatchSummary>>> ListBatches(HttpContext context, IQuerySession query, string? sort, string? cursor, int? limit, CancellationToken ct)
    {
        // The cursor convention (Platform/CursorPaging): newest first by the practice's batch sequence; another sort by position.
        var order = BatchSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        var q = query.Query<ClaimBatchView>().AsQueryable();
        if (!order.IsDefault)
        {
            var sorted = (await order.Apply(q).ToCursorPageAsync(request, ct)).WithLink(context);
            return TypedResults.Ok(new CursorPage<BatchSummary>([.. sorted.Items.Select(BatchSummary.From)], sorted.Next));
        }
        if (request.Position() is { } after) q = q.Where(b => b.Sequence < after.Number);
        var rows = await q.OrderByDescending(b => b.Sequence).Take(request.Fetch).ToListAsync(ct);
        var page = CursorPaging.Page(rows, request, b => CursorPaging.Key(b.Sequence)).WithLink(context);
        return TypedResults.Ok(new CursorPage<BatchSummary>([.. page.Items.Select(BatchSummary.From)], page.Next));
    }

    static async Task<Results<Created<IReadOnlyList<BatchSummary>>, ProblemHttpResult>> CreateBatches(HttpContext context, IDocumentStore store,
        SubmissionStorage storage, ClaimTransports transports, TimeProvider clock, CancellationToken ct)
    {
        var body = context.Request.ContentLength is > 0 || context.Request.HasJsonContentType()
            ? await context.Request.ReadFromJsonAsync<CreateBatches>(ct) ?? new CreateBatches()
            : new CreateBatches();
        var practice = context.RequiredPractice();
        var batches = await SubmissionWrites.CreateAndSend(store, storage, transports, practice.PracticeId, body, context.User.Actor(), clock, ct);
        return TypedResults.Created($"/api/v1/practices/{practice.PracticeId}/claims/submission/batches", batches);
    }

    static async Task<Results<Ok<BatchDetail>, NotFoundProblem>> GetBatch(Guid batchId, HttpContext context, IQuerySession query, CancellationToken ct)
    {
        var detail = await SubmissionReads.Batch(query, batchId, ct);
        if (detail is null) return new NotFoundProblem("No such batch.");
        context.Response.Headers.ETag = ETags.For(detail.Batch.Version);
        return TypedResults.Ok(detail);
    }

    static async Task<Results<PhysicalFileHttpResult, NotFoundProblem>> DownloadBatch(Guid batchId, HttpContext context, IQuerySession query,
        SubmissionStorage storage, CancellationToken ct)
    {
        var batch = await query.LoadAsync<ClaimBatchView>(batchId, ct);
        if (batch is null) return new NotFoundProblem("No such batch.");
        var path = storage.BatchFile(context.RequiredPractice().PracticeId, batch.FileName);
        if (!File.Exists(path)) return new NotFoundProblem($"The file {batch.FileName} is missing from the batch store.");
        return TypedResults.PhysicalFile(path, X12Type, batch.FileName);
    }

    static async Task<Results<Ok<SendResult>, NotFoundProblem>> Resend(Guid batchId, HttpContext context, IDocumentSession session,
        ClaimTransports transports, SubmissionStorage storage, TimeProvider clock, CancellationToken ct)
    {
        if (await session.LoadAsync<ClaimBatchView>(batchId, ct) is null) return new NotFoundProblem("No such batch.");
        var send = await BatchWrites.Send(session, transports, storage, context.RequiredPractice().PracticeId, batchId, resend: true,
            context.User.Actor(), clock, ct);
        return TypedResults.Ok(new SendResult(batchId, send));
    }

    static async Task<Ok<CursorPage<Acknowledgement>>> ListAcknowledgements(HttpContext context, IQuerySession query, string? sort, string? cursor, int? limit,
        CancellationToken ct)
    {
        var order = AckSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        var q = query.Query<Acknowledgement>().AsQueryable();
        if (!order.IsDefault) return TypedResults.Ok((await order.Apply(q).ToCursorPageAsync(request, ct)).WithLink(context));
        if (request.Position() is { } after) q = q.Where(x => x.Sequence < after.Number);
        var rows = await q.OrderByDescending(x => x.Sequence).Take(request.Fetch).ToListAsync(ct);
        return TypedResults.Ok(CursorPaging.Page(rows, request, x => CursorPaging.Key(x.Sequence)).WithLink(context));
    }

    static async Task<Results<Created<AckImportResult>, Ok<AckImportResult>, ProblemHttpResult>> ImportAcknowledgement(HttpContext context,
        IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var (content, name) = await SubmissionReads.UploadedFile(context.Request, ct);
        var practice = context.RequiredPractice();
        var result = await BatchWrites.Retrying(store, practice.TenantId, session =>
            AcknowledgementImport.Import(session, practice.PracticeId, content, name, "api", context.User.Actor(), clock.GetUtcNow(), ct));
        return result.Duplicate
            ? TypedResults.Ok(result)
            : TypedResults.Created($"/api/v1/practices/{practice.PracticeId}/claims/submission/acknowledgements/{result.Acknowledgement.Id}", result);
    }

    static async Task<Results<Ok<Acknowledgement>, NotFoundProblem>> GetAcknowledgement(Guid acknowledgementId, IQuerySession query, CancellationToken ct) =>
        await query.LoadAsync<Acknowledgement>(acknowledgementId, ct) is { } ack ? TypedResults.Ok(ack) : new NotFoundProblem("No such acknowledgement.");

    static async Task<Ok<InboxCheckResult>> CheckInbox(HttpContext context, IQuerySession query, InboxCheck check, CancellationToken ct)
    {
        var practice = context.RequiredPractice();
        var settings = await TradingPartnerSettings.For(query, practice.PracticeId, ct)
            ?? throw new UnprocessableInput("The practice has no trading-partner settings, so there is no inbox to check.");
        try
        {
            return TypedResults.Ok(new InboxCheckResult(await check.RunAsync(practice.PracticeId, settings, context.User.Actor(), ct)));
        }
        catch (TransportFailed e)
        {
            throw new UnprocessableInput("The inbox could not be read: " + e.Message);
        }
    }
}

/// <summary>Writes both the API and the page perform.</summary>
public static class SubmissionWrites
{
    public static async Task<TradingPartnerSettings> SaveSettings(IDocumentSession session, Guid practiceId, long? expectedVersion,
        UpdateTradingPartnerSettings body, string by, TimeProvider clock, CancellationToken ct)
    {
        var id = SubmissionIds.Settings(practiceId);
        var stream = expectedVersion is { } v
            ? await session.Events.FetchForWriting<TradingPartnerSettings>(id, v, ct)
            : await session.Events.FetchForWriting<TradingPartnerSettings>(id, ct);
        stream.AppendOne(body.ToEvent(practiceId, by, clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        return (await session.LoadAsync<TradingPartnerSettings>(id, ct))!;
    }

    /// <summary>Creates the batches (retrying lost races), then sends each file; a failed send leaves the batch created with the failure logged.</summary>
    public static async Task<IReadOnlyList<BatchSummary>> CreateAndSend(IDocumentStore store, SubmissionStorage storage, ClaimTransports transports,
        Guid practiceId, CreateBatches request, string by, TimeProvider clock, CancellationToken ct)
    {
        var tenant = practiceId.ToString();
        var created = await BatchWrites.Retrying(store, tenant, session =>
            BatchWrites.Create(session, storage, practiceId, request, by, clock.GetUtcNow(), ct));
        var result = new List<BatchSummary>();
        foreach (var batch in created)
        {
            await using var session = store.LightweightSession(tenant);
            await BatchWrites.Send(session, transports, storage, practiceId, batch.Id, resend: false, by, clock, ct);
            result.Add(BatchSummary.From((await session.LoadAsync<ClaimBatchView>(batch.Id, ct))!));
        }
        return result;
    }
}

public static class SubmissionReads
{
    public static async Task<BatchDetail?> Batch(IQuerySession query, Guid batchId, CancellationToken ct)
    {
        var batch = await query.LoadAsync<ClaimBatchView>(batchId, ct);
        if (batch is null) return null;
        var claims = (await query.LoadManyAsync<ClaimView>(ct, batch.Claims.Select(c => c.ClaimId))).ToDictionary(c => c.Id);
        var rows = batch.Claims.Select(c => claims.TryGetValue(c.ClaimId, out var v)
            ? new BatchClaimRow(c.ClaimId, c.PatientControlNumber, c.Parts, c.PatientName, c.PayerName, c.DateOfService, c.Charge, v.State,
                v.State is ClaimState.RejectedByClearinghouse or ClaimState.RejectedByPayer ? v.LastRejectionReasons : [])
            : new BatchClaimRow(c.ClaimId, c.PatientControlNumber, c.Parts, c.PatientName, c.PayerName, c.DateOfService, c.Charge, ClaimState.Batched, [])).ToList();
        return new BatchDetail(BatchSummary.From(batch), batch.Reference, batch.SenderId, batch.ReceiverId, batch.Sends, batch.AckErrors,
            batch.AcknowledgementIds, rows);
    }

    /// <summary>The raw body, or the 'file' part of a multipart form; at most 50 MB.</summary>
    public static async Task<(byte[] Content, string Name)> UploadedFile(HttpRequest request, CancellationToken ct)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            var file = form.Files.GetFile("file") ?? throw new InvalidInput("file", "Send the acknowledgement as a form part named 'file'.");
            if (file.Length > AcknowledgementImport.MaxBytes) throw new UnprocessableInput("The file is larger than 50 MB.");
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, ct);
            return (buffer.ToArray(), Path.GetFileName(file.FileName) is { Length: > 0 } n ? n[..Math.Min(n.Length, 200)] : "upload.x12");
        }
        using var body = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            body.Write(chunk, 0, read);
            if (body.Length > AcknowledgementImport.MaxBytes) throw new UnprocessableInput("The file is larger than 50 MB.");
        }
        return (body.ToArray(), "api-upload.x12");
    }
}
