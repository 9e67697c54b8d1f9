using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Billing.Forms;
using Portal.Web.Features.Codes;
using Portal.Web.Platform;
using Portal.Web.Platform.Csv;

namespace Portal.Web.Features.Claims;

public sealed record DraftClaim(Guid EncounterId);
public sealed record OverrideClaimWarning(string Rule, int? Position, string Reason);
public sealed record ReturnClaimToCoding(string Note);
public sealed record RecordPayerClaimNumber(string PayerClaimNumber, string? Reason = null);
/// <summary>Why, and the payer's claim number when the claim does not have it yet (box 22, REF*F8).</summary>
public sealed record ReplaceClaim(string Reason, string? PayerClaimNumber = null);
/// <summary>action: "rescrub" or "ready"; at most 200 claim ids.</summary>
public sealed record BulkClaimAction(string Action, Guid[] ClaimIds);
public sealed record BulkClaimResult(Guid ClaimId, bool Done, int Status, string? Problem);

/// <summary>One event of a claim's history: what happened, who, when, why.</summary>
public sealed record ClaimHistoryEntry(long Version, string Event, string By, DateTimeOffset At, string? Reason, JsonElement Data)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public static ClaimHistoryEntry From(JasperFx.Events.IEvent e)
    {
        var data = JsonSerializer.SerializeToElement(e.Data, e.EventType, Json);
        string? Text(string name) => data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var at = data.TryGetProperty("at", out var a) && a.TryGetDateTimeOffset(out var when) ? when : e.Timestamp;
        return new(e.Version, e.EventTypeName, Text("by") ?? "unknown", at, Text("reason") ?? Text("note"), data);
    }
}

public static class ClaimEndpoints
{
    const string IfMatch = "Send If-Match with the claim's ETag (W/\"<version>\"); a stale one gives 412 and changes nothing.";

