using System.Text.Json;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.ApiClients;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using Portal.Web.Platform;
using Portal.Web.Platform.Reactions;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Reactions;

/// <summary>Cross-feature reactions (ADR 0010): driven by the daemon from the event store, once in effect, visible on /health/ready.</summary>
public class EventReactions(PortalApp app) : PortalTest(app)
{
    const string ClaimDrafts = "claims.draft-on-approval";

    IProjectionDaemon Daemon => App.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
    IDocumentStore Store => App.Services.GetRequiredService<IDocumentStore>();

    async Task<CodingChart> ApprovedChart()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        await PracticeSettingsAre(admin, qaPercent: 0);
        var coded = await CodedChart(admin, coder);
        var submitted = await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(coded.Encounter.Id, "/submit"), null, coded.Version));
        Assert.Equal(Portal.Web.Features.Intake.EncounterStatus.Approved, submitted.Status);
        return submitted;
    }

    /// <summary>The claims of the encounter (the claim stream's snapshots) in a tenant: one, or none.</summary>
    async Task<ClaimView?> ClaimOf(Guid encounterId, string tenant)
    {
        await using var query = Store.QuerySession(tenant);
        return (await query.Query<ClaimView>().Where(c => c.EncounterId == encounterId).ToListAsync()).SingleOrDefault();
    }

    async Task<ClaimCreated> ClaimCreatedOf(Guid claimId)
    {
        await using var query = Store.QuerySession(DemoData.NorthClinic.ToString());
        return (ClaimCreated)(await query.Events.FetchStreamAsync(claimId)).First().Data;
    }

    async Task<Guid> RevokedProbeApp(string name)
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var registered = await Read<ApiClientCredentials>(await admin.PostAsJsonAsync(North("api-clients"),
            new RegisterApiClient(name, [Scopes.PracticeRead])), HttpStatusCode.Created);
        (await admin.PostAsync(North($"api-clients/{registered.Id}/revoke"), null)).EnsureSuccessStatusCode();
        return registered.Id;
    }

    async Task<int?> ProbeCount(Guid appId)
    {
        await using var query = Store.QuerySession(DemoData.NorthClinic.ToString());
        return (await query.LoadAsync<ProbeEffect>(appId))?.Count;
    }

    async Task<(HttpStatusCode Status, JsonElement Body)> Readiness()
    {
        using var http = App.Anonymous();
        var response = await http.GetAsync("/health/ready");
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    static JsonElement LagOf(JsonElement readiness, string reaction) =>
        readiness.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "reactions")
            .GetProperty("data").GetProperty(reaction);

    [Fact]
    public async Task an_approved_chart_becomes_one_scrubbed_claim_stream_in_the_practices_tenant()
    {
        var approved = await ApprovedChart();
        await App.WaitForReactionsAsync();

        var claim = await ClaimOf(approved.Encounter.Id, DemoData.NorthClinic.ToString());
        Assert.NotNull(claim);
        Assert.NotEqual(approved.Encounter.Id, claim.Id); // its own stream, not the encounter's
        Assert.Equal("chart approval", (await ClaimCreatedOf(claim.Id)).Source);
        Assert.NotNull(claim.ScrubbedAsOf);
        Assert.Equal(["I10", "E119"], claim.Diagnoses.Select(d => d.Code));
        Assert.Null(await ClaimOf(approved.Encounter.Id, DemoData.RiversidePediatrics.ToString()));
    }

    [Fact]
    public async Task a_chart_approved_by_qa_requests_its_claim_draft_too()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        var qa = await App.ClientFor(Users.NorthQa);
        await PracticeSettingsAre(admin, qaPercent: 100);
        var coded = await CodedChart(admin, coder);
        var id = coded.Encounter.Id;
        await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(id, "/submit"), null, coded.Version));
        await App.WaitForReactionsAsync();
        Assert.Null(await ClaimOf(id, DemoData.NorthClinic.ToString()));

        await Read<CodingChart>(await qa.PostAsJsonAsync(Chart(id, "/review"), new ReviewChart(null, null, null)));
        await App.WaitForReactionsAsync();

        var claim = await ClaimOf(id, DemoData.NorthClinic.ToString());
        Assert.NotNull(claim);
        Assert.Equal(ClaimState.Draft, claim.State);
    }

    [Fact]
    public async Task a_replay_by_the_daemon_changes_nothing()
    {
        var appId = await RevokedProbeApp("probe:count");
        var approved = await ApprovedChart();
        await App.WaitForReactionsAsync();
        Assert.Equal(1, await ProbeCount(appId));
        var first = await ClaimOf(approved.Encounter.Id, DemoData.NorthClinic.ToString());

        // The daemon forgets its place (as after a crash before it recorded progress) and runs every event again.
        await Daemon.RewindSubscriptionAsync(ProbeReaction.ReactionName, CancellationToken.None, sequenceFloor: 0);
        await Daemon.RewindSubscriptionAsync(ClaimDrafts, CancellationToken.None, sequenceFloor: 0);
        await App.WaitForReactionsAsync();

        Assert.Equal(1, await ProbeCount(appId));
        var again = await ClaimOf(approved.Encounter.Id, DemoData.NorthClinic.ToString()); // Single: still one claim
        Assert.Equal(first!.Id, again!.Id);
        Assert.Equal(first.Version, again.Version);

        // The same event handed to the runner twice more: the receipt makes both no-ops.
        var runner = App.Services.GetRequiredService<ReactionRunner>();
        var monitor = App.Services.GetRequiredService<ReactionMonitor>();
        await using var query = Store.QuerySession(DemoData.NorthClinic.ToString());
        var revoked = (await query.Events.FetchStreamAsync(appId)).Single(e => e.Data is ApiClientRevoked);
        var probe = monitor.Reactions.Single(r => r.Name == ProbeReaction.ReactionName);
        Assert.Equal(ReactionOutcome.AlreadyDone, await runner.RunAsync(Store, probe, revoked, CancellationToken.None));
        Assert.Equal(ReactionOutcome.AlreadyDone, await runner.RunAsync(Store, probe, revoked, CancellationToken.None));
        Assert.Equal(1, await ProbeCount(appId));
    }

    [Fact]
    public async Task an_event_written_while_the_reaction_is_down_is_handled_when_it_comes_back_and_readiness_shows_the_lag()
    {
        var coordinator = App.Services.GetRequiredService<IProjectionCoordinator>();
        await App.WaitForReactionsAsync();
        await coordinator.PauseAsync();
        CodingChart approved;
        try
        {
            approved = await ApprovedChart();
            // Nothing in memory carries the reaction: it is behind by the one approval, and readiness says so.
            await Task.Delay(300);
            Assert.Null(await ClaimOf(approved.Encounter.Id, DemoData.NorthClinic.ToString()));
            var (status, body) = await Readiness();
            Assert.Equal(HttpStatusCode.OK, status);
            var lag = LagOf(body, ClaimDrafts);
            Assert.Equal(1, lag.GetProperty("behind").GetInt64());
            Assert.True(lag.GetProperty("oldestUnhandledSeconds").GetDouble() >= 0);
            Assert.True(lag.GetProperty("highWaterMark").GetInt64() > lag.GetProperty("position").GetInt64());
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        await App.WaitForReactionsAsync();
        Assert.NotNull(await ClaimOf(approved.Encounter.Id, DemoData.NorthClinic.ToString()));
        var after = LagOf((await Readiness()).Body, ClaimDrafts);
        Assert.Equal(0, after.GetProperty("behind").GetInt64());
        Assert.Equal(0, after.GetProperty("oldestUnhandledSeconds").GetDouble());
    }

    [Fact]
    public async Task a_failing_handler_is_retried_then_parked_as_a_dead_letter_without_phi_and_the_reaction_moves_on()
    {
        ProbeReaction.Healed = false;
        var flaky = await RevokedProbeApp("probe:fail-2");
        var poisoned = await RevokedProbeApp("probe:fail-always");
        var later = await RevokedProbeApp("probe:count");
        await App.WaitForReactionsAsync();

        Assert.Equal(1, await ProbeCount(flaky));        // failed twice, third try worked
        Assert.Null(await ProbeCount(poisoned));         // all three tries failed
        Assert.Equal(1, await ProbeCount(later));        // the reaction did not stop at the poisoned event
        Assert.Equal(3, ProbeReaction.Tries[poisoned]);

        await using (var query = Store.QuerySession())
        {
            var letter = Assert.Single(await query.Query<ReactionDeadLetter>().Where(d => d.AnyTenant()).ToListAsync());
            Assert.Equal(ProbeReaction.ReactionName, letter.Reaction);
            Assert.Equal(poisoned, letter.StreamId);
            Assert.Equal(3, letter.Attempts);
            Assert.Equal("System.InvalidOperationException", letter.Error);
        }
        var (status, body) = await Readiness();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", body.GetProperty("status").GetString());
        Assert.Equal(1, LagOf(body, ProbeReaction.ReactionName).GetProperty("deadLetters").GetInt64());
        Assert.DoesNotContain("Jane", body.GetRawText());

        // The cause is fixed; the operator retries the parked event and readiness recovers.
        ProbeReaction.Healed = true;
        var monitor = App.Services.GetRequiredService<ReactionMonitor>();
        Assert.Equal(1, await monitor.RetryDeadLettersAsync(ProbeReaction.ReactionName, App.Services.GetRequiredService<ReactionRunner>()));
        Assert.Equal(1, await ProbeCount(poisoned));
        Assert.Equal("Healthy", (await Readiness()).Body.GetProperty("status").GetString());
    }
}
