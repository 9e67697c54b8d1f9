using System.Text;
using Portal.Web.Features.Intake;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Intake;

public class IntakeBadInput(PortalApp app) : PortalTest(app)
{
    [Theory]
    [InlineData("encounters?status=Bogus")]
    [InlineData("encounters?dosFrom=2026-13-01")]
    [InlineData("encounters?page=0")]
    [InlineData("patients?sort=age")]
    [InlineData("audit?pageSize=0")]
    public async Task bad_query_strings_get_400_problem_details(string path)
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var response = await admin.GetAsync(North(path));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("{\"mrn\":\"A-1\",\"firstName\":\"A\",\"lastName\":\"B\",\"birthDate\":\"1980-02-30\"}")]
    [InlineData("{\"mrn\":\"A-1\",\"firstName\":\"A\",\"lastName\":\"B\",\"birthDate\":\"1980-02-03\",\"sex\":\"Alien\"}")]
    [InlineData("{\"mrn\":\"A-1\",\"lastName\":\"B\",\"birthDate\":\"1980-02-03\"}")]
    public async Task malformed_patient_bodies_get_400(string body)
    {
        var admin = await App.ClientFor(Users.NorthAdmin);

        var response = await admin.PostAsync(North("patients"), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task odd_requests_never_give_500()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var encounter = await OpenedEncounter(admin);
        var badIfMatch = new HttpRequestMessage(HttpMethod.Put, North($"encounters/{encounter.Id}/notes"))
        { Content = JsonContent.Create(new ReviseVisitNotes("x", "why not")) };
        badIfMatch.Headers.TryAddWithoutValidation("If-Match", "banana");

        var responses = new[]
        {
            await admin.SendAsync(badIfMatch),
            await admin.PostAsync(North($"encounters/{encounter.Id}/documents"), new StringContent("not multipart")),
            await admin.PostAsync(North($"encounters/{encounter.Id}/documents"), new MultipartFormDataContent { { new StringContent("x"), "other" } }),
            await admin.PostAsync(North("encounters/import"), new StringContent("", Encoding.UTF8, "text/csv")),
            await admin.PostAsync(North($"encounters/{Guid.NewGuid()}/documents"), File(Pdf, "a.pdf")),
            await admin.PostAsJsonAsync(North($"patients/{Guid.NewGuid()}/coverages"), new AddCoverage(Guid.NewGuid(), "M", "S", new DateOnly(2026, 1, 1))),
            await admin.GetAsync(North($"encounters/{encounter.PatientId}/history")),
        };

        Assert.All(responses, r => Assert.InRange((int)r.StatusCode, 400, 499));
        Assert.Equal(HttpStatusCode.BadRequest, responses[0].StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, responses[4].StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, responses[6].StatusCode);
    }
}
