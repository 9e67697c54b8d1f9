using System.Text;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Intake;

/// <summary>Issue 14, item 5: payer and coverage columns of the encounter CSV, and the progress of a file checked in the background.</summary>
public class CsvCoverageColumns(PortalApp app) : PortalTest(app)
{
    static StringContent Csv(params string[] lines) => new(string.Join("\r\n", lines), Encoding.UTF8, "text/csv");
    const string Header = "patient_mrn,rendering_npi,date_of_service,place_of_service,payer_id,payer_name,member_id,group_number";

    [Fact]
    public async Task payer_and_member_columns_pick_the_patients_coverage_or_add_it_and_a_new_payer()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var payer = await AddedPayer(admin, "TST01");
        var covered = await CoveredPatient(admin, payer, "C-1");          // W123456789 with TST01 since 2024-01-01
        var uncovered = await RegisteredPatient(admin, "C-2");
        await EnrolledProvider(admin, ValidNpi);

        var response = await admin.PostAsync(North("encounters/import"), Csv(Header,
            $"C-1,{ValidNpi},2026-03-02,11,tst01,,w123456789,",                 // the coverage on file
            $"C-2,{ValidNpi},2026-03-02,11,NEWPAY9,New Payer Health,M-77,G-1",  // a new payer, a new coverage
            $"C-2,{ValidNpi},2026-03-03,11,NEWPAY9,,M-77,",                     // the coverage the row above added
            $"C-2,{ValidNpi},2026-03-04,11,UNKNOWN1,,M-1,",                     // unknown payer, no name
            $"C-1,{ValidNpi},2026-03-05,11,,,M-9,",                             // a member id without a payer
            $"C-1,{ValidNpi},2026-03-06,11,,,,"));                              // no coverage columns: none

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = (await response.Content.ReadFromJsonAsync<CsvImportSummary>())!;
        Assert.Equal([(5, "payer_id"), (6, "payer_id")], summary.Errors.Select(e => (e.Row, e.Column)));
        Assert.Contains("payer_name", summary.Errors[0].Reason);
        Assert.Equal(4, summary.Accepted);

        var encounters = new List<EncounterDetails>();
        foreach (var id in summary.Created) encounters.Add((await admin.GetFromJsonAsync<EncounterDetails>(North($"encounters/{id}")))!);
        Assert.Equal(covered.Coverages[0].Id, encounters[0].CoverageId);
        Assert.Equal(["Test Health Plan", "New Payer Health", "New Payer Health", null], encounters.Select(e => e.PayerName));
        Assert.Equal(encounters[1].CoverageId, encounters[2].CoverageId);

        var patient = (await admin.GetFromJsonAsync<Patient>(North($"patients/{uncovered.Id}")))!;
        var added = Assert.Single(patient.Coverages);
        Assert.Equal(("M-77", "G-1", new DateOnly(2026, 3, 2), "Tester, Tess"), (added.MemberId, added.GroupNumber, added.EffectiveFrom, added.SubscriberName));
        var payers = await admin.GetStringAsync(North("payers"));
        Assert.Contains("NEWPAY9", payers);
    }

    [Fact]
    public async Task the_progress_of_a_file_being_checked_is_polled_and_ends_in_the_preview()
    {
        var browser = await App.SignedInBrowser(Users.NorthAdmin);
        var draft = new EncounterImportDraft(Guid.CreateVersion7(), "big.csv", "patient_mrn\n", 0, 0, [], "Test", DateTimeOffset.UtcNow,
            Stage: EncounterImportDraft.Checking, Total: 5000, Done: 1250);
        var store = App.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession(DemoData.NorthClinic.ToString()))
        {
            session.Store(draft);
            await session.SaveChangesAsync();
        }
        var page = $"/practices/{DemoData.NorthClinic}/encounters";

        var html = await browser.GetStringAsync($"{page}?preview={draft.Id}");
        Assert.Contains("Checking big.csv: row 1250 of 5000.", html);
        Assert.Contains("handler=Progress", html);
        var fragment = await browser.GetAsync($"{page}?handler=Progress&draftId={draft.Id}");
        var text = await fragment.Content.ReadAsStringAsync();
        Assert.Contains("row 1250 of 5000", text);
        Assert.DoesNotContain("<html", text);

        await using (var session = store.LightweightSession(DemoData.NorthClinic.ToString()))
        {
            session.Store(draft with { Stage = EncounterImportDraft.Checked, Done = 5000, Bad = 5000 });
            await session.SaveChangesAsync();
        }
        var done = await browser.GetAsync($"{page}?handler=Progress&draftId={draft.Id}");
        Assert.Equal("true", done.Headers.GetValues("HX-Refresh").Single());
        Assert.Contains("0 good rows, 5000 rows with errors", await browser.GetStringAsync($"{page}?preview={draft.Id}"));
    }

    [Fact]
    public async Task a_large_file_is_checked_in_the_background_and_its_preview_follows()
    {
        var browser = await App.SignedInBrowser(Users.NorthAdmin);
        var page = $"/practices/{DemoData.NorthClinic}/encounters";
        var form = await browser.GetStringAsync(page);
        var csv = Header + "\n" + string.Join("\n", Enumerable.Range(1, 2000).Select(i => $"NOPE-{i},{ValidNpi},2026-03-02,11,,,,"));
        var content = File(Encoding.UTF8.GetBytes(csv), "big.csv", "text/csv");
        content.Add(new StringContent(PortalApp.AntiforgeryToken(form)), "__RequestVerificationToken");
        var posted = await browser.PostAsync($"{page}?handler=Preview", content);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var preview = posted.Headers.Location!.ToString();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        string html;
        while (!(html = await browser.GetStringAsync(preview)).Contains("Nothing is imported yet") && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Contains("0 good rows, 2000 rows with errors. Nothing is imported yet.", html);
    }
}
