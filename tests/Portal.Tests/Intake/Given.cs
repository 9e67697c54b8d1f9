using System.Net.Http.Headers;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;

namespace Portal.Tests.Intake;

/// <summary>Intake scenario builders: each creates its record through the API and returns what the API answered.</summary>
public static class Given
{
    public static string Api(Guid practice, string path) => $"/api/v1/practices/{practice}/{path}";
    public static string North(string path) => Api(DemoData.NorthClinic, path);

    public const string ValidNpi = "1234567893", OtherValidNpi = "1987654328";

    public static RegisterPatient Patient(string mrn = "T-1001") =>
        new(mrn, "Tess", "Tester", new DateOnly(1980, 4, 12), Sex.Female, "12 Elm St", null, "Springfield", "IL", "62701", "555-0100");

    public static async Task<T> Created<T>(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"Expected 201, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    public static async Task<Patient> RegisteredPatient(HttpClient client, string mrn = "T-1001") =>
        await Created<Patient>(await client.PostAsJsonAsync(North("patients"), Patient(mrn)));

    public static async Task<Provider> EnrolledProvider(HttpClient client, string npi = ValidNpi, string name = "Dr. Test Renderer") =>
        await Created<Provider>(await client.PostAsJsonAsync(North("providers"), new EnrollProvider(name, npi, "207Q00000X")));

    public static async Task<Payer> AddedPayer(HttpClient client, string payerId = "TST01") =>
        await Created<Payer>(await client.PostAsJsonAsync(North("payers"), new AddPayer("Test Health Plan", payerId)));

    public static async Task<Patient> CoveredPatient(HttpClient client, Payer payer, string mrn = "T-1001")
    {
        var patient = await RegisteredPatient(client, mrn);
        var response = await client.PostAsJsonAsync(North($"patients/{patient.Id}/coverages"),
            new AddCoverage(payer.Id, "W123456789", "Tess Tester", new DateOnly(2024, 1, 1)));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Patient>())!;
    }

    public static async Task<EncounterDetails> OpenedEncounter(HttpClient client)
    {
        var payer = await AddedPayer(client);
        var patient = await CoveredPatient(client, payer);
        var provider = await EnrolledProvider(client);
        return await Created<EncounterDetails>(await client.PostAsJsonAsync(North("encounters"),
            new OpenEncounter(patient.Id, provider.Id, new DateOnly(2026, 3, 2), "11", null, patient.Coverages[0].Id,
                "Follow-up for hypertension.")));
    }

    public static MultipartFormDataContent File(byte[] bytes, string name, string contentType = "application/octet-stream")
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return new MultipartFormDataContent { { file, "file", name } };
    }

    public static readonly byte[] Pdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"u8.ToArray();
}
