using Portal.Web.Features.Demo;
using Client = Portal.Sdk;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.ApiPlatform;

/// <summary>Issue 15 item 7: the generated client (tests/Portal.ApiClient) against the running app, as an app would use it.</summary>
public class GeneratedClientSmoke(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task an_app_lists_encounters_by_cursor_and_opens_one_twice_with_one_idempotency_key_through_the_generated_client()
    {
        var setup = await App.ClientFor(Users.NorthAdmin);
        var payer = await AddedPayer(setup);
        var patient = await CoveredPatient(setup, payer, "GC-1");
        var provider = await EnrolledProvider(setup);
        for (var i = 0; i < 3; i++)
            (await setup.PostAsJsonAsync(North("encounters"), new Portal.Web.Features.Intake.OpenEncounter(patient.Id, provider.Id,
                new DateOnly(2026, 3, 2 + i), "11", null, patient.Coverages[0].Id, "Visit."))).EnsureSuccessStatusCode();

        using var http = await App.AppClient("north-app");
        var api = new Client.PortalApiClient(http);

        var first = await api.ListEncountersAsync(DemoData.NorthClinic, providerId: provider.Id, limit: 2);
        Assert.Equal(2, first.Items.Count);
        Assert.NotNull(first.Next);
        var second = await api.ListEncountersAsync(DemoData.NorthClinic, providerId: provider.Id, limit: 2, cursor: first.Next);
        Assert.Null(second.Next);
        var before = first.Items.Concat(second.Items).Select(e => e.Id).ToList();
        Assert.Equal(before.Count, before.Distinct().Count());

        var key = Guid.NewGuid().ToString();
        var body = new Client.OpenEncounter
        {
            PatientId = patient.Id, RenderingProviderId = provider.Id, DateOfService = new DateOnly(2026, 3, 2), PlaceOfService = "11",
            CoverageId = patient.Coverages[0].Id, VisitNotes = "Opened through the generated client.",
        };
        var opened = await api.OpenEncounterAsync(DemoData.NorthClinic, body, key);
        var again = await api.OpenEncounterAsync(DemoData.NorthClinic, body, key);
        Assert.Equal(opened.Id, again.Id);
        Assert.Equal(new DateOnly(2026, 3, 2), opened.DateOfService);

        var all = await api.ListEncountersAsync(DemoData.NorthClinic, providerId: provider.Id, limit: 200);
        Assert.Equal(before.Count + 1, all.Items.Count);
        Assert.Contains(all.Items, e => e.Id == opened.Id);

        // A problem answer surfaces as the client's exception with the status code.
        var missing = await Assert.ThrowsAsync<Client.PortalApiException>(() => api.ListEncountersAsync(DemoData.NorthClinic, limit: 201));
        Assert.Equal(400, missing.StatusCode);
    }
}
