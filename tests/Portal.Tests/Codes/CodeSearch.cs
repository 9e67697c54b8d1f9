using System.Text.Json;

namespace Portal.Tests.Codes;

public class CodeSearch(PortalApp app) : PortalTest(app)
{
    const string Fy2027 = "2026-11-23";

    async Task<JsonElement> Get(string url)
    {
        var coder = await App.ClientFor(Users.NorthCoder);
        var response = await coder.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    static string[] Codes(JsonElement result) => [.. result.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("code").GetString()!)];

    [Fact]
    public async Task htn_finds_essential_hypertension_first()
    {
        var result = await Get($"/api/v1/codes/icd10cm?q=htn&dos={Fy2027}");
        Assert.Equal("I10", Codes(result)[0]);
        Assert.Equal("2027", result.GetProperty("version").GetString());
    }

    [Theory]
    [InlineData("dm2", "E119")]
    [InlineData("copd", "J449")]
    [InlineData("uri", "J069")]
    [InlineData("chf", "I509")]
    [InlineData("afib", "I4891")]
    [InlineData("gerd", "K219")]
    [InlineData("uti", "N390")]
    [InlineData("ckd", "N189")]
    [InlineData("cad", "I2510")]
    public async Task clinical_abbreviations_find_the_usual_code_first(string q, string expected) =>
        Assert.Equal(expected, Codes(await Get($"/api/v1/codes/icd10cm?q={q}&dos={Fy2027}"))[0]);

    [Theory]
    [InlineData("E119")]
    [InlineData("E11.9")]
    [InlineData("e11.9")]
    public async Task a_code_with_or_without_the_dot_finds_it_first(string q)
    {
        var result = await Get($"/api/v1/codes/icd10cm?q={q}&dos={Fy2027}");
        Assert.Equal("E119", Codes(result)[0]);
        Assert.Equal("E11.9", result.GetProperty("items")[0].GetProperty("display").GetString());
    }

    [Fact]
    public async Task a_code_prefix_lists_the_category_billable_first()
    {
        var codes = Codes(await Get($"/api/v1/codes/icd10cm?q=E11&dos={Fy2027}&limit=50"));
        Assert.Equal("E11", codes[0]);
        Assert.All(codes, c => Assert.StartsWith("E11", c));
        Assert.DoesNotContain("E11", Codes(await Get($"/api/v1/codes/icd10cm?q=E11&dos={Fy2027}&billableOnly=true&limit=50")));
    }

    [Fact]
    public async Task words_match_in_any_order_and_with_typos()
    {
        Assert.Equal("J441", Codes(await Get($"/api/v1/codes/icd10cm?q=exacerbation%20copd&dos={Fy2027}"))[0]);
        Assert.Equal("I10", Codes(await Get($"/api/v1/codes/icd10cm?q=essental%20hypertenson&dos={Fy2027}"))[0]);
        Assert.Contains("S93401A", Codes(await Get($"/api/v1/codes/icd10cm?q=right%20ankle%20sprain%20initial&dos={Fy2027}")));
    }

    [Fact]
    public async Task results_are_paged()
    {
        var first = await Get($"/api/v1/codes/icd10cm?q=diabetes&dos={Fy2027}&limit=2");
        var second = await Get($"/api/v1/codes/icd10cm?q=diabetes&dos={Fy2027}&limit=2&offset=2");
        Assert.Equal(2, Codes(first).Length);
        Assert.True(first.GetProperty("total").GetInt32() > 4);
        Assert.Empty(Codes(first).Intersect(Codes(second)));
    }

