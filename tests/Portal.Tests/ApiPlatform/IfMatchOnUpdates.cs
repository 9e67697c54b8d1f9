using System.Text.Json;
using Portal.Web.Features.Intake;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.ApiPlatform;

public class IfMatchOnUpdates(PortalApp app) : PortalTest(app)
{
    /// <summary>
    /// Updates that do not honour If-Match yet: a code-set import (content-hashed; the code-set feature's). Settings, fees,
    /// users, invitations, organization security and vendor coder assignment honour it now (IfMatchPerOperation proves each).
    /// This list may only shrink.
    /// </summary>
    static readonly HashSet<string> NotYet = ["ImportCodeSet"];

    /// <summary>POSTs that change nothing (dry runs): nothing to replay, nothing to be stale.</summary>
    static readonly HashSet<string> ReadOnly = ["CheckCodes", "CheckClaim"];

    /// <summary>
    /// POSTs whose repeat the state they create refuses: a practice moving, or already in the database asked for, answers 409, so a
    /// retried request never moves it twice (ScaleOut/SeveralDatabases proves it).
    /// </summary>
    static readonly HashSet<string> RepeatRefusedByState = ["MovePractice"];

    [Fact]
    public async Task every_write_documents_either_an_idempotency_key_or_if_match()
    {
        using var http = App.Anonymous();
        var doc = JsonDocument.Parse(await http.GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var missing = new List<string>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        foreach (var op in path.Value.EnumerateObject().Where(o => o.Name is "put" or "post" or "patch"))
        {
            var id = op.Value.GetProperty("operationId").GetString()!;
            var headers = op.Value.TryGetProperty("parameters", out var p)
                ? p.EnumerateArray().Where(x => x.GetProperty("in").GetString() == "header").Select(x => x.GetProperty("name").GetString()).ToList()
                : [];
            var documented = headers.Contains("If-Match") || headers.Contains("Idempotency-Key");
            if (ReadOnly.Contains(id) || RepeatRefusedByState.Contains(id)) continue;
            if (!documented && !NotYet.Contains(id)) missing.Add($"{op.Name.ToUpperInvariant()} {path.Name} ({id})");
            Assert.False(documented && NotYet.Contains(id), $"{id} is documented now: take it off the NotYet list.");
        }
        Assert.True(missing.Count == 0, "Writes without If-Match or Idempotency-Key: " + string.Join(", ", missing));
    }

    /// <summary>
    /// Issue 15 item 2: every PUT, PATCH and DELETE changes a resource the caller read, so each takes If-Match (the document lists the
    /// header, from <c>.HonoursIfMatch()</c>) and says it may answer 412. A new update without it fails here.
    /// </summary>
    [Fact]
    public async Task every_put_patch_and_delete_takes_if_match_and_documents_412()
    {
        using var http = App.Anonymous();
        var doc = JsonDocument.Parse(await http.GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var missing = new List<string>();
        var count = 0;
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        foreach (var op in path.Value.EnumerateObject().Where(o => o.Name is "put" or "patch" or "delete"))
        {
            count++;
            var id = op.Value.GetProperty("operationId").GetString()!;
            var ifMatch = op.Value.TryGetProperty("parameters", out var p)
                && p.EnumerateArray().Any(x => x.GetProperty("in").GetString() == "header" && x.GetProperty("name").GetString() == "If-Match");
            var documents412 = op.Value.GetProperty("responses").TryGetProperty("412", out _);
            if (!ifMatch || !documents412)
                missing.Add($"{op.Name.ToUpperInvariant()} {path.Name} ({id}):{(ifMatch ? "" : " no If-Match")}{(documents412 ? "" : " no 412")}");
        }
        Assert.True(count >= 10, $"Only {count} updates found.");
        Assert.True(missing.Count == 0, "Updates without If-Match:\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task a_stale_if_match_is_refused_with_412_and_changes_nothing()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var encounter = await OpenedEncounter(admin);
        var stale = new HttpRequestMessage(HttpMethod.Put, North($"encounters/{encounter.Id}/notes"))
        {
            Content = JsonContent.Create(new ReviseVisitNotes("Changed.", "Typo fixed")),
        };
        stale.Headers.TryAddWithoutValidation("If-Match", "W/\"999\"");
        var response = await admin.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var after = await admin.GetFromJsonAsync<EncounterDetails>(North($"encounters/{encounter.Id}"));
        Assert.Equal(encounter.Version, after!.Version);
    }
}
