using NJsonSchema.CodeGeneration.CSharp;
using NSwag;
using NSwag.CodeGeneration.CSharp;
using NSwag.CodeGeneration.OperationNameGenerators;

namespace Portal.Tests.ApiPlatform;

/// <summary>
/// Issue 15 item 7: a C# client generated from the OpenAPI document compiles and works, so the document stays usable. NSwag
/// generates tests/Portal.ApiClient/PortalApiClient.g.cs from the running app's document; the build compiles it (Portal.Tests
/// references it), and the smoke test calls the API through it.
/// </summary>
public class GeneratedClient(PortalApp app) : PortalTest(app)
{
    internal static string ClientFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "tests", "Portal.ApiClient", "Portal.ApiClient.csproj")))
                return Path.Combine(dir.FullName, "tests", "Portal.ApiClient", "PortalApiClient.g.cs");
        throw new InvalidOperationException("tests/Portal.ApiClient not found above " + AppContext.BaseDirectory);
    }

    internal static async Task<string> Generate(HttpClient http)
    {
        var document = await OpenApiDocument.FromJsonAsync(await http.GetStringAsync("/swagger/v1/swagger.json"));
        var settings = new CSharpClientGeneratorSettings
        {
            ClassName = "PortalApiClient",
            OperationNameGenerator = new SingleClientFromOperationIdOperationNameGenerator(),
            GenerateClientInterfaces = false,
            InjectHttpClient = true,
            UseBaseUrl = false,
            GenerateOptionalParameters = true,
            ExceptionClass = "PortalApiException",
            CSharpGeneratorSettings =
            {
                Namespace = "Portal.Sdk",
                JsonLibrary = CSharpJsonLibrary.SystemTextJson,
                // Dates of service are plain dates (yyyy-MM-dd) on the wire.
                DateType = "System.DateOnly",
                GenerateNullableReferenceTypes = false,
                ClassStyle = CSharpClassStyle.Poco,
            },
        };
        var code = new CSharpClientGenerator(document, settings).GenerateFile();
        return "// Written by Portal.Tests.ApiPlatform.GeneratedClient from the OpenAPI document (NSwag); run that test to refresh it.\n"
            + code.Replace("\r\n", "\n");
    }

    [Fact]
    public async Task the_checked_in_client_is_the_one_generated_from_the_current_openapi_document()
    {
        using var http = App.Anonymous();
        var generated = await Generate(http);
        var file = ClientFile();
        var current = System.IO.File.Exists(file) ? (await System.IO.File.ReadAllTextAsync(file)).Replace("\r\n", "\n") : "";
        if (current == generated) return;
        await System.IO.File.WriteAllTextAsync(file, generated);
        Assert.Fail($"The OpenAPI document changed: {file} was regenerated. Build again and commit it (the smoke test runs against it).");
    }
}
