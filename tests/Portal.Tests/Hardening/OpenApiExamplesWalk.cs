using System.Text.Json;

namespace Portal.Tests.Hardening;

/// <summary>Issue 14, item 9: every operation of the OpenAPI document carries examples (parameters, request body, each answer with a body).</summary>
public class OpenApiExamplesWalk(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task every_operation_has_request_and_response_examples()
    {
        using var http = App.Anonymous();
        var doc = JsonDocument.Parse(await http.GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var missing = new List<string>();
        var operations = 0;
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        foreach (var op in path.Value.EnumerateObject().Where(o => o.Name is "get" or "put" or "post" or "delete" or "patch"))
        {
            operations++;
            var name = $"{op.Name.ToUpperInvariant()} {path.Name}";
            if (op.Value.TryGetProperty("parameters", out var parameters))
                foreach (var p in parameters.EnumerateArray().Where(p => !HasExample(p)))
                    missing.Add($"{name}: parameter {p.GetProperty("name").GetString()}");
            if (op.Value.TryGetProperty("requestBody", out var body))
                foreach (var media in body.GetProperty("content").EnumerateObject().Where(m => !HasExample(m.Value)))
                    missing.Add($"{name}: request body {media.Name}");
            var answersWithBody = 0;
            foreach (var response in op.Value.GetProperty("responses").EnumerateObject())
            {
                if (!response.Value.TryGetProperty("content", out var content)) continue;
                foreach (var media in content.EnumerateObject())
                {
                    answersWithBody++;
                    if (!HasExample(media.Value)) missing.Add($"{name}: response {response.Name} {media.Name}");
                }
            }
            if (answersWithBody == 0 && !op.Value.GetProperty("responses").EnumerateObject().Any(r => r.Name is "204" or "202" or "302"))
                missing.Add($"{name}: no answer with a body to show");
        }
        Assert.True(operations > 100, $"Only {operations} operations in the document.");
        Assert.True(missing.Count == 0, $"{missing.Count} places without an example:\n" + string.Join('\n', missing.Take(60)));
    }

    [Fact]
    public async Task examples_use_the_features_own_data_and_problem_answers_show_their_status()
    {
        using var http = App.Anonymous();
        var doc = JsonDocument.Parse(await http.GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var post = doc.GetProperty("paths").EnumerateObject().First(p => p.Name.EndsWith("/coding/diagnoses")).Value.GetProperty("put");
        var example = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal("E11.9", example.GetProperty("codes")[0].GetString());

        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        foreach (var op in path.Value.EnumerateObject())
        foreach (var response in op.Value.GetProperty("responses").EnumerateObject().Where(r => r.Name.StartsWith('4')))
            if (response.Value.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out var problem))
                Assert.Equal(int.Parse(response.Name), problem.GetProperty("example").GetProperty("status").GetInt32());
    }

    static bool HasExample(JsonElement e) =>
        e.TryGetProperty("example", out _) || (e.TryGetProperty("examples", out var many) && many.EnumerateObject().Any());
}
