namespace Portal.Tests.Browser;

/// <summary>The browser tests add RenderDocument to Playwright's own disabled features (<see cref="BrowserFixture"/>).</summary>
public class PlaywrightSwitches
{
    [Fact]
    public void playwrights_disabled_features_are_read_from_its_driver()
    {
        // A Playwright upgrade that moves or reshapes the list would silently cost the suite ~40 s of chromium's CPU.
        var features = BrowserFixture.PlaywrightDisabledFeatures(File.ReadAllText(BrowserFixture.PlaywrightBundle));
        Assert.NotNull(features);
        Assert.True(features.Count >= 5, string.Join(", ", features));
        Assert.All(features, f => Assert.Matches("^[A-Za-z0-9]+$", f));
    }

    [Fact]
    public void comments_and_the_end_of_the_list_are_respected()
    {
        var features = BrowserFixture.PlaywrightDisabledFeatures("""
            disabledFeatures = [
              // See "Quoted" in a comment
              "First",
              "Second" // and "NotThis"
            ].filter(Boolean);
            other = [ "After" ];
            """);
        Assert.Equal(["First", "Second"], features);
    }
}