    public static void MapClaims(this IEndpointRouteBuilder app)
    {
        var claims = app.MapGroup("/api/v1/practices/{practiceId:guid}/claims").WithTags("Claims");
        claims.MapGet("", List).WithName("ListClaims").Requires(Permissions.ClaimsRead).Sorts(ClaimQueries.Sorting)
            .WithSummary("Claims of the practice, newest first (or in the sort asked for), a page at a time (cursor)")
            .WithDescription("Filters: payerId, providerId (rendering), dosFrom, dosTo (yyyy-MM-dd), state (comma separated states, or 'open' for claims " +
                "with findings to fix or override), age (days since service: 0-30, 31-60, 61-90, 91-120, 120+), rule (an edit id), search (patient " +
                "name, MRN or control number). sort: see the parameter; the default (-created) pages by keyset, another sort by position. limit 1–200 (default 50). The next page: the 'next' cursor in the body and the Link: rel=\"next\" header.");
        claims.MapGet("/export.csv", Export).WithName("ExportClaims").Requires(Permissions.ClaimsRead)
            .WithSummary("The filtered claims as CSV (at most 10,000 rows; the export is audited)").Produces<string>(200, "text/csv");
        claims.MapGet("/edits", Edits).WithName("ListClaimEdits").Requires(Permissions.ClaimsRead).Sorts(ClaimQueries.EditSorting)
            .WithSummary("Open claims grouped by the edit they fail (rule id, title in plain words, number of claims)");
        claims.MapPost("", Create).WithName("DraftClaim").Idempotent().Requires(Permissions.ClaimsWrite)
            .WithSummary("Draft the claim of an approved encounter (also for encounters approved before claims existed)")
            .WithDescription("Claims are drafted by themselves when a chart is approved; this is for encounters approved earlier or after their " +
                "coverage was added. 409 claim-exists, encounter-not-approved, no-coverage; 422 for an unknown encounter.")
            .ProducesProblem(409).ProducesProblem(422);
        claims.MapPost("/bulk", Bulk).WithName("BulkClaimAction").Idempotent().Requires(Permissions.ClaimsWrite)
            .WithSummary("Re-scrub or mark ready many claims at once; each claim's outcome is reported")
            .WithDescription("action 'rescrub' needs claims.write, 'ready' needs claims.ready. A claim that cannot (findings, wrong state) is " +
                "reported with its status and problem; the others are done.")
            .ProducesProblem(403).ProducesProblem(422);
        claims.MapGet("/{claimId:guid}", Get).WithName("GetClaim").Requires(Permissions.ClaimsRead)
            .WithSummary("A claim with its diagnoses, lines, findings, overrides and amounts; the ETag is the stream version");
        claims.MapGet("/{claimId:guid}/history", History).WithName("GetClaimHistory").Requires(Permissions.ClaimsRead).Sorts(HistorySorting)
            .WithSummary("Every event of the claim: what happened, who, when and why");
        claims.MapGet("/{claimId:guid}/cms1500.pdf", Pdf).WithName("GetClaimCms1500").Requires(Permissions.ClaimsRead)
            .WithSummary("The claim on a CMS-1500 (02/12) form as PDF: mode=full (the form and the data) or mode=data (for pre-printed red forms)")
            .WithDescription("409 no-billing-profile until the practice's billing profile is filled in.")
            .Produces(200, contentType: "application/pdf").ProducesProblem(409);

        var write = claims.MapGroup("/{claimId:guid}").HonoursIfMatch();
        write.MapPut("/codes", ChangeCodes).WithName("ChangeClaimCodes").Requires(Permissions.ClaimsWrite)
            .WithSummary("Replace the claim's diagnoses and lines; the claim is scrubbed again")
            .WithDescription("Lines without a charge take the fee schedule's × units. A ready claim goes back to needing work. 409 claim-locked once " +
                "the claim is sent (use a corrected claim). " + IfMatch)
            .ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        write.MapPut("/details", ChangeDetails).WithName("ChangeClaimDetails").Requires(Permissions.ClaimsWrite)
            .WithSummary("Fix place of service, prior authorization or referring provider; the claim is scrubbed again")
            .WithDescription(IfMatch).ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        write.MapPost("/scrub", Rescrub).WithName("RescrubClaim").Requires(Permissions.ClaimsWrite)
            .WithSummary("Run every edit on the claim again (new code-set versions, days to timely filing)")
            .WithDescription(IfMatch).ProducesProblem(409).ProducesProblem(412);
        write.MapPost("/overrides", Override).WithName("OverrideClaimWarning").Requires(Permissions.ClaimsWrite)
            .WithSummary("Override an overridable warning with a reason (rule and position as in the finding)")
            .WithDescription("409 not-overridable for errors and information-only warnings. " + IfMatch)
            .ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        write.MapPost("/ready", Ready).WithName("MarkClaimReady").Requires(Permissions.ClaimsReady)
            .WithSummary("Mark the claim ready to send: no errors and every overridable warning overridden")
            .WithDescription("409 claim-has-findings, awaiting-coding, already-ready, claim-locked. " + IfMatch)
            .ProducesProblem(409).ProducesProblem(412);
        write.MapPost("/return-to-coding", ReturnToCoding).WithName("ReturnClaimToCoding").Requires(Permissions.ClaimsWrite)
            .WithSummary("Send the claim back to coding with a note; the chart returns to its coder, and its next approval updates the claim")
            .WithDescription(IfMatch).ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        write.MapPut("/payer-claim-number", RecordPayerNumber).WithName("RecordPayerClaimNumber").Requires(Permissions.ClaimsWrite)
            .WithSummary("Record the payer's claim number (from the payer's portal or a letter) for a later corrected or void claim")
            .WithDescription(IfMatch).ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        write.MapPost("/correct", Correct).WithName("CorrectClaim").Idempotent().Requires(Permissions.ClaimsVoid)
            .WithSummary("A corrected claim (frequency 7) of a claim the payer has; the original is voided (replaced)")
            .WithDescription("The new claim starts as a copy to fix in place; it carries the payer's claim number (REF*F8, box 22). 409 not-with-payer, " +
                "claim-voided, claim-replaced; 422 without a payer claim number. " + IfMatch)
            .ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        write.MapPost("/void", Void).WithName("VoidClaim").Idempotent().Requires(Permissions.ClaimsVoid)
            .WithSummary("A void claim (frequency 8) cancelling a claim the payer has; the original is voided")
            .WithDescription(IfMatch).ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        write.MapPost("/secondary", Secondary).WithName("DraftSecondaryClaim").Idempotent().Requires(Permissions.ClaimsVoid)
            .WithSummary("The secondary claim of a paid primary: the patient's secondary coverage, with the primary's payment as COB")
            .WithDescription("409 primary-not-paid, not-primary, no-secondary-coverage, secondary-exists.")
            .ProducesProblem(409).ProducesProblem(412);

        var profile = app.MapGroup("/api/v1/practices/{practiceId:guid}/billing-profile").WithTags("Claims");
        profile.MapGet("", GetProfile).WithName("GetBillingProfile").Requires(Permissions.BillingProfileRead)
            .WithSummary("Who bills: the billing organization on every claim (boxes 25/33, 837P loop 2010AA); 404 until it is set");
        profile.MapPut("", PutProfile).WithName("PutBillingProfile").HonoursIfMatch().Requires(Permissions.BillingProfileManage)
            .WithSummary("Set the billing profile: name, NPI (check digit), tax id (9 digits), taxonomy, address (no PO box), contact")
            .WithDescription("If-Match with the ETag you read (412 when stale). 422 names each bad field.")
            .ProducesProblem(412).ProducesProblem(422);
    }

