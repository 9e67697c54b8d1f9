using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Hardening;

/// <summary>Item 13: bad input never gives a 500, every API error is problem+json, and PHI never reaches the logs.</summary>
public class HostileInput(PortalApp app) : PortalTest(app)
{
    const string Name = "Zebulon", Surname = "Quixotic-Marchetti";

    static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    static async Task AssertNamesField(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        var problem = JsonSerializer.Deserialize<ValidationProblemDetails>(body, JsonSerializerOptions.Web);
        Assert.True(problem!.Errors.Keys.Contains(field, StringComparer.OrdinalIgnoreCase), $"{field} not named: {body}");
    }

    [Theory]
    [InlineData("firstName", "Zeb\\u0000ulon")]
    [InlineData("lastName", "Quix\\u001bote")]
    [InlineData("city", "Spring\\u0007field")]
    [InlineData("phone", "555\\u0085")]
    [InlineData("addressLine1", "12 Elm \\ud800St")]
    public async Task nul_and_control_characters_in_json_strings_get_400_naming_the_field(string field, string escaped)
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var body = JsonSerializer.SerializeToNode(Patient("CTRL-1"), JsonSerializerOptions.Web)!.AsObject();
        body.Remove(field);
        var json = body.ToJsonString().TrimEnd('}') + $",\"{field}\":\"{escaped}\"}}";

        var before = (await admin.GetFromJsonAsync<PageOf<Patient>>(North("patients")))!.Total;

