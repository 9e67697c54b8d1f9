using System.Reflection;
using Hl7.Fhir.Serialization;
using Marten;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Intake;
using R4 = Hl7.Fhir.Model;

namespace Portal.Web.Features.Fhir;

/// <summary>
/// FHIR R4 for EHRs and payer-facing apps (issue 15 item 6, ADR 0023, docs/fhir.md): the practice's FHIR base is
/// /api/v1/practices/{practiceId}/fhir. A transaction Bundle POSTed to the base goes into intake; Claim/{id} and
/// ExplanationOfBenefit/{id} read a claim and its adjudication. Answers are application/fhir+json; errors are OperationOutcome,
/// or RFC 9457 problem details when the client asks for application/problem+json and not for FHIR.
/// </summary>
public static class FhirEndpoints
{
    public const string FhirJson = "application/fhir+json";

    public static void MapFhir(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup("/api/v1/practices/{practiceId:guid}/fhir").WithTags("FHIR R4");

        fhir.MapPost("", ImportBundle).WithName("ImportFhirBundle").Idempotent().Requires(Permissions.FhirImport)
            .WithSummary("Import a FHIR R4 transaction Bundle (Patient, Coverage, Practitioner, Organization, Encounter, Condition, Procedure, DocumentReference) into intake")
            .WithDescription("All or nothing. Records the practice already has (MRN, NPI, payer id, encounter identifier or same visit, coverage, " +
                             "documented code, document bytes) are matched, not created again: the transaction-response Bundle answers 201 for each " +
                             "entry created and 200 for each already present. 400 unreadable FHIR JSON; 422 an entry Portal cannot take " +
                             "(OperationOutcome with the entry's path); 409 a business rule (overlapping coverage). Mapping: docs/fhir.md.")
            .Accepts<string>(FhirJson, "application/json")
            .Produces<string>(StatusCodes.Status200OK, FhirJson)
            .Produces<string>(StatusCodes.Status400BadRequest, FhirJson)
            .Produces<string>(StatusCodes.Status409Conflict, FhirJson)
            .Produces<string>(StatusCodes.Status422UnprocessableEntity, FhirJson, "application/problem+json")
            .DisableAntiforgery(); // bearer-token API: no cookies, so no cross-site forgery to defend against
        fhir.MapGet("/Claim/{claimId:guid}", GetClaim).WithName("GetFhirClaim").Requires(Permissions.FhirExport)
            .WithSummary("A claim as a FHIR R4 Claim (professional): patient, payer, providers, diagnoses, lines and charges")
            .Produces<string>(StatusCodes.Status200OK, FhirJson).Produces<string>(StatusCodes.Status404NotFound, FhirJson);
        fhir.MapGet("/ExplanationOfBenefit/{claimId:guid}", GetExplanationOfBenefit).WithName("GetFhirExplanationOfBenefit")
            .Requires(Permissions.FhirExport)
            .WithSummary("The payer's adjudication of a claim as a FHIR R4 ExplanationOfBenefit (from its posted 835 claim payments)")
            .WithDescription("The id is the claim's. 404 while no remittance has been posted to the claim.")
            .Produces<string>(StatusCodes.Status200OK, FhirJson).Produces<string>(StatusCodes.Status404NotFound, FhirJson);
        fhir.MapGet("/metadata", Metadata).WithName("GetFhirCapabilityStatement").Requires(Permissions.FhirMetadata)
            .WithSummary("The FHIR base's CapabilityStatement: FHIR R4 (4.0.1), JSON, the transaction import, Claim and ExplanationOfBenefit read and search")
            .Produces<string>(StatusCodes.Status200OK, FhirJson);
        fhir.MapGet("/Claim", SearchClaims).WithName("SearchFhirClaims").Requires(Permissions.FhirSearch)
            .WithSummary("Search claims as a FHIR searchset Bundle: ?patient=Patient/{id} (required), _count (1–200, default 50)")
            .WithDescription("Newest first. The Bundle's next link (also the Link header) carries _cursor for the next page. 400 OperationOutcome for a " +
                             "missing or malformed parameter; a patient of another practice finds nothing.")
            .Produces<string>(StatusCodes.Status200OK, FhirJson).Produces<string>(StatusCodes.Status400BadRequest, FhirJson);
        fhir.MapGet("/ExplanationOfBenefit", SearchExplanationsOfBenefit).WithName("SearchFhirExplanationsOfBenefit").Requires(Permissions.FhirSearch)
            .WithSummary("Search adjudications as a FHIR searchset Bundle: ?claim=Claim/{id} or ?patient=Patient/{id}, _count (1–200, default 50)")
            .WithDescription("One ExplanationOfBenefit per claim with a posted 835 claim payment (its id is the claim's), newest claim first; next link " +
                             "as for Claim. 400 OperationOutcome without claim or patient.")
            .Produces<string>(StatusCodes.Status200OK, FhirJson).Produces<string>(StatusCodes.Status400BadRequest, FhirJson);
    }

