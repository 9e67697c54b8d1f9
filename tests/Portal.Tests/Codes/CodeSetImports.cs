using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Web.Features.Codes;

namespace Portal.Tests.Codes;

/// <summary>Imports use far-future versions of their own and delete them afterwards, so the sample data stays as loaded.</summary>
public class CodeSetImports(PortalApp app) : PortalTest(app)
{
    readonly List<(string System, string Version)> created = [];

    public override async ValueTask DisposeAsync()
    {
        var db = App.Services.GetRequiredService<NpgsqlDataSource>();
        foreach (var (system, version) in created) await CodeSetImport.DeleteVersionAsync(db, system, version, default);
        await App.Services.GetRequiredService<CodeCatalog>().RefreshAsync();
        await base.DisposeAsync();
    }

    static string Order(params (string Code, char Flag, string Text)[] rows) => string.Concat(rows.Select((r, i) =>
        $"{i + 1:00000} {r.Code,-7} {r.Flag} {r.Text,-60} {r.Text}\n"));

    async Task<HttpResponseMessage> Upload(string system, string version, byte[] content, string fileName = "file.txt")
    {
        created.Add((system, version));
        var admin = await App.ClientFor(Users.PlatformAdmin);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(file, "file", fileName);
        form.Add(new StringContent(version), "version");
        return await admin.PostAsync($"/api/v1/code-sets/{system}/imports", form);
    }

    Task<HttpResponseMessage> Upload(string system, string version, string content) => Upload(system, version, Encoding.UTF8.GetBytes(content));

    async Task<int> Count(string system, string version)
    {
        await using var cmd = App.Services.GetRequiredService<NpgsqlDataSource>()
            .CreateCommand("select count(*) from portal.code_entry where system = $1 and version = $2");
        cmd.Parameters.AddWithValue(system);
        cmd.Parameters.AddWithValue(version);
        return (int)(long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task code_sets_are_global_so_only_platform_admins_import_them()
    {
        var practiceAdmin = await App.ClientFor(Users.NorthAdmin);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(Order(("Q99", '0', "Sample header")))), "file", "file.txt" },
            { new StringContent("2093"), "version" },
        };

