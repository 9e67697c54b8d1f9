using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Tenancy;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Coding;

public class CodingPagesInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    static readonly string Root = $"/practices/{DemoData.NorthClinic}";

    [Fact]
    public async Task a_coder_pulls_the_next_chart_codes_it_with_the_keyboard_and_submits()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        await PracticeSettingsAre(admin, qaPercent: 0);
        var queued = await QueuedChart(admin);

        await SignIn(Users.NorthCoder, at: Root);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Coding queue", Exact = true }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Coding queue" })).ToContainTextAsync(queued.Encounter.PatientName);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Pull next chart" }).ClickAsync();
        await Page.WaitForURLAsync($"**/coding/charts/{queued.Encounter.Id}");
        await Assertions.Expect(Page.Locator("#chart-status")).ToHaveTextAsync("With a coder");
        await Assertions.Expect(Page.Locator(".documentation")).ToContainTextAsync("Follow-up for hypertension.");

        await PickWithKeyboard("Add a diagnosis (ICD-10-CM)", "dx-add", "htn", "I10");
        var diagnoses = Page.GetByRole(AriaRole.List, new() { Name = "Diagnoses" });
        await Assertions.Expect(diagnoses).ToContainTextAsync("I10");
        await Assertions.Expect(diagnoses.Locator("li.first-listed")).ToContainTextAsync("First-listed");

        await PickWithKeyboard("Add a service (CPT)", "cpt-add", "99213", "99213");
        var lines = Page.GetByRole(AriaRole.Table, new() { Name = "Service lines" });
        await Assertions.Expect(lines).ToContainTextAsync("99213");
        await Assertions.Expect(Page.GetByLabel("Line 1 points at A (I10)")).ToBeCheckedAsync();

        await Page.GetByRole(AriaRole.Button, new() { Name = "Save codes" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#coding-work [role=status]")).ToContainTextAsync("Codes saved.");
        await Assertions.Expect(Page.Locator("#chart-status")).ToHaveTextAsync("Being coded");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Submit chart" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#chart-status")).ToHaveTextAsync("Coded and approved");

        var chart = await Read<CodingChart>(await admin.GetAsync(Chart(queued.Encounter.Id)));
        Assert.Equal(["I10"], chart.Diagnoses.Select(d => d.Code));
        Assert.Equal("99213", Assert.Single(chart.Lines).Code);
    }

    [Fact]
    public async Task a_code_without_a_fee_gets_the_charge_the_coder_types_and_keeps_it()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var queued = await QueuedChart(admin);
        await SignIn(Users.NorthCoder, at: $"{Root}/coding/queue");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Pull next chart" }).ClickAsync();
        await Page.WaitForURLAsync($"**/coding/charts/{queued.Encounter.Id}");

        await PickWithKeyboard("Add a diagnosis (ICD-10-CM)", "dx-add", "htn", "I10");
        await PickWithKeyboard("Add a service (CPT)", "cpt-add", "93010", "93010");
        var lines = Page.GetByRole(AriaRole.Table, new() { Name = "Service lines" });
        await Assertions.Expect(lines).ToContainTextAsync("no fee");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save codes" }).ClickAsync();
        await Assertions.Expect(Page.GetByText("93010 has no fee in the practice's fee schedule; add one or give the charge.")).ToBeVisibleAsync();

        await Page.GetByLabel("Line 1 charge").FillAsync("31.50");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save codes" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#coding-work [role=status]")).ToContainTextAsync("Codes saved.");
        await Assertions.Expect(Page.GetByLabel("Line 1 charge")).ToHaveValueAsync("31.50");
        await Assertions.Expect(lines).ToContainTextAsync("$31.50");

        var chart = await Read<CodingChart>(await admin.GetAsync(Chart(queued.Encounter.Id)));
        Assert.Equal(("93010", 31.50m), (Assert.Single(chart.Lines).Code, chart.Lines[0].Charge));
    }

    [Fact]
    public async Task saving_over_a_newer_version_says_so_keeps_the_coders_list_and_saves_on_the_second_try()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var queued = await QueuedChart(admin);
        var pulled = await Pull(coder) ?? throw new InvalidOperationException("Nothing to pull.");
        Assert.Equal(queued.Encounter.Id, pulled.Chart.Encounter.Id);

        await SignIn(Users.NorthCoder, at: $"{Root}/coding/charts/{queued.Encounter.Id}");
        await PickWithKeyboard("Add a diagnosis (ICD-10-CM)", "dx-add", "htn", "I10");
        // Meanwhile the same chart is coded elsewhere (another tab, the API).
        await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(queued.Encounter.Id, "/diagnoses"), new CodeDiagnoses(["E11.9"]),
            pulled.Chart.Version));

        await Page.GetByRole(AriaRole.Button, new() { Name = "Save codes" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#coding-work [role=alert]").First).ToContainTextAsync("Someone else saved this chart");
        await Assertions.Expect(Page.Locator("#coding-work [role=alert]").First).ToContainTextAsync("E11.9");
        await Assertions.Expect(Page.GetByRole(AriaRole.List, new() { Name = "Diagnoses" })).ToContainTextAsync("I10");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Save codes" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#coding-work [role=status]")).ToContainTextAsync("Codes saved.");
        var chart = await Read<CodingChart>(await admin.GetAsync(Chart(queued.Encounter.Id)));
        Assert.Equal(["I10"], chart.Diagnoses.Select(d => d.Code));
    }

    [Fact]
    public async Task a_sex_edit_shows_its_rule_beside_the_code_and_saves_with_an_override_reason()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var queued = await QueuedChart(admin);
        await Pull(coder);

        await SignIn(Users.NorthCoder, at: $"{Root}/coding/charts/{queued.Encounter.Id}");
        await PickWithKeyboard("Add a diagnosis (ICD-10-CM)", "dx-add", "htn", "I10");
        await PickWithKeyboard("Add a diagnosis (ICD-10-CM)", "dx-add", "N40.0", "N40.0");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save codes" }).ClickAsync();

        var diagnoses = Page.GetByRole(AriaRole.List, new() { Name = "Diagnoses" });
        // The live findings show dx-sex as soon as the code is picked: wait for the save's own answer before typing the reason,
        // or the save's swap of the form lands after the typing and clears it.
        await Assertions.Expect(Page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "needs an override reason" }).First).ToBeVisibleAsync();
        await Assertions.Expect(diagnoses.Locator("li").Nth(1).Locator(".finding")).ToContainTextAsync("dx-sex");
        var reason = Page.GetByLabel("Override reason (an age or sex edit warns, and the code is right)");
        await reason.FillAsync("Patient is transgender; prostate documented");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save codes" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#coding-work [role=status]")).ToContainTextAsync("Codes saved.");
        await Assertions.Expect(diagnoses.Locator("li").Nth(1).Locator(".finding.warn")).ToContainTextAsync("dx-sex");
        await Assertions.Expect(diagnoses.Locator("li").Nth(0).Locator(".finding")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task a_practice_admin_assigns_a_chart_to_a_coder_from_the_queue()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var queued = await QueuedChart(admin);

        await SignIn(Users.NorthAdmin, at: $"{Root}/coding/queue");
        var row = Page.GetByRole(AriaRole.Table, new() { Name = "Coding queue" }).Locator("tbody tr")
            .Filter(new() { HasText = queued.Encounter.PatientName });
        await row.GetByRole(AriaRole.Combobox).SelectOptionAsync(new SelectOptionValue { Label = "Cody North" });
        await row.GetByRole(AriaRole.Button, new() { Name = "Assign" }).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("With a coder");
        await Assertions.Expect(row.Locator("td").Nth(4)).ToHaveTextAsync("Cody North");
        Assert.Equal("Cody North", (await Read<CodingChart>(await admin.GetAsync(Chart(queued.Encounter.Id)))).Coder?.Name);
    }

    [Fact]
    public async Task a_coder_raises_a_multiple_choice_query_and_the_chart_goes_on_hold()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var queued = await QueuedChart(admin);
        await Pull(await App.ClientFor(Users.NorthCoder));

        await SignIn(Users.NorthCoder, at: $"{Root}/coding/charts/{queued.Encounter.Id}");
        await Page.GetByLabel("Question for Dr. Test Renderer").FillAsync("BP 150/95 at two visits is noted. Which diagnosis does this support?");
        await Page.GetByLabel("Choices (optional").FillAsync("Essential hypertension\nWhite coat syndrome");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Raise provider query" }).ClickAsync();

        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Query sent");
        await Assertions.Expect(Page.Locator("#chart-status")).ToHaveTextAsync("On hold");
        await Assertions.Expect(Page.Locator("ul.queries")).ToContainTextAsync("Unable to determine");
    }

    /// <summary>Type into a code typeahead, ArrowDown to the first suggestion, Enter to add it.</summary>
    async Task PickWithKeyboard(string label, string id, string typed, string expected)
    {
        var box = Page.GetByRole(AriaRole.Combobox, new() { Name = label });
        await box.PressSequentiallyAsync(typed);
        await Assertions.Expect(Page.Locator($"#{id}-listbox [role=option]").First).ToContainTextAsync(expected);
        await box.PressAsync("ArrowDown");
        await Assertions.Expect(box).ToHaveAttributeAsync("aria-activedescendant", $"{id}-listbox-0");
        await box.PressAsync("Enter");
        await Assertions.Expect(box).ToHaveValueAsync(""); // added: the form came back with an empty box, focus kept
        await Assertions.Expect(box).ToBeFocusedAsync();
    }

    [Fact]
    public async Task a_provider_answers_a_query_on_the_queries_page_and_the_chart_is_back_in_progress()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var encounters = await admin.GetFromJsonAsync<PageOf<EncounterListRow>>(North("encounters?pageSize=200"));
        var visit = encounters!.Items.First(e => e.RenderingProviderName == "Dr. Noah Park" && e.Status == EncounterStatus.New);
        (await admin.PostAsJsonAsync(Chart(visit.Id, "/queue"), new SendToCoding(9))).EnsureSuccessStatusCode();
        var pulled = await Pull(coder) ?? throw new InvalidOperationException("Nothing to pull.");
        Assert.Equal(visit.Id, pulled.Chart.Encounter.Id);
        await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(visit.Id, "/queries"),
            new RaiseProviderQuery("The note lists A1c 6.8 but no diabetes type. Which type is documented?", ["Type 1", "Type 2"]),
            pulled.Chart.Version));

        await SignIn(Users.NorthProvider, at: Root);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Provider queries" }).ClickAsync();
        var card = Page.Locator("ul.query-cards li").Filter(new() { HasText = visit.PatientName });
        await Assertions.Expect(card).ToContainTextAsync("Which type is documented?");
        await card.GetByRole(AriaRole.Button, new() { Name = "Send answer" }).ClickAsync();
        await Assertions.Expect(card.GetByLabel("Type 2")).ToBeVisibleAsync(); // the browser asks for a choice first
        await card.GetByLabel("Type 2").CheckAsync();
        await card.GetByRole(AriaRole.Button, new() { Name = "Send answer" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Answer saved");
        await Assertions.Expect(Page.Locator(".empty")).ToContainTextAsync("No open queries for you");

        var chart = await Read<CodingChart>(await admin.GetAsync(Chart(visit.Id)));
        Assert.Equal(EncounterStatus.InProgress, chart.Status);
        Assert.Equal("Type 2", chart.Queries[0].Answer);
    }

    [Fact]
    public async Task a_qa_reviewer_accepts_a_chart_and_sees_the_coders_accuracy()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        await PracticeSettingsAre(admin, qaPercent: 100);
        var coded = await CodedChart(admin, coder);
        var submitted = await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(coded.Encounter.Id, "/submit"), null, coded.Version));
        Assert.Equal(EncounterStatus.ReadyForQa, submitted.Status);

        await SignIn(Users.NorthQa, at: Root);
        await Page.GetByRole(AriaRole.Link, new() { Name = "QA", Exact = true }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Ready for QA" })).ToContainTextAsync(coded.Encounter.PatientName);
        await Page.GetByRole(AriaRole.Link, new() { Name = $"Review {coded.Encounter.PatientName}'s chart" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.List, new() { Name = "Diagnoses" })).ToContainTextAsync("E11.9");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Accept as coded" }).ClickAsync();

        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Accepted");
        await Assertions.Expect(Page.Locator(".empty").First).ToContainTextAsync("Nothing to review");
        var accuracy = Page.GetByRole(AriaRole.Table, new() { Name = "Accuracy per coder" });
        await Assertions.Expect(accuracy).ToContainTextAsync("100.0");
        // Submitted minutes after queueing, well inside the 48-hour SLA.
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Turnaround per coder" })).ToContainTextAsync("Cody North");
        await Assertions.Expect(Page.GetByLabel("Turnaround summary")).ToContainTextAsync("100.0% within SLA");
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByRole(AriaRole.Link, new() { Name = "CSV per coder" }).ClickAsync());
        Assert.Contains("Cody North,1,1,1", await System.IO.File.ReadAllTextAsync(await download.PathAsync()));
        Assert.Equal(EncounterStatus.Approved, (await Read<CodingChart>(await admin.GetAsync(Chart(coded.Encounter.Id)))).Status);
        // Volume beside quality: one chart on one day, reviewed and accepted.
        var productivity = Page.GetByRole(AriaRole.Table, new() { Name = "Productivity per coder" }).Locator("tbody tr td");
        await Assertions.Expect(productivity).ToHaveTextAsync(
            [new Regex("Cody North"), new Regex("^1$"), new Regex("^1$"), new Regex("^1$"), new Regex("100.0%"), new Regex("^1$"), new Regex("100.0"), new Regex("100")]);
    }

    [Fact]
    public async Task a_qa_reviewer_corrects_the_codes_with_the_coding_screen_and_the_coders_accuracy_drops()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        await PracticeSettingsAre(admin, qaPercent: 100);
        var coded = await CodedChart(admin, coder);
        (await Send(coder, HttpMethod.Post, Chart(coded.Encounter.Id, "/submit"), null, coded.Version)).EnsureSuccessStatusCode();

        await SignIn(Users.NorthQa, at: $"{Root}/coding/charts/{coded.Encounter.Id}");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Remove E11.9" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.List, new() { Name = "Diagnoses" })).Not.ToContainTextAsync("E11.9");
        await Assertions.Expect(Page.GetByLabel("Line 1 points at A (I10)")).ToBeCheckedAsync();
        await Page.GetByLabel("Why are you correcting the codes?").FillAsync("Diabetes is not documented in the note.");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save corrected codes" }).ClickAsync();

        await Page.WaitForURLAsync("**/coding/qa?done=corrected");
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Accuracy per coder" })).ToContainTextAsync("66.7");
        var chart = await Read<CodingChart>(await admin.GetAsync(Chart(coded.Encounter.Id)));
        Assert.Equal(["I10"], chart.Diagnoses.Select(d => d.Code));
        Assert.Equal([1], Assert.Single(chart.Lines).DiagnosisPointers);
    }

    /// <summary>Coded I10, E11.9, 99213; QA removed E11.9 (an unsupported diagnosis). Returns the chart as QA left it.</summary>
    async Task<CodingChart> CorrectedByQa(HttpClient admin, HttpClient coder)
    {
        var qa = await App.ClientFor(Users.NorthQa);
        await PracticeSettingsAre(admin, qaPercent: 100);
        var coded = await CodedChart(admin, coder);
        (await Send(coder, HttpMethod.Post, Chart(coded.Encounter.Id, "/submit"), null, coded.Version)).EnsureSuccessStatusCode();
        return await Read<CodingChart>(await qa.PostAsJsonAsync(Chart(coded.Encounter.Id, "/review"),
            new ReviewChart(["I10"], [new ServiceLineInput("99213", DiagnosisPointers: [1])], "Diabetes is not documented in the note.")));
    }

    [Fact]
    public async Task a_coder_finds_a_qa_correction_in_their_reviews_and_disputes_it()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var corrected = await CorrectedByQa(admin, coder);

        await SignIn(Users.NorthCoder, at: Root);
        await Page.GetByRole(AriaRole.Link, new() { Name = "My QA reviews" }).ClickAsync();
        var reviews = Page.GetByRole(AriaRole.Table, new() { Name = "QA reviews" });
        await Assertions.Expect(reviews).ToContainTextAsync("Unsupported diagnosis E11.9");
        await reviews.GetByRole(AriaRole.Link, new() { Name = $"Open {corrected.Encounter.PatientName}'s chart" }).ClickAsync();
        await Page.WaitForURLAsync($"**/coding/charts/{corrected.Encounter.Id}");
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "QA errors" })).ToContainTextAsync("E11.9 is not supported by the documentation.");
        await Page.GetByLabel("Disagree? Say why your codes were right (cite the documentation)")
            .FillAsync("The A1c of 6.8 is documented in the labs and the plan adjusts metformin.");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Dispute this review" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#coding-work [role=status]")).ToContainTextAsync("Rebuttal filed.");
        await Assertions.Expect(Page.Locator("#rebuttal-status")).ToHaveTextAsync("Waiting for the QA lead");
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Dispute this review" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task a_qa_reviewer_accepts_a_rebuttal_from_the_qa_page_and_the_coders_codes_come_back()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var corrected = await CorrectedByQa(admin, coder);
        var id = corrected.Encounter.Id;
        (await Send(coder, HttpMethod.Post, Chart(id, "/rebuttal"), new FileQaRebuttal("E11.9 is supported by the A1c and the plan."),
            corrected.Version)).EnsureSuccessStatusCode();

        await SignIn(Users.NorthQa, at: $"{Root}/coding/qa");
        var pending = Page.GetByRole(AriaRole.Table, new() { Name = "Rebuttals awaiting a decision" });
        await Assertions.Expect(pending).ToContainTextAsync("E11.9 is supported by the A1c and the plan.");
        await pending.GetByRole(AriaRole.Link, new() { Name = $"Decide {corrected.Encounter.PatientName}'s rebuttal" }).ClickAsync();
        await Page.WaitForURLAsync($"**/coding/charts/{id}");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Reject: the review stands" }).ClickAsync();
        await Assertions.Expect(Page.Locator(".alert.error, [role=alert]").First).ToContainTextAsync("Say why the review stands.");
        await Page.GetByLabel("Note to the coder (required to reject)").FillAsync("Agreed: the A1c supports it.");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Accept: restore the coder's codes" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#coding-work [role=status]")).ToContainTextAsync("Rebuttal accepted");
        await Assertions.Expect(Page.Locator("#rebuttal-status")).ToHaveTextAsync("Upheld by the QA lead");
        await Assertions.Expect(Page.GetByRole(AriaRole.List, new() { Name = "Diagnoses" })).ToContainTextAsync("E11.9");

        await Page.GotoAsync($"{Root}/coding/qa");
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Accuracy per coder" })).ToContainTextAsync("100.0");
        await Assertions.Expect(Page.GetByText("None. When a coder disputes a correction")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task a_vendor_coder_sees_one_queue_labelled_by_practice_and_pulls_across_practices()
    {
        var northAdmin = await App.ClientFor(Users.NorthAdmin);
        var riversideAdmin = await App.ClientFor(Users.RiversideAdmin);
        var riverside = DemoData.RiversidePediatrics;
        (await riversideAdmin.PostAsJsonAsync(Api(riverside, "engagements"), new GrantEngagement(DemoData.AcmeCoding, ["coding"]))).EnsureSuccessStatusCode();
        var riversideVisit = (await riversideAdmin.GetFromJsonAsync<PageOf<EncounterListRow>>(Api(riverside, "encounters")))!.Items[0];
        (await riversideAdmin.PostAsJsonAsync(Api(riverside, $"encounters/{riversideVisit.Id}/coding/queue"), new SendToCoding(1)))
            .EnsureSuccessStatusCode();
        var northChart = await QueuedChart(northAdmin, priority: 9);

        await SignIn(Users.VendorCoder);
        await Page.GetByRole(AriaRole.Link, new() { Name = "My vendor queue" }).ClickAsync();
        var table = Page.GetByRole(AriaRole.Table, new() { Name = "Coding queue" });
        await Assertions.Expect(table.Locator("tbody tr").Filter(new() { HasText = riversideVisit.PatientName })).ToContainTextAsync("Riverside Pediatrics");
        await Assertions.Expect(table.Locator("tbody tr").Filter(new() { HasText = northChart.Encounter.PatientName })).ToContainTextAsync("North");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Pull next chart" }).ClickAsync();
        await Page.WaitForURLAsync($"**/practices/{DemoData.NorthClinic}/coding/charts/{northChart.Encounter.Id}");
        await Assertions.Expect(Page.Locator("#chart-status")).ToHaveTextAsync("With a coder");
    }
}

