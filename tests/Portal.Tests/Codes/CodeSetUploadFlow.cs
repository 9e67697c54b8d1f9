using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;
using Portal.Tests.Browser;
using Portal.Web.Features.Codes;

namespace Portal.Tests.Codes;

/// <summary>Issue 10 item 5: upload → progress → differences → activate, through the API and the platform admin's page.</summary>
public static class Uploads
{
    public static string Order(params (string Code, char Flag, string Text)[] rows) => string.Concat(rows.Select((r, i) =>
        $"{i + 1:00000} {r.Code,-7} {r.Flag} {r.Text,-60} {r.Text}\n"));

    public static async Task<JsonElement> Start(HttpClient admin, string system, string version, string content, string fileName = "file.txt")
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(file, "file", fileName);
        form.Add(new StringContent(version), "version");
        var response = await admin.PostAsync($"/api/v1/code-sets/{system}/uploads", form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.StartsWith("/api/v1/code-set-uploads/", response.Headers.Location!.OriginalString);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Polls the upload as a client would until it has finished reading.</summary>
    public static async Task<JsonElement> Finished(HttpClient admin, JsonElement upload)
    {
        var id = upload.GetProperty("id").GetGuid();
        for (var i = 0; i < 300; i++)
        {
            var now = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/code-set-uploads/{id}");
            if (now.GetProperty("finished").GetBoolean()) return now;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Upload {id} did not finish in 30 s.");
    }

    public static async Task CleanUp(IServiceProvider services, IEnumerable<(string System, string Version)> versions)
    {
        var db = services.GetRequiredService<NpgsqlDataSource>();
        foreach (var (system, version) in versions) await CodeSetImport.DeleteVersionAsync(db, system, version, default);
        // Staged rows of uploads never activated or discarded.
        await using var cmd = db.CreateCommand("""
            delete from portal.code_entry where version like '~%'; delete from portal.ncci_ptp_edit where version like '~%';
            delete from portal.mue_limit where version like '~%'; delete from portal.code_set_file where version like '~%';
            """);
        await cmd.ExecuteNonQueryAsync();
        await services.GetRequiredService<CodeCatalog>().RefreshAsync();
    }
}

public class CodeSetUploadFlow(PortalApp app) : PortalTest(app)
{
    readonly List<(string, string)> created = [];

    public override async ValueTask DisposeAsync()
    {
        await Uploads.CleanUp(App.Services, created);
        await base.DisposeAsync();
    }

    [Fact]
    public async Task an_upload_is_read_in_the_background_shows_its_differences_and_becomes_the_version_only_when_activated()
    {
        created.AddRange([("icd10cm", "2081"), ("icd10cm", "2082")]);
        var admin = await App.ClientFor(Users.PlatformAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var v1 = Uploads.Order(("Q99", '0', "Sample header"), ("Q990", '1', "Sample leaf zero"), ("Q991", '1', "Sample leaf one"));
        var first = await Uploads.Finished(admin, await Uploads.Start(admin, "icd10cm", "2081", v1));
        Assert.Equal("Ready", first.GetProperty("state").GetString());
        Assert.Equal(3, first.GetProperty("added").GetInt32());
        Assert.Equal(100, first.GetProperty("percent").GetInt32());
        // Not in force until activated: the version list and searches do not know it.
        Assert.Equal(HttpStatusCode.NotFound, (await coder.GetAsync("/api/v1/codes/icd10cm/Q990?dos=2080-10-01")).StatusCode);
        var activated = await (await admin.PostAsync($"/api/v1/code-set-uploads/{first.GetProperty("id")}/activate", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Activated", activated.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.OK, (await coder.GetAsync("/api/v1/codes/icd10cm/Q990?dos=2080-10-01")).StatusCode);

        // The next year: one renamed, one dropped, one added, and 60 new codes to page through.
        var rows = new List<(string, char, string)> { ("Q99", '0', "Sample header"), ("Q990", '1', "Sample leaf zero renamed"), ("Q992", '1', "Sample leaf two") };
        rows.AddRange(Enumerable.Range(0, 60).Select(i => ($"Q98{i:00}", '1', $"Sample extra {i}")));
        var second = await Uploads.Finished(admin, await Uploads.Start(admin, "icd10cm", "2082", Uploads.Order([.. rows])));
        Assert.Equal(("Ready", "2081"), (second.GetProperty("state").GetString(), second.GetProperty("baseVersion").GetString()));
        var id = second.GetProperty("id").GetGuid();
        var changed = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/code-set-uploads/{id}/diff?change=changed");
        Assert.Equal((61, 1, 1), (changed.GetProperty("added").GetInt32(), changed.GetProperty("removed").GetInt32(), changed.GetProperty("changed").GetInt32()));
        var item = Assert.Single(changed.GetProperty("items").EnumerateArray());
        Assert.Equal(("Q99.0", "Sample leaf zero", "Sample leaf zero renamed"),
            (item.GetProperty("key").GetString(), item.GetProperty("before").GetString(), item.GetProperty("after").GetString()));
        var removed = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/code-set-uploads/{id}/diff?change=removed");
        Assert.Equal("Q99.1", removed.GetProperty("items")[0].GetProperty("key").GetString());
        var page2 = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/code-set-uploads/{id}/diff?change=added&offset=50&limit=50");
        Assert.Equal((61, 11), (page2.GetProperty("total").GetInt32(), page2.GetProperty("items").GetArrayLength()));

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/code-set-uploads/{id}/activate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/v1/code-set-uploads/{id}/activate", null)).StatusCode);
        var history = (await coder.GetFromJsonAsync<JsonElement>("/api/v1/code-sets/icd10cm/imports?limit=200")).GetProperty("items");
        var row = history.EnumerateArray().Single(h => h.GetProperty("version").GetString() == "2082");
        Assert.Equal((61, 1, 1, "2081"), (row.GetProperty("added").GetInt32(), row.GetProperty("changed").GetInt32(), row.GetProperty("dropped").GetInt32(),
            row.GetProperty("previousVersion").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await coder.GetAsync("/api/v1/codes/icd10cm/Q991?dos=2081-10-01")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await coder.GetAsync("/api/v1/codes/icd10cm/Q9859?dos=2081-10-01")).StatusCode);

        // The same file again is a no-op.
        var again = await Uploads.Finished(admin, await Uploads.Start(admin, "icd10cm", "2082", Uploads.Order([.. rows])));
        Assert.Equal("Unchanged", again.GetProperty("state").GetString());
    }

    [Fact]
    public async Task a_refused_file_names_line_and_column_and_stages_nothing()
    {
        created.Add(("ncci", "2081Q1"));
        var admin = await App.ClientFor(Users.PlatformAdmin);
        var ncci = "preamble\nColumn 1\tColumn 2\t*\tEffective Date\tDeletion Date\tModifier\tRationale\n99991\t99992\t\t20810101\t*\t7\tSample\n";
        var upload = await Uploads.Finished(admin, await Uploads.Start(admin, "ncci", "2081Q1", ncci));

        Assert.Equal("Refused", upload.GetProperty("state").GetString());
        Assert.Equal(3, upload.GetProperty("errorLine").GetInt32());
        Assert.True(upload.GetProperty("errorColumn").GetInt32() > 1);
        Assert.StartsWith("Line 3, column", upload.GetProperty("error").GetString());
        var diff = await admin.GetAsync($"/api/v1/code-set-uploads/{upload.GetProperty("id")}/diff");
        Assert.Equal(HttpStatusCode.Conflict, diff.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/v1/code-set-uploads/{upload.GetProperty("id")}/activate", null)).StatusCode);
        await using var cmd = App.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("select count(*) from portal.ncci_ptp_edit where version like '~%'");
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task a_replaced_ncci_version_is_what_the_next_check_reads()
    {
        // The NCCI and MUE lookups are kept per versions and codes (CodeCatalog.EditsFor, ADR 0034): replacing a version's file must
        // drop them, or coders would be checked against the pairs it no longer has.
        created.Add(("ncci", "2081Q1"));
        var admin = await App.ClientFor(Users.PlatformAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        static string File(int indicator) =>
            $"preamble\nColumn 1\tColumn 2\t*\tEffective Date\tDeletion Date\tModifier\tRationale\n93000\t93010\t\t20810101\t*\t{indicator}\tSample\n";
        async Task<string[]> Rules()
        {
            var response = await coder.PostAsJsonAsync("/api/v1/codes/check", new CheckCodes("2081-06-01", Procedures: [new("93000"), new("93010")]));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("rule").GetString()!)];
        }
        async Task Activate(string file)
        {
            var upload = await Uploads.Finished(admin, await Uploads.Start(admin, "ncci", "2081Q1", file));
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/code-set-uploads/{upload.GetProperty("id")}/activate", null)).StatusCode);
        }

        await Activate(File(0));
        Assert.Contains("ncci-ptp-not-allowed", await Rules());
        Assert.Contains("ncci-ptp-not-allowed", await Rules());   // the second check is answered from the kept lookup

        await Activate(File(1));
        var rules = await Rules();
        Assert.Contains("ncci-ptp-modifier-needed", rules);
        Assert.DoesNotContain("ncci-ptp-not-allowed", rules);
    }

    [Fact]
    public async Task ncci_and_mue_differences_name_the_pair_and_the_limits_and_a_discarded_upload_leaves_nothing()
    {
        created.AddRange([("ncci", "2081Q1"), ("mue", "2081Q1")]);
        var admin = await App.ClientFor(Users.PlatformAdmin);
        var ncci = "preamble\nColumn 1\tColumn 2\t*\tEffective Date\tDeletion Date\tModifier\tRationale\n99991\t99992\t\t20810101\t*\t1\tSample\n";
        var upload = await Uploads.Finished(admin, await Uploads.Start(admin, "ncci", "2081Q1", ncci));
        var added = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/code-set-uploads/{upload.GetProperty("id")}/diff");
        Assert.Equal("99991 / 99992", added.GetProperty("items")[0].GetProperty("key").GetString());
        Assert.Contains("indicator 1", added.GetProperty("items")[0].GetProperty("after").GetString());
        var discarded = await admin.PostAsync($"/api/v1/code-set-uploads/{upload.GetProperty("id")}/discard", null);
        Assert.Equal("Discarded", (await discarded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        await using var cmd = App.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("select count(*) from portal.ncci_ptp_edit where version like '~%'");
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());

        var mue = await Uploads.Finished(admin, await Uploads.Start(admin, "mue", "2081Q1", "HCPCS/CPT Code,MUE Value,MAI,Rationale\n99991,2,2 Date of Service Edit: Policy,Sample\n"));
        var limits = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/code-set-uploads/{mue.GetProperty("id")}/diff?change=added");
        Assert.Equal("2 units, MAI 2", limits.GetProperty("items")[0].GetProperty("after").GetString());
    }

    [Fact]
    public async Task only_platform_admins_upload_and_bad_requests_get_problems_not_500()
    {
        var practiceAdmin = await App.ClientFor(Users.NorthAdmin);
        using var form = new MultipartFormDataContent { { new StringContent("x"), "file", "x.txt" }, { new StringContent("2081"), "version" } };
        Assert.Equal(HttpStatusCode.Forbidden, (await practiceAdmin.PostAsync("/api/v1/code-sets/icd10cm/uploads", form)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await practiceAdmin.GetAsync("/api/v1/code-set-uploads")).StatusCode);

        var admin = await App.ClientFor(Users.PlatformAdmin);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/code-set-uploads/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/v1/code-set-uploads/{Guid.NewGuid()}/activate", null)).StatusCode);
        using var bad = new MultipartFormDataContent { { new StringContent("x"), "file", "x.txt" }, { new StringContent("FY81"), "version" } };
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.PostAsync("/api/v1/code-sets/icd10cm/uploads", bad)).StatusCode);
        using var unknown = new MultipartFormDataContent { { new StringContent("x"), "file", "x.txt" }, { new StringContent("2081"), "version" } };
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/v1/code-sets/icd9/uploads", unknown)).StatusCode);
        using var noFile = new MultipartFormDataContent { { new StringContent("2081"), "version" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/v1/code-sets/icd10cm/uploads", noFile)).StatusCode);
        var upload = await Uploads.Finished(admin, await Uploads.Start(admin, "icd10cm", "2081", "not an order file\n"));
        Assert.Equal("Refused", upload.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/api/v1/code-set-uploads/{upload.GetProperty("id")}/diff?change=sideways")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/api/v1/code-set-uploads/{upload.GetProperty("id")}/diff?limit=0")).StatusCode);
    }

    [Fact]
    public void the_cli_usage_names_every_file_kind()
    {
        foreach (var kind in new[] { "icd10cm", "hcpcs", "cpt", "modifier", "pos", "ncci", "mue", "mce" })
            Assert.Contains(kind, CodesCommand.Usage.Split('<', '>', '|'));
    }
}

public class CodeSetUploadsInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    public override async ValueTask DisposeAsync()
    {
        await Uploads.CleanUp(App.Services, [("icd10cm", "2083")]);
        await base.DisposeAsync();
    }

    [Fact]
    public async Task a_platform_admin_uploads_sees_progress_and_differences_activates_and_sees_a_refusal_with_line_and_column()
    {
        await SignIn(Users.PlatformAdmin);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Code-set imports" }).ClickAsync();
        await Page.WaitForURLAsync("**/codes/imports");
        await Assertions.Expect(Page.Locator("#versions")).ToContainTextAsync("icd10cm");

        await Page.GetByLabel("Kind of file").SelectOptionAsync("icd10cm");
        await Page.GetByLabel("Version (YYYY or YYYYQn)").FillAsync("2083");
        var rows = Enumerable.Range(0, 70).Select(i => ($"Q97{i:00}", '1', $"Sample browser leaf {i}")).Prepend(("Q97", '0', "Sample header")).ToArray();
        await Page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "icd10cm_order_2083.txt", MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes(Uploads.Order(rows)) });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Upload and check" }).ClickAsync();

        await Page.WaitForURLAsync("**/codes/imports/*");
        await Assertions.Expect(Page.Locator("#upload-state")).ToContainTextAsync("Ready to activate");
        await Assertions.Expect(Page.Locator("#diff-counts")).ToContainTextAsync("71 added · 340 removed · 0 changed");
        await Assertions.Expect(Page.Locator("#diff-rows tbody tr")).ToHaveCountAsync(50);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Next" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#diff-rows tbody tr")).ToHaveCountAsync(21);
        var axe = await Page.RunAxeInPage();
        var serious = axe.SeriousViolations();
        Assert.True(serious.Count == 0, string.Join("; ", serious));

        await Page.GetByRole(AriaRole.Button, new() { Name = "Activate 2083" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#upload-state")).ToContainTextAsync("Active");

        await Page.GotoAsync("/codes/imports");
        await Assertions.Expect(Page.Locator("#history")).ToContainTextAsync("2083");
        await Page.GetByLabel("Kind of file").SelectOptionAsync("icd10cm");
        await Page.GetByLabel("Version (YYYY or YYYYQn)").FillAsync("2083");
        await Page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "cut.txt", MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes(Uploads.Order(rows[..2]) + "00003 Q9702   1 cut short\n") });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Upload and check" }).ClickAsync();
        await Page.WaitForURLAsync("**/codes/imports/*");
        await Assertions.Expect(Page.Locator("#upload-error")).ToContainTextAsync("Line 3, column");
        await Assertions.Expect(Page.Locator("#upload-state")).ToContainTextAsync("Refused");
        axe = await Page.RunAxeInPage();
        serious = axe.SeriousViolations();
        Assert.True(serious.Count == 0, string.Join("; ", serious));
    }

    [Fact]
    public async Task a_practice_admin_cannot_open_the_upload_page()
    {
        await SignIn(Users.NorthAdmin, at: "/codes/imports");
        Assert.DoesNotContain("/codes/imports", new Uri(Page.Url).AbsolutePath + (await Page.Locator("h1").InnerTextAsync()));
        await Assertions.Expect(Page.Locator("#upload-form")).ToHaveCountAsync(0);
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Code-set imports" })).ToHaveCountAsync(0);
    }
}