    [Fact]
    public async Task a_code_deleted_in_the_new_version_is_not_valid_after_its_end_date()
    {
        var coder = await App.ClientFor(Users.NorthCoder);
        var before = await coder.GetFromJsonAsync<JsonElement>("/api/v1/codes/icd10cm/E78.49?dos=2026-09-30");
        Assert.Equal("2026", before.GetProperty("version").GetString());
        Assert.Equal("2026-09-30", before.GetProperty("validTo").GetString());

        var after = await coder.GetAsync("/api/v1/codes/icd10cm/E78.49?dos=2026-10-01");
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        var problem = await after.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("valid until 2026-09-30", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("E7849", Codes(await Get("/api/v1/codes/icd10cm?q=E7849&dos=2026-10-01")));
    }

    [Fact]
    public async Task a_code_comes_with_its_parent_and_children()
    {
        var coder = await App.ClientFor(Users.NorthCoder);
        var header = await coder.GetFromJsonAsync<JsonElement>($"/api/v1/codes/icd10cm/E11?dos={Fy2027}");
        Assert.False(header.GetProperty("code").GetProperty("billable").GetBoolean());
        Assert.Contains("E11.9", header.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("display").GetString()));
        var finding = header.GetProperty("findings")[0];
        Assert.Equal("code-not-billable", finding.GetProperty("rule").GetString());
        Assert.Contains("E11.9", finding.GetProperty("suggestions").EnumerateArray().Select(s => s.GetString()));

        var leaf = await coder.GetFromJsonAsync<JsonElement>($"/api/v1/codes/icd10cm/S52501A?dos={Fy2027}");
        Assert.Equal("S52.501", leaf.GetProperty("parent").GetProperty("display").GetString());
        Assert.Empty(leaf.GetProperty("findings").EnumerateArray());
    }

    [Fact]
    public async Task hcpcs_cpt_modifiers_and_pos_are_searchable()
    {
        Assert.Equal("J1100", Codes(await Get($"/api/v1/codes/hcpcs?q=dexamethasone&dos={Fy2027}"))[0]);
        var cpt = await Get($"/api/v1/codes/cpt?q=99213&dos={Fy2027}");
        Assert.Equal("99213", Codes(cpt)[0]);
        Assert.Contains("American Medical Association", cpt.GetProperty("notice").GetString());
        Assert.Equal("25", Codes(await Get($"/api/v1/codes/modifier?q=25&dos={Fy2027}"))[0]);
        Assert.Equal("11", Codes(await Get($"/api/v1/codes/pos?q=office&dos={Fy2027}"))[0]);
    }

    [Theory]
    [InlineData("/api/v1/codes/icd9?q=htn", HttpStatusCode.NotFound)]
    [InlineData("/api/v1/codes/icd9/I10", HttpStatusCode.NotFound)]
    [InlineData("/api/v1/codes/icd10cm?q=htn&dos=2026-13-01", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/codes/icd10cm?q=htn&dos=yesterday", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/codes/icd10cm/I10?dos=20261001", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/codes/icd10cm?q=htn&limit=0", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/codes/icd10cm?q=htn&limit=101", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/codes/icd10cm?q=htn&offset=-1", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/codes/icd10cm", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/codes/icd10cm?q=htn&dos=2001-01-01", HttpStatusCode.NotFound)]
    public async Task bad_input_gets_a_problem_details_answer(string url, HttpStatusCode expected)
    {
        var coder = await App.ClientFor(Users.NorthCoder);
        var response = await coder.GetAsync(url);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task code_search_needs_the_codes_read_scope()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.Anonymous().GetAsync("/api/v1/codes/icd10cm?q=htn")).StatusCode);
        var withoutScope = await App.ClientFor(Users.NorthCoder, "practice.read");
        Assert.Equal(HttpStatusCode.Forbidden, (await withoutScope.GetAsync("/api/v1/codes/icd10cm?q=htn")).StatusCode);
    }

    [Fact]
    public async Task the_lookup_page_renders_and_its_typeahead_returns_a_fragment()
    {
        var browser = await App.SignedInBrowser(Users.NorthCoder);
        var page = await browser.GetStringAsync("/codes");
        Assert.Contains("role=\"combobox\"", page);
        var fragment = await browser.GetStringAsync($"/codes?handler=Suggestions&System=icd10cm&Dos={Fy2027}&q=htn");
        Assert.DoesNotContain("<html", fragment);
        Assert.Contains("data-code=\"I10\"", fragment);
    }
}
