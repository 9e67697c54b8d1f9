using System.Net.Http.Headers;
using System.Text.Json;

namespace Portal.Tests.Codes;

/// <summary>
/// Issue 10, "Done when": every official layout imports from a file written in that layout, and a wrong or cut file is refused
/// with line and column and nothing imported — here end to end through the import API on PostgreSQL, with the billing core's
/// own golden reader cases (tests/Portal.Billing.Tests/cases/&lt;reader&gt;) as the files. Never a 500.
/// </summary>
public class OfficialLayoutsThroughTheWeb(PortalApp app) : PortalTest(app)
{
    static readonly string Cases = Path.Combine(FindRoot(), "tests", "Portal.Billing.Tests", "cases");
    static readonly Dictionary<string, string> SystemOf = new()
    {
        ["icd10cm-order"] = "icd10cm", ["icd10cm-tabular"] = "icd10cm", ["hcpcs-anweb"] = "hcpcs", ["cpt"] = "cpt",
        ["ncci-ptp"] = "ncci", ["mue"] = "mue", ["mce"] = "mce", ["code-list"] = "",
    };

    readonly List<(string, string)> created = [];

    static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }

    public static TheoryData<string, string> Files()
    {
        var data = new TheoryData<string, string>();
        foreach (var reader in SystemOf.Keys)
            foreach (var file in Directory.GetFiles(Path.Combine(Cases, reader)).Where(f => !f.EndsWith(".expected.json", StringComparison.Ordinal)).Order())
                data.Add(reader, Path.GetFileName(file));
        return data;
    }

    public override async ValueTask DisposeAsync()
    {
        await Uploads.CleanUp(App.Services, created);
        await base.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task each_golden_reader_case_imports_or_is_refused_with_its_line_and_column(string reader, string name)
    {
        var path = Path.Combine(Cases, reader, name);
        var expected = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Cases, reader, Path.GetFileNameWithoutExtension(name) + ".expected.json"))).RootElement;
        var system = SystemOf[reader] is { Length: > 0 } s ? s : name.StartsWith("pos", StringComparison.Ordinal) ? "pos" : "modifier";
        const string version = "2071";
        created.AddRange([(system, version), ("icd10cm-tabular", version)]);
        var admin = await App.ClientFor(Users.PlatformAdmin);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(await File.ReadAllBytesAsync(path));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", name);
        form.Add(new StringContent(version), "version");

        var response = await admin.PostAsync($"/api/v1/code-sets/{system}/imports", form);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        if (expected.TryGetProperty("error", out var error))
        {
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{reader}/{name}: {(int)response.StatusCode} {body}");
            Assert.Contains("Line ", body.GetProperty("detail").GetString());
            // The web import reads with the reader of the system asked for; the golden case with the reader its content
            // was detected as. When they are the same, the refusal is the same line and column.
            if (SameReader(reader, expected.GetProperty("layout").GetString()))
                Assert.Equal((error.GetProperty("line").GetInt32(), error.GetProperty("column").GetInt32()),
                    (body.GetProperty("line").GetInt32(), body.GetProperty("column").GetInt32()));
            var history = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/code-sets/{system}/imports?limit=200")).GetProperty("items");
            Assert.DoesNotContain(history.EnumerateArray(), h => h.GetProperty("version").GetString() == version);
        }
        else
        {
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{reader}/{name}: {(int)response.StatusCode} {body}");
            Assert.True(body.GetProperty("rows").GetInt32() > 0);
        }
    }

    static bool SameReader(string reader, string? layout) => (reader, layout) switch
    {
        ("icd10cm-order", "Icd10CmOrder") or ("icd10cm-tabular", "Icd10CmTabularXml") or ("ncci-ptp", "NcciPtp" or "xlsx") or ("mue", "Mue" or "xlsx")
            or ("mce", "Mce") or ("code-list", _) => true,
        ("hcpcs-anweb", { } l) => l.StartsWith("Hcpcs", StringComparison.Ordinal) || l == "xlsx",
        ("cpt", { } l) => l.StartsWith("Cpt", StringComparison.Ordinal),
        _ => false,
    };
}
