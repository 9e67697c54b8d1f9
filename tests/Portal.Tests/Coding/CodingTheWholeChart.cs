using System.Text.Json;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Intake;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Coding;

/// <summary>
/// <c>PUT …/encounters/{id}/coding</c>: the diagnoses and the service lines in one write, all or nothing, as the coding screen's
/// Save (docs/coding-workflow.md). An app codes a chart with three calls (next, code, submit) instead of four.
/// </summary>
public class CodingTheWholeChart(PortalApp app) : PortalTest(app)
{
    static readonly CodeDiagnoses Diagnoses = new(["I10", "E11.9"]);
    static readonly CodeServiceLines Lines = new([new ServiceLineInput("99213", DiagnosisPointers: [1, 2]), new ServiceLineInput("36415", DiagnosisPointers: [1])]);

    /// <summary>A fresh chart the admin queued and the coder pulled: the coder's client, the chart's id and its version.</summary>
    async Task<(HttpClient Coder, Guid Id, long Version)> PulledChart()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var queued = await QueuedChart(admin);
        var pulled = await Pull(coder) ?? throw new InvalidOperationException("The queue is empty.");
        Assert.Equal(queued.Encounter.Id, pulled.Chart.Encounter.Id);
        return (coder, queued.Encounter.Id, pulled.Chart.Version);
    }

    [Fact]
    public async Task one_put_codes_the_diagnoses_and_the_lines_and_the_chart_is_submitted_after_it()
    {
        var (coder, id, version) = await PulledChart();

        var response = await Send(coder, HttpMethod.Put, Chart(id), new CodeChart(Diagnoses, Lines), version);
        var coded = await Read<CodingChart>(response);
        Assert.Equal(["I10", "E119"], coded.Diagnoses.Select(d => d.Code));
        Assert.Equal(["99213", "36415"], coded.Lines.Select(l => l.Code));
        Assert.Equal([1, 2], coded.Lines[0].DiagnosisPointers);
        Assert.All(coded.Lines, l => Assert.True(l.Charge > 0, "the fee schedule gives the charge"));
        Assert.Equal(EncounterStatus.InProgress, coded.Status);
        Assert.Equal($"W/\"{coded.Version}\"", response.Headers.ETag!.ToString());

        // The chart as read back is the one the write answered with.
        var read = await Read<CodingChart>(await coder.GetAsync(Chart(id)));
        Assert.Equal(coded.Version, read.Version);
        Assert.Equal(coded.Lines.Select(l => (l.Code, l.Charge)), read.Lines.Select(l => (l.Code, l.Charge)));

        // Either part alone changes that part only: new lines keep the diagnoses.
        var linesOnly = await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(id),
            new CodeChart(null, new CodeServiceLines([new ServiceLineInput("99214", DiagnosisPointers: [2])])), coded.Version));
        Assert.Equal(["I10", "E119"], linesOnly.Diagnoses.Select(d => d.Code));
        Assert.Equal("99214", Assert.Single(linesOnly.Lines).Code);

        var submitted = await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(id, "/submit"), null, linesOnly.Version));
        Assert.NotEqual(EncounterStatus.InProgress, submitted.Status);
    }

    [Fact]
    public async Task submit_true_codes_and_submits_in_one_write_with_qa_sampling_as_submit_does()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var ids = await QueuedCharts(admin, 2);

        // Nothing sampled: the chart is approved by the same write that codes it.
        await PracticeSettingsAre(admin, 0);
        var first = await Pull(coder) ?? throw new InvalidOperationException("The queue is empty.");
        var approved = await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(first.Chart.Encounter.Id),
            new CodeChart(Diagnoses, Lines, Submit: true), first.Chart.Version));
        Assert.Equal(EncounterStatus.Approved, approved.Status);
        Assert.Equal(["I10", "E119"], approved.Diagnoses.Select(d => d.Code));
        Assert.Equal(["99213", "36415"], approved.Lines.Select(l => l.Code));

        // Everything sampled: it goes to QA instead, as POST …/submit would send it.
        await PracticeSettingsAre(admin, 100);
        var second = await Pull(coder) ?? throw new InvalidOperationException("The queue is empty.");
        Assert.Contains(second.Chart.Encounter.Id, ids);
        var sampled = await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(second.Chart.Encounter.Id),
            new CodeChart(Diagnoses, Lines, Submit: true), second.Chart.Version));
        Assert.Equal(EncounterStatus.ReadyForQa, sampled.Status);

    }

    [Fact]
    public async Task a_submission_that_cannot_be_made_saves_the_codes_neither()
    {
        var (coder, id, version) = await PulledChart();

        // Diagnoses alone cannot be submitted (no service line): 409, and the diagnoses are not kept either.
        var refused = await Send(coder, HttpMethod.Put, Chart(id), new CodeChart(Diagnoses, null, Submit: true), version);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("no-lines", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rule").GetString());

        var after = await Read<CodingChart>(await coder.GetAsync(Chart(id)));
        Assert.Empty(after.Diagnoses);
        Assert.Equal(version, after.Version);
        Assert.NotEqual(EncounterStatus.ReadyForQa, after.Status);
    }

    [Fact]
    public async Task a_refused_line_saves_neither_part_and_says_which_line()
    {
        var (coder, id, version) = await PulledChart();

        // 93010 has no fee in the demo schedule and no charge is given: the line is refused, so the diagnoses are not saved either.
        var refused = await Send(coder, HttpMethod.Put, Chart(id),
            new CodeChart(Diagnoses, new CodeServiceLines([new ServiceLineInput("99213", DiagnosisPointers: [1]), new ServiceLineInput("93010", DiagnosisPointers: [1])])),
            version);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("lines[1].charge", out _), problem.ToString());

        var after = await Read<CodingChart>(await coder.GetAsync(Chart(id)));
        Assert.Empty(after.Diagnoses);
        Assert.Empty(after.Lines);
        Assert.Equal(version, after.Version);

        // A line pointing past the new diagnoses is checked against them, not against the saved (empty) list.
        var pointer = await Send(coder, HttpMethod.Put, Chart(id),
            new CodeChart(new CodeDiagnoses(["I10"]), new CodeServiceLines([new ServiceLineInput("99213", DiagnosisPointers: [2])])), version);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, pointer.StatusCode);
        Assert.Equal(version, (await Read<CodingChart>(await coder.GetAsync(Chart(id)))).Version);
    }

    [Fact]
    public async Task neither_part_is_400_a_stale_version_412_and_an_unknown_chart_404_or_412_with_if_match()
    {
        var (coder, id, version) = await PulledChart();

        var empty = await Send(coder, HttpMethod.Put, Chart(id), new CodeChart(null, null), version);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.True((await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("diagnoses", out _));

        var tooMany = await Send(coder, HttpMethod.Put, Chart(id), new CodeChart(new CodeDiagnoses([.. Enumerable.Repeat("I10", 13)]), null),
            version);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);

        var coded = await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(id), new CodeChart(Diagnoses, Lines), version));
        var stale = await Send(coder, HttpMethod.Put, Chart(id), new CodeChart(new CodeDiagnoses(["E11.9"]), null), version);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(["I10", "E119"], (await Read<CodingChart>(await coder.GetAsync(Chart(id)))).Diagnoses.Select(d => d.Code));

        var unknown = await Send(coder, HttpMethod.Put, Chart(Guid.NewGuid()), new CodeChart(Diagnoses, Lines));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType!.MediaType);
        // With If-Match, a chart that does not exist fails the precondition (RFC 9110: no current representation matches).
        var unknownIfMatch = await Send(coder, HttpMethod.Put, Chart(Guid.NewGuid()), new CodeChart(Diagnoses, Lines), coded.Version);
        Assert.Equal(HttpStatusCode.PreconditionFailed, unknownIfMatch.StatusCode);
    }
}
