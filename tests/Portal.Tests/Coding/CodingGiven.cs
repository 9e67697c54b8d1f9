using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Settings;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Coding;

/// <summary>Coding scenario builders: through the API, on top of the intake builders.</summary>
public static class CodingGiven
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static string Chart(Guid encounterId, string path = "") => North($"encounters/{encounterId}/coding{path}");

    public static async Task<T> Read<T>(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
            throw new InvalidOperationException($"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<T>(body, Json)!;
    }

    public static async Task PracticeSettingsAre(HttpClient admin, int qaPercent, int newCoderCharts = 0) =>
        (await admin.PutAsJsonAsync(North("settings"), new UpdatePracticeSettings(null, qaPercent, newCoderCharts, null))).EnsureSuccessStatusCode();

    /// <summary>An encounter of a fresh patient/provider, sent to coding with top priority so "next chart" takes it first.</summary>
    public static async Task<CodingChart> QueuedChart(HttpClient admin, int priority = 9)
    {
        var encounter = await OpenedEncounter(admin);
        return await Read<CodingChart>(await admin.PostAsJsonAsync(Chart(encounter.Id, "/queue"), new SendToCoding(priority)));
    }

    /// <summary>Several queued charts for one patient and provider.</summary>
    public static async Task<List<Guid>> QueuedCharts(HttpClient admin, int count)
    {
        var encounter = await OpenedEncounter(admin);
        List<Guid> ids = [encounter.Id];
        for (var i = 1; i < count; i++)
            ids.Add((await Created<EncounterDetails>(await admin.PostAsJsonAsync(North("encounters"),
                new OpenEncounter(encounter.PatientId, encounter.RenderingProviderId, new DateOnly(2026, 3, 2).AddDays(-i), "11", null,
                    encounter.CoverageId, "Visit.")))).Id);
        foreach (var id in ids)
            (await admin.PostAsJsonAsync(Chart(id, "/queue"), new SendToCoding(5))).EnsureSuccessStatusCode();
        return ids;
    }

    public static async Task<PulledChart?> Pull(HttpClient coder, string url = "")
    {
        var response = await coder.PostAsync(url.Length > 0 ? url : North("coding/queue/next"), null);
        return response.StatusCode == HttpStatusCode.NoContent ? null : await Read<PulledChart>(response);
    }

    public static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string url, object? body, long? version = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body, body.GetType()) };
        if (version is { } v) request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{v}\"", isWeak: true));
        return await client.SendAsync(request);
    }

    /// <summary>A chart pulled by the coder and coded with I10, E11.9 and a 99213 office visit pointing at both.</summary>
    public static async Task<CodingChart> CodedChart(HttpClient admin, HttpClient coder)
    {
        var queued = await QueuedChart(admin);
        var coded = await CodeNext(coder);
        return coded.Encounter.Id == queued.Encounter.Id ? coded : throw new InvalidOperationException("The coder did not get the queued chart.");
    }

    /// <summary>The coder pulls the next chart and codes it with I10, E11.9 and a 99213 pointing at both.</summary>
    public static async Task<CodingChart> CodeNext(HttpClient coder)
    {
        var pulled = await Pull(coder) ?? throw new InvalidOperationException("The queue is empty.");
        var id = pulled.Chart.Encounter.Id;
        var dx = await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(id, "/diagnoses"), new CodeDiagnoses(["I10", "E11.9"]),
            pulled.Chart.Version));
        return await Read<CodingChart>(await Send(coder, HttpMethod.Put, Chart(id, "/lines"),
            new CodeServiceLines([new ServiceLineInput("99213", DiagnosisPointers: [1, 2])]), dx.Version));
    }

    public static Guid NorthPractice => DemoData.NorthClinic;

    /// <summary>
    /// The practice admin makes <paramref name="email"/> (a provider user) the one who answers <paramref name="providerId"/>'s
    /// queries, unlinking whatever provider the user answered for before (a user answers for one provider).
    /// </summary>
    public static async Task LinkProviderUser(HttpClient admin, Guid providerId, string email)
    {
        var users = await admin.GetItemsAsync<Portal.Web.Features.Users.OrganizationUser>(
            $"/api/v1/organizations/{DemoData.NorthClinic}/users", Json);
        var userId = users!.Single(u => u.Email == email).Id;
        var providers = await admin.GetItemsAsync<Provider>(North("providers"), Json);
        foreach (var linked in providers!.Where(p => p.UserId == userId && p.Id != providerId))
            (await admin.PutAsJsonAsync(North($"providers/{linked.Id}/user"), new LinkProviderUser(null))).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync(North($"providers/{providerId}/user"), new LinkProviderUser(userId))).EnsureSuccessStatusCode();
    }
}