    static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    static NotFoundProblem NotFound() => new("No claim with this id in this practice.");

    static Ok<ClaimView> WithETag(HttpContext context, ClaimView claim)
    {
        context.Response.Headers.ETag = ETags.For(claim.Version);
        return TypedResults.Ok(claim);
    }

    static async Task<Ok<ClaimList>> List(IQuerySession session, [AsParameters] ClaimFilter filter, string? cursor, int? limit, HttpContext context,
        TimeProvider clock, CancellationToken ct)
    {
        var page = await ClaimQueries.Page(session, filter, cursor, limit, Today(clock), ct);
        new CursorPage<ClaimRow>(page.Items, page.Next).WithLink(context);
        return TypedResults.Ok(page);
    }

    static async Task<CsvDownload<ClaimRow>> Export(IQuerySession session, [AsParameters] ClaimFilter filter, TimeProvider clock, CancellationToken ct)
    {
        var today = Today(clock);
        var rows = await ClaimQueries.Sorted(ClaimQueries.Filtered(session, filter, today), filter.Sort).Take(10_000).ToListAsync(ct);
        return new CsvDownload<ClaimRow>($"claims-{today:yyyy-MM-dd}.csv", ClaimQueries.Columns, rows.Select(c => ClaimRow.From(c, today)));
    }

    static async Task<Ok<CursorPage<ClaimEditGroup>>> Edits(IQuerySession session, [AsParameters] ClaimFilter filter, string? cursor, int? limit,
        HttpContext context, TimeProvider clock, CancellationToken ct)
    {
        var sort = ClaimQueries.EditSorting.Parse(filter.Sort);
        var request = CursorPaging.Parse(cursor, limit, sort);
        return TypedResults.Ok(sort.Apply(await ClaimQueries.ByEdit(session, filter with { Sort = null }, Today(clock), ct)).Slice(request).WithLink(context));
    }

    static async Task<Results<Created<ClaimView>, NotFoundProblem>> Create(DraftClaim body, HttpContext context, IDocumentSession session,
        CodeCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        var claim = await ClaimWrites.Draft(session, catalog, body.EncounterId, "api", context.User.Actor(), clock, ct)
            ?? throw new UnprocessableInput("No encounter with this id in this practice.",
                new Dictionary<string, string[]> { ["encounterId"] = ["Use the id of an approved encounter of this practice."] });
        session.Delete<ClaimNotDrafted>(body.EncounterId);
        await session.SaveClaimingAsync(ClaimWrites.EncounterKey, body.EncounterId.ToString(), ct);
        claim.Version = 2;
        context.Response.Headers.ETag = ETags.For(claim.Version);
        return TypedResults.Created(Url(context, claim.Id), claim);
    }

