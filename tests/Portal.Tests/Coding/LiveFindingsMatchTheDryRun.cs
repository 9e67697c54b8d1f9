using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Intake;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Coding;

/// <summary>
/// Issue 10, "Done when": the dry-run endpoint and the coding screen show the same findings. The same draft claim goes to the
/// chart page's live findings handler (what htmx posts as the coder types) and to POST …/claims/check; both must list the same
/// edit ids at the same places. The one documented difference: a chart is not a claim yet, so the screen does not ask for the payer.
/// </summary>
public partial class LiveFindingsMatchTheDryRun(PortalApp app) : PortalTest(app)
{
    public sealed record Line(string Code, string[] Modifiers, int Units, decimal Charge, int[] Pointers);

    public static TheoryData<string, string[], Line[], string[]> DirtyClaims() => new()
    {
        { "header code, line without a pointer", ["E11", "I10"], [new("99213", [], 1, 125m, [])], ["diagnosis 1: code-not-billable", "line 1: line-pointer-missing"] },
        { "manifestation first, pointer to nothing, zero charge", ["F02.80", "G30.9"], [new("99213", [], 1, 0m, [9])],
            ["diagnosis 1: dx-manifestation-first", "line 1: line-pointer-invalid", "line 1: line-charge"] },
        { "NCCI pair across the claim on file, MUE units", ["I10"], [new("93010", [], 1, 40m, [1]), new("97110", [], 7, 30m, [1])],
            ["line 1: ncci-ptp-not-allowed"] },
        { "sex edit on a female patient, unknown code", ["N40.0", "Q99.99"], [new("99213", [], 1, 125m, [1, 2])],
            ["diagnosis 1: dx-sex", "diagnosis 2: code-unknown"] },
        { "clean", ["I10", "E11.9"], [new("99213", [], 1, 125m, [1, 2])], [] },
    };

    [Theory]
    [MemberData(nameof(DirtyClaims))]
    public async Task the_coding_screen_and_the_claims_dry_run_report_the_same_findings(string why, string[] diagnoses, Line[] lines, string[] expected)
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        // Another encounter of the same patient, provider and day, coded with 93000: the claim on file both checks look across.
        var first = await OpenedEncounter(admin);
        var other = await Created<EncounterDetails>(await admin.PostAsJsonAsync(North("encounters"), new OpenEncounter(first.PatientId,
            first.RenderingProviderId, first.DateOfService, "11", null, first.CoverageId, "Same-day visit.")));
        (await admin.PostAsJsonAsync(Chart(other.Id, "/queue"), new SendToCoding(9))).EnsureSuccessStatusCode();
        var pulled = (await Pull(coder))!;
        Assert.Equal(other.Id, pulled.Chart.Encounter.Id);
        var dx = await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(other.Id, "/diagnoses"), new CodeDiagnoses(["I10"]), pulled.Chart.Version));
        await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(other.Id, "/lines"),
            new CodeServiceLines([new ServiceLineInput("93000", DiagnosisPointers: [1], Charge: 50m)]), dx.Version));
        (await admin.PostAsJsonAsync(Chart(first.Id, "/queue"), new SendToCoding(9))).EnsureSuccessStatusCode();
        var chart = (await Pull(coder))!.Chart;
        Assert.Equal(first.Id, chart.Encounter.Id);

        var screen = await ScreenFindings(chart, diagnoses, lines);
        var dryRun = await DryRunFindings(coder, first, diagnoses, lines);

        Assert.Equal(dryRun.Order(), screen.Order());
        Assert.True(expected.All(screen.Contains), $"{why}: expected {string.Join(", ", expected)} among {string.Join(", ", screen)}");
        if (expected.Length == 0) Assert.Empty(screen);
    }

    async Task<List<string>> ScreenFindings(CodingChart chart, string[] diagnoses, Line[] lines)
    {
        using var browser = await App.SignedInBrowser(Users.NorthCoder);
        var url = $"/practices/{NorthPractice}/coding/charts/{chart.Encounter.Id}";
        var page = await browser.GetStringAsync(url);
        var form = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", PortalApp.AntiforgeryToken(page)), new("Draft.Version", chart.Version.ToString()),
        };
        for (var i = 0; i < diagnoses.Length; i++) form.Add(new($"Draft.Codes[{i}]", diagnoses[i]));
        for (var i = 0; i < lines.Length; i++)
        {
            var l = lines[i];
            form.Add(new($"Draft.Lines[{i}].Code", l.Code));
            form.Add(new($"Draft.Lines[{i}].Units", l.Units.ToString()));
            form.Add(new($"Draft.Lines[{i}].Charge", l.Charge.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            for (var m = 0; m < l.Modifiers.Length; m++) form.Add(new($"Draft.Lines[{i}].Modifiers[{m}]", l.Modifiers[m]));
            for (var p = 0; p < l.Pointers.Length; p++) form.Add(new($"Draft.Lines[{i}].DiagnosisPointers[{p}]", l.Pointers[p].ToString()));
        }
        var request = new HttpRequestMessage(HttpMethod.Post, url + "?handler=Findings") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("HX-Request", "true");
        var response = await browser.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", html);
        var found = new List<string>();
        var location = "claim";
        foreach (Match m in Marks().Matches(html))
        {
            if (m.Groups["location"].Success) location = m.Groups["location"].Value;
            else found.Add($"{location}: {m.Groups["rule"].Value}");
        }
        return found;
    }

    async Task<List<string>> DryRunFindings(HttpClient coder, EncounterDetails encounter, string[] diagnoses, Line[] lines)
    {
        var body = new
        {
            claim = new
            {
                id = encounter.Id.ToString(),
                patient = new { id = encounter.PatientId.ToString(), dateOfBirth = "1980-04-12", sex = "F" },
                billingProvider = new { npi = ValidNpi, taxonomy = "207Q00000X" },
                renderingProvider = new { npi = ValidNpi, taxonomy = "207Q00000X" },
                dateOfService = encounter.DateOfService, frequencyCode = "1", placeOfService = encounter.PlaceOfService,
                diagnoses,
                lines = lines.Select(l => new { code = l.Code, modifiers = l.Modifiers, units = l.Units, charge = l.Charge, pointers = l.Pointers.Length > 0 ? l.Pointers : null }),
            },
        };
        var response = await coder.PostAsJsonAsync(North("claims/check"), body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. result.GetProperty("findings").EnumerateArray()
            .Where(f => !(f.GetProperty("rule").GetString() == "required-data" && f.GetProperty("field").GetString() == "payer"))
            .Select(f => $"{(f.GetProperty("location").GetString() is { Length: > 0 } at ? at : "claim")}: {f.GetProperty("rule").GetString()}")];
    }

    [GeneratedRegex("data-location=\"(?<location>[^\"]+)\"|data-rule=\"(?<rule>[^\"]+)\"")]
    private static partial Regex Marks();
}
