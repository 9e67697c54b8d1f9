using Microsoft.Playwright;

namespace Portal.Tests.Browser;

public class CodeLookupInBrowser(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task a_coder_finds_a_code_with_the_keyboard_alone()
    {
        await SignIn(Users.NorthCoder);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Code lookup" }).ClickAsync();
        await Page.WaitForURLAsync("**/codes");

        var box = Page.GetByRole(AriaRole.Combobox, new() { Name = "Code or words" });
        await box.PressSequentiallyAsync("htn");
        await Assertions.Expect(Page.Locator("#code-lookup-listbox [role=option]").First).ToContainTextAsync("I10");
        await box.PressAsync("ArrowDown");
        await Assertions.Expect(box).ToHaveAttributeAsync("aria-activedescendant", "code-lookup-listbox-0");
        await box.PressAsync("Enter");

        await Assertions.Expect(box).ToHaveValueAsync("I10");
        await Assertions.Expect(box).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(Page.Locator("#code-details")).ToContainTextAsync("Essential (primary) hypertension");

        await box.FillAsync("");
        await box.PressSequentiallyAsync("copd");
        await Assertions.Expect(Page.Locator("#code-lookup-listbox [role=option]").First).ToContainTextAsync("J44.9");
        await box.PressAsync("Escape");
        await Assertions.Expect(box).ToHaveAttributeAsync("aria-expanded", "false");
    }
}
