using System.Text.Json;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Tenancy;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Coding;

public class CodingAccessRules(PortalApp app) : PortalTest(app)
{
    static readonly Guid North = DemoData.NorthClinic, Riverside = DemoData.RiversidePediatrics;

    [Fact]
    public async Task a_chart_of_another_practice_is_404_for_a_coder()
    {
        var riversideAdmin = await App.ClientFor(Users.RiversideAdmin);
        var riversideEncounter = (await riversideAdmin.GetFromJsonAsync<PageOf<EncounterListRow>>(Api(Riverside, "encounters")))!.Items[0];
        (await riversideAdmin.PostAsJsonAsync(Api(Riverside, $"encounters/{riversideEncounter.Id}/coding/queue"), new SendToCoding())).EnsureSuccessStatusCode();
        var northCoder = await App.ClientFor(Users.NorthCoder);

        Assert.Equal(HttpStatusCode.NotFound, (await northCoder.GetAsync(Api(Riverside, $"encounters/{riversideEncounter.Id}/coding"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await northCoder.GetAsync(Api(North, $"encounters/{riversideEncounter.Id}/coding"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await northCoder.PutAsJsonAsync(Api(North, $"encounters/{riversideEncounter.Id}/coding/diagnoses"),
            new CodeDiagnoses(["I10"]))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await northCoder.PostAsync(Api(Riverside, "coding/queue/next"), null)).StatusCode);
        var northQueue = await northCoder.GetFromJsonAsync<PageOf<CodingQueueItem>>(Api(North, "coding/queue?pageSize=200"), Json);
        Assert.DoesNotContain(northQueue!.Items, i => i.EncounterId == riversideEncounter.Id);
    }

    [Fact]
    public async Task roles_decide_who_pulls_codes_answers_and_reviews()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var biller = await App.ClientFor(Users.NorthBiller);
        var qa = await App.ClientFor(Users.NorthQa);
        var vendorCoder = await App.ClientFor(Users.VendorCoder);
        await PracticeSettingsAre(admin, qaPercent: 100);

        Assert.Equal(HttpStatusCode.Forbidden, (await biller.PostAsync(North("coding/queue/next"), null)).StatusCode);
        var coded = await CodedChart(admin, coder);
        var id = coded.Encounter.Id;
        Assert.Equal(HttpStatusCode.Forbidden, (await biller.PutAsJsonAsync(Chart(id, "/diagnoses"), new CodeDiagnoses(["I10"]))).StatusCode);

        // Another coder may not touch a chart that is not theirs: 404 for a vendor coder (not their firm's), 409 for a code attempt.
        Assert.Equal(HttpStatusCode.NotFound, (await vendorCoder.GetAsync(Chart(id))).StatusCode);
        var notMine = await vendorCoder.PutAsJsonAsync(Chart(id, "/diagnoses"), new CodeDiagnoses(["I10"]));
        Assert.Equal(HttpStatusCode.Conflict, notMine.StatusCode);
        Assert.Equal("not-your-chart", (await notMine.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rule").GetString());

        var asked = await Read<CodingChart>(await coder.PostAsJsonAsync(Chart(id, "/queries"), new RaiseProviderQuery("What was the laterality of the pain?")));
        var queryId = asked.Queries[0].QueryId;
        Assert.Equal(HttpStatusCode.Forbidden,
            (await coder.PostAsJsonAsync(Chart(id, $"/queries/{queryId}/answer"), new AnswerProviderQuery(Comment: "Left"))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await coder.PostAsync(Chart(id, "/submit"), null)).StatusCode);
        // Only the user linked to the queried provider answers: Dr. Park's account is linked to Dr. Park, not to this chart's provider.
        var provider = await App.ClientFor(Users.NorthProvider);
        var notLinked = await provider.PostAsJsonAsync(Chart(id, $"/queries/{queryId}/answer"), new AnswerProviderQuery(Comment: "Left knee"));
        Assert.Equal(HttpStatusCode.Conflict, notLinked.StatusCode);
        Assert.Equal("not-your-query", (await notLinked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rule").GetString());
        await LinkProviderUser(admin, coded.Encounter.RenderingProviderId, Users.NorthProvider);
        await Read<CodingChart>(await provider.PostAsJsonAsync(Chart(id, $"/queries/{queryId}/answer"),
            new AnswerProviderQuery(Comment: "Left knee")));

        await Read<CodingChart>(await coder.PostAsync(Chart(id, "/submit"), null));
        Assert.Equal(HttpStatusCode.Forbidden, (await coder.PostAsJsonAsync(Chart(id, "/review"), new ReviewChart())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coder.GetAsync(North("qa/accuracy"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await qa.PostAsJsonAsync(Chart(id, "/review"), new ReviewChart())).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await qa.PostAsJsonAsync(Chart(id, "/review"), new ReviewChart())).StatusCode);
    }

    [Fact]
    public async Task a_lead_assigns_and_a_coder_releases_with_a_reason()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var queued = await QueuedChart(admin);
        var id = queued.Encounter.Id;
        var users = await admin.GetItemsAsync<JsonElement>($"/api/v1/organizations/{North}/users");
        var codyId = users!.Single(u => u.GetProperty("email").GetString() == Users.NorthCoder).GetProperty("id").GetGuid();
        var qaId = users!.Single(u => u.GetProperty("email").GetString() == Users.NorthQa).GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.Forbidden, (await coder.PostAsJsonAsync(Chart(id, "/assign"), new AssignChart(codyId))).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.PostAsJsonAsync(Chart(id, "/assign"), new AssignChart(qaId))).StatusCode);
        var assigned = await Read<CodingChart>(await Send(admin, HttpMethod.Post, Chart(id, "/assign"), new AssignChart(codyId, "Cardiology backlog"),
            queued.Version));
        Assert.Equal((EncounterStatus.Assigned, codyId), (assigned.Status, assigned.Coder!.Id));

        var released = await Read<CodingChart>(await coder.PostAsJsonAsync(Chart(id, "/release"), new ReleaseChart("Out sick tomorrow")));
        Assert.Equal(EncounterStatus.Queued, released.Status);
        Assert.Null(released.Coder);
        var history = await admin.GetItemsAsync<JsonElement>(North($"encounters/{id}/history"));
        Assert.Equal("Out sick tomorrow", history![^1].GetProperty("reason").GetString());
        Assert.Equal("Cardiology backlog", history[^2].GetProperty("reason").GetString());

        var csv = await admin.GetStringAsync(North("coding/queue/export.csv?sort=priority"));
        Assert.StartsWith("encounter_id,practice,status", csv);
        Assert.Contains(id.ToString(), csv);
    }

    [Fact]
    public async Task a_vendor_coder_works_one_queue_across_practices_and_loses_it_at_once_on_revocation()
    {
        var northAdmin = await App.ClientFor(Users.NorthAdmin);
        var riversideAdmin = await App.ClientFor(Users.RiversideAdmin);
        var vendor = await App.ClientFor(Users.VendorCoder);
        (await riversideAdmin.PostAsJsonAsync(Api(Riverside, "engagements"), new GrantEngagement(DemoData.AcmeCoding, ["coding"]))).EnsureSuccessStatusCode();
        var riversideEncounter = (await riversideAdmin.GetFromJsonAsync<PageOf<EncounterListRow>>(Api(Riverside, "encounters")))!.Items[0];
        (await riversideAdmin.PostAsJsonAsync(Api(Riverside, $"encounters/{riversideEncounter.Id}/coding/queue"), new SendToCoding(9)))
            .EnsureSuccessStatusCode();
        var northChart = await QueuedChart(northAdmin, priority: 9);

        var combined = await vendor.GetFromJsonAsync<PageOf<CodingQueueItem>>("/api/v1/vendor/queue?sort=priority&pageSize=200", Json);
        Assert.Contains(combined!.Items, i => i.PracticeId == Riverside && i.PracticeName == "Riverside Pediatrics");
        Assert.Contains(combined.Items, i => i.PracticeId == North && i.EncounterId == northChart.Encounter.Id);

        var first = await Pull(vendor, "/api/v1/vendor/queue/next");
        var second = await Pull(vendor, "/api/v1/vendor/queue/next");
        Assert.Equal([North, Riverside], new[] { first!.PracticeId, second!.PracticeId }.Order());
        var northPulled = first.PracticeId == North ? first : second;

        var engagement = (await northAdmin.GetItemsAsync<Engagement>(Api(North, "engagements")))!.Single();
        (await northAdmin.PostAsJsonAsync(Api(North, $"engagements/{engagement.Id}/revoke"), new RevokeEngagement("Contract ended")))
            .EnsureSuccessStatusCode();

        var after = await vendor.GetFromJsonAsync<PageOf<CodingQueueItem>>("/api/v1/vendor/queue?pageSize=200", Json);
        Assert.All(after!.Items, i => Assert.Equal(Riverside, i.PracticeId));
        Assert.Equal(HttpStatusCode.NotFound, (await vendor.GetAsync(Api(North, $"encounters/{northPulled.Chart.Encounter.Id}/coding"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await vendor.PutAsJsonAsync(Api(North, $"encounters/{northPulled.Chart.Encounter.Id}/coding/diagnoses"),
            new CodeDiagnoses(["I10"]))).StatusCode);
        Assert.Equal(Riverside, (await Pull(vendor, "/api/v1/vendor/queue/next"))?.PracticeId ?? Riverside);

        // The chart the firm's coder held went back to the practice's queue with the revocation, saying why.
        var back = await northAdmin.GetFromJsonAsync<CodingChart>(Api(North, $"encounters/{northPulled.Chart.Encounter.Id}/coding"), Json);
        Assert.Equal((EncounterStatus.Queued, null), (back!.Status, back.Coder));
        var queue = await northAdmin.GetFromJsonAsync<PageOf<CodingQueueItem>>(Api(North, "coding/queue?status=Queued&pageSize=200"), Json);
        Assert.Contains(queue!.Items, i => i.EncounterId == northPulled.Chart.Encounter.Id && i.CoderId is null);
        var history = await northAdmin.GetStringAsync(Api(North, $"encounters/{northPulled.Chart.Encounter.Id}/history"));
        Assert.Contains("Engagement of Acme Coding Services revoked: Contract ended", history);
        // The Riverside chart the same coder holds is untouched.
        var riversideHeld = first.PracticeId == Riverside ? first : second;
        var riversideChart = await riversideAdmin.GetFromJsonAsync<CodingChart>(
            Api(Riverside, $"encounters/{riversideHeld.Chart.Encounter.Id}/coding"), Json);
        Assert.Equal(EncounterStatus.Assigned, riversideChart!.Status);
    }

    [Fact]
    public async Task a_chart_on_hold_with_a_revoked_vendor_goes_back_to_the_queue_and_its_answer_does_not_resume_it()
    {
        var northAdmin = await App.ClientFor(Users.NorthAdmin);
        var vendor = await App.ClientFor(Users.VendorCoder);
        var chart = await QueuedChart(northAdmin, priority: 9);
        var pulled = await Pull(vendor, "/api/v1/vendor/queue/next");
        Assert.Equal(chart.Encounter.Id, pulled!.Chart.Encounter.Id);
        var id = chart.Encounter.Id;
        var onHold = await Read<CodingChart>(await vendor.PostAsJsonAsync(Api(North, $"encounters/{id}/coding/queries"),
            new RaiseProviderQuery("Was the hypertension documented as controlled?", ["Controlled", "Uncontrolled"])));
        Assert.Equal(EncounterStatus.OnHold, onHold.Status);

        var engagement = (await northAdmin.GetItemsAsync<Engagement>(Api(North, "engagements")))!.Single();
        (await northAdmin.PostAsJsonAsync(Api(North, $"engagements/{engagement.Id}/revoke"), new RevokeEngagement("Contract ended")))
            .EnsureSuccessStatusCode();
        var released = await northAdmin.GetFromJsonAsync<CodingChart>(Api(North, $"encounters/{id}/coding"), Json);
        Assert.Equal((EncounterStatus.Queued, null), (released!.Status, released.Coder));

        var query = released.Queries.Single();
        await LinkProviderUser(northAdmin, chart.Encounter.RenderingProviderId, Users.NorthProvider);
        var provider = await App.ClientFor(Users.NorthProvider);
        var answered = await Read<CodingChart>(await provider.PostAsJsonAsync(Api(North, $"encounters/{id}/coding/queries/{query.QueryId}/answer"),
            new AnswerProviderQuery("Controlled", null)));
        Assert.Equal(EncounterStatus.Queued, answered.Status);
        Assert.Contains(answered.Queries, q => q.Answer == "Controlled");
    }

    [Fact]
    public async Task a_practice_admin_links_a_provider_user_and_only_a_provider_of_the_practice_qualifies()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var biller = await App.ClientFor(Users.NorthBiller);
        var users = await admin.GetItemsAsync<Portal.Web.Features.Users.OrganizationUser>($"/api/v1/organizations/{North}/users", Json);
        var providerUser = users!.Single(u => u.Email == Users.NorthProvider).Id;
        var coderUser = users!.Single(u => u.Email == Users.NorthCoder).Id;
        var providers = (await admin.GetItemsAsync<Provider>(Api(North, "providers"), Json))!;
        var park = providers.Single(p => p.Name == "Dr. Noah Park");
        var lin = providers.Single(p => p.Name == "Maya Lin, FNP");
        Assert.Equal((providerUser, "Dr. Noah Park"), (park.UserId!.Value, park.UserName));

        Assert.Equal(HttpStatusCode.Forbidden, (await biller.PutAsJsonAsync(Api(North, $"providers/{lin.Id}/user"), new LinkProviderUser(providerUser))).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.PutAsJsonAsync(Api(North, $"providers/{lin.Id}/user"), new LinkProviderUser(coderUser))).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.PutAsJsonAsync(Api(North, $"providers/{lin.Id}/user"), new LinkProviderUser(Guid.NewGuid()))).StatusCode);
        var taken = await admin.PutAsJsonAsync(Api(North, $"providers/{lin.Id}/user"), new LinkProviderUser(providerUser));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal("user-linked", (await taken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rule").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync(Api(North, $"providers/{Guid.NewGuid()}/user"), new LinkProviderUser(null))).StatusCode);
        var riversideAdmin = await App.ClientFor(Users.RiversideAdmin);
        Assert.Equal(HttpStatusCode.NotFound, (await riversideAdmin.PutAsJsonAsync(Api(North, $"providers/{lin.Id}/user"), new LinkProviderUser(null))).StatusCode);

        var unlinked = await Read<Provider>(await admin.PutAsJsonAsync(Api(North, $"providers/{park.Id}/user"), new LinkProviderUser(null)));
        Assert.Null(unlinked.UserId);
        var linked = await Read<Provider>(await admin.PutAsJsonAsync(Api(North, $"providers/{lin.Id}/user"), new LinkProviderUser(providerUser)));
        Assert.Equal(providerUser, linked.UserId);
        var stale = new HttpRequestMessage(HttpMethod.Put, Api(North, $"providers/{lin.Id}/user")) { Content = JsonContent.Create(new LinkProviderUser(null)) };
        stale.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\"", isWeak: true));
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.SendAsync(stale)).StatusCode);
    }
}
