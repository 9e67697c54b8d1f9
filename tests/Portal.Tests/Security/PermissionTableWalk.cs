using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Demo;
using Portal.Web.Platform;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Security;

/// <summary>
/// The permission table is the only authority: every API operation in the OpenAPI document and every signed-in page has an
/// entry, and the server answers what the table says for every demo role, for apps with and without the scope, and for a
/// foreign tenant (404). A new endpoint or page without an entry fails here.
/// </summary>
public class PermissionTableWalk(PortalApp app) : PortalTest(app)
{
    static readonly Guid North = DemoData.NorthClinic;

    [Fact]
    public async Task every_api_operation_and_every_signed_in_page_has_an_entry_in_the_permission_table()
    {
        using var http = App.Anonymous();
        var doc = JsonDocument.Parse(await http.GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var operations = Operations(doc).ToList();
        Assert.NotEmpty(operations);

        var endpoints = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var byName = endpoints.Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is not null)
            .ToDictionary(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName);
        var missing = operations.Where(o => !byName.TryGetValue(o.Id, out var e) || e.Metadata.GetMetadata<Permission>() is null)
            .Select(o => $"{o.Method} {o.Path} ({o.Id})").ToList();
        // Endpoints left out of the OpenAPI document must not escape the table either.
        missing.AddRange(endpoints.Where(e => e.RoutePattern.RawText?.StartsWith("/api") == true && e.Metadata.GetMetadata<Permission>() is null)
            .Select(e => e.RoutePattern.RawText!));
        Assert.True(missing.Count == 0, "Not in the permission table: " + string.Join(", ", missing));

        var pages = App.Services.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items
            .OfType<PageActionDescriptor>()
            .Where(p => !p.EndpointMetadata.OfType<IAllowAnonymous>().Any())
            .Select(p => p.ViewEnginePath).Distinct().ToList();
        Assert.NotEmpty(pages);
        var unlisted = pages.Where(p => PagePermissions.Find(p) is null).ToList();
        Assert.True(unlisted.Count == 0, "Signed-in pages not in the permission table: " + string.Join(", ", unlisted));
    }

