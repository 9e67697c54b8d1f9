using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Portal.Tests.Intake;

namespace Portal.Tests.Claims;

public class ClaimCheckTests(PortalApp app) : PortalTest(app)
{
    static object ClaimBody(string payerId, object[] lines, string[]? diagnoses = null) => new
    {
        claim = new
        {
            patient = new { id = Guid.NewGuid().ToString(), dateOfBirth = "1958-04-12", sex = "F" },
            payer = new { id = payerId },
            billingProvider = new { npi = Given.ValidNpi, taxonomy = "207Q00000X" },
            dateOfService = "2026-11-23", frequencyCode = "1", placeOfService = "11",
            diagnoses = diagnoses ?? ["E11.9", "I10"],
            lines,
        },
        asOf = "2026-12-01",
    };

    [Fact]
    public async Task the_dry_run_returns_every_finding_with_its_id_and_location_and_stores_nothing()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var payer = await Given.AddedPayer(biller);
        var response = await biller.PostAsJsonAsync(Given.North("claims/check"), ClaimBody(payer.Id.ToString(),
            [new { code = "99213", units = 1, charge = 125m, pointers = new[] { 1, 2 } }, new { code = "36415", units = 1, charge = 12m }], ["E11.9", "J44"]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(result.GetProperty("passed").GetBoolean());
        var findings = result.GetProperty("findings").EnumerateArray().Select(f => (f.GetProperty("rule").GetString(), f.GetProperty("location").GetString())).ToList();
        Assert.Contains(("code-not-billable", "diagnosis 2"), findings);
        Assert.Contains(("line-pointer-missing", "line 2"), findings);

        var clean = await biller.PostAsJsonAsync(Given.North("claims/check"), ClaimBody(payer.Id.ToString(),
            [new { code = "99213", units = 1, charge = 125m, pointers = new[] { 1, 2 } }]));
        var cleanResult = await clean.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(cleanResult.GetProperty("passed").GetBoolean(), cleanResult.ToString());
    }

    [Fact]
    public async Task an_unknown_payer_is_422_and_malformed_claims_are_400_or_422_never_500()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var unknown = await biller.PostAsJsonAsync(Given.North("claims/check"), ClaimBody(Guid.NewGuid().ToString(), []));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        foreach (var body in new[] { "{", "[]", "null", "{\"claim\":null}", "{\"claim\":{\"dateOfService\":\"2026-13-45\"}}",
                     "{\"claim\":{\"lines\":[null]}}", "{\"claim\":{\"diagnoses\":[null,\"\"]}}", "{\"claim\":{\"lines\":[{\"units\":-1e30,\"charge\":\"x\"}]}}",
                     "{\"claim\":{\"lines\":[{\"code\":\"\\u0000\\u0000\",\"pointers\":[0,-1,99]}],\"diagnoses\":[\"ZZZZZZZZZZZZZZZZ\"]}}" })
        {
            var response = await biller.PostAsync(Given.North("claims/check"), new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.True((int)response.StatusCode is 200 or 400 or 422, $"{body}: {(int)response.StatusCode}");
        }
    }
}