    static string Base(HttpContext context) => $"/api/v1/practices/{context.RequiredPractice().PracticeId}/fhir";

    static IResult Metadata(HttpContext context, TimeProvider clock) =>
        new FhirResult(FhirSearch.Capabilities(Base(context), clock.GetUtcNow()), StatusCodes.Status200OK);

    static async Task<IResult> SearchClaims(HttpContext context, IDocumentSession session, string? patient, int? _count, string? _cursor,
        CancellationToken ct)
    {
        try
        {
            Unknown(context, FhirSearch.ClaimParameters);
            var patientId = FhirSearch.Reference(patient, "Patient", "patient")
                ?? throw new FhirSearchError("patient", "Search claims by patient: ?patient=Patient/{id}.");
            var request = FhirSearch.Paging(_count, _cursor);
            var filtered = session.Query<ClaimView>().Where(c => c.PatientId == patientId);
            var total = await filtered.CountAsync(ct);
            var page = await FhirSearch.Claims(session, filtered, request, ct);
            if (page.Items.Count > 0) await PhiAudit.Record(session, context, PhiAudit.List, "Claim", null, patientId, ct);
            return new FhirResult(FhirSearch.Bundle(context, Base(context), "Claim", page.Items.Select(FhirExport.Claim), total, page.Next),
                StatusCodes.Status200OK);
        }
        catch (FhirSearchError e) { return Refusal(context, StatusCodes.Status400BadRequest, [new FhirIssue("invalid", e.Parameter, e.Message, null)]); }
    }

    static async Task<IResult> SearchExplanationsOfBenefit(HttpContext context, IDocumentSession session, string? claim, string? patient,
        int? _count, string? _cursor, CancellationToken ct)
    {
        try
        {
            Unknown(context, FhirSearch.ExplanationOfBenefitParameters);
            var claimId = FhirSearch.Reference(claim, "Claim", "claim");
            var patientId = FhirSearch.Reference(patient, "Patient", "patient");
            if (claimId is null && patientId is null)
                throw new FhirSearchError("claim", "Search explanations of benefit by claim (?claim=Claim/{id}) or by patient (?patient=Patient/{id}).");
            var request = FhirSearch.Paging(_count, _cursor);
            // Claims the payer has answered with a claim payment (paid, adjusted, patient responsibility or denied): their snapshot shows it.
            var filtered = session.Query<ClaimView>().Where(c => c.Paid != 0m || c.Adjusted != 0m || c.PatientResponsibility != 0m
                || c.State == ClaimState.Denied);
            if (claimId is { } id) filtered = filtered.Where(c => c.Id == id);
            if (patientId is { } pid) filtered = filtered.Where(c => c.PatientId == pid);
            var page = await FhirSearch.Claims(session, filtered, request, ct);
            var batch = session.CreateBatchQuery();
            var streams = page.Items.Select(c => (Claim: c, Events: batch.Events.FetchStream(c.Id))).ToList();
            if (streams.Count > 0) await batch.Execute(ct);
            var explanations = new List<R4.Resource>();
            foreach (var (c, events) in streams)
            {
                var payments = (await events).Select(e => e.Data).OfType<ClaimPaymentPosted>().ToList();
                if (payments.Count > 0) explanations.Add(FhirExport.ExplanationOfBenefit(c, payments));
            }
            if (explanations.Count > 0) await PhiAudit.Record(session, context, PhiAudit.List, "ExplanationOfBenefit", claimId, patientId, ct);
            return new FhirResult(FhirSearch.Bundle(context, Base(context), "ExplanationOfBenefit", explanations, null, page.Next),
                StatusCodes.Status200OK);
        }
        catch (FhirSearchError e) { return Refusal(context, StatusCodes.Status400BadRequest, [new FhirIssue("invalid", e.Parameter, e.Message, null)]); }
    }

    /// <summary>FHIR servers may ignore unknown parameters, but a misspelt one would silently widen a PHI search: 400 instead.</summary>
    static void Unknown(HttpContext context, string[] known)
    {
        if (context.Request.Query.Keys.FirstOrDefault(k => !known.Contains(k, StringComparer.Ordinal)) is { } unknown)
            throw new FhirSearchError(unknown, $"Unknown search parameter '{unknown}'; this server supports {string.Join(", ", known)}.");
    }