        var response = await practiceAdmin.PostAsync("/api/v1/code-sets/icd10cm/imports", form);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await Count("icd10cm", "2093"));
    }

    [Fact]
    public async Task a_platform_admin_sees_no_practice_data()
    {
        var operatorClient = await App.ClientFor(Users.PlatformAdmin);

        Assert.Equal(HttpStatusCode.NotFound, (await operatorClient.GetAsync($"/api/v1/practices/{Portal.Web.Features.Demo.DemoData.NorthClinic}")).StatusCode);
        Assert.Empty((await operatorClient.GetItemsAsync<JsonElement>("/api/v1/practices"))!);
    }

    [Fact]
    public async Task an_icd10cm_order_file_is_imported_with_a_summary_and_the_same_file_twice_changes_nothing()
    {
        var v1 = Order(("Q99", '0', "Sample header"), ("Q990", '1', "Sample leaf zero"), ("Q991", '1', "Sample leaf one"));
        var v2 = Order(("Q99", '0', "Sample header"), ("Q990", '1', "Sample leaf zero renamed"), ("Q992", '1', "Sample leaf two"));

        var first = await Upload("icd10cm", "2091", v1);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var second = await (await Upload("icd10cm", "2092", v2)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((1, 1, 1), (second.GetProperty("added").GetInt32(), second.GetProperty("changed").GetInt32(), second.GetProperty("dropped").GetInt32()));
        Assert.Equal("2091", second.GetProperty("previousVersion").GetString());

        var again = await Upload("icd10cm", "2092", v2);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("unchanged").GetBoolean());

        var coder = await App.ClientFor(Users.NorthCoder);
        var history = (await coder.GetFromJsonAsync<JsonElement>("/api/v1/code-sets/icd10cm/imports?limit=200")).GetProperty("items");
        var mine = history.EnumerateArray().Where(h => h.GetProperty("version").GetString() == "2092").ToList();
        Assert.Single(mine);
        Assert.Equal(64, mine[0].GetProperty("sha256").GetString()!.Length);

        // The new version is searchable at once, from its effective date (FY2092 starts 1 Oct 2091).
        var found = await coder.GetFromJsonAsync<JsonElement>("/api/v1/codes/icd10cm?q=Q992&dos=2091-10-01");
        Assert.Equal("Q992", found.GetProperty("items")[0].GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await coder.GetAsync("/api/v1/codes/icd10cm/Q991?dos=2091-10-01")).StatusCode);
    }

    [Theory]
    [InlineData("00001 Q99     0 Too short\n", 1, "truncated")]
    [InlineData("00001 Q99     2 {0}\n", 1, "flag")]
    [InlineData("00001 Q99     0 {0}\n00002 Q99     1 {0}\n", 2, "twice")]
    [InlineData("00001 Q99     0 {0}\n0000X Q990    1 {0}\n", 2, "order number")]
    [InlineData("00001 Q99     0 {0}\n00002 Q990   1{0}\n", 2, "blank")]
    public async Task a_bad_order_file_is_refused_with_the_line_and_nothing_is_imported(string template, int line, string reason)
    {
        var content = template.Replace("{0}", new string('x', 60) + " long description");
        var response = await Upload("icd10cm", "2093", content);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        // Issue 10: refusals name the line and the column ("Line 2, column 7: …", plus line/column extensions).
        Assert.Contains($"Line {line}, column", problem.GetProperty("detail").GetString());
        Assert.Equal(line, problem.GetProperty("line").GetInt32());
        Assert.False(string.IsNullOrEmpty(reason));
        Assert.Equal(0, await Count("icd10cm", "2093"));
    }

    [Fact]
    public async Task a_file_that_is_not_utf8_is_refused_on_its_line()
    {
        var good = Encoding.ASCII.GetBytes(Order(("Q99", '0', "Sample header")));
        var bad = Encoding.Latin1.GetBytes(Order(("Q990", '1', "Sample caf\u00e9 leaf")));
        var response = await Upload("icd10cm", "2094", [.. good, .. bad]);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("Line 2, column", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(0, await Count("icd10cm", "2094"));
    }

    [Fact]
    public async Task hcpcs_cpt_ncci_and_mue_files_are_imported_and_bad_ones_refused()
    {
        const string hcpcs = "HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION\nZ9991,00100,3,\"Sample supply, first part\",Sample supply\nZ9991,00200,4,second part,\n";
        Assert.Equal(HttpStatusCode.Created, (await Upload("hcpcs", "2091Q1", hcpcs)).StatusCode);
        var coder = await App.ClientFor(Users.NorthCoder);
        var item = (await coder.GetFromJsonAsync<JsonElement>("/api/v1/codes/hcpcs/Z9991?dos=2091-02-01")).GetProperty("code");
        Assert.Equal("Sample supply, first part second part", item.GetProperty("longDescription").GetString());

        var badHcpcs = await Upload("hcpcs", "2091Q2", "HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION\nZ9991,00100,5,x,y\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badHcpcs.StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await Upload("cpt", "2091", "code,short_description,long_description\n99991,SAMPLE,SAMPLE label\n")).StatusCode);
        var badCpt = await Upload("cpt", "2092", "code,short_description,long_description\n99991,SAMPLE,SAMPLE\n99991,SAMPLE,SAMPLE\n");
        Assert.Contains("Line 3", (await badCpt.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        var ncci = "preamble\nColumn 1\tColumn 2\t*\tEffective Date\tDeletion Date\tModifier\tRationale\n99991\t99992\t\t20910101\t*\t1\tSample\n";
        Assert.Equal(HttpStatusCode.Created, (await Upload("ncci", "2091Q1", ncci)).StatusCode);
        var badNcci = await Upload("ncci", "2091Q2", ncci.Replace("\t1\tSample", "\t7\tSample"));
        Assert.Contains("Line 3, column", (await badNcci.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.Created, (await Upload("mue", "2091Q1", "HCPCS/CPT Code,MUE Value,MAI,Rationale\n99991,2,2 Date of Service Edit: Policy,Sample\n")).StatusCode);
        var badMue = await Upload("mue", "2091Q2", "HCPCS/CPT Code,MUE Value,MAI,Rationale\n99991,two,2 Policy,Sample\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badMue.StatusCode);
    }

    [Fact]
    public async Task the_cli_exits_0_on_a_good_file_and_1_on_a_bad_one()
    {
        var good = Path.GetTempFileName();
        var bad = Path.GetTempFileName();
        created.Add(("icd10cm", "2096"));
        try
        {
            await File.WriteAllTextAsync(good, Order(("Q99", '0', "Sample header"), ("Q990", '1', "Sample leaf")));
            await File.WriteAllTextAsync(bad, Order(("Q99", '0', "Sample header")) + "00002 Q990    1 cut short\n");
            Assert.Equal(1, await CodesCommand.RunAsync(App.Services, ["codes", "import", "icd10cm", bad, "--version", "2096"]));
            Assert.Equal(0, await Count("icd10cm", "2096"));
            Assert.Equal(0, await CodesCommand.RunAsync(App.Services, ["codes", "import", "icd10cm", good, "--version", "2096"]));
            Assert.Equal(2, await Count("icd10cm", "2096"));
            Assert.Equal(1, await CodesCommand.RunAsync(App.Services, ["codes", "import", "icd10cm", good]));
        }
        finally
        {
            File.Delete(good);
            File.Delete(bad);
        }
    }

    [Fact]
    public async Task only_a_practice_admin_may_import()
    {
        var coder = await App.ClientFor(Users.NorthCoder);
        using var form = new MultipartFormDataContent { { new StringContent("x"), "file", "x.txt" }, { new StringContent("2095"), "version" } };
        Assert.Equal(HttpStatusCode.Forbidden, (await coder.PostAsync("/api/v1/code-sets/icd10cm/imports", form)).StatusCode);
    }

    [Fact]
    public async Task an_unknown_system_or_version_label_is_refused()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Upload("icd9", "2091", "x")).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Upload("icd10cm", "FY91", "x")).StatusCode);
    }
}