/// <summary>The coding pages over plain HTTP: each renders for its roles, and another practice's URLs are 404.</summary>
public class CodingPagesOverHttp(PortalApp app) : PortalTest(app)
{
    static readonly string Root = $"/practices/{DemoData.NorthClinic}/coding";

    [Fact]
    public async Task each_coding_page_renders_and_says_so_when_nothing_matches()
    {
        var admin = await App.SignedInBrowser(Users.NorthAdmin);
        Assert.Contains("Okafor, Ben", await admin.GetStringAsync($"{Root}/queue")); // demo charts waiting
        Assert.Contains("No chart matches these filters", await admin.GetStringAsync($"{Root}/queue?status=Returned"));
        Assert.Contains("No open provider queries", await admin.GetStringAsync($"{Root}/queries"));
        Assert.Contains("Nothing to review", await admin.GetStringAsync($"{Root}/qa"));
        var vendor = await App.SignedInBrowser(Users.VendorCoder);
        Assert.Contains("My vendor queue", await vendor.GetStringAsync("/vendor/queue"));
        var csv = await admin.GetAsync($"{Root}/queue?handler=Export");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task another_practice_gets_404_for_the_coding_screen_and_queue()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var chart = await QueuedChart(admin);
        var north = await App.SignedInBrowser(Users.NorthAdmin);
        Assert.Equal(HttpStatusCode.OK, (await north.GetAsync($"{Root}/charts/{chart.Encounter.Id}")).StatusCode);

        var riverside = await App.SignedInBrowser(Users.RiversideAdmin);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync($"{Root}/charts/{chart.Encounter.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync($"{Root}/queue")).StatusCode);
        var ownPractice = $"/practices/{DemoData.RiversidePediatrics}/coding/charts/{chart.Encounter.Id}";
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(ownPractice)).StatusCode);
        var provider = await App.SignedInBrowser(Users.NorthBiller);
        Assert.NotEqual(HttpStatusCode.OK, (await provider.GetAsync("/vendor/queue")).StatusCode);
    }
}
