using System.Text.Json;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Intake;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Coding;

public class CodingWorkflow(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task a_chart_goes_from_intake_through_a_provider_query_and_a_qa_correction_to_approval()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var provider = await App.ClientFor(Users.NorthProvider);
        var qa = await App.ClientFor(Users.NorthQa);
        await PracticeSettingsAre(admin, qaPercent: 100);

        var queued = await QueuedChart(admin);
        var id = queued.Encounter.Id;
        await LinkProviderUser(admin, queued.Encounter.RenderingProviderId, Users.NorthProvider);
        Assert.Equal(EncounterStatus.Queued, queued.Status);
        Assert.NotNull(queued.DueAt);

        var pulled = await Pull(coder);
        Assert.Equal(id, pulled!.Chart.Encounter.Id);
        Assert.Equal(EncounterStatus.Assigned, pulled.Chart.Status);
        Assert.Equal("Cody North", pulled.Chart.Coder!.Name);
        Assert.Equal("Follow-up for hypertension.", pulled.Chart.Encounter.VisitNotes);

        var dx = await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(id, "/diagnoses"), new CodeDiagnoses(["I10", "E11.9"]),
            pulled.Chart.Version));
        Assert.Equal(["I10", "E119"], dx.Diagnoses.Select(d => d.Code));
        Assert.Equal(EncounterStatus.InProgress, dx.Status);
        var lines = await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(id, "/lines"),
            new CodeServiceLines([new ServiceLineInput("99213", ["25"], DiagnosisPointers: [1, 2]), new ServiceLineInput("36415", Units: 1, DiagnosisPointers: [1])]),
            dx.Version));
        Assert.Equal(120m, lines.Lines[0].Charge);
        Assert.Equal([1], lines.Lines[1].DiagnosisPointers);

        var asked = await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(id, "/queries"),
            new RaiseProviderQuery("Is the diabetes controlled or with hyperglycemia per the A1c reviewed?", ["Controlled", "With hyperglycemia"]),
            lines.Version));
        Assert.Equal(EncounterStatus.OnHold, asked.Status);
        var query = Assert.Single(asked.Queries);
        Assert.Equal(["Controlled", "With hyperglycemia", "Other", "Unable to determine"], query.Options);

        var open = await provider.GetItemsAsync<OpenProviderQuery>(North("provider-queries"), Json);
        Assert.Equal(query.QueryId, Assert.Single(open!).QueryId);
        Assert.False(open![0].Escalated);
        var badAnswer = await provider.PostAsJsonAsync(Chart(id, $"/queries/{query.QueryId}/answer"), new AnswerProviderQuery("Maybe"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badAnswer.StatusCode);
        var answered = await Read<CodingChart>(await provider.PostAsJsonAsync(Chart(id, $"/queries/{query.QueryId}/answer"),
            new AnswerProviderQuery("Controlled", "A1c 6.8")));
        Assert.Equal(EncounterStatus.InProgress, answered.Status);
        Assert.Equal("Controlled: A1c 6.8", answered.Queries[0].Answer);
        Assert.Empty((await provider.GetItemsAsync<OpenProviderQuery>(North("provider-queries"), Json))!);

        var submitted = await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(id, "/submit"), null, answered.Version));
        Assert.Equal(EncounterStatus.ReadyForQa, submitted.Status);
        var qaQueue = await qa.GetFromJsonAsync<PageOf<CodingQueueItem>>(North("coding/queue?status=ReadyForQa"), Json);
        Assert.Contains(qaQueue!.Items, i => i.EncounterId == id);

        var noReason = await qa.PostAsJsonAsync(Chart(id, "/review"), new ReviewChart(["I10", "E11.9", "E78.49"]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.StatusCode);
        var reviewed = await Read<CodingChart>(await qa.PostAsJsonAsync(Chart(id, "/review"),
            new ReviewChart(["I10", "E11.9", "E78.49"], Reason: "Hyperlipidemia documented in the note")));
        Assert.Equal(EncounterStatus.Approved, reviewed.Status);
        Assert.Equal(["I10", "E119", "E7849"], reviewed.Diagnoses.Select(d => d.Code));

        // Coder: I10, E11.9, 99213-25, 36415; reviewer adds E78.49: 4 correct of 5 in the union.
        var accuracy = await admin.GetItemsAsync<CoderAccuracy>(North("qa/accuracy"), Json);
        var cody = Assert.Single(accuracy!);
        Assert.Equal(("Cody North", 4, 5, 0.8m, 1), (cody.CoderName, cody.Correct, cody.Compared, cody.Accuracy, cody.Corrected));

        var history = await admin.GetItemsAsync<JsonElement>(North($"encounters/{id}/history"));
        var events = history!.Select(h => h.GetProperty("event").GetString()!).ToArray();
        Assert.Equal(["encounter_opened", "chart_queued", "chart_assigned", "coding_started", "diagnoses_coded", "service_lines_coded", "provider_query_raised",
            "provider_query_answered", "chart_submitted", "chart_reviewed"], events);
        Assert.All(history!, h => Assert.False(string.IsNullOrEmpty(h.GetProperty("by").GetString())));
        Assert.Equal("Hyperlipidemia documented in the note", history![^1].GetProperty("reason").GetString());
        var details = await admin.GetFromJsonAsync<EncounterDetails>(North($"encounters/{id}"));
        Assert.Equal(EncounterStatus.Approved, details!.Status);
    }

    [Fact]
    public async Task a_returned_chart_goes_back_to_its_coder_and_is_reviewed_again()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var qa = await App.ClientFor(Users.NorthQa);
        await PracticeSettingsAre(admin, qaPercent: 100);
        var coded = await CodedChart(admin, coder);
        var id = coded.Encounter.Id;
        await Read<CodingChart>(await coder.PostAsync(Chart(id, "/submit"), null));

        var returned = await Read<CodingChart>(await qa.PostAsJsonAsync(Chart(id, "/return"), new ReturnChart("Add the modifier 25?")));
        Assert.Equal(EncounterStatus.Returned, returned.Status);
        var mine = await coder.GetFromJsonAsync<PageOf<CodingQueueItem>>(North("coding/queue?coder=me&status=Returned"), Json);
        Assert.Equal(id, Assert.Single(mine!.Items).EncounterId);

        await PracticeSettingsAre(admin, qaPercent: 0);
        var fixedCodes = await Read<CodingChart>(await coder.PutAsJsonAsync(Chart(id, "/lines"),
            new CodeServiceLines([new ServiceLineInput("99213", ["25"], DiagnosisPointers: [1, 2])])));
        Assert.Equal(EncounterStatus.InProgress, fixedCodes.Status);
        var again = await Read<CodingChart>(await coder.PostAsync(Chart(id, "/submit"), null));
        Assert.Equal(EncounterStatus.ReadyForQa, again.Status);
        var accepted = await Read<CodingChart>(await qa.PostAsJsonAsync(Chart(id, "/review"), new ReviewChart()));
        Assert.Equal(EncounterStatus.Approved, accepted.Status);
        var accuracy = await admin.GetItemsAsync<CoderAccuracy>(North("qa/accuracy"), Json);
        Assert.Equal(1m, Assert.Single(accuracy!).Accuracy);
    }

    [Fact]
    public async Task charts_outside_the_qa_sample_are_approved_on_submit_but_a_new_coder_is_always_reviewed()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);

        await QueuedCharts(admin, 2);
        await PracticeSettingsAre(admin, qaPercent: 0, newCoderCharts: 1);
        var first = await CodeNext(coder);
        Assert.Equal(EncounterStatus.ReadyForQa, (await Read<CodingChart>(await coder.PostAsync(Chart(first.Encounter.Id, "/submit"), null))).Status);

        await PracticeSettingsAre(admin, qaPercent: 0, newCoderCharts: 0);
        var second = await CodeNext(coder);
        var submitted = await Read<CodingChart>(await coder.PostAsync(Chart(second.Encounter.Id, "/submit"), null));
        Assert.Equal(EncounterStatus.Approved, submitted.Status);
    }

    [Fact]
    public async Task a_new_coder_is_reviewed_until_their_approved_charts_reach_the_setting_whoever_submits_for_them()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var qa = await App.ClientFor(Users.NorthQa);
        await QueuedCharts(admin, 2);
        await PracticeSettingsAre(admin, qaPercent: 0, newCoderCharts: 1);
        var first = await CodeNext(coder);
        Assert.Equal(EncounterStatus.ReadyForQa, (await Read<CodingChart>(await coder.PostAsync(Chart(first.Encounter.Id, "/submit"), null))).Status);
        (await qa.PostAsJsonAsync(Chart(first.Encounter.Id, "/review"), new ReviewChart())).EnsureSuccessStatusCode();

        // One approved chart: no longer new. Submit counts the chart's coder (read in its fetch batch since ADR 0037), not the
        // lead who submits it, who has none approved and would be "new".
        var second = await CodeNext(coder);
        Assert.Equal(EncounterStatus.Approved, (await Read<CodingChart>(await admin.PostAsync(Chart(second.Encounter.Id, "/submit"), null))).Status);
    }

    [Fact]
    public async Task high_level_visits_and_modifier_25_go_to_qa_outside_the_sample_unless_the_practice_turns_targeting_off()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        await QueuedCharts(admin, 3);
        await PracticeSettingsAre(admin, qaPercent: 0, newCoderCharts: 0);

        async Task<CodingChart> CodeAndSubmit(ServiceLineInput line)
        {
            var pulled = (await Pull(coder))!.Chart;
            var dx = await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(pulled.Encounter.Id, "/diagnoses"), new CodeDiagnoses(["I10"]), pulled.Version));
            var lines = await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(pulled.Encounter.Id, "/lines"), new CodeServiceLines([line]), dx.Version));
            return await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(pulled.Encounter.Id, "/submit"), null, lines.Version));
        }

        var level4 = await CodeAndSubmit(new ServiceLineInput("99214", DiagnosisPointers: [1]));
        Assert.Equal(EncounterStatus.ReadyForQa, level4.Status);
        var history = await admin.GetItemsAsync<JsonElement>(North($"encounters/{level4.Encounter.Id}/history"));
        Assert.Equal("targeted: high-level E/M 99214", history!.Single(h => h.GetProperty("event").GetString() == "chart_submitted")
            .GetProperty("data").GetProperty("sampling").GetString());
        Assert.Equal(EncounterStatus.ReadyForQa, (await CodeAndSubmit(new ServiceLineInput("99213", ["25"], DiagnosisPointers: [1]))).Status);

        (await admin.PutAsJsonAsync(North("settings"), new Portal.Web.Features.Settings.UpdatePracticeSettings(null, null, null, null, QaTargeted: false)))
            .EnsureSuccessStatusCode();
        Assert.Equal(EncounterStatus.Approved, (await CodeAndSubmit(new ServiceLineInput("99214", DiagnosisPointers: [1]))).Status);
    }

    [Fact]
    public async Task twenty_concurrent_pulls_over_the_queued_charts_never_share_one()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var ids = await QueuedCharts(admin, 10);
        var queued = (await admin.GetFromJsonAsync<PageOf<CodingQueueItem>>(North("coding/queue?status=Queued&pageSize=200"), Json))!.Total;
        Assert.True(queued >= 10);
        HttpClient[] coders = [await App.ClientFor(Users.NorthCoder), await App.ClientFor(Users.VendorCoder), await App.AppClient("north-app"),
            await App.ClientFor(Users.NorthAdmin)];

        var pulls = await Task.WhenAll(Enumerable.Range(0, (int)queued + 10).Select(i => Pull(coders[i % coders.Length])));

        var got = pulls.Where(p => p is not null).Select(p => p!.Chart.Encounter.Id).ToList();
        Assert.Equal(got.Count, got.Distinct().Count());
        Assert.Equal(queued, got.Count);
        Assert.Subset(got.ToHashSet(), ids.ToHashSet());
        Assert.Equal(0, (await admin.GetFromJsonAsync<PageOf<CodingQueueItem>>(North("coding/queue?status=Queued"), Json))!.Total);
    }

    [Fact]
    public async Task a_stale_etag_gives_412_and_keeps_the_newer_codes()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var coded = await CodedChart(admin, coder);
        var id = coded.Encounter.Id;

        var stale = await Send(coder, HttpMethod.Put, Chart(id, "/diagnoses"), new CodeDiagnoses(["E11.9"]), coded.Version - 1);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);

        var response = await coder.GetAsync(Chart(id));
        var chart = await Read<CodingChart>(response);
        Assert.Equal(["I10", "E119"], chart.Diagnoses.Select(d => d.Code));
        Assert.Equal(coded.Version, chart.Version);
        Assert.Equal($"W/\"{coded.Version}\"", response.Headers.ETag!.ToString());
    }

    [Fact]
    public async Task invalid_codes_are_422_naming_the_code_and_the_rule()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var queued = await QueuedChart(admin);
        await Pull(coder);
        var id = queued.Encounter.Id;

        var header = await coder.PutAsJsonAsync(Chart(id, "/diagnoses"), new CodeDiagnoses(["I10", "J44"]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, header.StatusCode);
        var problem = await header.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("J44", problem.GetProperty("detail").GetString());
        Assert.Contains("code-not-billable", problem.GetProperty("detail").GetString());
        Assert.Equal("code-not-billable", problem.GetProperty("findings")[0].GetProperty("rule").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("codes[1]", out _));

        var tooMany = await coder.PutAsJsonAsync(Chart(id, "/diagnoses"), new CodeDiagnoses([.. Enumerable.Repeat("I10", 13)]));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);

        // Tess is female: a male-only code warns and needs an override reason.
        var sex = await coder.PutAsJsonAsync(Chart(id, "/diagnoses"), new CodeDiagnoses(["N40.0"]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, sex.StatusCode);
        Assert.Contains("dx-sex", await sex.Content.ReadAsStringAsync());
        var overridden = await Read<CodingChart>(await coder.PutAsJsonAsync(Chart(id, "/diagnoses"),
            new CodeDiagnoses(["I10", "N40.0"], "Patient is transgender; prostate documented")));
        Assert.Equal("dx-sex", Assert.Single(overridden.Findings).Rule);

        var noFee = await coder.PutAsJsonAsync(Chart(id, "/lines"), new CodeServiceLines([new ServiceLineInput("93010", DiagnosisPointers: [1])]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noFee.StatusCode);
        Assert.Contains("93010 has no fee", await noFee.Content.ReadAsStringAsync());
        var explicitCharge = await Read<CodingChart>(await coder.PutAsJsonAsync(Chart(id, "/lines"),
            new CodeServiceLines([new ServiceLineInput("93010", Charge: 30m, DiagnosisPointers: [1])])));
        Assert.Equal(30m, explicitCharge.Lines[0].Charge);

        var badPointer = await coder.PutAsJsonAsync(Chart(id, "/lines"), new CodeServiceLines([new ServiceLineInput("99213", DiagnosisPointers: [3])]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badPointer.StatusCode);
        // Issue 10: a line without a diagnosis pointer is an error, never pointed at diagnosis 1 by default.
        var noPointer = await coder.PutAsJsonAsync(Chart(id, "/lines"), new CodeServiceLines([new ServiceLineInput("99213")]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noPointer.StatusCode);
        var missing = await noPointer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("line-pointer-missing", missing.GetProperty("findings")[0].GetProperty("rule").GetString());
        Assert.Equal("line 1", missing.GetProperty("findings")[0].GetProperty("location").GetString());
        var badModifier = await coder.PutAsJsonAsync(Chart(id, "/lines"), new CodeServiceLines([new ServiceLineInput("99213", ["26", "TC"], DiagnosisPointers: [1])]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badModifier.StatusCode);
        Assert.Contains("modifier", await badModifier.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task the_queue_flags_overdue_charts_and_pages_filters_and_sorts()
    {
        var coder = await App.ClientFor(Users.NorthCoder);
        // The demo queues six North charts, one already 12 hours past its 48-hour turnaround.
        var overdue = await coder.GetFromJsonAsync<PageOf<CodingQueueItem>>(North("coding/queue?overdue=true"), Json);
        Assert.NotEmpty(overdue!.Items);
        Assert.All(overdue.Items, i => Assert.True(i.Overdue));

        var page = await coder.GetFromJsonAsync<PageOf<CodingQueueItem>>(North("coding/queue?sort=priority&pageSize=2&page=1"), Json);
        Assert.Equal(2, page!.Items.Count);
        Assert.True(page.Total >= 6);
        Assert.True(page.Items[0].Priority >= page.Items[1].Priority);
        var byDue = await coder.GetFromJsonAsync<PageOf<CodingQueueItem>>(North("coding/queue?sort=due&pageSize=50"), Json);
        Assert.Equal(byDue!.Items.Select(i => i.DueAt).Order(), byDue.Items.Select(i => i.DueAt));
        Assert.Equal(HttpStatusCode.BadRequest, (await coder.GetAsync(North("coding/queue?sort=sideways"))).StatusCode);
    }

    [Fact]
    public async Task productivity_puts_each_coders_volume_beside_their_qa_accuracy()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var qa = await App.ClientFor(Users.NorthQa);
        var vendorAdmin = await App.ClientFor(Users.VendorAdmin);
        await PracticeSettingsAre(admin, qaPercent: 100);
        await QueuedCharts(admin, 2);
        var charts = new List<CodingChart>();
        for (var i = 0; i < 2; i++)
        {
            var coded = await CodeNext(coder);
            charts.Add(await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(coded.Encounter.Id, "/submit"), null, coded.Version)));
        }
        await Read<CodingChart>(await qa.PostAsJsonAsync(Chart(charts[0].Encounter.Id, "/review"), new ReviewChart()));
        await Read<CodingChart>(await qa.PostAsJsonAsync(Chart(charts[1].Encounter.Id, "/review"),
            new ReviewChart(["I10"], [new ServiceLineInput("99213", DiagnosisPointers: [1])], "Diabetes is not documented.")));

        var report = await admin.GetFromJsonAsync<ProductivityReport>(North("coding/productivity"), Json);
        var cody = Assert.Single(report!.PerCoder);
        // 3 of 3 codes right, then 2 of 3 (E11.9 unsupported): 5 of 6; one of the two charts without an error.
        Assert.Equal(("Cody North", 2, 1, 2m, 1m, 2, 0.8333m, 0.5m),
            (cody.CoderName, cody.Submitted, cody.ActiveDays, cody.PerActiveDay, cody.WithinSlaShare, cody.Reviews, cody.Accuracy, cody.EncounterAccuracy));
        Assert.Contains("Cody North,2,1,2,1,2,0.8333,0.5", await admin.GetStringAsync(North("coding/productivity?format=csv")));
        Assert.Empty((await vendorAdmin.GetFromJsonAsync<ProductivityReport>(North("coding/productivity"), Json))!.PerCoder);
        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            (await admin.GetAsync(North("coding/productivity?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"))).StatusCode);
    }

    [Fact]
    public async Task turnaround_counts_charts_submitted_by_their_due_time_per_coder()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        await PracticeSettingsAre(admin, qaPercent: 0);
        var coded = await CodedChart(admin, coder);
        await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(coded.Encounter.Id, "/submit"), null, coded.Version));

        var report = await admin.GetFromJsonAsync<TurnaroundReport>(North("coding/turnaround"), Json);
        Assert.Equal((1, 1, 1m, 48), (report!.Submitted, report.WithinSla, report.WithinSlaShare, report.TurnaroundHours));
        var cody = Assert.Single(report.PerCoder);
        Assert.Equal(("Cody North", 1, 1), (cody.CoderName, cody.Submitted, cody.WithinSla));
        var overdue = await admin.GetFromJsonAsync<PageOf<CodingQueueItem>>(North("coding/queue?overdue=true&pageSize=200"), Json);
        Assert.Equal(overdue!.Total, report.OpenOverdue);
        Assert.StartsWith("coder,submitted,within_sla,within_sla_share,median_hours\r\nCody North,1,1,1",
            await admin.GetStringAsync(North("coding/turnaround?format=csv")));

        var future = await admin.GetFromJsonAsync<TurnaroundReport>(North("coding/turnaround?from=2099-01-01&to=2099-02-01"), Json);
        Assert.Equal((0, 0m), (future!.Submitted, future.WithinSlaShare));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.GetAsync(North("coding/turnaround?from=2026-02-01&to=2026-01-01"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await App.ClientFor(Users.NorthBiller)).GetAsync(North("coding/turnaround"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await (await App.ClientFor(Users.RiversideAdmin)).GetAsync(North("coding/turnaround"))).StatusCode);
    }
}