    [Fact]
    public void docs_security_md_lists_every_permission()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) dir = dir.Parent;
        var doc = System.IO.File.ReadAllText(Path.Combine(dir!.FullName, "docs", "security.md"));

        var missing = Permissions.All.Where(p => !doc.Contains($"| `{p.Name}` |")).Select(p => p.Name).ToList();

        Assert.True(missing.Count == 0, "docs/security.md does not list: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task every_api_operation_answers_what_the_table_says_for_every_role_app_and_foreign_tenant()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var ids = await RealIds(admin);
        using var anon = App.Anonymous();
        var doc = JsonDocument.Parse(await anon.GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var endpoints = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is not null)
            .ToDictionary(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName);
        var store = App.Services.GetRequiredService<IDocumentStore>();
        var failures = new List<string>();

        foreach (var user in DemoData.Users)
        {
            var client = await App.ClientFor(user.Email);
            foreach (var op in Operations(doc))
            {
                var permission = endpoints[op.Id].Metadata.GetMetadata<Permission>()!;
                var url = Url(op, ids, user.Organization);
                var response = await Send(client, op, url);
                var status = (int)response.StatusCode;
                var allowed = permission.Roles.Contains(user.Role) && FunctionOk(user, permission, url);
                if (!allowed && status != 403 && !(status == 404 && ForeignToUser(user, url)))
                    failures.Add($"{user.Email} ({user.Role}) {op.Method} {url}: table says no, got {status}");
                if (allowed && status is 401 or 403)
                    failures.Add($"{user.Email} ({user.Role}) {op.Method} {url}: table says yes, got {status}");
                if (allowed && status == 404 && !HasRecordId(op) && !ForeignToUser(user, url))
                    failures.Add($"{user.Email} ({user.Role}) {op.Method} {url}: table says yes, got 404");
                if (allowed && permission.Phi && status is >= 200 and < 300 && url.Contains($"/practices/{North}/"))
                {
                    await using var query = store.QuerySession(North.ToString());
                    var path = url.Split('?')[0];
                    if (!await query.Query<AuditEntry>().AnyAsync(a => a.Path == path))
                        failures.Add($"{user.Email} {op.Method} {url}: PHI answered {status} with no audit entry");
                }
            }
        }

        // Apps: with every scope they were registered for, and with a token lacking the operation's scope.
        var app = await App.AppClient("north-app");
        var appScopes = DemoData.Clients.Single(c => c.ClientId == "north-app").Scopes;
        foreach (var op in Operations(doc))
        {
            var permission = endpoints[op.Id].Metadata.GetMetadata<Permission>()!;
            var url = Url(op, ids, North);
            var status = (int)(await Send(app, op, url)).StatusCode;
            var allowed = permission.Apps && appScopes.Contains(permission.Scope);
            if (!allowed && status is not (403 or 404))
                failures.Add($"north-app {op.Method} {url}: table says no, got {status}");
            if (allowed && (status is 401 or 403 || status == 404 && !HasRecordId(op)))
                failures.Add($"north-app {op.Method} {url}: table says yes, got {status}");

            var other = appScopes.FirstOrDefault(s => s != permission.Scope);
            if (other is not null)
            {
                var narrow = await App.AppClient("north-app", other);
                var narrowStatus = (int)(await Send(narrow, op, url)).StatusCode;
                if (narrowStatus is not (403 or 404))
                    failures.Add($"north-app without {permission.Scope} {op.Method} {url}: got {narrowStatus}");
            }
        }

        // A foreign tenant: another practice's admin and app get 404 on every route of North Clinic.
        var foreignAdmin = await App.ClientFor(Users.RiversideAdmin);
        var foreignApp = await App.AppClient("riverside-app");
        foreach (var op in Operations(doc).Where(o => o.Path.Contains("{practiceId}")))
        {
            var url = Url(op, ids, DemoData.RiversidePediatrics);
            foreach (var (who, client) in new[] { ("riverside admin", foreignAdmin), ("riverside-app", foreignApp) })
            {
                var response = await Send(client, op, url);
                if (response.StatusCode != HttpStatusCode.NotFound)
                    failures.Add($"{who} {op.Method} {url}: a foreign practice must be 404, got {(int)response.StatusCode}");
                else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    failures.Add($"{who} {op.Method} {url}: 404 without problem details");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} answers differ from the permission table:\n" + string.Join("\n", failures.Take(60)));
    }

    [Fact]
    public async Task every_signed_in_page_answers_what_the_table_says_for_every_role_and_foreign_tenant()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var ids = await RealIds(admin);
        var pages = App.Services.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items
            .OfType<PageActionDescriptor>()
            .Where(p => !p.EndpointMetadata.OfType<IAllowAnonymous>().Any() && p.AttributeRouteInfo?.Template is not null)
            .Select(p => (Page: p.ViewEnginePath, Template: "/" + p.AttributeRouteInfo!.Template!))
            .DistinctBy(p => p.Template).ToList();
        var failures = new List<string>();

        foreach (var user in DemoData.Users)
        {
            using var browser = await App.SignedInBrowser(user.Email);
            foreach (var (page, template) in pages)
            {
                var entry = PagePermissions.Find(page)!;
                var url = PageUrl(template, ids, North);
                var response = await browser.GetAsync(url);
                var status = (int)response.StatusCode;
                var location = response.Headers.Location?.ToString() ?? "";
                var allowed = entry.Get.Roles.Contains(user.Role) && FunctionOk(user, entry.Get, url);
                var denied = status == 403 || status == 302 && location.Contains("access-denied", StringComparison.OrdinalIgnoreCase);
                if (ForeignToUser(user, url))
                {
                    if (status != 404) failures.Add($"{user.Email} GET {url}: a practice not theirs must be 404, got {status}");
                    continue;
                }
                if (!allowed && !denied) failures.Add($"{user.Email} ({user.Role}) GET {url}: table says no, got {status} {location}");
                if (allowed && denied) failures.Add($"{user.Email} ({user.Role}) GET {url}: table says yes, got {status} {location}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} page answers differ from the permission table:\n" + string.Join("\n", failures.Take(60)));
    }

    // Helpers

    sealed record Operation(string Method, string Path, string Id, string? Body = null);

    sealed record Ids(Guid Patient, Guid Encounter, Guid Provider, Guid Payer);

    static IEnumerable<Operation> Operations(JsonElement doc)
    {
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
            foreach (var op in path.Value.EnumerateObject())
                if (op.Value.TryGetProperty("operationId", out var id))
                {
                    var body = op.Value.TryGetProperty("requestBody", out var rb) && rb.TryGetProperty("content", out var content)
                        ? content.EnumerateObject().Select(c => c.Name).OrderBy(c => c == "application/json" ? 0 : 1).First()
                        : null;
                    yield return new Operation(op.Name.ToUpperInvariant(), path.Name, id.GetString()!, body);
                }
    }

    static async Task<Ids> RealIds(HttpClient admin)
    {
        var encounter = await OpenedEncounter(admin);
        var providers = JsonDocument.Parse(await admin.GetStringAsync(North("providers"))).RootElement;
        var payers = JsonDocument.Parse(await admin.GetStringAsync(North("payers"))).RootElement;
        return new Ids(encounter.PatientId, encounter.Id, FirstId(providers), FirstId(payers));
    }

    static Guid FirstId(JsonElement list)
    {
        var items = list.ValueKind == JsonValueKind.Array ? list : list.GetProperty("items");
        return items.EnumerateArray().First().GetProperty("id").GetGuid();
    }

    static string Url(Operation op, Ids ids, Guid org)
    {
        var url = op.Path
            .Replace("{practiceId}", North.ToString())
            .Replace("{organizationId}", org.ToString())
            .Replace("{patientId}", ids.Patient.ToString())
            .Replace("{encounterId}", ids.Encounter.ToString())
            .Replace("{providerId}", ids.Provider.ToString())
            .Replace("{payerId}", ids.Payer.ToString())
            .Replace("{system}", "icd10cm")
            .Replace("{code}", "I10");
        return System.Text.RegularExpressions.Regex.Replace(url, "\\{[^}]+\\}", _ => Guid.NewGuid().ToString());
    }

    static string PageUrl(string template, Ids ids, Guid practice)
    {
        var url = template
            .Replace("{practiceId:guid}", practice.ToString()).Replace("{practiceId}", practice.ToString())
            .Replace("{patientId:guid}", ids.Patient.ToString())
            .Replace("{encounterId:guid}", ids.Encounter.ToString());
        url = System.Text.RegularExpressions.Regex.Replace(url, "\\{[^}]*\\?\\}", "");
        return System.Text.RegularExpressions.Regex.Replace(url, "\\{[^}]+\\}", _ => Guid.NewGuid().ToString()).TrimEnd('/') is { Length: > 0 } u ? u : "/";
    }

    static bool HasRecordId(Operation op) =>
        System.Text.RegularExpressions.Regex.Matches(op.Path, "\\{([^}]+)\\}").Any(m => m.Groups[1].Value is not ("practiceId" or "organizationId" or "system"));

    /// <summary>A practice route of North Clinic for someone who is neither North's nor engaged by it: 404 whatever the role.</summary>
    static bool ForeignToUser(DemoData.DemoUser user, string url) =>
        url.Contains($"/practices/{North}") && user.Organization != North && user.Organization != DemoData.AcmeCoding;

    /// <summary>The demo engagement of Acme by North names coding only.</summary>
    static bool FunctionOk(DemoData.DemoUser user, Permission permission, string url) =>
        user.Organization != DemoData.AcmeCoding || !url.Contains($"/practices/{North}") || permission.Function is null or EngagementFunctions.Coding;

    /// <summary>The operation with an empty body of the type it accepts: the answer must be decided before the body is read.</summary>
    static Task<HttpResponseMessage> Send(HttpClient client, Operation op, string url) => op.Method switch
    {
        "GET" => client.GetAsync(url),
        "DELETE" => client.DeleteAsync(url),
        _ => client.SendAsync(new HttpRequestMessage(new HttpMethod(op.Method), url)
        {
            Content = op.Body switch
            {
                "multipart/form-data" => new MultipartFormDataContent { { new StringContent("x"), "unused" } },
                null or "application/json" => new StringContent("{}", Encoding.UTF8, "application/json"),
                var other => new StringContent("", Encoding.UTF8, other),
            },
        }),
    };
}
