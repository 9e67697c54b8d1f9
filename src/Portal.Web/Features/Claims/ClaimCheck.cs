using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using Portal.Billing.Scrubbing;
using Portal.Web.Features.Codes;
using Portal.Web.Features.Coding;
using Portal.Web.Platform;
using Swashbuckle.AspNetCore.SwaggerGen;
using IntakePayer = Portal.Web.Features.Intake.Payer;

namespace Portal.Web.Features.Claims;

/// <summary>
/// The dry-run body: a claim in the claims API shape (issue 10 item 8) — the payer by <c>payer.id</c> from the practice's
/// payer list (its timely-filing limit is the practice's, not the caller's) — and an optional <c>asOf</c> date for the
/// date-dependent edits (default today).
/// </summary>
public sealed record ClaimCheckRequest(Claim? Claim, DateOnly? AsOf = null);

public sealed record ClaimCheckResult(DateOnly AsOf, bool Passed, IReadOnlyList<CodeFinding> Findings);

public static class ClaimCheckEndpoints
{
    /// <summary>The dry run's OpenAPI examples (registered by the claims feature itself, not by coding).</summary>
    public static IServiceCollection AddClaimCheck(this IServiceCollection services) =>
        services.Configure<SwaggerGenOptions>(o => o.SchemaFilter<ClaimCheckExamples>());

    public static void MapClaimCheck(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/practices/{practiceId:guid}/claims/check", Check).WithName("CheckClaim").WithTags("Claims")
            .Requires(Permissions.ClaimsCheck)
            .WithSummary("Dry run: every claim edit on a claim, all findings at once; nothing is stored")
            .WithDescription("The same scrubber as the coding screen (docs/edits.md lists every edit id). The payer is looked up by id in the " +
                "practice's payer list (422 if it is not there); duplicates, NCCI pairs and MUE day totals look across the coded encounters " +
                "of the same patient and date of service on file. asOf (YYYY-MM-DD, default today) is the day timely filing is judged on.")
            .ProducesValidationProblem().ProducesProblem(400).ProducesProblem(404);
    }

    static async Task<Results<Ok<ClaimCheckResult>, ProblemHttpResult>> Check(Guid practiceId, ClaimCheckRequest body, IQuerySession session,
        CodeCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        if (body?.Claim is not { } claim)
            return TypedResults.Problem(statusCode: 400, title: "The request is malformed", detail: "Send { \"claim\": { … }, \"asOf\": \"YYYY-MM-DD\" }.");
        if ((claim.Diagnoses?.Count ?? 0) > 12 || (claim.Lines?.Count ?? 0) > 50 || (claim.Lines ?? []).Any(l => l is null || (l.Modifiers?.Count ?? 0) > 10 || (l.Pointers?.Count ?? 0) > 12))
            throw new UnprocessableInput("A claim takes at most 12 diagnoses and 50 lines (each at most 10 modifiers and 12 pointers).");
        if (claim.Diagnoses?.Any(d => d is null) == true)
            throw new UnprocessableInput("A diagnosis is null.", new Dictionary<string, string[]> { ["claim.diagnoses"] = ["Give codes, not nulls."] });
        if (claim.Payer?.Id is { Length: > 0 } payerId)
        {
            var payer = Guid.TryParse(payerId, out var id) ? await session.LoadAsync<IntakePayer>(id, ct) : null;
            if (payer is null)
                throw new UnprocessableInput($"Payer '{payerId}' is not in the practice's payer list.",
                    new Dictionary<string, string[]> { ["claim.payer.id"] = ["Use the id of one of the practice's payers."] });
            claim = claim with { Payer = claim.Payer with { Name = payer.Name, TimelyFilingDays = payer.TimelyFilingDays, TimelyFilingMonths = null } };
        }
        var asOf = body.AsOf ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var onFile = await EncountersOnFile.For(session, claim, null, ct);
        var findings = await CodeRules.Scrub(catalog, claim, asOf, onFile, ct);
        return TypedResults.Ok(new ClaimCheckResult(asOf, findings.All(f => f.Severity != FindingSeverity.Error), findings));
    }
}

/// <summary>OpenAPI examples of the dry run's request and response.</summary>
sealed class ClaimCheckExamples : ISchemaFilter
{
    static readonly Dictionary<Type, string> Examples = new()
    {
        [typeof(ClaimCheckRequest)] = """
            {"claim":{"patient":{"id":"0197a0b1-0000-7000-8000-000000000101","dateOfBirth":"1958-04-12","sex":"F"},
             "payer":{"id":"0197a0b1-0000-7000-8000-000000000201"},
             "billingProvider":{"npi":"1234567893","taxonomy":"207Q00000X"},"renderingProvider":{"npi":"1234567893","taxonomy":"207Q00000X"},
             "dateOfService":"2026-11-23","frequencyCode":"1","placeOfService":"11","diagnoses":["E11.9","I10"],
             "lines":[{"code":"99213","modifiers":["25"],"units":1,"charge":125.00,"pointers":[1,2]},{"code":"36415","units":1,"charge":12.00,"pointers":[1]}]},
             "asOf":"2026-12-01"}
            """,
        [typeof(ClaimCheckResult)] = """
            {"asOf":"2026-12-01","passed":false,"findings":[
             {"code":"36415","rule":"line-pointer-missing","severity":"Error","message":"Line 2 (36415) has no diagnosis pointer.",
              "fixHint":"Point each line at 1 to 4 of the claim's diagnoses (box 24E).","location":"line 2","position":2,"field":"pointers",
              "overridable":false,"source":"Claim data"}]}
            """,
    };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && Examples.TryGetValue(context.Type, out var json)) concrete.Examples = [JsonNode.Parse(json)!];
    }
}
