using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Portal.Web.Features.Demo;

namespace Portal.Tests.Hardening;

/// <summary>The API's operations as its OpenAPI document lists them, with a sample body built from each request schema.</summary>
public static partial class OpenApi
{
    public sealed record Operation(string Method, string Path, string[] PathParameters, string[] Query, JsonNode? Body);

    public static async Task<List<Operation>> Operations(PortalApp app)
    {
        using var http = app.Anonymous();
        var doc = JsonDocument.Parse(await http.GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        var operations = new List<Operation>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        foreach (var op in path.Value.EnumerateObject().Where(o => o.Name is "get" or "put" or "post" or "delete" or "patch"))
        {
            var parameters = op.Value.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToList() : [];
            JsonNode? body = null;
            if (op.Value.TryGetProperty("requestBody", out var rb) && rb.GetProperty("content").TryGetProperty("application/json", out var json))
                body = Sample(json.GetProperty("schema"), schemas, 0);
            operations.Add(new Operation(op.Name, path.Name,
                [.. Parameter().Matches(path.Name).Select(m => m.Groups[1].Value)],
                [.. parameters.Where(x => x.GetProperty("in").GetString() == "query").Select(x => x.GetProperty("name").GetString()!)],
                body));
        }
        return operations;
    }

    /// <summary>{practiceId} is North Clinic, {organizationId} its organization; any other id comes from <paramref name="id"/>.</summary>
    public static string Fill(string path, Func<string, Guid> id) => Parameter().Replace(path, m => m.Groups[1].Value switch
    {
        "practiceId" or "organizationId" => DemoData.NorthClinic.ToString(),
        var name => id(name).ToString(),
    });

    static JsonNode? Sample(JsonElement schema, JsonElement schemas, int depth)
    {
        if (depth > 6) return null;
        if (schema.TryGetProperty("$ref", out var r)) return Sample(schemas.GetProperty(r.GetString()!.Split('/')[^1]), schemas, depth + 1);
        foreach (var combinator in new[] { "allOf", "oneOf", "anyOf" })
            if (schema.TryGetProperty(combinator, out var options))
                return options.EnumerateArray().Select(o => Sample(o, schemas, depth + 1)).FirstOrDefault(n => n is not null);
        if (schema.TryGetProperty("enum", out var values) && values.GetArrayLength() > 0) return JsonNode.Parse(values[0].GetRawText());
        var type = !schema.TryGetProperty("type", out var t) ? (schema.TryGetProperty("properties", out _) ? "object" : "string")
            : t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()).First(x => x != "null")!
            : t.GetString()!;
        string? format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        return type switch
        {
            "object" => Object(schema, schemas, depth),
            "array" => new JsonArray([.. Enumerable.Range(0, schema.TryGetProperty("minItems", out var min) ? Math.Max(1, min.GetInt32()) : 1)
                .Select(_ => schema.TryGetProperty("items", out var items) ? Sample(items, schemas, depth + 1) : JsonValue.Create("x"))]),
            "integer" or "number" => JsonValue.Create(schema.TryGetProperty("minimum", out var m) ? m.GetDecimal() : 1),
            "boolean" => JsonValue.Create(false),
            _ => format switch
            {
                "uuid" => JsonValue.Create(Guid.NewGuid()),
                "date" => JsonValue.Create("2026-01-05"),
                "date-time" => JsonValue.Create(DateTimeOffset.UtcNow),
                _ => JsonValue.Create(Text(schema)),
            },
        };
    }

    static JsonObject Object(JsonElement schema, JsonElement schemas, int depth)
    {
        var o = new JsonObject();
        if (schema.TryGetProperty("properties", out var properties))
            foreach (var property in properties.EnumerateObject())
                o[property.Name] = Sample(property.Value, schemas, depth + 1);
        return o;
    }

    static string Text(JsonElement schema)
    {
        if (schema.TryGetProperty("pattern", out _)) return "99213";
        var min = schema.TryGetProperty("minLength", out var mn) ? mn.GetInt32() : 0;
        var max = schema.TryGetProperty("maxLength", out var mx) ? mx.GetInt32() : 40;
        var text = "Sample text for a field";
        while (text.Length < min) text += " more";
        return text[..Math.Min(text.Length, Math.Max(max, 1))];
    }

    [GeneratedRegex(@"\{([a-zA-Z]+)(:[^}]*)?\}")]
    private static partial Regex Parameter();
}
