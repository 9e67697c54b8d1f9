using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using static Portal.Tests.Coding.CodingGiven;

namespace Portal.Tests.Coding;

/// <summary>
/// Issue 14, item 6: the coding screen saves all or nothing, shows the scrubber's findings live beside the line they concern,
/// asks before unsaved codes are left behind, and is worked from the keyboard (code search, add a line, save, next chart).
/// One chromium context for the class's tests: each test signs in as the coder once.
/// </summary>
public class CodingScreenInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    static readonly string Root = $"/practices/{DemoData.NorthClinic}";

    [Fact]
    public async Task a_refused_line_saves_nothing_not_even_the_new_diagnoses()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var queued = await QueuedChart(admin);
        await SignIn(Users.NorthCoder, at: $"{Root}/coding/queue");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Pull next chart" }).ClickAsync();
        await Page.WaitForURLAsync($"**/coding/charts/{queued.Encounter.Id}");

        await Pick("dx-add", "htn", "I10");
        // No fee in the schedule, no charge typed: the line is refused. Ctrl+S straight after Enter, while the added line is still on
        // its way back: the save waits for it (site.js). Before, the save replaced the add in flight and saved the list without it.
        await Choose("cpt-add", "93010", "93010");
        await Page.Keyboard.PressAsync("Control+s");
        await Assertions.Expect(Page.GetByText("93010 has no fee in the practice's fee schedule; add one or give the charge.")).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Remove line 1, 93010" })).ToBeVisibleAsync();

        var chart = await Read<CodingChart>(await admin.GetAsync(Chart(queued.Encounter.Id)));
        Assert.Empty(chart.Diagnoses);   // before: I10 was saved on its own and the line refused
        Assert.Empty(chart.Lines);
    }

    [Fact]
    public async Task findings_show_live_beside_their_line_and_leaving_unsaved_codes_asks_first()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        await PracticeSettingsAre(admin, qaPercent: 0);
        var ids = await QueuedCharts(admin, 2);
        // No script error on the screen: an hx-trigger htmx could not parse ("from:#coding-form fieldset", unbracketed) logged
        // htmx:syntax:error and silently dropped the live check's "change" trigger.
        var errors = new List<string>();
        Page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text + (m.Location is { Length: > 0 } at ? $" ({at})" : "")); };
        await SignIn(Users.NorthCoder, at: $"{Root}/coding/queue");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Pull next chart" }).ClickAsync();
        await Page.WaitForURLAsync("**/coding/charts/*");
        var first = ids.Single(id => Page.Url.EndsWith(id.ToString()));
        var second = ids.Single(id => id != first);
        await Assertions.Expect(Page.Locator("#coding-work")).ToHaveAttributeAsync("data-unsaved", "false");

        // Keyboard only: Alt+D finds the diagnosis box, Alt+L the service box.
        await Page.Keyboard.PressAsync("Alt+d");
        await Assertions.Expect(Page.Locator("#dx-add")).ToBeFocusedAsync();
        await Pick("dx-add", "htn", "I10");
        await Page.Keyboard.PressAsync("Alt+l");
        await Assertions.Expect(Page.Locator("#cpt-add")).ToBeFocusedAsync();
        await Pick("cpt-add", "99213", "99213");
        await Assertions.Expect(Page.Locator("#coding-work")).ToHaveAttributeAsync("data-unsaved", "true");

        // Unchecking the line's only pointer: the scrubber's finding appears at line 1 and in the panel, nothing saved.
        await Page.GetByLabel("Line 1 points at A (I10)").UncheckAsync();
        var missing = Page.Locator("#line-findings-0 [data-rule='line-pointer-missing']");
        await Assertions.Expect(missing).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator("#all-findings [data-location='line 1'] [data-rule='line-pointer-missing']")).ToBeVisibleAsync();
        await Page.GetByLabel("Line 1 points at A (I10)").CheckAsync();
        // Ticked again: the finding goes (a check sent while the previous one was in flight used to be dropped behind it).
        await Assertions.Expect(missing).ToHaveCountAsync(0);
        await Assertions.Expect(Page.Locator("#all-findings [data-rule='line-pointer-missing']")).ToHaveCountAsync(0);

        // Leaving with unsaved codes asks; staying keeps them.
        string? asked = null;
        void Dismiss(object? _, IDialog dialog) { asked = dialog.Type; _ = dialog.DismissAsync(); }
        Page.Dialog += Dismiss;
        await Page.GetByRole(AriaRole.Link, new() { Name = "← Coding queue" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#coding-work")).ToBeVisibleAsync();
        Assert.Equal("beforeunload", asked);
        Page.Dialog -= Dismiss;
        Assert.EndsWith($"/coding/charts/{first}", Page.Url);

        await Page.Keyboard.PressAsync("Control+s");
        await Assertions.Expect(Page.Locator("#coding-work [role=status]")).ToContainTextAsync("Codes saved.");
        await Assertions.Expect(Page.Locator("#coding-work")).ToHaveAttributeAsync("data-unsaved", "false");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Submit chart" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#chart-status")).ToHaveTextAsync("Coded and approved");

        // Alt+N: the next chart, without the mouse.
        await Page.Keyboard.PressAsync("Alt+n");
        await Page.WaitForURLAsync($"**/coding/charts/{second}");
        Assert.Empty(WithoutAbortedLiveChecks(errors));
    }

    /// <summary>
    /// The console errors but those htmx logs for a request that was aborted ("htmx:sendAbort" and the "htmx:afterRequest" it logs
    /// with it): the screen aborts a live check in flight by design when an edit overtakes it (site.js), and leaving the page aborts
    /// one too, so whether one is logged depends on timing (seen under load). Send errors and time-outs still count.
    /// </summary>
    static List<string> WithoutAbortedLiveChecks(IEnumerable<string> errors)
    {
        var left = errors.ToList();
        bool RemoveFirst(string text) => left.FindIndex(e => e == text || e.StartsWith(text + " (")) is var i and >= 0 && Remove(i);
        bool Remove(int i) { left.RemoveAt(i); return true; }
        while (RemoveFirst("htmx:sendAbort")) RemoveFirst("htmx:afterRequest");
        return left;
    }

    [Fact]
    public async Task the_coding_screen_fits_1280_and_stacks_on_a_phone()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var queued = await QueuedChart(admin);
        await SignIn(Users.NorthCoder, at: $"{Root}/coding/queue");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Pull next chart" }).ClickAsync();
        await Page.WaitForURLAsync($"**/coding/charts/{queued.Encounter.Id}");
        await Pick("dx-add", "htn", "I10");
        await Pick("cpt-add", "99213", "99213");

        foreach (var (width, stacked) in new[] { (1280, false), (375, true) })
        {
            await Page.SetViewportSizeAsync(width, 800);
            var overflow = await Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth");
            Assert.False(overflow, $"The page scrolls sideways at {width} px.");
            var docs = await Page.Locator("section.documentation").BoundingBoxAsync();
            var codes = await Page.Locator("#codes-heading").BoundingBoxAsync();
            Assert.Equal(stacked, codes!.Y > docs!.Y + docs.Height - 1);
            var save = await Page.GetByRole(AriaRole.Button, new() { Name = "Save codes" }).BoundingBoxAsync();
            Assert.True(save!.X >= 0 && save.X + save.Width <= width, $"Save codes is off screen at {width} px.");
        }
    }

    /// <summary>Types into a code box and chooses the first suggestion with the keyboard; the added code may still be on its way.</summary>
    async Task Choose(string id, string typed, string expected)
    {
        var box = Page.Locator($"#{id}");
        await box.FocusAsync();
        await box.PressSequentiallyAsync(typed);
        await Assertions.Expect(Page.Locator($"#{id}-listbox [role=option]").First).ToContainTextAsync(expected);
        await box.PressAsync("ArrowDown");
        await box.PressAsync("Enter");
    }

    /// <summary><see cref="Choose"/>, then waits for the form with the added code (the box is empty again).</summary>
    async Task Pick(string id, string typed, string expected)
    {
        await Choose(id, typed, expected);
        await Assertions.Expect(Page.Locator($"#{id}")).ToHaveValueAsync("");
    }
}
