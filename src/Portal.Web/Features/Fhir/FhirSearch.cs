using Marten;
using Microsoft.AspNetCore.WebUtilities;
using Portal.Web.Features.Claims;
using R4 = Hl7.Fhir.Model;

namespace Portal.Web.Features.Fhir;

/// <summary>
/// The FHIR base's CapabilityStatement and its two searches (issue 15, docs/fhir.md): <c>Claim?patient=</c> and
/// <c>ExplanationOfBenefit?claim=|patient=</c>, answered as searchset Bundles a page at a time. Paging follows FHIR: <c>_count</c>
/// (1–200, default 50) and the Bundle's <c>next</c> link (also in the Link header), whose opaque <c>_cursor</c> is Portal's cursor
/// convention (Platform/CursorPaging): keyset on the claim's creation time, newest first, so claims drafted meanwhile never shift a page.
/// </summary>
public static class FhirSearch
{
    public static readonly string[] ClaimParameters = ["patient", "_count", "_cursor"];
    public static readonly string[] ExplanationOfBenefitParameters = ["claim", "patient", "_count", "_cursor"];

    /// <summary>What this server does, for FHIR clients that read <c>metadata</c> before anything else.</summary>
    public static R4.CapabilityStatement Capabilities(string @base, DateTimeOffset now) => new()
    {
        Status = R4.PublicationStatus.Active,
        Date = now.ToString("yyyy-MM-ddTHH:mm:sszzz"),
        Publisher = "Portal",
        Kind = R4.CapabilityStatementKind.Instance,
        Software = new R4.CapabilityStatement.SoftwareComponent { Name = "Portal" },
        Implementation = new R4.CapabilityStatement.ImplementationComponent { Description = "Portal practice FHIR base", Url = @base },
        FhirVersion = R4.FHIRVersion.N4_0_1,
        Format = [FhirEndpoints.FhirJson, "json"],
        Rest =
        [
            new R4.CapabilityStatement.RestComponent
            {
                Mode = R4.CapabilityStatement.RestfulCapabilityMode.Server,
                Documentation = "OAuth2 bearer tokens (discovery: /.well-known/openid-configuration). Errors are OperationOutcome. docs/fhir.md.",
                Security = new R4.CapabilityStatement.SecurityComponent
                {
                    Service = [FhirSystems.Concept("http://terminology.hl7.org/CodeSystem/restful-security-service", "OAuth", "OAuth")],
                },
                Interaction = [new R4.CapabilityStatement.SystemInteractionComponent { Code = R4.CapabilityStatement.SystemRestfulInteraction.Transaction,
                    Documentation = "A transaction Bundle of Patient, Coverage, Practitioner, Organization, Encounter, Condition, Procedure, DocumentReference goes into intake." }],
                Resource =
                [
                    Resource("Claim", "Professional claims (what the 837P said)",
                        [("patient", R4.SearchParamType.Reference, "The claim's patient: Patient/{id} or {id}")]),
                    Resource("ExplanationOfBenefit", "The payer's adjudication of a claim (from its posted 835s); its id is the claim's",
                        [("claim", R4.SearchParamType.Reference, "The claim: Claim/{id} or {id}"),
                         ("patient", R4.SearchParamType.Reference, "The claim's patient: Patient/{id} or {id}")]),
                    .. new[] { "Patient", "Coverage", "Practitioner", "Organization", "Encounter", "Condition", "Procedure", "DocumentReference" }
                        .Select(type => new R4.CapabilityStatement.ResourceComponent
                        {
                            Type = type, Documentation = "Accepted in a transaction Bundle (POST to the base); not read back as FHIR.",
                        }),
                ],
            },
        ],
    };