    static string Url(HttpContext context, Guid claimId) => $"/api/v1/practices/{context.RequiredPractice().PracticeId}/claims/{claimId}";

    static async Task<Results<Ok<ClaimView>, NotFoundProblem>> Get(Guid claimId, IDocumentSession session, HttpContext context, CancellationToken ct)
    {
        var claim = await session.LoadAsync<ClaimView>(claimId, ct);
        return claim is null ? NotFound() : WithETag(context, claim);
    }

    static readonly Sorting<ClaimHistoryEntry> HistorySorting = new Sorting<ClaimHistoryEntry>("version")
    {
        { "version", "the stream's event order (oldest first)", e => e.Version },
        { "at", "when it happened", e => e.At },
    }.TieBreak(e => e.Version);

    static async Task<Results<Ok<CursorPage<ClaimHistoryEntry>>, NotFoundProblem>> History(Guid claimId, string? sort, string? cursor, int? limit,
        IQuerySession session, HttpContext context, CancellationToken ct)
    {
        var order = HistorySorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        if (await session.LoadAsync<ClaimView>(claimId, ct) is null) return NotFound();
        var events = await session.Events.FetchStreamAsync(claimId, token: ct);
        return TypedResults.Ok(order.Apply(events.Select(ClaimHistoryEntry.From)).Slice(request).WithLink(context));
    }

    static async Task<Results<FileContentHttpResult, NotFoundProblem>> Pdf(Guid claimId, string? mode, IQuerySession session, HttpContext context,
        TimeProvider clock, CancellationToken ct)
    {
        var formMode = mode switch
        {
            null or "" or "full" => Cms1500Mode.FullForm,
            "data" => Cms1500Mode.DataOnly,
            _ => throw new InvalidInput("mode", "mode is 'full' (the form and the data) or 'data' (data only, for pre-printed forms)."),
        };
        var claim = await session.LoadAsync<ClaimView>(claimId, ct);
        if (claim is null) return NotFound();
        var bytes = await ClaimForms.Cms1500Pdf(session, claim, context.RequiredPractice().PracticeId, formMode, Today(clock), ct);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(bytes, "application/pdf", $"cms1500-{claim.PatientControlNumber}{(formMode == Cms1500Mode.DataOnly ? "-data" : "")}.pdf");
    }

    static Task<Results<Ok<ClaimView>, NotFoundProblem>> Write(HttpContext context, IDocumentSession session, CodeCatalog catalog, Guid claimId,
        TimeProvider clock, CancellationToken ct, Func<ClaimView, Task<object[]>> decide) => WriteAsync(context, session, catalog, claimId, clock, ct, decide);

    static async Task<Results<Ok<ClaimView>, NotFoundProblem>> WriteAsync(HttpContext context, IDocumentSession session, CodeCatalog catalog,
        Guid claimId, TimeProvider clock, CancellationToken ct, Func<ClaimView, Task<object[]>> decide)
    {
        var version = ETags.Parse(context.Request.Headers.IfMatch);
        var current = await session.LoadAsync<ClaimView>(claimId, ct);
        if (current is null) return NotFound();
        var events = await decide(current);
        var claim = await ClaimWrites.Change(session, catalog, claimId, version ?? current.Version, _ => events, clock, ct);
        return claim is null ? NotFound() : WithETag(context, claim);
    }

    static Task<Results<Ok<ClaimView>, NotFoundProblem>> ChangeCodes(Guid claimId, ChangeClaimCodes body, HttpContext context, IDocumentSession session,
        CodeCatalog catalog, TimeProvider clock, CancellationToken ct) =>
        Write(context, session, catalog, claimId, clock, ct, async c =>
        {
            var (dx, lines) = await ClaimInput.Codes(session, c, body, ct);
            return [c.ChangeCodes(dx, lines, Text(body.Reason), context.User.Actor(), clock.GetUtcNow())];
        });

