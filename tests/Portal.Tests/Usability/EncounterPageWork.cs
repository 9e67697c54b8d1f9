using System.Net.Http.Headers;
using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Usability;

/// <summary>Issue 14, item 3: the encounter page does not dead-end: correct it (with history), send it to coding, hold and release it.</summary>
public class EncounterPageWork(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    static string Path(Guid id, string tail = "") => North($"encounters/{id}{tail}");

    [Fact]
    public async Task intake_corrects_holds_and_releases_an_encounter_over_the_api_and_the_hold_stops_the_queue()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var encounter = await OpenedEncounter(admin);

        // A correction before coding, with a reason kept in the history; a stale If-Match changes nothing.
        var revised = await Read<EncounterDetails>(await Send(admin, HttpMethod.Put, Path(encounter.Id, "/service"),
            new ReviseEncounter(new DateOnly(2026, 3, 1), "22", "Seen in the outpatient department"), encounter.Version));
        Assert.Equal((new DateOnly(2026, 3, 1), "22"), (revised.DateOfService, revised.PlaceOfService));
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await Send(admin, HttpMethod.Put, Path(encounter.Id, "/service"),
            new ReviseEncounter(new DateOnly(2026, 3, 2), "11", "Back to the office"), encounter.Version)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.PutAsJsonAsync(Path(encounter.Id, "/service"),
            new ReviseEncounter(new DateOnly(2026, 3, 2), "ZZ", "Unknown place"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync(Path(encounter.Id, "/hold"), new HoldEncounter(""))).StatusCode);

        // Sent to coding at top priority, then held: the coder's "next chart" skips it; released, it is back in the queue.
        (await admin.PostAsJsonAsync(Chart(encounter.Id, "/queue"), new SendToCoding(9))).EnsureSuccessStatusCode();
        var held = await Read<EncounterDetails>(await admin.PostAsJsonAsync(Path(encounter.Id, "/hold"), new HoldEncounter("Waiting for the signed note")));
        Assert.Equal(EncounterStatus.OnHold, held.Status);
        Assert.Equal("already-on-hold", await Rule(await admin.PostAsJsonAsync(Path(encounter.Id, "/hold"), new HoldEncounter("Again"))));
        Assert.NotEqual(encounter.Id, (await Pull(coder))?.Chart.Encounter.Id); // the held chart is skipped (other charts may wait)
        var released = await Read<EncounterDetails>(await admin.PostAsJsonAsync(Path(encounter.Id, "/hold/release"), new ReleaseEncounterHold("Note signed")));
        Assert.Equal(EncounterStatus.Queued, released.Status);
        Assert.Equal("not-on-hold", await Rule(await admin.PostAsJsonAsync(Path(encounter.Id, "/hold/release"), new ReleaseEncounterHold())));

        // Once a coder has it, intake may neither hold nor correct it.
        PulledChart? pulled = null;
        for (var i = 0; i < 30 && pulled?.Chart.Encounter.Id != encounter.Id; i++) pulled = await Pull(coder);
        Assert.Equal(encounter.Id, pulled?.Chart.Encounter.Id);
        Assert.Equal("encounter-locked", await Rule(await admin.PostAsJsonAsync(Path(encounter.Id, "/hold"), new HoldEncounter("Too late now"))));
        Assert.Equal("encounter-locked", await Rule(await admin.PutAsJsonAsync(Path(encounter.Id, "/service"),
            new ReviseEncounter(new DateOnly(2026, 3, 2), "11", "Too late now"))));

        var history = await admin.GetStringAsync(Path(encounter.Id, "/history"));
        Assert.Contains("Seen in the outpatient department", history);
        Assert.Contains("Waiting for the signed note", history);

        // A coder may not hold an encounter; another practice's encounter is 404.
        Assert.Equal(HttpStatusCode.Forbidden, (await coder.PostAsJsonAsync(Path(encounter.Id, "/hold"), new HoldEncounter("Not mine"))).StatusCode);
        var riverside = await App.ClientFor(Users.RiversideAdmin);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.PostAsJsonAsync(Api(DemoData.RiversidePediatrics, $"encounters/{encounter.Id}/hold"),
            new HoldEncounter("Not ours"))).StatusCode);
    }

    [Fact]
    public async Task from_the_encounter_page_the_admin_corrects_holds_releases_and_sends_it_to_coding()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var encounter = await OpenedEncounter(admin);
        await SignIn(Users.NorthAdmin, at: $"/practices/{DemoData.NorthClinic}/encounters/{encounter.Id}");
        await Assertions.Expect(Page.Locator("#where-it-stands")).ToContainTextAsync("Next: send it to coding");

        await Page.GetByText("Correct the date or place of service").ClickAsync();
        await Page.GetByLabel("Place of service").SelectOptionAsync("22");
        await Page.GetByLabel("Why (kept in the history)").FillAsync("Seen in the outpatient department");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save the correction" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved");
        await Assertions.Expect(Page.GetByRole(AriaRole.Table, new() { Name = "History" })).ToContainTextAsync("Date or place of service corrected");

        await Page.GetByLabel("Reason for the hold").FillAsync("Waiting for the signed note");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Put on hold" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#where-it-stands")).ToContainTextAsync("On hold: Waiting for the signed note");
        // POST-redirect-GET: a reload shows the page, it does not post again.
        await Page.ReloadAsync();
        await Assertions.Expect(Page.Locator("#where-it-stands")).ToContainTextAsync("On hold");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Release the hold" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#where-it-stands")).ToContainTextAsync("Next: send it to coding");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Send to coding" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#where-it-stands")).ToContainTextAsync("waiting for a coder");
        await Assertions.Expect(Page.GetByRole(AriaRole.List, new() { Name = "Timeline" })).ToContainTextAsync("Sent to coding");
    }

    static async Task<string?> Rule(HttpResponseMessage response)
    {
        var json = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return json.TryGetProperty("rule", out var rule) ? rule.GetString() : $"{(int)response.StatusCode}: {json}";
    }
}
