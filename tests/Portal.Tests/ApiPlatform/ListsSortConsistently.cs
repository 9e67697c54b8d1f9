using System.Globalization;
using System.Text.Json;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Tests.Payments;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.ApiPlatform;

/// <summary>
/// Issue 15 item 3: one sort convention on every list (docs/api.md, "Sorting"; ADR 0035): <c>sort</c> is a comma-separated list of
/// the list's keys, <c>-</c> for descending; the document names the keys and the default; an unknown key is a 400 naming <c>sort</c>;
/// the next cursor keeps the sort. The document walk makes a future list without sort keys fail here.
/// </summary>
public class ListsSortConsistently(PortalApp app) : PortalTest(app)
{
    sealed record SortedList(string Id, string Path, string[] Keys, string Default);

    static async Task<List<SortedList>> Lists(PortalApp app)
    {
        using var http = app.Anonymous();
        var doc = JsonDocument.Parse(await http.GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var lists = new List<SortedList>();
        var wrong = new List<string>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        foreach (var op in path.Value.EnumerateObject().Where(o => o.Name == "get"))
        {
            var parameters = op.Value.TryGetProperty("parameters", out var ps) ? ps.EnumerateArray().ToList() : [];
            if (!parameters.Any(p => p.GetProperty("in").GetString() == "query" && p.GetProperty("name").GetString() == "limit") || path.Name.EndsWith(".csv"))
                continue;
            var id = op.Value.GetProperty("operationId").GetString()!;
            var sort = parameters.FirstOrDefault(p => p.GetProperty("in").GetString() == "query"
                && string.Equals(p.GetProperty("name").GetString(), "sort", StringComparison.OrdinalIgnoreCase));
            if (sort.ValueKind != JsonValueKind.Object) { wrong.Add($"{id} ({path.Name}): no sort parameter"); continue; }
            if (sort.GetProperty("name").GetString() != "sort") wrong.Add($"{id}: the parameter is '{sort.GetProperty("name").GetString()}', not 'sort'");
            if (!sort.TryGetProperty("x-sort-keys", out var keys) || keys.GetArrayLength() == 0) { wrong.Add($"{id}: no x-sort-keys"); continue; }
            if (!sort.GetProperty("schema").TryGetProperty("default", out var @default)) { wrong.Add($"{id}: no default sort"); continue; }
            if (!sort.TryGetProperty("description", out var description) || !description.GetString()!.Contains(@default.GetString()!))
                wrong.Add($"{id}: the description does not name the default");
            if (!sort.TryGetProperty("example", out _)) wrong.Add($"{id}: no example");
            lists.Add(new SortedList(id, path.Name, [.. keys.EnumerateArray().Select(k => k.GetString()!)], @default.GetString()!));
        }
        Assert.True(wrong.Count == 0, "Lists outside the sort convention:\n" + string.Join("\n", wrong));
        return lists;
    }

    [Fact]
    public async Task every_list_in_the_openapi_document_declares_sort_with_its_keys_and_default()
    {
        var lists = await Lists(App);
        Assert.True(lists.Count >= 45, $"Only {lists.Count} lists found: " + string.Join(", ", lists.Select(l => l.Id)));
        foreach (var list in lists)
        {
            var defaultKeys = list.Default.Split(',').Select(k => k.TrimStart('-'));
            Assert.All(defaultKeys, k => Assert.Contains(k, list.Keys));
        }
    }

    [Fact]
    public async Task every_list_answers_each_key_ascending_and_descending_and_refuses_an_unknown_key_naming_sort()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var vendor = await App.ClientFor(Users.VendorAdmin);
        var ops = await App.ClientFor(Users.PlatformAdmin);
        var encounter = await OpenedEncounter(admin);
        var claim = await PaymentsGiven.SubmittedClaim(App, "S-0001", ("99213", 120m));
        var ids = new Dictionary<string, Guid> { ["encounterId"] = encounter.Id, ["claimId"] = claim };
        var failures = new List<string>();
        foreach (var list in await Lists(App))
        {
            // A user token outside a practice's route is refused this practice-admin operation by the permission table (403 before
            // the handler; ListsPageByCursor allows the same): its sort is the same code as every list read whole.
            if (list.Id == "ListVendors") continue;
            var client = list.Path.StartsWith("/api/v1/vendor") ? vendor
                : list.Path.StartsWith("/api/v1/platform") || list.Path.StartsWith("/api/v1/code-set") ? ops : admin;
            var url = Hardening.OpenApi.Fill(list.Path.Replace("{system}", "icd10cm"), name => ids.GetValueOrDefault(name, Guid.NewGuid()));
            var extra = list.Id == "SearchCodes" ? "q=diabetes&" : "";
            // The upload diff needs an upload; its one key is still parsed (the 400 below) before the upload is looked up.
            var mayBeMissing = list.Id is "GetCodeSetUploadDiff" or "SearchCodes";
            foreach (var key in list.Keys)
            foreach (var sort in new[] { key, "-" + key })
            {
                var response = await client.GetAsync($"{url}?{extra}sort={Uri.EscapeDataString(sort)}&limit=5");
                if (response.StatusCode != HttpStatusCode.OK && !(mayBeMissing && response.StatusCode == HttpStatusCode.NotFound))
                    failures.Add($"{list.Id} sort={sort}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            var unknown = await client.GetAsync($"{url}?{extra}sort=-nonsense");
            var body = await unknown.Content.ReadAsStringAsync();
            if (unknown.StatusCode != HttpStatusCode.BadRequest || unknown.Content.Headers.ContentType?.MediaType != "application/problem+json"
                || !JsonDocument.Parse(body).RootElement.TryGetProperty("errors", out var errors) || !errors.TryGetProperty("sort", out var message)
                || !list.Keys.All(k => message[0].GetString()!.Contains(k)))
                failures.Add($"{list.Id} sort=-nonsense: {(int)unknown.StatusCode} {body}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task the_main_lists_answer_in_the_order_asked_for_every_key_both_ways()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var admin = await App.ClientFor(Users.NorthAdmin);
        var provider = await EnrolledProvider(admin);
        var payer = await AddedPayer(admin);
        string[] names = ["Baker", "Adams", "Chen", "Diaz"];
        for (var i = 0; i < names.Length; i++)
        {
            var patient = await Created<Patient>(await admin.PostAsJsonAsync(North("patients"),
                Patient($"SRT-{(i * 7) % 4}{i}") with { LastName = names[i], FirstName = "Pat", BirthDate = new DateOnly(1950 + (i * 13) % 40, 1, 1) }));
            var covered = await admin.PostAsJsonAsync(North($"patients/{patient.Id}/coverages"), new AddCoverage(payer.Id, "W1", "Pat", new DateOnly(2024, 1, 1)));
            covered.EnsureSuccessStatusCode();
            var coverage = (await covered.Content.ReadFromJsonAsync<Patient>())!.Coverages[0].Id;
            await Created<EncounterDetails>(await admin.PostAsJsonAsync(North("encounters"),
                new OpenEncounter(patient.Id, provider.Id, new DateOnly(2026, 3, 1 + (i * 3) % 4), "11", null, coverage, "Visit.")));
        }
        // Claims with charges, dates of service and control numbers in different orders; a denial for two of them, patient shares for others.
        decimal[] charges = [300m, 120m, 450m, 80m];
        for (var i = 0; i < charges.Length; i++)
            await PaymentsGiven.SubmittedClaim(App, $"S-{i:0000}", new DateOnly(2026, 2, 10 - (i * 3) % 4), ("99213", charges[i]));
        await PaymentsGiven.Import(biller, new Remit("TRN-S1", [
            new Clp("S-0000", "4", [new Svc("99213", 300m, [new Cas("CO", "197", 300m)])]),
            new Clp("S-0001", "1", [Svc.Of("99213", 120m, new Cas("PR", "2", 40m))])]));
        await PaymentsGiven.Import(biller, new Remit("TRN-S2", [
            new Clp("S-0002", "4", [new Svc("99213", 450m, [new Cas("CO", "50", 450m)])]),
            new Clp("S-0003", "1", [Svc.Of("99213", 80m, new Cas("PR", "1", 75m))])]));
        await PaymentsGiven.Import(biller, new Remit("TRN-S3", [new Clp("S-0099", "1", [Svc.Of("99214", 500m)])]));
        await PatientBalances.PayerSide.Settled(App);

        await InOrder(admin, North("patients"), new()
        {
            ["name"] = r => r.GetProperty("demographics").GetProperty("lastName"), ["mrn"] = r => r.GetProperty("mrn"),
            ["registered"] = r => r.GetProperty("registeredAt"), ["birthdate"] = r => r.GetProperty("demographics").GetProperty("birthDate"),
        });
        await InOrder(admin, North("encounters"), new()
        {
            ["dos"] = r => r.GetProperty("dateOfService"), ["opened"] = r => r.GetProperty("openedAt"), ["patient"] = r => r.GetProperty("patientName"),
            ["status"] = r => r.GetProperty("status"), ["provider"] = r => r.GetProperty("renderingProviderName"), ["payer"] = r => r.GetProperty("payerName"),
        });
        await InOrder(biller, North("claims"), new()
        {
            ["created"] = r => r.GetProperty("createdAt"), ["dos"] = r => r.GetProperty("dateOfService"), ["charge"] = r => r.GetProperty("totalCharge"),
            ["payer"] = r => r.GetProperty("payerName"), ["state"] = r => r.GetProperty("state"), ["patient"] = r => r.GetProperty("patientName"),
            ["provider"] = r => r.GetProperty("renderingProviderName"), ["findings"] = r => r.GetProperty("openCount"),
            ["controlNumber"] = r => r.GetProperty("patientControlNumber"),
        });
        await InOrder(biller, North("remittances"), new()
        {
            ["received"] = r => r.GetProperty("receivedAt"), ["amount"] = r => r.GetProperty("amount"), ["payer"] = r => r.GetProperty("payers")[0],
            ["state"] = r => r.GetProperty("state"), ["posted"] = r => r.GetProperty("posted"), ["file"] = r => r.GetProperty("fileName"),
        }, minimum: 3);
        await InOrder(biller, North("denials"), new()
        {
            ["due"] = r => r.GetProperty("dueDate"), ["amount"] = r => r.GetProperty("deniedAmount"), ["payer"] = r => r.GetProperty("payerName"),
            ["category"] = r => r.GetProperty("category"), ["patient"] = r => r.GetProperty("patientName"), ["dos"] = r => r.GetProperty("dateOfService"),
            ["state"] = r => r.GetProperty("state"), ["opened"] = r => r.GetProperty("openedAt"),
        }, minimum: 2);
        await InOrder(biller, North("patient-balances"), new()
        {
            ["balance"] = r => r.GetProperty("balance"), ["patient"] = r => r.GetProperty("patientName"), ["oldest"] = r => r.GetProperty("oldestOwedOn"),
            ["updated"] = r => r.GetProperty("updatedAt"),
        }, minimum: 2);
    }

    /// <summary>Each key, both ways: the values of the key's field come in that order (ties and nulls aside), by cursor pages of 2 joined up.</summary>
    async Task InOrder(HttpClient client, string url, Dictionary<string, Func<JsonElement, JsonElement>> keys, int minimum = 4)
    {
        foreach (var (key, field) in keys)
        foreach (var descending in new[] { false, true })
        {
            var sort = (descending ? "-" : "") + key;
            var rows = new List<JsonElement>();
            var next = $"{url}?sort={sort}&limit=2";
            var seen = new HashSet<string>();
            while (next is not null)
            {
                // A list whose next cursor repeats would page forever (a CI run hung here once): fail with the cursor instead.
                Assert.True(seen.Add(next) && seen.Count <= 500, $"{url} sort={sort}: the next cursor repeats or never ends ({next}) after {rows.Count} rows");
                var response = await client.GetAsync(next);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{next}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                rows.AddRange(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items").EnumerateArray());
                next = response.Headers.TryGetValues("Link", out var links) ? links.Single()[1..links.Single().IndexOf('>')] : null;
                if (next is not null) Assert.Contains("sort=" + Uri.EscapeDataString(sort), next);
            }
            Assert.True(rows.Count >= minimum, $"{url} sort={sort}: {rows.Count} rows");
            var values = rows.Select(field).Where(v => v.ValueKind != JsonValueKind.Null).ToList();
            for (var i = 1; i < values.Count; i++)
            {
                var c = Compare(values[i - 1], values[i]);
                Assert.True(descending ? c >= 0 : c <= 0, $"{url} sort={sort}: {values[i - 1]} before {values[i]}");
            }
        }
    }

    static int Compare(JsonElement a, JsonElement b) => a.ValueKind == JsonValueKind.Number
        ? a.GetDecimal().CompareTo(b.GetDecimal())
        : a.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(a.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var x)
            && a.GetString()!.Contains('T') && DateTimeOffset.TryParse(b.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var y)
            ? x.CompareTo(y)
            : string.Compare(a.ToString(), b.ToString(), StringComparison.OrdinalIgnoreCase);

    [Fact]
    public async Task the_next_cursor_keeps_the_sort_and_a_cursor_of_another_sort_is_a_400_naming_cursor()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        decimal[] charges = [300m, 120m, 450m, 80m, 200m];
        for (var i = 0; i < charges.Length; i++) await PaymentsGiven.SubmittedClaim(App, $"C-{i:0000}", ("99213", charges[i]));

        var first = await biller.GetAsync(North("claims?sort=-charge&limit=2"));
        var page = (await first.Content.ReadFromJsonAsync<Portal.Web.Features.Claims.ClaimList>())!;
        Assert.Equal([450m, 300m], page.Items.Select(c => c.TotalCharge));
        var link = Assert.Single(first.Headers.GetValues("Link"));
        Assert.Contains("sort=-charge", link);
        var second = (await biller.GetFromJsonAsync<Portal.Web.Features.Claims.ClaimList>(link[1..link.IndexOf('>')]))!;
        Assert.Equal([200m, 120m], second.Items.Select(c => c.TotalCharge));

        foreach (var (url, field) in new[]
        {
            ($"claims?sort=dos&limit=2&cursor={page.Next}", "cursor"),
            ($"claims?limit=2&cursor={page.Next}", "cursor"),
            ($"claims?sort=charge&limit=2&cursor={page.Next}", "cursor"),
            ("claims?sort=-charge,nonsense", "sort"),
            ("claims?sort=charge,-charge", "sort"),
            ("claims?sort=,", "sort"),
        })
        {
            var refused = await biller.GetAsync(North(url));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True(JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty(field, out _), url);
        }
        // A default-sort cursor used with a sort is refused too.
        var plain = (await biller.GetFromJsonAsync<Portal.Web.Features.Claims.ClaimList>(North("claims?limit=2")))!;
        Assert.Equal(HttpStatusCode.BadRequest, (await biller.GetAsync(North($"claims?sort=-charge&limit=2&cursor={plain.Next}"))).StatusCode);
        // Two keys: the second breaks the first's ties.
        var byDos = (await biller.GetFromJsonAsync<Portal.Web.Features.Claims.ClaimList>(North("claims?sort=dos,-charge&limit=200")))!.Items;
        Assert.Equal(byDos.OrderBy(c => c.DateOfService).ThenByDescending(c => c.TotalCharge).Select(c => c.Id), byDos.Select(c => c.Id));
    }

    [Fact]
    public async Task the_sort_values_lists_took_before_the_convention_still_work()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        foreach (var url in new[]
        {
            "encounters?sort=-dos", "encounters?sort=patient&limit=5", "encounters?sort=-opened&limit=5", "patients?sort=-registered",
            "patients?sort=mrn&limit=5", "coding/queue?sort=priority", "coding/queue?sort=-priority&limit=5", "claims?sort=-findings",
        })
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(North(url))).StatusCode);
        // The encounter list paged by patient name used to refuse a cursor (400 naming sort); now it pages by position.
        var provider = await EnrolledProvider(admin);
        for (var i = 0; i < 3; i++) await OpenedEncounterFor(admin, provider, $"SV-{i}");
        var first = await admin.GetAsync(North("encounters?sort=patient&limit=2"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("sort=patient", Assert.Single(first.Headers.GetValues("Link")));
    }

    static async Task OpenedEncounterFor(HttpClient client, Provider provider, string mrn)
    {
        var patient = await RegisteredPatient(client, mrn);
        await Created<EncounterDetails>(await client.PostAsJsonAsync(North("encounters"),
            new OpenEncounter(patient.Id, provider.Id, new DateOnly(2026, 3, 2), "11", null, null, "Visit.")));
    }
}