    static R4.CapabilityStatement.ResourceComponent Resource(string type, string documentation,
        (string Name, R4.SearchParamType Type, string Documentation)[] parameters) => new()
    {
        Type = type,
        Documentation = documentation,
        Interaction =
        [
            new R4.CapabilityStatement.ResourceInteractionComponent { Code = R4.CapabilityStatement.TypeRestfulInteraction.Read },
            new R4.CapabilityStatement.ResourceInteractionComponent { Code = R4.CapabilityStatement.TypeRestfulInteraction.SearchType },
        ],
        SearchParam =
        [
            .. parameters.Select(p => new R4.CapabilityStatement.SearchParamComponent { Name = p.Name, Type = p.Type, Documentation = p.Documentation }),
            new R4.CapabilityStatement.SearchParamComponent
            {
                Name = "_count", Type = R4.SearchParamType.Number, Documentation = $"Entries per page, 1 to {CursorPaging.MaxLimit} (default {CursorPaging.DefaultLimit}).",
            },
        ],
    };

    /// <summary>A reference search value: <c>Type/{id}</c> or the bare id; anything else is the caller's mistake (400 OperationOutcome).</summary>
    public static Guid? Reference(string? value, string type, string parameter)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var raw = value.Trim();
        if (raw.StartsWith(type + "/", StringComparison.Ordinal)) raw = raw[(type.Length + 1)..];
        return Guid.TryParse(raw, out var id) ? id : throw new FhirSearchError(parameter, $"{parameter} must be {type}/{{id}} or the id of a {type}.");
    }

    public static CursorRequest Paging(int? count, string? cursor)
    {
        try { return CursorPaging.Parse(cursor, count); }
        catch (InvalidInput e) { throw new FhirSearchError(e.Field == "limit" ? "_count" : "_cursor", e.Field == "limit"
            ? $"_count must be between 1 and {CursorPaging.MaxLimit}." : "_cursor must be a value from this search's next link."); }
    }

    /// <summary>A page of the patient's claims (or the claims matching <paramref name="filter"/>), newest first, keyset on creation time.</summary>
    public static async Task<CursorPage<ClaimView>> Claims(IQuerySession session, IQueryable<ClaimView> filtered, CursorRequest request,
        CancellationToken ct)
    {
        var q = filtered;
        (long Number, string? Tie)? after;
        try { after = request.Position(); }
        catch (InvalidInput) { throw new FhirSearchError("_cursor", "_cursor must be a value from this search's next link."); }
        if (after is { } position)
        {
            var at = CursorPaging.Time(position.Number);
            var pcn = position.Tie ?? "";
            q = q.Where(c => c.CreatedAt < at || (c.CreatedAt == at && c.PatientControlNumber.CompareTo(pcn) < 0));
        }
        var rows = await q.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.PatientControlNumber).Take(request.Fetch).ToListAsync(ct);
        return CursorPaging.Page(rows, request, c => CursorPaging.Key(CursorPaging.Ticks(c.CreatedAt), c.PatientControlNumber));
    }

    /// <summary>The searchset Bundle: total when known, self and next links, one match entry per resource.</summary>
    public static R4.Bundle Bundle(HttpContext context, string @base, string type, IEnumerable<R4.Resource> resources, long? total, string? next)
    {
        var self = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
        var bundle = new R4.Bundle
        {
            Type = R4.Bundle.BundleType.Searchset,
            Total = total is { } t ? (int)Math.Min(t, int.MaxValue) : null,
            Link = [new R4.Bundle.LinkComponent { Relation = "self", Url = self }],
            Entry = [.. resources.Select(r => new R4.Bundle.EntryComponent
            {
                FullUrl = $"{@base}/{type}/{r.Id}",
                Resource = r,
                Search = new R4.Bundle.SearchComponent { Mode = R4.Bundle.SearchEntryMode.Match },
            })],
        };
        if (next is not null)
        {
            var query = QueryHelpers.ParseQuery(context.Request.QueryString.Value);
            var pairs = query.Where(q => q.Key != "_cursor").SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
                .Append(new("_cursor", next));
            var url = QueryHelpers.AddQueryString(context.Request.PathBase + context.Request.Path, pairs);
            bundle.Link.Add(new R4.Bundle.LinkComponent { Relation = "next", Url = url });
            context.Response.Headers.Append("Link", $"<{url}>; rel=\"next\"");
        }
        return bundle;
    }
}

/// <summary>A search parameter the caller got wrong: 400 with an OperationOutcome naming it.</summary>
public sealed class FhirSearchError(string parameter, string message) : Exception(message)
{
    public string Parameter { get; } = parameter;
}
