using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.ApiClients;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Integrity;

/// <summary>
/// Ten creates of the same natural key at once: the database lets exactly one through, the others get a 409 ProblemDetails
/// (never a duplicate, never a 500).
/// </summary>
public class ParallelCreates(PortalApp app) : PortalTest(app)
{
    const int Attempts = 10;

    static async Task<HttpResponseMessage[]> TenAtOnce(Func<Task<HttpResponseMessage>> create) =>
        await Task.WhenAll(Enumerable.Range(0, Attempts).Select(_ => Task.Run(create)));

    static async Task AssertOneCreated(HttpResponseMessage[] responses, string rule)
    {
        var codes = responses.Select(r => (int)r.StatusCode).Order().ToArray();
        Assert.Equal([201, .. Enumerable.Repeat(409, Attempts - 1)], codes);
        foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            Assert.Equal("application/problem+json", conflict.Content.Headers.ContentType?.MediaType);
            var problem = (await conflict.Content.ReadFromJsonAsync<ProblemDetails>())!;
            Assert.Equal(rule, problem.Extensions["rule"]?.ToString());
            Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
        }
    }

    [Fact]
    public async Task ten_registrations_of_one_mrn_make_one_patient()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var responses = await TenAtOnce(() => admin.PostAsJsonAsync(North("patients"), Patient("RACE-1")));

        await AssertOneCreated(responses, "mrn-taken");
        var list = await admin.GetFromJsonAsync<PageOf<Patient>>(North("patients?search=RACE-1"));
        Assert.Equal(1, list!.Total);
    }

    [Fact]
    public async Task an_mrn_differing_only_in_case_is_the_same_mrn_but_another_practice_may_use_it()
    {
        var north = await App.ClientFor(Users.NorthAdmin);
        var riverside = await App.ClientFor(Users.RiversideAdmin);

        var first = await north.PostAsJsonAsync(North("patients"), Patient("case-7"));
        var again = await north.PostAsJsonAsync(North("patients"), Patient("CASE-7"));
        var elsewhere = await riverside.PostAsJsonAsync(Api(DemoData.RiversidePediatrics, "patients"), Patient("CASE-7"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.Created, elsewhere.StatusCode);
    }

    [Fact]
    public async Task ten_enrolments_of_one_npi_make_one_provider()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var responses = await TenAtOnce(() => admin.PostAsJsonAsync(North("providers"), new EnrollProvider("Dr. Race", ValidNpi, "207Q00000X")));

        await AssertOneCreated(responses, "npi-taken");
        var providers = await admin.GetItemsAsync<Provider>(North("providers"));
        Assert.Single(providers!, p => p.Npi == ValidNpi);
    }

    [Fact]
    public async Task ten_additions_of_one_payer_id_make_one_payer()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var responses = await TenAtOnce(() => admin.PostAsJsonAsync(North("payers"), new AddPayer("Race Health", "RACE01")));

        await AssertOneCreated(responses, "payer-id-taken");
        var payers = await admin.GetItemsAsync<Payer>(North("payers"));
        Assert.Single(payers!, p => p.ClearinghousePayerId == "RACE01");
    }

    [Fact]
    public async Task ten_grants_of_one_vendor_make_one_active_engagement()
    {
        var admin = await App.ClientFor(Users.RiversideAdmin);
        var engagements = Api(DemoData.RiversidePediatrics, "engagements");

        var responses = await TenAtOnce(() => admin.PostAsJsonAsync(engagements, new GrantEngagement(DemoData.AcmeCoding, ["coding"])));

        await AssertOneCreated(responses, "engagement-exists");
        var active = await admin.GetItemsAsync<Engagement>(engagements + "?status=active");
        // Riverside's demo engagement of Beacon (billing) stays beside it: one active engagement per vendor.
        Assert.Single(active!, e => e.VendorId == DemoData.AcmeCoding);
    }

    [Fact]
    public async Task a_revoked_vendor_can_be_engaged_again()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var engagement = (await admin.GetItemsAsync<Engagement>(North("engagements")))!.Single();

        (await admin.PostAsJsonAsync(North($"engagements/{engagement.Id}/revoke"), new RevokeEngagement("Paused"))).EnsureSuccessStatusCode();
        var again = await admin.PostAsJsonAsync(North("engagements"), new GrantEngagement(DemoData.AcmeCoding, ["coding"]));

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task ten_registrations_of_one_app_name_make_one_app()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var responses = await TenAtOnce(() => admin.PostAsJsonAsync(North("api-clients"), new RegisterApiClient("Race bridge", [Scopes.PracticeRead])));

        await AssertOneCreated(responses, "api-client-name-taken");
        var clients = await admin.GetItemsAsync<ApiClient>(North("api-clients"));
        Assert.Single(clients!, c => c.Name == "Race bridge");
    }

    [Fact]
    public async Task a_revoked_app_frees_its_name()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var first = await Created<ApiClientCredentials>(await admin.PostAsJsonAsync(North("api-clients"),
            new RegisterApiClient("Lab bridge", [Scopes.PracticeRead])));

        (await admin.PostAsync(North($"api-clients/{first.Id}/revoke"), null)).EnsureSuccessStatusCode();
        var again = await admin.PostAsJsonAsync(North("api-clients"), new RegisterApiClient("lab bridge", [Scopes.PracticeRead]));

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task revoking_one_of_two_engagements_granted_before_the_key_existed_revokes_both()
    {
        // Data written by an older Portal: a second active engagement of Acme in North, with no key.
        var store = App.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession(DemoData.NorthClinic.ToString()))
        {
            var twin = new EngagementGranted(Guid.CreateVersion7(), DemoData.NorthClinic, DemoData.AcmeCoding, "Acme Coding Services",
                ["coding"], false, "Old Portal", DateTimeOffset.UtcNow, null);
            session.Events.StartStream<Engagement>(twin.EngagementId, twin);
            await session.SaveChangesAsync();
        }
        var admin = await App.ClientFor(Users.NorthAdmin);
        var active = (await admin.GetItemsAsync<Engagement>(North("engagements?status=active")))!;
        Assert.Equal(2, active.Count);

        var revoked = await admin.PostAsJsonAsync(North($"engagements/{active[0].Id}/revoke"), new RevokeEngagement("Contract ended"));

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Empty((await admin.GetItemsAsync<Engagement>(North("engagements?status=active")))!);
        var vendor = await App.ClientFor(Users.VendorCoder);
        Assert.Equal(HttpStatusCode.NotFound, (await vendor.GetAsync($"/api/v1/practices/{DemoData.NorthClinic}")).StatusCode);
    }
}
