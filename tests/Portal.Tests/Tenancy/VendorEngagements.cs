using System.Net.Http.Headers;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Tenancy;

namespace Portal.Tests.Tenancy;

public class VendorEngagements(PortalApp app) : PortalTest(app)
{
    static readonly Guid North = DemoData.NorthClinic, Riverside = DemoData.RiversidePediatrics;

    [Fact]
    public async Task a_vendor_sees_a_practice_only_while_engaged()
    {
        var vendor = await App.ClientFor(Users.VendorCoder);
        var riversideAdmin = await App.ClientFor(Users.RiversideAdmin);

        Assert.Equal(HttpStatusCode.NotFound, (await vendor.GetAsync($"/api/v1/practices/{Riverside}")).StatusCode);

        var granted = await riversideAdmin.PostAsJsonAsync($"/api/v1/practices/{Riverside}/engagements",
            new GrantEngagement(DemoData.AcmeCoding, ["coding"], Note: "BAA signed"));
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        var engagement = (await granted.Content.ReadFromJsonAsync<Engagement>())!;

        Assert.Equal(HttpStatusCode.OK, (await vendor.GetAsync($"/api/v1/practices/{Riverside}")).StatusCode);
        var practices = await vendor.GetItemsAsync<PracticeSummary>("/api/v1/practices");
        Assert.Equal([North, Riverside], practices!.Select(p => p.Id).Order());

        var revoked = await riversideAdmin.PostAsJsonAsync(
            $"/api/v1/practices/{Riverside}/engagements/{engagement.Id}/revoke", new RevokeEngagement("Contract ended"));
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);

        // The same token, still valid: access ends at once all the same.
        Assert.Equal(HttpStatusCode.NotFound, (await vendor.GetAsync($"/api/v1/practices/{Riverside}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await vendor.GetAsync($"/api/v1/practices/{North}")).StatusCode);
    }

    [Fact]
    public async Task revoking_cuts_a_signed_in_vendor_out_of_the_pages_at_once()
    {
        var browser = await App.SignedInBrowser(Users.VendorCoder);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/practices/{North}")).StatusCode);

        var northAdmin = await App.ClientFor(Users.NorthAdmin);
        var engagement = (await northAdmin.GetItemsAsync<Engagement>($"/api/v1/practices/{North}/engagements"))!.Single();
        await northAdmin.PostAsJsonAsync($"/api/v1/practices/{North}/engagements/{engagement.Id}/revoke", new RevokeEngagement("Paused"));

        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/practices/{North}")).StatusCode);
        var home = await browser.GetStringAsync("/");
        Assert.Contains("No practice is available to you yet", home);
    }

    [Fact]
    public async Task a_revocation_is_kept_in_the_engagement_history()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var engagement = (await admin.GetItemsAsync<Engagement>($"/api/v1/practices/{North}/engagements"))!.Single();

        await admin.PostAsJsonAsync($"/api/v1/practices/{North}/engagements/{engagement.Id}/revoke", new RevokeEngagement("Contract ended"));

        var after = await admin.GetFromJsonAsync<Engagement>($"/api/v1/practices/{North}/engagements/{engagement.Id}");
        Assert.False(after!.Active);
        Assert.Equal("Contract ended", after.RevocationReason);
        Assert.Equal("Nora Admin", after.RevokedBy);
        Assert.Equal(2, after.Version);
        var revokedOnly = await admin.GetItemsAsync<Engagement>($"/api/v1/practices/{North}/engagements?status=revoked");
        Assert.Single(revokedOnly!);
    }

    [Fact]
    public async Task revoking_twice_is_a_conflict()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var engagement = (await admin.GetItemsAsync<Engagement>($"/api/v1/practices/{North}/engagements"))!.Single();
        var url = $"/api/v1/practices/{North}/engagements/{engagement.Id}/revoke";

        await admin.PostAsJsonAsync(url, new RevokeEngagement("Contract ended"));
        var again = await admin.PostAsJsonAsync(url, new RevokeEngagement("Again"));

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var problem = await again.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ProblemDetails>();
        Assert.Contains("already revoked", problem!.Detail);
    }

    [Fact]
    public async Task a_stale_if_match_gets_412_and_changes_nothing()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var engagement = (await admin.GetItemsAsync<Engagement>($"/api/v1/practices/{North}/engagements"))!.Single();
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/practices/{North}/engagements/{engagement.Id}/revoke")
        {
            Content = JsonContent.Create(new RevokeEngagement("Stale view")),
        };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"7\"", isWeak: true));

        var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var after = await admin.GetAsync($"/api/v1/practices/{North}/engagements/{engagement.Id}");
        Assert.Equal("W/\"1\"", after.Headers.ETag!.ToString());
        Assert.True((await after.Content.ReadFromJsonAsync<Engagement>())!.Active);
    }

    [Fact]
    public async Task engaging_an_already_engaged_vendor_is_a_conflict()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var response = await admin.PostAsJsonAsync($"/api/v1/practices/{North}/engagements", new GrantEngagement(DemoData.AcmeCoding));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }
}