    static async Task<IResult> ImportBundle(HttpRequest request, IDocumentSession session, IOptions<DocumentOptions> documents,
        TimeProvider clock, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        var json = await reader.ReadToEndAsync(ct);
        var practice = request.HttpContext.RequiredPractice().PracticeId;
        var outcome = await FhirImport.Import(session, json, request.HttpContext.User.Actor(), $"/api/v1/practices/{practice}",
            documents.Value.MaxBytes, clock, ct);
        return outcome.Response is { } bundle
            ? new FhirResult(bundle, StatusCodes.Status200OK)
            : Refusal(request.HttpContext, outcome.Status, outcome.Issues);
    }

    static async Task<IResult> GetClaim(Guid claimId, IDocumentSession session, HttpContext context, CancellationToken ct)
    {
        var claim = await session.LoadAsync<ClaimView>(claimId, ct);
        if (claim is null) return NotFound(context, "No claim with this id in this practice.");
        await PhiAudit.Record(session, context, PhiAudit.View, "Claim", claim.Id, claim.PatientId, ct);
        return new FhirResult(FhirExport.Claim(claim), StatusCodes.Status200OK);
    }

    static async Task<IResult> GetExplanationOfBenefit(Guid claimId, IDocumentSession session, HttpContext context, CancellationToken ct)
    {
        var claim = await session.LoadAsync<ClaimView>(claimId, ct);
        if (claim is null) return NotFound(context, "No claim with this id in this practice.");
        var events = await session.Events.FetchStreamAsync(claimId, token: ct);
        var payments = events.Select(e => e.Data).OfType<ClaimPaymentPosted>().ToList();
        if (payments.Count == 0) return NotFound(context, "No remittance has been posted to this claim yet.");
        await PhiAudit.Record(session, context, PhiAudit.View, "ExplanationOfBenefit", claim.Id, claim.PatientId, ct);
        return new FhirResult(FhirExport.ExplanationOfBenefit(claim, payments), StatusCodes.Status200OK);
    }

    static IResult NotFound(HttpContext context, string detail) =>
        Refusal(context, StatusCodes.Status404NotFound, [new FhirIssue("not-found", "", detail, null)]);

    /// <summary>
    /// FHIR clients expect an OperationOutcome; a client that asks for problem details (and not for FHIR) gets RFC 9457 with the
    /// issues as errors keyed by their FHIRPath expression, like every other Portal API.
    /// </summary>
    static IResult Refusal(HttpContext context, int status, IReadOnlyList<FhirIssue> issues)
    {
        var accept = context.Request.Headers.Accept.ToString();
        if (accept.Contains("application/problem+json", StringComparison.OrdinalIgnoreCase)
            && !accept.Contains(FhirJson, StringComparison.OrdinalIgnoreCase))
        {
            var errors = issues.GroupBy(i => i.Expression.Length == 0 ? "bundle" : i.Expression)
                .ToDictionary(g => g.Key, g => g.Select(i => i.Message).ToArray());
            return TypedResults.Problem(new ProblemDetails
            {
                Status = status,
                Title = status switch { 400 => "Not a FHIR bundle", 404 => "Not found", 409 => "Conflict", _ => "The bundle cannot be imported" },
                Detail = string.Join(" ", issues.Select(i => i.Message).Take(3)),
                Extensions = { ["errors"] = errors },
            });
        }
        return new FhirResult(Outcome(issues), status);
    }

    public static R4.OperationOutcome Outcome(IEnumerable<FhirIssue> issues) => new()
    {
        Issue = [.. issues.Select(i => new R4.OperationOutcome.IssueComponent
        {
            Severity = R4.OperationOutcome.IssueSeverity.Error,
            Code = Hl7.Fhir.Utility.EnumUtility.ParseLiteral<R4.OperationOutcome.IssueType>(i.Code) ?? R4.OperationOutcome.IssueType.Invalid,
            Diagnostics = i.Message,
            Expression = i.Expression.Length == 0 ? [] : [i.Expression],
        })],
    };
}

/// <summary>A FHIR resource as the answer, serialized by the Firely SDK as application/fhir+json.</summary>
public sealed class FhirResult(R4.Resource resource, int status) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => status;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = status;
        httpContext.Response.ContentType = FhirEndpoints.FhirJson + "; charset=utf-8";
        await httpContext.Response.WriteAsync(resource.ToJson(), httpContext.RequestAborted);
    }
}