        await AssertNamesField(await admin.PostAsync(North("patients"), Json(json)), field);
        Assert.Equal(before, (await admin.GetFromJsonAsync<PageOf<Patient>>(North("patients")))!.Total);
    }

    [Fact]
    public async Task control_characters_in_notes_and_nested_fields_are_named_too()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var riverside = await App.ClientFor(Users.RiversideAdmin);
        var encounter = await OpenedEncounter(admin);

        await AssertNamesField(await admin.PutAsync(North($"encounters/{encounter.Id}/notes"),
            Json("{\"visitNotes\":\"BP 120/80\\u0000\",\"reason\":\"Typo\"}")), "visitNotes");
        await AssertNamesField(await riverside.PostAsync($"/api/v1/practices/{DemoData.RiversidePediatrics}/engagements",
            Json($"{{\"vendorId\":\"{DemoData.AcmeCoding}\",\"functions\":[\"coding\",\"bil\\u0000ling\"]}}")), "functions[1]");
        // Tabs and line breaks are text, not control characters to refuse.
        var fine = await admin.PutAsync(North($"encounters/{encounter.Id}/notes"),
            Json("{\"visitNotes\":\"S:\\tcough\\r\\nO:\\tclear\",\"reason\":\"Formatting\"}"));
        Assert.True(fine.IsSuccessStatusCode, $"{(int)fine.StatusCode}");
    }

    [Fact]
    public async Task over_long_strings_get_400_naming_the_field()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var riverside = await App.ClientFor(Users.RiversideAdmin);

        await AssertNamesField(await admin.PostAsJsonAsync(North("patients"), Patient() with { FirstName = new string('a', 101) }), "firstName");
        await AssertNamesField(await admin.PostAsJsonAsync(North("providers"), new EnrollProvider("Dr. Long", new string('1', 400), "207Q00000X")), "npi");
        await AssertNamesField(await admin.PostAsJsonAsync(North("payers"), new AddPayer("Plan", new string('P', 5000))), "clearinghousePayerId");
        // A field without its own limit still has the global one (Platform/TextGuard.cs).
        await AssertNamesField(await riverside.PostAsJsonAsync($"/api/v1/practices/{DemoData.RiversidePediatrics}/engagements",
            new { vendorId = DemoData.AcmeCoding, functions = new[] { new string('x', 30_000) } }), "functions[0]");
    }

    /// <summary>Every list the OpenAPI document describes with ?page= takes the same parser.</summary>
    [Fact]
    public async Task paging_overflow_gets_400_naming_the_parameter_on_every_list()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var vendor = await App.ClientFor(Users.VendorAdmin);
        var lists = (await OpenApi.Operations(App)).Where(o => o.Method == "get" && !o.Path.EndsWith(".csv") && o.Query.Contains("page", StringComparer.OrdinalIgnoreCase)).ToList();
        Assert.True(lists.Count >= 6, $"Only {lists.Count} paged lists found: {string.Join(", ", lists.Select(l => l.Path))}");

        foreach (var list in lists)
        {
            var client = list.Path.StartsWith("/api/v1/vendor") ? vendor : admin;
            var url = OpenApi.Fill(list.Path, _ => Guid.NewGuid());
            foreach (var (query, field) in new[] { ("page=2147483647", "page"), ("page=0", "page"), ("pageSize=-1", "pageSize"),
                         ("pageSize=1000000000", "pageSize"), ("page=99999999999", "page") })
            {
                var response = await client.GetAsync($"{url}?{query}");
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}?{query}: {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                if (query != "page=99999999999") await AssertNamesField(response, field);
            }
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"{url}?page=100000&pageSize=200")).StatusCode);
        }
    }

    [Fact]
    public async Task portal_pages_show_the_nearest_page_for_an_absurd_page_number()
    {
        using var admin = await App.SignedInBrowser(Users.NorthAdmin);
        using var vendor = await App.SignedInBrowser(Users.VendorAdmin);
        var root = $"/practices/{DemoData.NorthClinic}";

        foreach (var path in new[] { "patients", "encounters", "coding/queue", "coding/qa", "coding/qa/reviews" })
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"{root}/{path}?p=2147483647")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await vendor.GetAsync("/vendor/queue?p=2147483647")).StatusCode);
    }

    /// <summary>
    /// An upload sent with no form at all (no body, or JSON) is a 415 problem, before anything is read: the build-time request
    /// delegates (ADR 0046) would otherwise read a form that is not there.
    /// </summary>
    [Fact]
    public async Task an_upload_without_a_form_is_a_415_problem()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        foreach (var path in new[] { $"denials/{Guid.NewGuid()}/attachments", $"encounters/{Guid.NewGuid()}/documents" })
            foreach (var content in new HttpContent?[] { null, Json("{}") })
            {
                var response = await admin.PostAsync(North(path), content);
                Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
    }

    /// <summary>
    /// Every operation with an id in its route, called with an id that does not exist: the 404 (and any other error on
    /// the way) is application/problem+json. Practice routes use North Clinic and its admin's token.
    /// </summary>
    [Fact]
    public async Task every_not_found_answer_under_the_api_is_problem_json()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var app = await App.AppClient("north-app");
        // Code-set uploads and the platform's own records (practice moves) are the platform admins': they are the ones who get the 404.
        var ops = await App.ClientFor(Users.PlatformAdmin);
        var withIds = (await OpenApi.Operations(App))
            .Where(o => o.Method is "get" or "put" or "post" or "delete" && o.PathParameters.Any(p => p is not "practiceId" and not "organizationId"))
            .ToList();
        Assert.True(withIds.Count >= 20, $"Only {withIds.Count} operations with ids.");
        var notFound = 0;

        foreach (var op in withIds)
        {
            var url = OpenApi.Fill(op.Path, _ => Guid.NewGuid());
            // App tokens on the vendor routes are refused by the permission table (403), not a 500.
            var owner = op.Path.StartsWith("/api/v1/code-set-uploads", StringComparison.Ordinal) || op.Path.StartsWith("/api/v1/platform/", StringComparison.Ordinal)
                ? ops : admin;
            foreach (var client in new[] { owner, app })
            {
                var request = new HttpRequestMessage(new HttpMethod(op.Method.ToUpperInvariant()), url);
                if (op.Body is not null) request.Content = Json(op.Body.ToJsonString());
                var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                Assert.True(status < 500, $"{op.Method} {op.Path}: {status}");
                if (status < 400) continue;
                // The FHIR endpoints answer errors as a FHIR OperationOutcome, what FHIR clients read (ADR 0023, docs/fhir.md).
                var expected = op.Path.Contains("/fhir/", StringComparison.Ordinal) ? "application/fhir+json" : "application/problem+json";
                Assert.True(response.Content.Headers.ContentType?.MediaType == expected,
                    $"{op.Method.ToUpperInvariant()} {op.Path} answered {status} as {response.Content.Headers.ContentType}");
                if (status == 404) notFound++;
                if (op.Method == "get" && client == owner && !op.Path.StartsWith("/api/v1/vendor"))
                    Assert.True(status == 404, $"GET {op.Path} with an unknown id: {status}");
            }
        }
        Assert.True(notFound >= withIds.Count, $"{notFound} 404s for {withIds.Count} operations");
    }

    [Fact]
    public async Task a_patients_name_never_reaches_the_logs_even_when_storing_it_fails()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        using var recording = App.Logs.Record();

        // Refused by the JSON guard; refused by the CSV reader with its row and column (before PostgreSQL, which cannot hold NUL
        // and whose refusal could leave a pooled connection out of step); stored fine, then a conflict; then a save that fails in
        // PostgreSQL with the name among its parameters (below). (Forms cannot carry NUL: ASP.NET Core's form reader refuses it.)
        var json = await admin.PostAsync(North("patients"),
            Json($"{{\"mrn\":\"PHI-1\",\"firstName\":\"{Name}\\u0000\",\"lastName\":\"{Surname}\",\"birthDate\":\"1970-01-01\"}}"));
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        var csv = await admin.PostAsync(North("patients/import"), new StringContent(
            $"mrn,first_name,last_name,birth_date\nPHI-2,{Name}\0,{Surname},1970-01-01\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, csv.StatusCode);
        var refusal = await csv.Content.ReadAsStringAsync();
        Assert.Contains("Row 2, column 2 (first_name)", refusal);
        Assert.DoesNotContain(Name, refusal, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync(North("patients"), Patient("PHI-3") with { FirstName = Name, LastName = Surname })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync(North("patients"), Patient("PHI-3") with { FirstName = Name, LastName = Surname })).StatusCode);
        await admin.GetAsync(North($"patients?search={Surname}"));

        // Storing fails in PostgreSQL itself: the MRN's key is held (as another node's registration committed a moment before)
        // while no patient has it yet, so the early check passes and the save hits the unique key (23505), answered as the 409.
        await using (var conn = new Npgsql.NpgsqlConnection(App.ConnectionString))
        {
            await conn.OpenAsync();
            await using var held = new Npgsql.NpgsqlCommand("""
                insert into portal.mt_doc_uniquekey (tenant_id, id, data, mt_dotnet_type, mt_last_modified)
                values ($1, 'patient-mrn:PHI-4', '{}'::jsonb, 'Portal.Web.Platform.UniqueKey', now())
                """, conn) { Parameters = { new() { Value = DemoData.NorthClinic.ToString() } } };
            await held.ExecuteNonQueryAsync();
        }
        var held4 = await admin.PostAsJsonAsync(North("patients"), Patient("PHI-4") with { FirstName = Name, LastName = Surname });
        Assert.Equal(HttpStatusCode.Conflict, held4.StatusCode);
        Assert.Contains("mrn-taken", await held4.Content.ReadAsStringAsync());
        Assert.DoesNotContain("PHI-4", await (await admin.GetAsync(North("patients?search=PHI-4"))).Content.ReadAsStringAsync());

        var lines = App.Logs.Lines;
        Assert.DoesNotContain(lines, l => l.Contains(Name, StringComparison.OrdinalIgnoreCase) || l.Contains("Quixotic", StringComparison.OrdinalIgnoreCase));
    }
}
