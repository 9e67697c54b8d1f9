using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Features.Coding;
using Microsoft.Extensions.Options;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

public static class IntakeEndpoints
{
    public static void MapIntake(this IEndpointRouteBuilder app)
    {
        var practice = app.MapGroup("/api/v1/practices/{practiceId:guid}");

        var patients = practice.MapGroup("/patients").WithTags("Patients");
        patients.MapGet("", ListPatients).WithName("ListPatients").Requires(Permissions.PatientsList)
            .WithSummary("Patients of the practice, a page at a time")
            .Sorts(IntakeQueries.PatientSorting)
            .WithDescription("?search= matches part of a name or the exact MRN; sort: see the parameter (docs/api.md, \"Sorting\"). Paging: cursor and limit (1–200, " +
                             "default 50; the answer's 'next' and the Link rel=\"next\" header; page is 0 and total counts every match), or the " +
                             "deprecated page and pageSize (max 200).");
        patients.MapGet("/{patientId:guid}", GetPatient).WithName("GetPatient").Requires(Permissions.PatientsRead)
            .WithSummary("A patient with demographics and coverages; the read is audited, the ETag is the stream version");
        patients.MapPost("", RegisterPatient).WithName("RegisterPatient").Idempotent().Requires(Permissions.IntakeWrite)
            .WithSummary("Register a patient (MRN unique in the practice)")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(422);
        patients.MapPut("/{patientId:guid}", CorrectPatient).WithName("CorrectPatientDemographics").HonoursIfMatch()
            .Requires(Permissions.IntakeWrite)
            .WithSummary("Correct a patient's demographics, saying why")
            .WithDescription("Send If-Match with the ETag you read; a stale one gives 412 and changes nothing.")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        patients.MapPost("/{patientId:guid}/coverages", AddCoverage).WithName("AddCoverage").HonoursIfMatch().Idempotent().Requires(Permissions.IntakeWrite)
            .WithSummary("Add an insurance coverage (payer, member id, subscriber, priority, effective dates)")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        patients.MapPost("/import", ImportPatients).WithName("ImportPatients").Idempotent().Requires(Permissions.IntakeWrite)
            .WithSummary("Register patients from a CSV file; good rows are kept, each bad row is reported")
            .WithDescription("Send text/csv, or multipart/form-data with a 'file' part. Columns: " + string.Join(", ", CsvIntake.PatientColumns) + ".")
            .Accepts<string>("text/csv", "multipart/form-data").ProducesProblem(422);

        var providers = practice.MapGroup("/providers").WithTags("Providers");
        providers.MapGet("", ListProviders).WithName("ListProviders").Requires(Permissions.ReferenceRead).Sorts(IntakeQueries.ProviderSorting)
            .WithSummary("Rendering and billing providers of the practice, by name; cursor and limit (docs/api.md, \"Paging\")");
        providers.MapGet("/{providerId:guid}", GetProvider).WithName("GetProvider").Requires(Permissions.ReferenceRead)
            .WithSummary("One provider");
        providers.MapPut("/{providerId:guid}/user", LinkProviderUser).WithName("LinkProviderUser").HonoursIfMatch()
            .Requires(Permissions.ProviderUserLink)
            .WithSummary("Link the portal user (role provider) who answers this provider's coding queries; userId null unlinks")
            .WithDescription("Optional If-Match with the provider's ETag (412 if stale). 422 if the user is not a provider of this practice; " +
                             "409 if the user is linked to another provider.")
            .ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        providers.MapPost("", EnrollProvider).WithName("EnrollProvider").Idempotent().Requires(Permissions.IntakeWrite)
            .WithSummary("Enrol a provider; the NPI check digit and the taxonomy format are verified (422)")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(422);

        var payers = practice.MapGroup("/payers").WithTags("Payers");
        payers.MapGet("", ListPayers).WithName("ListPayers").Requires(Permissions.ReferenceRead).Sorts(IntakeQueries.PayerSorting)
            .WithSummary("Payers the practice bills, by name; cursor and limit (docs/api.md, \"Paging\")");
        payers.MapGet("/{payerId:guid}", GetPayer).WithName("GetPayer").Requires(Permissions.ReferenceRead)
            .WithSummary("One payer");
        payers.MapPost("", AddPayer).WithName("AddPayer").Idempotent().Requires(Permissions.IntakeWrite)
            .WithSummary("Add a payer with its clearinghouse payer id and timely-filing limit (default 365 days)")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(422);

        var encounters = practice.MapGroup("/encounters").WithTags("Encounters");
        encounters.MapGet("", ListEncounters).WithName("ListEncounters").Requires(Permissions.EncountersList).Sorts(IntakeQueries.EncounterSorting)
            .WithSummary("Encounters, filtered, sorted and a page at a time")
            .WithDescription("Filters: status, dosFrom, dosTo (yyyy-MM-dd), providerId (rendering), patient (part of the name or the MRN). " +
                             "sort: see the parameter; -dos, dos, -opened and opened page by keyset, the others by position. Paging: cursor and limit (1–200, default 50; the answer's " +
                             "'next' and the Link rel=\"next\" header; page is 0 and total counts every match), or page and pageSize (max 200).");
        encounters.MapGet("/export.csv", ExportEncounters).WithName("ExportEncounters").Requires(Permissions.EncountersList)
            .WithSummary("The filtered encounter list as CSV (the export is audited)")
            .Produces<string>(200, "text/csv");
        encounters.MapPost("", OpenEncounter).WithName("OpenEncounter").Idempotent().Requires(Permissions.IntakeWrite)
            .WithSummary("Open an encounter: patient, providers, date and place of service, coverage, visit notes")
            .WithDescription("An unknown patient or provider, or a coverage of another patient, gives 422 naming the field.")
            .ProducesValidationProblem().ProducesProblem(422);
        encounters.MapPost("/import", ImportEncounters).WithName("ImportEncounters").Idempotent().Requires(Permissions.IntakeWrite)
            .WithSummary("Open encounters from a CSV file; good rows are kept, each bad row is reported")
            .WithDescription("Send text/csv, or multipart/form-data with a 'file' part. Columns: " + string.Join(", ", CsvIntake.EncounterColumns) + ".")
            .Accepts<string>("text/csv", "multipart/form-data").ProducesProblem(422);
        encounters.MapGet("/{encounterId:guid}", GetEncounter).WithName("GetEncounter").Requires(Permissions.EncountersRead)
            .WithSummary("An encounter with notes and documents; the read is audited, the ETag is the stream version");
        encounters.MapGet("/{encounterId:guid}/history", EncounterHistory).WithName("GetEncounterHistory").Sorts(IntakeQueries.HistorySorting)
            .Requires(Permissions.EncountersRead)
            .WithSummary("Every event of the encounter: what happened, who, when and why");
        encounters.MapPut("/{encounterId:guid}/notes", ReviseNotes).WithName("ReviseVisitNotes").HonoursIfMatch().Requires(Permissions.IntakeWrite)
            .WithSummary("Replace the visit notes, saying why")
            .WithDescription("Send If-Match with the ETag you read; a stale one gives 412 and changes nothing.")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412);
        encounters.MapPost("/{encounterId:guid}/documents", AttachDocument).WithName("AttachDocument").HonoursIfMatch().Idempotent()
            .Requires(Permissions.IntakeWrite)
            .WithSummary("Attach a PDF, PNG, JPEG, TIFF or plain text document as multipart/form-data 'file'")
            .WithDescription("The type is decided by the file's content, not its name or Content-Type: another type gives 415. " +
                             "A file above Portal:Documents:MaxBytes (default 20 MB) gives 413. If-Match is optional.")
            .DisableAntiforgery() // bearer-token API: no cookies, so no cross-site forgery to defend against
            .ProducesProblem(409).ProducesProblem(412).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);
        encounters.MapGet("/{encounterId:guid}/documents/{documentId:guid}", DownloadDocument).WithName("DownloadDocument")
            .Requires(Permissions.EncountersRead)
            .WithSummary("Download an attached document (audited); always an attachment, never cached")
            .Produces(200, contentType: "application/pdf");

    }

    // Patients

    static async Task<Ok<PageOf<Patient>>> ListPatients(IQuerySession query, string? search, string? sort, string? cursor, int? limit,
        int? page, int? pageSize, HttpContext context, CancellationToken ct) =>
        TypedResults.Ok(await IntakeQueries.Patients(query, search)
            .ToPageOrCursorAsync(IntakeQueries.PatientSorting.Parse(sort), page, pageSize, cursor, limit, context, ct));

    static async Task<Results<Ok<Patient>, NotFoundProblem>> GetPatient(Guid patientId, IDocumentSession session,
        HttpContext context, CancellationToken ct)
    {
        var patient = await session.LoadAsync<Patient>(patientId, ct);
        if (patient is null || !await VendorVisibility.MaySeePatient(session, context.User, patientId, ct)) return NotFound("patient");
        await PhiAudit.Record(session, context, PhiAudit.View, nameof(Patient), patient.Id, patient.Id, ct);
        return WithETag(context, patient, patient.Version);
    }

    static async Task<Created<Patient>> RegisterPatient(RegisterPatient body, HttpContext context, IDocumentSession session,
        TimeProvider clock, CancellationToken ct)
    {
        var patient = await PatientWrites.Register(session, body, context.User.Actor(), clock, ct);
        context.Response.Headers.ETag = ETags.For(patient.Version);
        return TypedResults.Created(Url(context, $"patients/{patient.Id}"), patient);
    }

    static async Task<Results<Ok<Patient>, NotFoundProblem>> CorrectPatient(Guid patientId, CorrectDemographics body,
        HttpContext context, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var patient = await PatientWrites.Correct(session, patientId, ETags.Parse(context.Request.Headers.IfMatch), body,
            context.User.Actor(), clock, ct);
        return patient is null ? NotFound("patient") : WithETag(context, patient, patient.Version);
    }

    static async Task<Results<Ok<Patient>, NotFoundProblem>> AddCoverage(Guid patientId, AddCoverage body,
        HttpContext context, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var patient = await PatientWrites.AddCoverage(session, patientId, ETags.Parse(context.Request.Headers.IfMatch), body,
            context.User.Actor(), clock, ct);
        return patient is null ? NotFound("patient") : WithETag(context, patient, patient.Version);
    }

    static async Task<Ok<CsvImportSummary>> ImportPatients(HttpRequest request, IDocumentSession session, TimeProvider clock,
        CancellationToken ct) =>
        TypedResults.Ok(await CsvIntake.ImportPatients(session, await ReadCsv(request, ct), request.HttpContext.User.Actor(), clock, ct));

    // Providers and payers

    static async Task<Ok<CursorPage<Provider>>> ListProviders(IQuerySession query, string? sort, string? cursor, int? limit, HttpContext context,
        CancellationToken ct)
    {
        var order = IntakeQueries.ProviderSorting.Parse(sort);
        return TypedResults.Ok((await order.Apply(query.Query<Provider>()).ToCursorPageAsync(CursorPaging.Parse(cursor, limit, order), ct)).WithLink(context));
    }

    static async Task<Results<Ok<Provider>, NotFoundProblem>> GetProvider(Guid providerId, IQuerySession query,
        HttpContext context, CancellationToken ct) =>
        await query.LoadAsync<Provider>(providerId, ct) is { } provider ? WithETag(context, provider, provider.Version) : NotFound("provider");

    static async Task<Results<Ok<Provider>, NotFoundProblem>> LinkProviderUser(Guid providerId, LinkProviderUser body,
        HttpContext context, IDocumentSession session, Microsoft.AspNetCore.Identity.UserManager<Identity.PortalUser> users, TimeProvider clock,
        CancellationToken ct)
    {
        var provider = await ProviderWrites.LinkUser(session, users, context.RequiredPractice().PracticeId, providerId,
            ETags.Parse(context.Request.Headers.IfMatch), body, context.User.Actor(), clock, ct);
        return provider is null ? NotFound("provider") : WithETag(context, provider, provider.Version);
    }

    static async Task<Created<Provider>> EnrollProvider(EnrollProvider body, HttpContext context, IDocumentSession session,
        TimeProvider clock, CancellationToken ct)
    {
        var provider = await ProviderWrites.Enroll(session, body, context.User.Actor(), clock, ct);
        return TypedResults.Created(Url(context, $"providers/{provider.Id}"), provider);
    }

    static async Task<Ok<CursorPage<Payer>>> ListPayers(IQuerySession query, string? sort, string? cursor, int? limit, HttpContext context,
        CancellationToken ct)
    {
        var order = IntakeQueries.PayerSorting.Parse(sort);
        return TypedResults.Ok((await order.Apply(query.Query<Payer>()).ToCursorPageAsync(CursorPaging.Parse(cursor, limit, order), ct)).WithLink(context));
    }

    static async Task<Results<Ok<Payer>, NotFoundProblem>> GetPayer(Guid payerId, IQuerySession query,
        HttpContext context, CancellationToken ct) =>
        await query.LoadAsync<Payer>(payerId, ct) is { } payer ? WithETag(context, payer, payer.Version) : NotFound("payer");

    static async Task<Created<Payer>> AddPayer(AddPayer body, HttpContext context, IDocumentSession session, TimeProvider clock,
        CancellationToken ct)
    {
        var payer = await PayerWrites.Add(session, body, context.User.Actor(), clock, ct);
        return TypedResults.Created(Url(context, $"payers/{payer.Id}"), payer);
    }

    // Encounters

    static async Task<Ok<PageOf<EncounterListRow>>> ListEncounters(IQuerySession query, [AsParameters] EncounterFilter filter,
        HttpContext context, CancellationToken ct)
    {
        if (filter.Cursor is null && filter.Limit is null)
            return TypedResults.Ok((await IntakeQueries.Encounters(query, filter).ToPageAsync(filter.Page, filter.PageSize, ct)).Map(EncounterListRow.From));
        var page = await IntakeQueries.EncountersByCursor(query, filter, context, ct);
        new CursorPage<EncounterListRow>([], page.Next).WithLink(context);
        return TypedResults.Ok(page.Map(EncounterListRow.From));
    }

    static async Task<Platform.Csv.CsvDownload<EncounterListRow>> ExportEncounters(IDocumentSession session, [AsParameters] EncounterFilter filter,
        HttpContext context, CancellationToken ct)
    {
        var rows = await IntakeQueries.Encounters(session, filter).Take(10_000).ToListAsync(ct);
        await PhiAudit.Record(session, context, PhiAudit.Export, "EncounterList", null, null, ct);
        return CsvIntake.EncounterExport(rows.Select(EncounterListRow.From));
    }

    static async Task<Created<EncounterDetails>> OpenEncounter(OpenEncounter body, HttpContext context, IDocumentSession session,
        TimeProvider clock, CancellationToken ct)
    {
        var encounter = await EncounterWrites.Open(session, body, "api", context.User.Actor(), clock, ct);
        context.Response.Headers.ETag = ETags.For(encounter.Version);
        return TypedResults.Created(Url(context, $"encounters/{encounter.Id}"), encounter);
    }

    static async Task<Ok<CsvImportSummary>> ImportEncounters(HttpRequest request, IDocumentSession session, TimeProvider clock,
        CancellationToken ct) =>
        TypedResults.Ok(await CsvIntake.ImportEncounters(session, await ReadCsv(request, ct), request.HttpContext.User.Actor(), clock, ct));

    static async Task<Results<Ok<EncounterDetails>, NotFoundProblem>> GetEncounter(Guid encounterId, IDocumentSession session,
        HttpContext context, CancellationToken ct)
    {
        var encounter = await EncounterDetails.Read(session, encounterId, ct);
        if (encounter is null || !await VendorVisibility.MaySeeEncounter(session, context.User, encounterId, ct)) return NotFound("encounter");
        await PhiAudit.Record(session, context, PhiAudit.View, nameof(Encounter), encounter.Id, encounter.PatientId, ct);
        return WithETag(context, encounter, encounter.Version);
    }

    static async Task<Results<Ok<CursorPage<HistoryEntry>>, NotFoundProblem>> EncounterHistory(Guid encounterId, string? sort, string? cursor, int? limit,
        IQuerySession query, HttpContext context, CancellationToken ct)
    {
        var order = IntakeQueries.HistorySorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        if (!await VendorVisibility.MaySeeEncounter(query, context.User, encounterId, ct)) return NotFound("encounter");
        var history = await IntakeQueries.History(query, encounterId, ct);
        return history.Count == 0 || await query.LoadAsync<Encounter>(encounterId, ct) is null
            ? NotFound("encounter")
            : TypedResults.Ok(order.Apply(history).Slice(request).WithLink(context));
    }

    static async Task<Results<Ok<EncounterDetails>, NotFoundProblem>> ReviseNotes(Guid encounterId, ReviseVisitNotes body,
        HttpContext context, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var encounter = await EncounterWrites.ReviseNotes(session, encounterId, ETags.Parse(context.Request.Headers.IfMatch), body,
            context.User.Actor(), clock, ct);
        return encounter is null ? NotFound("encounter") : WithETag(context, encounter, encounter.Version);
    }

    static async Task<Results<Created<DocumentSummary>, NotFoundProblem>> AttachDocument(Guid encounterId, IFormFile file,
        HttpContext context, IDocumentSession session, IOptions<DocumentOptions> options, TimeProvider clock, CancellationToken ct)
    {
        await using var content = file.OpenReadStream();
        var document = await EncounterWrites.AttachDocument(session, encounterId, ETags.Parse(context.Request.Headers.IfMatch),
            file.FileName, content, options.Value.MaxBytes, context.User.Actor(), clock, ct);
        return document is null
            ? NotFound("encounter")
            : TypedResults.Created(Url(context, $"encounters/{encounterId}/documents/{document.Id}"), document);
    }

    static async Task<Results<FileContentHttpResult, NotFoundProblem>> DownloadDocument(Guid encounterId, Guid documentId,
        IDocumentSession session, HttpContext context, CancellationToken ct)
    {
        var document = await session.LoadAsync<EncounterDocument>(documentId, ct);
        if (document is null || document.EncounterId != encounterId
            || !await VendorVisibility.MaySeeEncounter(session, context.User, encounterId, ct)) return NotFound("document");
        var encounter = await session.LoadAsync<Encounter>(encounterId, ct);
        await PhiAudit.Record(session, context, PhiAudit.Download, nameof(EncounterDocument), document.Id, encounter?.PatientId, ct);
        DocumentTypes.ServeAsAttachment(context.Response, document);
        return TypedResults.File(document.Content, DocumentTypes.ServedType(document));
    }


    static async Task<string> ReadCsv(HttpRequest request, CancellationToken ct)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault()
                ?? throw new UnprocessableInput("No file was sent.", new Dictionary<string, string[]> { ["file"] = ["Attach the CSV file as 'file'."] });
            using var reader = new StreamReader(file.OpenReadStream());
            return await reader.ReadToEndAsync(ct);
        }
        using var body = new StreamReader(request.Body);
        return await body.ReadToEndAsync(ct);
    }

    static Ok<T> WithETag<T>(HttpContext context, T value, long version)
    {
        context.Response.Headers.ETag = ETags.For(version);
        return TypedResults.Ok(value);
    }

    static string Url(HttpContext context, string path) => $"/api/v1/practices/{context.RequiredPractice().PracticeId}/{path}";

    static NotFoundProblem NotFound(string what) =>
        new NotFoundProblem($"No {what} with this id in this practice.");
}
