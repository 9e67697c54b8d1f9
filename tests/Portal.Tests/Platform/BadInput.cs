using System.Text;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Tenancy;

namespace Portal.Tests.Platform;

public class BadInput(PortalApp app) : PortalTest(app)
{
    // Riverside's only engagement is the demo's (Beacon, billing): a refused grant must leave it so.
    static readonly string Engagements = $"/api/v1/practices/{DemoData.RiversidePediatrics}/engagements";

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"vendorId\": \"not-a-guid\"}")]
    [InlineData("[]")]
    public async Task malformed_json_gets_400_problem_details(string body)
    {
        var admin = await App.ClientFor(Users.RiversideAdmin);

        var response = await admin.PostAsync(Engagements, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([DemoData.BeaconBilling], (await admin.GetItemsAsync<Engagement>(Engagements))!.Select(e => e.VendorId));
    }

    [Fact]
    public async Task a_failed_validation_names_the_field()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var engagement = (await admin.GetItemsAsync<Engagement>($"/api/v1/practices/{DemoData.NorthClinic}/engagements"))!.Single();

        var response = await admin.PostAsJsonAsync(
            $"/api/v1/practices/{DemoData.NorthClinic}/engagements/{engagement.Id}/revoke", new { reason = "" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Contains(problem!.Errors.Keys, k => k.Equals("reason", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task an_unknown_vendor_gets_422()
    {
        var admin = await App.ClientFor(Users.RiversideAdmin);

        var response = await admin.PostAsJsonAsync(Engagements, new GrantEngagement(Guid.NewGuid()));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.True(problem!.Errors.ContainsKey("vendorId"));
        Assert.Equal([DemoData.BeaconBilling], (await admin.GetItemsAsync<Engagement>(Engagements))!.Select(e => e.VendorId));
    }

    [Fact]
    public async Task an_unknown_function_gets_422()
    {
        var admin = await App.ClientFor(Users.RiversideAdmin);

        var response = await admin.PostAsJsonAsync(Engagements, new GrantEngagement(DemoData.AcmeCoding, ["astrology"]));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task a_bad_filter_gets_400_not_500()
    {
        var admin = await App.ClientFor(Users.RiversideAdmin);

        var response = await admin.GetAsync(Engagements + "?status=sideways");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task a_malformed_if_match_gets_400()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var engagement = (await admin.GetItemsAsync<Engagement>($"/api/v1/practices/{DemoData.NorthClinic}/engagements"))!.Single();
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/practices/{DemoData.NorthClinic}/engagements/{engagement.Id}/revoke")
        {
            Content = JsonContent.Create(new RevokeEngagement("Because")),
        };
        request.Headers.TryAddWithoutValidation("If-Match", "banana");

        var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task an_unknown_api_route_gets_404_problem_details()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var response = await admin.GetAsync("/api/v1/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
