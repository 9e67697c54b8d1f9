using System.Text.Json;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Intake;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Coding;

/// <summary>QA records error types and the dollar impact of its corrections; the coder may dispute one, and QA or the admin decides.</summary>
public class QaFindingsAndRebuttals(PortalApp app) : PortalTest(app)
{
    static async Task<string?> Rule(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("rule", out var rule) ? rule.GetString() : null;

    /// <summary>A chart coded I10, E11.9, 99213 → both ($120), submitted to QA.</summary>
    static async Task<CodingChart> SubmittedForQa(HttpClient admin, HttpClient coder)
    {
        await PracticeSettingsAre(admin, qaPercent: 100);
        var coded = await CodedChart(admin, coder);
        return await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(coded.Encounter.Id, "/submit"), null, coded.Version));
    }

    [Fact]
    public async Task a_correction_is_classified_and_priced_and_an_accepted_rebuttal_restores_the_coders_codes()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var qa = await App.ClientFor(Users.NorthQa);
        var submitted = await SubmittedForQa(admin, coder);
        var id = submitted.Encounter.Id;
        Assert.Equal(EncounterStatus.ReadyForQa, submitted.Status);
        Assert.Equal("no-qa-correction", await Rule(await coder.PostAsJsonAsync(Chart(id, "/rebuttal"),
            new FileQaRebuttal("My codes follow the visit note exactly."))));

        // QA puts the diabetes first, adds hyperlipidemia and finds a level-4 visit: 99214 ($175) instead of 99213 ($120).
        var reviewed = await Read<CodingChart>(await qa.PostAsJsonAsync(Chart(id, "/review"), new ReviewChart(["E11.9", "I10", "E78.5"],
            [new ServiceLineInput("99214", DiagnosisPointers: [1, 2])], "Diabetes management is the focus; MDM supports level 4")));
        var outcome = reviewed.Qa!;
        Assert.True(outcome.Corrected);
        // Issue 14 (item 7): 99213 → 99214 is one E/M level error, not an omission plus an addition.
        Assert.Equal(["missed-diagnosis E785", "sequencing E119", "em-level 99214"],
            outcome.Errors.Select(e => $"{e.Type} {e.Code}"));
        Assert.Equal(55m, outcome.ChargeImpact);
        Assert.Equal(["I10", "E119"], outcome.CoderDiagnoses.Select(d => d.Code));

        var before = Assert.Single((await admin.GetItemsAsync<CoderAccuracy>(North("qa/accuracy"), Json))!);
        Assert.Equal((0, 0m, 55m, 0m), (before.ErrorFree, before.EncounterAccuracy, before.UnderCoded, before.OverCoded));
        Assert.Equal(1, before.ErrorsByType!["sequencing"]);
        Assert.Equal(0.5m, before.Accuracy); // I10, E11.9 right; E78.5 missed and 99213 → 99214 (one changed code) wrong: 2 of 4

        // Only the coder disputes, once, with a reason.
        Assert.Equal(HttpStatusCode.Forbidden, (await qa.PostAsJsonAsync(Chart(id, "/rebuttal"), new FileQaRebuttal("QA cannot dispute QA."))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await coder.PostAsJsonAsync(Chart(id, "/rebuttal"), new FileQaRebuttal("No."))).StatusCode);
        var disputed = await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(id, "/rebuttal"),
            new FileQaRebuttal("The note documents a 15-minute hypertension follow-up; diabetes was only mentioned."), reviewed.Version));
        Assert.Equal(RebuttalStatus.Pending, disputed.Qa!.Rebuttal!.Status);
        Assert.Equal("rebuttal-exists", await Rule(await coder.PostAsJsonAsync(Chart(id, "/rebuttal"),
            new FileQaRebuttal("Trying a second time to dispute."))));

        var pending = await qa.GetFromJsonAsync<PageOf<QaReviewItem>>(North("qa/reviews?rebuttal=pending"), Json);
        var item = Assert.Single(pending!.Items);
        Assert.Equal((id, RebuttalStatus.Pending, 55m), (item.EncounterId, item.Rebuttal!.Value, item.ChargeImpact));
        Assert.StartsWith("The note documents", item.RebuttalReason);
        Assert.Single((await coder.GetFromJsonAsync<PageOf<QaReviewItem>>(North("qa/reviews"), Json))!.Items);
        // A filter the list cannot read is a 400 naming it, as on every list (docs/api.md, "Filtering"; it was a 422 before issue 15).
        Assert.Equal(HttpStatusCode.BadRequest, (await qa.GetAsync(North("qa/reviews?rebuttal=maybe"))).StatusCode);
        var csv = await admin.GetStringAsync(North("qa/reviews?format=csv"));
        Assert.Contains("missed-diagnosis E78.5; sequencing E11.9; em-level 99214", csv);
        Assert.Contains(",55,pending,", csv);

        // The coder cannot decide; rejecting needs a note; a stale version changes nothing; accepting restores the coder's codes.
        Assert.Equal(HttpStatusCode.Forbidden, (await coder.PostAsJsonAsync(Chart(id, "/rebuttal/decision"), new DecideQaRebuttal(true))).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            (await Send(admin, HttpMethod.Post, Chart(id, "/rebuttal/decision"), new DecideQaRebuttal(false), disputed.Version)).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed,
            (await Send(admin, HttpMethod.Post, Chart(id, "/rebuttal/decision"), new DecideQaRebuttal(true), reviewed.Version)).StatusCode);
        var accepted = await Read<CodingChart>(await Send(admin, HttpMethod.Post, Chart(id, "/rebuttal/decision"),
            new DecideQaRebuttal(true, "Agreed on re-reading the note."), disputed.Version));
        Assert.Equal(RebuttalStatus.Accepted, accepted.Qa!.Rebuttal!.Status);
        Assert.Equal(["I10", "E119"], accepted.Diagnoses.Select(d => d.Code));
        Assert.Equal(("99213", 120m), (Assert.Single(accepted.Lines).Code, accepted.Lines[0].Charge));
        Assert.Equal("no-pending-rebuttal", await Rule(await admin.PostAsJsonAsync(Chart(id, "/rebuttal/decision"), new DecideQaRebuttal(true))));

        var after = Assert.Single((await admin.GetItemsAsync<CoderAccuracy>(North("qa/accuracy"), Json))!);
        Assert.Equal((1, 1m, 1m, 0m, 1, 1), (after.ErrorFree, after.EncounterAccuracy, after.Accuracy, after.UnderCoded, after.Rebuttals,
            after.RebuttalsAccepted));
        var history = await admin.GetItemsAsync<JsonElement>(North($"encounters/{id}/history"));
        Assert.Equal(["chart_reviewed", "qa_rebuttal_filed", "qa_rebuttal_decided"],
            history![^3..].Select(h => h.GetProperty("event").GetString()));
    }

    [Fact]
    public async Task modifier_units_and_pointer_changes_are_errors_and_a_rejected_rebuttal_leaves_the_review_standing()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var qa = await App.ClientFor(Users.NorthQa);
        var submitted = await SubmittedForQa(admin, coder);
        var id = submitted.Encounter.Id;

        // Same codes; 99213 gets modifier 25 and points at E11.9 only; a venipuncture (2 units: $24) the coder missed.
        var reviewed = await Read<CodingChart>(await qa.PostAsJsonAsync(Chart(id, "/review"), new ReviewChart(null,
            [new ServiceLineInput("99213", ["25"], DiagnosisPointers: [2]), new ServiceLineInput("36415", Units: 2, DiagnosisPointers: [2])],
            "Separate E/M with the procedure; venipuncture documented twice")));
        Assert.Equal(["missed-procedure 36415", "modifier 99213", "pointer 99213"], reviewed.Qa!.Errors.Select(e => $"{e.Type} {e.Code}"));
        Assert.Equal("Points at E11.9, not I10, E11.9.", reviewed.Qa.Errors[2].Detail);
        Assert.Equal(24m, reviewed.Qa.ChargeImpact);

        var disputed = await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(id, "/rebuttal"),
            new FileQaRebuttal("Modifier 25 is not needed: no procedure was billed by me."), reviewed.Version));
        var rejected = await Read<CodingChart>(await Send(qa, HttpMethod.Post, Chart(id, "/rebuttal/decision"),
            new DecideQaRebuttal(false, "The venipuncture is a separate procedure that day."), disputed.Version));
        Assert.Equal((RebuttalStatus.Rejected, "The venipuncture is a separate procedure that day."),
            (rejected.Qa!.Rebuttal!.Status, rejected.Qa.Rebuttal.Note));
        Assert.Equal(["99213", "36415"], rejected.Lines.Select(l => l.Code));

        var cody = Assert.Single((await admin.GetItemsAsync<CoderAccuracy>(North("qa/accuracy"), Json))!);
        Assert.Equal((0, 1, 0, 24m), (cody.ErrorFree, cody.Rebuttals, cody.RebuttalsAccepted, cody.UnderCoded));
        Assert.Single((await admin.GetFromJsonAsync<PageOf<QaReviewItem>>(North("qa/reviews?rebuttal=rejected&errors=true"), Json))!.Items);
        Assert.Empty((await admin.GetFromJsonAsync<PageOf<QaReviewItem>>(North("qa/reviews?rebuttal=accepted"), Json))!.Items);
    }

    [Fact]
    public async Task a_vendors_admin_sees_the_qa_results_of_the_firms_coders_only()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var vendorCoder = await App.ClientFor(Users.VendorCoder);
        var vendorAdmin = await App.ClientFor(Users.VendorAdmin);
        var qa = await App.ClientFor(Users.NorthQa);
        await PracticeSettingsAre(admin, qaPercent: 100);
        await QueuedCharts(admin, 2);
        async Task<CodingChart> CodedAndSubmitted(HttpClient by)
        {
            var coded = await CodeNext(by);
            return await Read<CodingChart>(await Send(by, HttpMethod.Post, Chart(coded.Encounter.Id, "/submit"), null, coded.Version));
        }
        var inHouse = await CodedAndSubmitted(coder);
        var vendorSubmitted = await CodedAndSubmitted(vendorCoder);
        foreach (var chart in new[] { inHouse, vendorSubmitted })
            await Read<CodingChart>(await qa.PostAsJsonAsync(Chart(chart.Encounter.Id, "/review"),
                new ReviewChart(["I10"], [new ServiceLineInput("99213", DiagnosisPointers: [1])], "Diabetes is not documented.")));

        var theirs = await vendorAdmin.GetFromJsonAsync<PageOf<QaReviewItem>>(North("qa/reviews"), Json);
        Assert.Equal([vendorSubmitted.Encounter.Id], theirs!.Items.Select(i => i.EncounterId));
        Assert.Equal(["Arjun Coder"], (await vendorAdmin.GetItemsAsync<CoderAccuracy>(North("qa/accuracy"), Json))!.Select(a => a.CoderName));
        Assert.Equal(2, (await admin.GetFromJsonAsync<PageOf<QaReviewItem>>(North("qa/reviews"), Json))!.Total);
        Assert.Equal([inHouse.Encounter.Id], (await coder.GetFromJsonAsync<PageOf<QaReviewItem>>(North("qa/reviews"), Json))!.Items.Select(i => i.EncounterId));
    }

    [Fact]
    public async Task another_practice_gets_404_for_the_reviews_and_the_rebuttals()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var riverside = await App.ClientFor(Users.RiversideAdmin);
        var id = (await SubmittedForQa(admin, coder)).Encounter.Id;
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(North("qa/reviews"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(North("coding/productivity"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.PostAsJsonAsync(Chart(id, "/rebuttal/decision"), new DecideQaRebuttal(true))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await riverside.PostAsJsonAsync($"/api/v1/practices/{Portal.Web.Features.Demo.DemoData.RiversidePediatrics}/encounters/{id}/coding/rebuttal/decision",
                new DecideQaRebuttal(true))).StatusCode);
    }

    [Fact]
    public void a_changed_code_is_one_error_and_one_code_compared()
    {
        CodedDiagnosis[] Dx(params string[] codes) => [.. codes.Select((c, i) => new CodedDiagnosis(i + 1, c, ""))];
        ServiceLine[] Px(params string[] codes) => [.. codes.Select((c, i) => new ServiceLine(i + 1, c, "", [], 1, 0m, [1]))];

        var errors = QaErrors.Between(Dx("E119"), Px("99214", "36415"), Dx("E1165"), Px("99213", "81002"));

        Assert.Equal(["em-level 99213", "missed-procedure 81002", "specificity E1165", "unsupported-procedure 36415"],
            errors.Select(e => $"{e.Type} {e.Code}").Order());
        Assert.Equal((0, 4), Accuracy.Compare(Dx("E119"), Px("99214", "36415"), Dx("E1165"), Px("99213", "81002")));
        Assert.Equal((1, 2), Accuracy.Compare(Dx("I10"), Px("99214"), Dx("I10"), Px("99213")));
    }
}