    static Task<Results<Ok<ClaimView>, NotFoundProblem>> ChangeDetails(Guid claimId, ChangeClaimDetails body, HttpContext context,
        IDocumentSession session, CodeCatalog catalog, TimeProvider clock, CancellationToken ct) =>
        Write(context, session, catalog, claimId, clock, ct, async c =>
        {
            var (pos, auth, referring) = await ClaimInput.Details(session, body, ct);
            return [c.ChangeDetails(pos, auth, referring, Text(body.Reason), context.User.Actor(), clock.GetUtcNow())];
        });

    static Task<Results<Ok<ClaimView>, NotFoundProblem>> Rescrub(Guid claimId, HttpContext context, IDocumentSession session, CodeCatalog catalog,
        TimeProvider clock, CancellationToken ct) =>
        Write(context, session, catalog, claimId, clock, ct, c =>
        {
            if (c.State == ClaimState.Voided) throw new RuleViolation("This claim was voided; there is nothing to check.", "claim-voided");
            return Task.FromResult<object[]>([new ClaimWrites.RescrubRequested(context.User.Actor())]);
        });

    static Task<Results<Ok<ClaimView>, NotFoundProblem>> Override(Guid claimId, OverrideClaimWarning body, HttpContext context,
        IDocumentSession session, CodeCatalog catalog, TimeProvider clock, CancellationToken ct) =>
        Write(context, session, catalog, claimId, clock, ct, c => Task.FromResult<object[]>(
            [c.Override(body.Rule?.Trim() ?? "", body.Position, body.Reason ?? "", context.User.Actor(), clock.GetUtcNow())]));

    static Task<Results<Ok<ClaimView>, NotFoundProblem>> Ready(Guid claimId, HttpContext context, IDocumentSession session, CodeCatalog catalog,
        TimeProvider clock, CancellationToken ct) =>
        Write(context, session, catalog, claimId, clock, ct, c => Task.FromResult<object[]>([c.MarkReady(context.User.Actor(), clock.GetUtcNow())]));

    static Task<Results<Ok<ClaimView>, NotFoundProblem>> ReturnToCoding(Guid claimId, ReturnClaimToCoding body, HttpContext context,
        IDocumentSession session, CodeCatalog catalog, TimeProvider clock, CancellationToken ct) =>
        Write(context, session, catalog, claimId, clock, ct, c => Task.FromResult<object[]>(
            [c.ReturnToCoding(body.Note ?? "", context.User.Actor(), clock.GetUtcNow())]));

    static Task<Results<Ok<ClaimView>, NotFoundProblem>> RecordPayerNumber(Guid claimId, RecordPayerClaimNumber body, HttpContext context,
        IDocumentSession session, CodeCatalog catalog, TimeProvider clock, CancellationToken ct) =>
        Write(context, session, catalog, claimId, clock, ct, c => Task.FromResult<object[]>(
            [c.RecordPayerNumber(body.PayerClaimNumber ?? "", Text(body.Reason), context.User.Actor(), clock.GetUtcNow())]));

    static Task<Results<Created<ClaimView>, NotFoundProblem>> Correct(Guid claimId, ReplaceClaim body, HttpContext context, IDocumentSession session,
        CodeCatalog catalog, TimeProvider clock, CancellationToken ct) => Replace("7", claimId, body, context, session, catalog, clock, ct);

    static Task<Results<Created<ClaimView>, NotFoundProblem>> Void(Guid claimId, ReplaceClaim body, HttpContext context, IDocumentSession session,
        CodeCatalog catalog, TimeProvider clock, CancellationToken ct) => Replace("8", claimId, body, context, session, catalog, clock, ct);

    static async Task<Results<Created<ClaimView>, NotFoundProblem>> Replace(string frequency, Guid claimId, ReplaceClaim body, HttpContext context,
        IDocumentSession session, CodeCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        var number = body.PayerClaimNumber is { Length: > 0 } n ? ClaimWrites.PayerNumber(n, "payerClaimNumber") : null;
        var claim = await ClaimWrites.Replace(session, catalog, claimId, ETags.Parse(context.Request.Headers.IfMatch), frequency, number,
            body.Reason ?? "", context.User.Actor(), clock, ct);
        if (claim is null) return NotFound();
        context.Response.Headers.ETag = ETags.For(claim.Version);
        return TypedResults.Created(Url(context, claim.Id), claim);
    }

