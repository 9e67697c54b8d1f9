using System.Text.Json;
using Portal.Web.Features.Codes;

namespace Portal.Tests.Codes;

public class CodeEdits(PortalApp app) : PortalTest(app)
{
    async Task<JsonElement[]> Findings(CheckCodes body)
    {
        var coder = await App.ClientFor(Users.NorthCoder);
        var response = await coder.PostAsJsonAsync("/api/v1/codes/check", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("findings").EnumerateArray()];
    }

    static string[] Rules(JsonElement[] findings) => [.. findings.Select(f => f.GetProperty("rule").GetString()!)];

    [Fact]
    public async Task a_valid_billable_diagnosis_passes()
    {
        Assert.Empty(await Findings(new CheckCodes("2026-11-23", ["I10", "E11.9"])));
    }

    [Fact]
    public async Task a_header_is_refused_with_its_billable_children_suggested()
    {
        var f = Assert.Single(await Findings(new CheckCodes("2026-11-23", ["J44"])));
        Assert.Equal("code-not-billable", f.GetProperty("rule").GetString());
        Assert.Equal("Error", f.GetProperty("severity").GetString());
        Assert.Equal(["J44.0", "J44.1", "J44.9"], f.GetProperty("suggestions").EnumerateArray().Select(s => s.GetString()!).ToArray());
    }

    [Fact]
    public async Task an_injury_code_without_its_seventh_character_is_refused()
    {
        // Issue 10: the 7th character has its own edit id (it was code-not-billable).
        var f = Assert.Single(await Findings(new CheckCodes("2026-11-23", ["S93.401"])));
        Assert.Equal("dx-7th-character", f.GetProperty("rule").GetString());
        Assert.Contains("S93.401A", f.GetProperty("suggestions").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task a_manifestation_code_cannot_be_first_listed()
    {
        Assert.Equal(["dx-manifestation-first"], Rules(await Findings(new CheckCodes("2026-11-23", ["F02.80", "G30.9"]))));
        Assert.Empty(await Findings(new CheckCodes("2026-11-23", ["G30.9", "F02.80"])));
    }

    [Fact]
    public async Task sex_and_age_edits_are_warnings()
    {
        var findings = await Findings(new CheckCodes("2026-11-23", ["N40.0", "Z00.129"], PatientSex: "F", PatientBirthDate: "1960-05-01"));
        Assert.Equal(["dx-sex", "dx-age"], Rules(findings));
        Assert.All(findings, f => Assert.Equal("Warning", f.GetProperty("severity").GetString()));
    }

    [Fact]
    public async Task a_code_is_judged_by_the_version_in_force_on_the_date_of_service()
    {
        Assert.Empty(await Findings(new CheckCodes("2026-09-30", ["E78.49"])));
        Assert.Equal(["code-not-valid-on-dos"], Rules(await Findings(new CheckCodes("2026-10-01", ["E78.49"]))));
        Assert.Equal(["code-not-valid-on-dos"], Rules(await Findings(new CheckCodes("2026-09-30", ["E78.41"]))));
    }

    [Theory]
    [InlineData(new[] { "26", "TC" }, "71046", "modifier-26-tc")]
    [InlineData(new[] { "GA", "GZ" }, "71046", "modifier-liability-exclusive")]
    [InlineData(new[] { "50", "RT" }, "20610", "modifier-50-lt-rt")]
    [InlineData(new[] { "ZZ" }, "99213", "modifier-not-valid")]
    [InlineData(new[] { "26" }, "99213", "modifier-pctc-not-split")]
    [InlineData(new[] { "25", "59", "XS", "LT", "RT" }, "20610", "modifier-count")]
    public async Task modifier_rules(string[] modifiers, string code, string rule) =>
        Assert.Contains(rule, Rules(await Findings(new CheckCodes("2026-11-23", Procedures: [new ProcedureLine(code, modifiers)]))));

    [Fact]
    public async Task a_split_code_takes_26_alone()
    {
        Assert.Empty(await Findings(new CheckCodes("2026-11-23", Procedures: [new ProcedureLine("71046", ["26"])])));
    }

    [Fact]
    public async Task ncci_pairs_are_errors_for_indicator_0_and_warnings_without_a_modifier_for_indicator_1()
    {
        var never = await Findings(new CheckCodes("2026-11-23", Procedures: [new("93000"), new("93010")]));
        Assert.Equal(("ncci-ptp-not-allowed", "Error", "93010"), (never[0].GetProperty("rule").GetString(), never[0].GetProperty("severity").GetString(), never[0].GetProperty("code").GetString()));

        var bundled = await Findings(new CheckCodes("2026-11-23", Procedures: [new("20610"), new("99213")]));
        Assert.Equal(("ncci-ptp-modifier-needed", "Warning"), (bundled[0].GetProperty("rule").GetString(), bundled[0].GetProperty("severity").GetString()));
        Assert.Empty(await Findings(new CheckCodes("2026-11-23", Procedures: [new("20610"), new("99213", ["25"])])));
        // Indicator 9 (not applicable) never fires; the edit was deleted before this date of service.
        Assert.Empty(await Findings(new CheckCodes("2026-11-23", Procedures: [new("36415"), new("85025")])));
    }

    [Fact]
    public async Task mue_units_are_checked_per_day_or_per_line()
    {
        var day = await Findings(new CheckCodes("2026-11-23", Procedures: [new("36415", Units: 2), new("36415", Units: 1)]));
        Assert.Equal(("mue-day-policy", "Error"), (day[0].GetProperty("rule").GetString(), day[0].GetProperty("severity").GetString()));
        var clinical = await Findings(new CheckCodes("2026-11-23", Procedures: [new("97110", Units: 7)]));
        Assert.Equal(("mue-day-clinical", "Warning"), (clinical[0].GetProperty("rule").GetString(), clinical[0].GetProperty("severity").GetString()));
        Assert.Empty(await Findings(new CheckCodes("2026-11-23", Procedures: [new("20610", ["RT"], 1), new("20610", ["LT"], 2)])));
    }

    [Fact]
    public async Task a_bad_date_of_service_is_a_bad_request()
    {
        var coder = await App.ClientFor(Users.NorthCoder);
        var response = await coder.PostAsJsonAsync("/api/v1/codes/check", new CheckCodes("30/11/2026", ["I10"]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
