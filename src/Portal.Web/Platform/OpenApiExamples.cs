using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Portal.Web.Platform;

/// <summary>
/// Gives every operation of the OpenAPI document an example: each parameter, each request body and each response with a
/// body. A feature's own example of a type (an <see cref="ISchemaFilter"/> setting the schema's examples, e.g. CodingExamples)
/// wins; otherwise the example is built from the schema, with realistic values for the names billers know (MRN, NPI, place
/// of service, dates of service). Problem answers get a problem details example of their status. Runs once on the finished
/// document, so endpoint files need nothing (tests/Portal.Tests/Hardening/OpenApiExamplesWalk.cs checks every operation).
/// </summary>
sealed class OpenApiExamples : IDocumentFilter
{
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var schemas = document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>();
        foreach (var (path, item) in document.Paths)
        {
            if (item.Operations is null) continue;
            foreach (var (_, operation) in item.Operations)
            {
                foreach (var parameter in operation.Parameters ?? [])
                    if (parameter is OpenApiParameter p && p.Example is null && (p.Examples is null || p.Examples.Count == 0))
                        p.Example = Build(p.Schema, schemas, p.Name, 0) ?? JsonValue.Create("example");

                foreach (var (_, media) in operation.RequestBody?.Content ?? new Dictionary<string, IOpenApiMediaType>())
                    if (media is OpenApiMediaType m && Missing(m))
                        m.Example = Build(m.Schema, schemas, null, 0) ?? JsonValue.Create("example");

                foreach (var (code, response) in operation.Responses ?? [])
                    foreach (var (type, media) in response.Content ?? new Dictionary<string, IOpenApiMediaType>())
                        if (media is OpenApiMediaType m && Missing(m))
                            m.Example = int.TryParse(code, out var status) && status >= 400
                                ? Problem(status, path)
                                : Build(m.Schema, schemas, null, 0) ?? Text(type);
            }
        }
    }

    static bool Missing(OpenApiMediaType media) => media.Example is null && (media.Examples is null || media.Examples.Count == 0);

    static JsonNode Text(string contentType) => JsonValue.Create(contentType switch
    {
        "text/csv" => "id,name\r\n0197a000-0000-7000-8000-000000000001,North Clinic Family Medicine\r\n",
        "application/pdf" => "(a PDF file)",
        _ => "(file content)",
    });

    static JsonNode Problem(int status, string path) => new JsonObject
    {
        ["type"] = $"https://tools.ietf.org/html/rfc9110#section-15.{(status >= 500 ? 6 : 5)}",
        ["title"] = ReasonPhrases.GetReasonPhrase(status),
        ["status"] = status,
        ["detail"] = status switch
        {
            400 => "The request could not be read: 'dateOfService' must be a date as yyyy-MM-dd.",
            401 => "Sign in or send a bearer token.",
            403 => "Your role or your app's scopes do not allow this.",
            404 => "No such resource in this practice.",
            409 => "The chart is already approved.",
            412 => "The resource has changed since you read it.",
            422 => "One or more fields are not valid.",
            429 => "Too many requests; retry after the time in Retry-After.",
            _ => ReasonPhrases.GetReasonPhrase(status),
        },
        ["instance"] = path.Replace("{practiceId}", "0197a000-0000-7000-8000-000000000001"),
        ["traceId"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    };

    static JsonNode? Build(IOpenApiSchema? schema, IDictionary<string, IOpenApiSchema> schemas, string? name, int depth)
    {
        if (schema is null || depth > 8) return null;
        if (schema is OpenApiSchemaReference reference)
        {
            if (reference.Examples is { Count: > 0 } own && own[0] is { } first) return first.DeepClone();
            return schemas.TryGetValue(reference.Reference.Id ?? "", out var target) ? Build(target, schemas, name, depth + 1) : null;
        }
        if (schema.Examples is { Count: > 0 } examples && examples[0] is { } example) return example.DeepClone();
        if (schema.Enum is { Count: > 0 } values && values.FirstOrDefault(v => v is not null) is { } value) return value.DeepClone();
        foreach (var choice in (schema.AllOf ?? []).Concat(schema.OneOf ?? []).Concat(schema.AnyOf ?? []))
            if (Build(choice, schemas, name, depth + 1) is { } built) return built;

        var type = (schema.Type ?? 0) & ~JsonSchemaType.Null;
        if (type.HasFlag(JsonSchemaType.Array))
            return Build(schema.Items, schemas, Singular(name), depth + 1) is { } item ? new JsonArray(item) : new JsonArray();
        if (type.HasFlag(JsonSchemaType.Object) || schema.Properties is { Count: > 0 })
        {
            var result = new JsonObject();
            foreach (var (property, propertySchema) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
                result[property] = Build(propertySchema, schemas, property, depth + 1);
            if (result.Count == 0 && schema.AdditionalProperties is { } extra)
                result["key"] = Build(extra, schemas, null, depth + 1);
            return result;
        }
        if (type.HasFlag(JsonSchemaType.String)) return JsonValue.Create(Text(schema.Format, name));
        if (type.HasFlag(JsonSchemaType.Integer)) return JsonValue.Create(Integer(name));
        if (type.HasFlag(JsonSchemaType.Number)) return JsonValue.Create(125.00m);
        if (type.HasFlag(JsonSchemaType.Boolean)) return JsonValue.Create(true);
        return null;
    }

    static string? Singular(string? name) => name is { Length: > 1 } && name.EndsWith('s') ? name[..^1] : name;

    static int Integer(string? name) => (name ?? "").ToLowerInvariant() switch
    {
        "page" => 1,
        "pagesize" => 50,
        "version" or "expectedversion" => 3,
        "units" => 1,
        var n when n.Contains("pointer") => 1,
        var n when n.Contains("days") => 30,
        _ => 1,
    };

    // Values a biller recognises rather than "string": the demo practice, a valid NPI, an office visit.
    static string Text(string? format, string? name)
    {
        var n = (name ?? "").ToLowerInvariant();
        switch (format)
        {
            case "uuid": return n.StartsWith("practice") ? "0197a000-0000-7000-8000-000000000001" : "0197a0b1-2c3d-7e4f-8a9b-0c1d2e3f4a5b";
            case "date": return n.Contains("birth") ? "1961-04-18" : "2026-03-02";
            case "date-time": return "2026-03-02T14:30:00+00:00";
            case "binary" or "byte": return "(file content)";
            case "email": return "coder@north.example";
            case "uri": return "https://portal.example.com/";
        }
        return n switch
        {
            "mrn" or "patientmrn" => "N-1001",
            var x when x.Contains("npi") => "1234567893",
            "placeofservice" or "pos" => "11",
            "code" or "procedurecode" or "cpt" => "99213",
            "diagnosis" or "diagnoses" or "icd" => "E11.9",
            "modifier" or "modifiers" => "25",
            "system" => "cpt",
            "email" => "coder@north.example",
            "firstname" => "Tess",
            "lastname" => "Tester",
            "name" or "displayname" => "North Clinic Family Medicine",
            "payerid" => "87726",
            "memberid" => "W123456789",
            "groupnumber" => "GRP-4411",
            "state" => "IL",
            "postalcode" => "62701",
            "city" => "Springfield",
            "phone" => "217-555-0100",
            "sex" => "female",
            "taxid" => "36-4512789",
            "status" or "state label" => "Ready",
            var x when x.Contains("reason") || x.Contains("note") || x.Contains("comment") => "Documented in the visit note.",
            var x when x.Contains("date") => "2026-03-02",
            var x when x.EndsWith("id") => "0197a0b1-2c3d-7e4f-8a9b-0c1d2e3f4a5b",
            "cursor" or "next" => "NjM5MDAwMDAwMDAwMDAwMDAwfEMwTUlRM0s4WlEwNEYyQTFY",
            "q" or "query" or "search" => "diabetes",
            "sort" => "-dos",
            _ => "Example text",
        };
    }
}
