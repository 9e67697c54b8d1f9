using System.Text.Json;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Settings;
using Portal.Web.Platform;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.ApiPlatform;

/// <summary>
/// Issue 15 item 1: every list of the public API follows one paging convention (docs/api.md, "Paging"): <c>cursor</c> and
/// <c>limit</c> (at most 200), the answer's <c>items</c> and <c>next</c>, and the next page in <c>Link: &lt;…&gt;; rel="next"</c>.
/// The document walk makes a future list that skips it fail here.
/// </summary>
public class ListsPageByCursor(PortalApp app) : PortalTest(app)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    static JsonElement Resolve(JsonElement doc, JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out var r))
        {
            var name = r.GetString()!.Split('/')[^1];
            schema = doc.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }
        return schema;
    }

    [Fact]
    public async Task every_list_in_the_openapi_document_takes_cursor_and_limit_and_answers_next_with_a_link_header()
    {
        using var http = App.Anonymous();
        var doc = JsonDocument.Parse(await http.GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var lists = new List<string>();
        var wrong = new List<string>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        foreach (var op in path.Value.EnumerateObject().Where(o => o.Name == "get"))
        {
            var id = op.Value.GetProperty("operationId").GetString()!;
            if (!op.Value.GetProperty("responses").TryGetProperty("200", out var ok) || !ok.TryGetProperty("content", out var content)
                || !content.TryGetProperty("application/json", out var json) || !json.TryGetProperty("schema", out var raw)) continue;
            var schema = Resolve(doc, raw);
            var isArray = schema.TryGetProperty("type", out var t) && t.ToString().Contains("array");
            var properties = schema.TryGetProperty("properties", out var p) ? p : default;
            var hasItems = properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("items", out var items)
                && Resolve(doc, items).TryGetProperty("type", out var it) && it.ToString().Contains("array");
            if (!isArray && !hasItems) continue;
            lists.Add(id);
            var parameters = op.Value.TryGetProperty("parameters", out var ps)
                ? ps.EnumerateArray().Where(x => x.GetProperty("in").GetString() == "query").Select(x => x.GetProperty("name").GetString()).ToHashSet()
                : [];
            var problems = new List<string>();
            if (isArray) problems.Add("answers a bare array (use CursorPage<T> or PageOf<T>)");
            if (!parameters.Contains("cursor")) problems.Add("no cursor parameter");
            if (!parameters.Contains("limit")) problems.Add("no limit parameter");
            if (!hasItems || !properties.TryGetProperty("next", out _)) problems.Add("no next in the answer");
            if (!ok.TryGetProperty("headers", out var headers) || !headers.TryGetProperty("Link", out _)) problems.Add("no Link header documented");
            if (problems.Count > 0) wrong.Add($"{id} ({path.Name}): {string.Join(", ", problems)}");
        }
        Assert.True(lists.Count >= 40, $"Only {lists.Count} lists found: the walk no longer recognises them. " + string.Join(", ", lists));
        Assert.True(wrong.Count == 0, "Lists outside the paging convention:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public async Task every_list_refuses_a_limit_or_cursor_that_is_not_ours_with_a_400_never_a_500()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var vendor = await App.ClientFor(Users.VendorAdmin);
        var ops = await App.ClientFor(Users.PlatformAdmin);
        // The CSV exports share their list's filters (and so name cursor and limit) but export every row: not lists to page.
        var lists = (await Hardening.OpenApi.Operations(App)).Where(o => o.Method == "get" && o.Query.Contains("limit") && !o.Path.EndsWith(".csv")).ToList();
        Assert.True(lists.Count >= 40, $"Only {lists.Count} lists found.");
        foreach (var list in lists)
        {
            var client = list.Path.StartsWith("/api/v1/vendor") ? vendor : list.Path.StartsWith("/api/v1/platform") || list.Path.StartsWith("/api/v1/code-set") ? ops : admin;
            var url = Hardening.OpenApi.Fill(list.Path, _ => Guid.NewGuid());
            // A practice's own lists answer the admin: there the refusal must be the 400. Elsewhere (other ids, the operator's and the
            // code-set lists) an unknown id or a missing right may answer first; never a 500.
            var onlyTenant = list.Path.StartsWith("/api/v1/practices/{practiceId}/") && list.PathParameters.All(p => p == "practiceId");
            foreach (var query in new[] { "limit=0", "limit=100000", "cursor=not-a-cursor", "cursor=c1.cDE&limit=-5" })
            {
                var response = await client.GetAsync($"{url}?{query}");
                var status = (int)response.StatusCode;
                Assert.True(status == 400 || (!onlyTenant && status is 403 or 404),
                    $"{list.Path}?{query}: {status} {await response.Content.ReadAsStringAsync()}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
    }

    [Fact]
    public async Task a_bare_array_list_now_pages_with_next_and_link_and_the_pages_join_up()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        for (var i = 0; i < 3; i++)
            (await admin.PostAsJsonAsync(North("payers"), new AddPayer($"Plan {i}", $"PG{i:00}"))).EnsureSuccessStatusCode();
        var all = (await admin.GetFromJsonAsync<CursorPage<Payer>>(North("payers?limit=200"), Json))!;
        Assert.Null(all.Next);

        var seen = new List<Guid>();
        var url = North("payers?limit=2");
        var pages = 0;
        while (url is not null)
        {
            var response = await admin.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = (await response.Content.ReadFromJsonAsync<CursorPage<Payer>>(Json))!;
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items.Select(p => p.Id));
            pages++;
            if (page.Next is null)
            {
                Assert.False(response.Headers.Contains("Link"));
                url = null;
                continue;
            }
            var link = Assert.Single(response.Headers.GetValues("Link"));
            Assert.EndsWith("; rel=\"next\"", link);
            Assert.Contains("limit=2", link);
            url = link[1..link.IndexOf('>')];
            Assert.Contains("cursor=" + Uri.EscapeDataString(page.Next), url);
        }
        Assert.Equal(all.Items.Select(p => p.Id), seen);
        Assert.True(pages >= 2);
    }

    [Theory]
    [InlineData("payers?limit=0", "limit")]
    [InlineData("payers?limit=201", "limit")]
    [InlineData("payers?cursor=nonsense", "cursor")]
    [InlineData("providers?cursor=c1.MDAwMDAwMDAwMDAwMDAwMDAwMQ", "cursor")]
    [InlineData("patients?cursor=c1.cDI&page=2", "cursor")]
    [InlineData("audit?cursor=c1.cDI", "cursor")]
    public async Task a_cursor_or_limit_that_is_not_ours_is_a_400_naming_it(string path, string field)
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var response = await admin.GetAsync(North(path));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task a_page_numbered_list_answers_the_same_shape_by_cursor_and_keeps_page_numbers_for_existing_clients()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        for (var i = 0; i < 3; i++) await RegisteredPatient(admin, $"CP-{i}");
        var numbered = (await admin.GetFromJsonAsync<PageOf<Patient>>(North("patients?page=1&pageSize=2"), Json))!;
        Assert.Equal(1, numbered.Page);
        Assert.Null(numbered.Next);

        var first = await admin.GetAsync(North("patients?limit=2&sort=mrn"));
        var page1 = (await first.Content.ReadFromJsonAsync<PageOf<Patient>>(Json))!;
        Assert.Equal(0, page1.Page);
        Assert.Equal(numbered.Total, page1.Total);
        Assert.NotNull(page1.Next);
        Assert.Contains("sort=mrn", Assert.Single(first.Headers.GetValues("Link")));
        var page2 = (await admin.GetFromJsonAsync<PageOf<Patient>>(North($"patients?limit=2&sort=mrn&cursor={page1.Next}"), Json))!;
        Assert.Empty(page1.Items.Select(p => p.Id).Intersect(page2.Items.Select(p => p.Id)));
        var byMrn = (await admin.GetFromJsonAsync<PageOf<Patient>>(North("patients?pageSize=200&sort=mrn"), Json))!.Items.Select(p => p.Mrn).ToList();
        Assert.Equal(byMrn.Take(page1.Items.Count + page2.Items.Count), page1.Items.Concat(page2.Items).Select(p => p.Mrn));
    }

    [Fact]
    public async Task the_audit_log_pages_by_time_so_the_reads_it_records_meanwhile_never_shift_a_page()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var patient = await RegisteredPatient(admin);
        for (var i = 0; i < 5; i++) (await admin.GetAsync(North($"patients/{patient.Id}"))).EnsureSuccessStatusCode();

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = (await admin.GetFromJsonAsync<PageOf<AuditEntry>>(North($"audit?recordId={patient.Id}&limit=2" + (cursor is null ? "" : $"&cursor={cursor}")), Json))!;
            seen.AddRange(page.Items.Select(e => e.Id));
            // Each page read is itself audited (a list), and another view lands on top: neither may show up again or push a row off.
            (await admin.GetAsync(North($"patients/{patient.Id}"))).EnsureSuccessStatusCode();
            cursor = page.Next;
        } while (cursor is not null);
        Assert.Equal(5, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task fee_schedule_delete_honours_if_match()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var set = await admin.PutAsJsonAsync(North("fee-schedule/99214"), new SetFee("99214", 150m));
        var entry = (await set.Content.ReadFromJsonAsync<FeeScheduleEntry>(Json))!;
        (await admin.PutAsJsonAsync(North("fee-schedule/99214"), new SetFee("99214", 160m))).EnsureSuccessStatusCode();

        var stale = new HttpRequestMessage(HttpMethod.Delete, North("fee-schedule/99214"));
        stale.Headers.TryAddWithoutValidation("If-Match", ETags.For(entry.Version));
        var refused = await admin.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        var fees = (await admin.GetFromJsonAsync<CursorPage<FeeScheduleEntry>>(North("fee-schedule"), Json))!;
        Assert.Equal(160m, fees.Items.Single(f => f.Code == "99214").Amount);

        var current = new HttpRequestMessage(HttpMethod.Delete, North("fee-schedule/99214"));
        current.Headers.TryAddWithoutValidation("If-Match", ETags.For(entry.Version + 1));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(current)).StatusCode);
        Assert.DoesNotContain((await admin.GetFromJsonAsync<CursorPage<FeeScheduleEntry>>(North("fee-schedule"), Json))!.Items, f => f.Code == "99214");
    }
}
