using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Validation;
using Portal.Web.Features.Demo;

namespace Portal.Tests.Fhir;

/// <summary>The sample transaction bundle of docs/examples/fhir, changed per test, and the Firely SDK to read what Portal answers.</summary>
public static class FhirGiven
{
    public const string FhirJson = "application/fhir+json";

    public static string Base(Guid practice) => $"/api/v1/practices/{practice}/fhir";
    public static readonly string North = Base(DemoData.NorthClinic);

    static readonly string SamplePath = Path.Combine(Root(), "docs", "examples", "fhir", "transaction-bundle.json");

    static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Portal.sln not found above the test binaries.");
    }

    /// <summary>The sample bundle as JSON nodes, to change before sending: 0 payer, 1 billing organization, 2 practitioner, 3 patient,
    /// 4 coverage, 5 encounter, 6–7 conditions, 8 procedure, 9 document reference.</summary>
    public static JsonObject Sample() => JsonNode.Parse(File.ReadAllText(SamplePath))!.AsObject();

    public static JsonObject Resource(this JsonObject bundle, int entry) => bundle["entry"]![entry]!["resource"]!.AsObject();

    public static HttpRequestMessage Post(JsonObject bundle, string? url = null, string accept = FhirJson) =>
        Post(bundle.ToJsonString(), url, accept);

    public static HttpRequestMessage Post(string body, string? url = null, string accept = FhirJson)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url ?? North)
        {
            Content = new StringContent(body, Encoding.UTF8, FhirJson),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        return request;
    }

    static readonly FhirJsonDeserializer Parser = new(new DeserializerSettings());

    /// <summary>Reads the answer with the Firely parser (which refuses what R4 does not allow) and checks it with the SDK's validation.</summary>
    public static async Task<T> Read<T>(HttpResponseMessage response, HttpStatusCode expected) where T : Resource
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(FhirJson, response.Content.Headers.ContentType?.MediaType);
        var resource = Parser.Deserialize<T>(body);
        var problems = resource.Validate(ModelInfo.ModelInspector, NarrativeValidationKind.FhirXhtml, null, true);
        Assert.Empty(problems);
        return resource;
    }

    public static async Task<Bundle> Imported(HttpClient client, JsonObject bundle) =>
        await Read<Bundle>(await client.SendAsync(Post(bundle)), HttpStatusCode.OK);
}
