using Microsoft.Playwright;
using Portal.Tests.Browser;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Usability;

/// <summary>Issue 14, item 4: a provider without a login is not a dead end; queries reach providers by e-mail.</summary>
public class QueriesWithoutALogin(PortalApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task the_admin_answers_for_a_provider_without_a_login_and_the_history_says_so()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var chart = await CodedChart(admin, coder);
        var asked = await Read<CodingChart>(await coder.PostAsJsonAsync(Chart(chart.Encounter.Id, "/queries"),
            new RaiseProviderQuery("Was the hypertension the main reason for the visit?")));
        var query = Assert.Single(asked.OpenQueries);

        // The provider-only answer endpoint stays the provider's; the admin has their own, recorded as on the provider's behalf.
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsJsonAsync(Chart(chart.Encounter.Id, $"/queries/{query.QueryId}/answer"),
            new AnswerProviderQuery(Comment: "Yes."))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coder.PostAsJsonAsync(Chart(chart.Encounter.Id, $"/queries/{query.QueryId}/answer-for-provider"),
            new AnswerProviderQuery(Comment: "Yes."))).StatusCode);
        var answered = await Read<CodingChart>(await admin.PostAsJsonAsync(Chart(chart.Encounter.Id, $"/queries/{query.QueryId}/answer-for-provider"),
            new AnswerProviderQuery(Comment: "Yes, per Dr. Renderer by phone.")));
        Assert.Equal(EncounterStatus.InProgress, answered.Status);
        Assert.Equal("Nora Admin on behalf of Dr. Test Renderer", answered.Queries.Single().AnsweredBy);
        var history = await admin.GetStringAsync(North($"encounters/{chart.Encounter.Id}/history"));
        Assert.Contains("\"onBehalfOf\":\"Dr. Test Renderer\"", history);
    }

    [Fact]
    public async Task a_new_query_is_mailed_to_the_provider_s_linked_user()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var chart = await CodedChart(admin, coder);
        await LinkProviderUser(admin, chart.Encounter.RenderingProviderId, Users.NorthProvider);

        (await coder.PostAsJsonAsync(Chart(chart.Encounter.Id, "/queries"),
            new RaiseProviderQuery("Was the hypertension the main reason for the visit?"))).EnsureSuccessStatusCode();

        var mail = await App.Mail.WaitForMessageTo(Users.NorthProvider);
        Assert.Equal("A coder has a question about one of your visits", mail.Subject);
        Assert.Contains("North Clinic Family Medicine", mail.Text);
        Assert.DoesNotContain("2026-03-02", mail.Text); // no PHI in a mail: neither the date of service
        Assert.DoesNotContain(chart.Encounter.PatientName, mail.Text); // nor the patient
        Assert.NotNull(mail.LinkTo($"/practices/{DemoData.NorthClinic}/coding/queries"));
    }

    [Fact]
    public async Task in_the_browser_the_admin_invites_the_provider_then_answers_for_them()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var chart = await CodedChart(admin, coder);
        (await coder.PostAsJsonAsync(Chart(chart.Encounter.Id, "/queries"),
            new RaiseProviderQuery("Was the hypertension the main reason for the visit?"))).EnsureSuccessStatusCode();

        await SignIn(Users.NorthAdmin, at: $"/practices/{DemoData.NorthClinic}/coding/queries");
        await Assertions.Expect(Page.Locator("main")).ToContainTextAsync("Dr. Test Renderer has no Portal login");
        await Page.GetByLabel("Invite Dr. Test Renderer (e-mail)").FillAsync("renderer@north.example");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Send invitation" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Invitation sent to renderer@north.example");
        // The query's own notification may reach the invited address too (its reaction can run after the invitation): wait for the invitation.
        var invitation = await App.Mail.WaitForMessageTo("renderer@north.example", m => m.Subject.StartsWith("You are invited", StringComparison.Ordinal));
        Assert.Contains("/account/accept-invitation", invitation.Text);

        await Page.GetByLabel("Answer for Dr. Test Renderer").FillAsync("Yes, confirmed by phone.");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Send answer for the provider" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Answer saved");

        // A second query on another visit now reaches the invited address by mail.
        var chart2 = await Read<CodingChart>(await coder.GetAsync(Chart(chart.Encounter.Id)));
        Assert.Equal("Nora Admin on behalf of Dr. Test Renderer", chart2.Queries.Single().AnsweredBy);
        (await coder.PostAsJsonAsync(Chart(chart.Encounter.Id, "/queries"),
            new RaiseProviderQuery("And was the diabetes addressed at this visit?"))).EnsureSuccessStatusCode();
        var notice = await App.Mail.WaitForMessageTo("renderer@north.example", m => m.Subject.Contains("question"));
        Assert.Contains("invitation", notice.Text);
    }
}