    static async Task<Results<Created<ClaimView>, NotFoundProblem>> Secondary(Guid claimId, HttpContext context, IDocumentSession session,
        CodeCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        var claim = await ClaimWrites.Secondary(session, catalog, claimId, context.User.Actor(), clock, ct);
        if (claim is null) return NotFound();
        context.Response.Headers.ETag = ETags.For(claim.Version);
        return TypedResults.Created(Url(context, claim.Id), claim);
    }

    static async Task<Ok<IReadOnlyList<BulkClaimResult>>> Bulk(BulkClaimAction body, HttpContext context, IServiceProvider services,
        CodeCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        var ids = body?.ClaimIds ?? [];
        if (ids.Length is 0 or > 200)
            throw new UnprocessableInput("Give 1 to 200 claim ids.", new Dictionary<string, string[]> { ["claimIds"] = ["1 to 200 ids."] });
        var action = body!.Action?.Trim().ToLowerInvariant();
        if (action is not ("rescrub" or "ready"))
            throw new UnprocessableInput("action is 'rescrub' or 'ready'.", new Dictionary<string, string[]> { ["action"] = ["'rescrub' or 'ready'."] });
        if (action == "ready" && !context.User.Allows(Permissions.ClaimsReady, context.CurrentPractice()))
            throw new RefusedContent(403, "Forbidden", "Marking claims ready needs the claims.ready permission.");
        return TypedResults.Ok(await ClaimBulk.Run(services, catalog, action, ids.Distinct().ToArray(), context.User.Actor(), clock, ct));
    }

    static async Task<Results<Ok<BillingProfile>, NotFoundProblem>> GetProfile(Guid practiceId, IQuerySession session, HttpContext context,
        CancellationToken ct)
    {
        var profile = await BillingProfile.For(session, practiceId, ct);
        if (profile is null) return new NotFoundProblem("This practice has no billing profile yet; PUT one.");
        context.Response.Headers.ETag = ETags.For(BillingProfiles.VersionOf(profile));
        return TypedResults.Ok(profile);
    }

    static async Task<Ok<BillingProfile>> PutProfile(Guid practiceId, BillingProfileInput body, IDocumentSession session, HttpContext context,
        TimeProvider clock, CancellationToken ct)
    {
        var profile = await BillingProfiles.Save(session, practiceId, body, ETags.Parse(context.Request.Headers.IfMatch), context.User.Actor(), clock, ct);
        context.Response.Headers.ETag = ETags.For(BillingProfiles.VersionOf(profile));
        return TypedResults.Ok(profile);
    }

    static string? Text(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>Bulk actions: each claim in its own session, so one claim that cannot does not stop the others.</summary>
public static class ClaimBulk
{
    public static async Task<IReadOnlyList<BulkClaimResult>> Run(IServiceProvider services, CodeCatalog catalog, string action, Guid[] ids,
        string by, TimeProvider clock, CancellationToken ct)
    {
        var results = new List<BulkClaimResult>();
        foreach (var id in ids)
        {
            await using var scope = services.CreateAsyncScope();
            var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
            try
            {
                var done = await ClaimWrites.Change(session, catalog, id, null, c => action == "ready"
                    ? [c.MarkReady(by, clock.GetUtcNow())]
                    : c.State == ClaimState.Voided ? throw new RuleViolation("This claim was voided.", "claim-voided") : [new ClaimWrites.RescrubRequested(by)],
                    clock, ct);
                results.Add(done is null ? new(id, false, 404, "No claim with this id in this practice.") : new(id, true, 200, null));
            }
            catch (RuleViolation refused)
            {
                results.Add(new(id, false, 409, refused.Message));
            }
            catch (Exception stale) when (stale.IsStaleWrite())
            {
                results.Add(new(id, false, 412, "The claim changed while the action ran; try again."));
            }
        }
        return results;
    }
}
