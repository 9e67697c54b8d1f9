using System.Diagnostics;
using System.Text.Json;
using JasperFx.Events;
using Marten;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Web.Platform.Reactions;

namespace Portal.Tests.ScaleOut;

/// <summary>
/// Issue 15, item 8: two Portal processes against one PostgreSQL serve the same users, and the reactions run on one node at a
/// time (Marten's HotCold: one leader per shard, shards spread over the nodes) and move to the other when that node is killed, with nothing lost and nothing done twice (docs/deployment.md, section 3).
/// </summary>
[TestCaseOrderer(typeof(KillsANodeLast))]
public class TwoNodes(PortalNodes nodes) : IClassFixture<PortalNodes>
{
    const string ClaimDrafts = "claims.draft-on-approval";
    const string Shard = ClaimDrafts + ":All";
    static readonly string North = DemoData.NorthClinic.ToString();

    IDocumentStore Store => nodes.Control.Services.GetRequiredService<IDocumentStore>();

    [Fact]
    public async Task a_user_signs_in_on_one_node_and_carries_on_at_the_other_and_an_apps_token_works_on_both()
    {
        await nodes.BothRunning();
        var (a, b) = (nodes.Nodes[0], nodes.Nodes[1]);
        var cookies = new CookieContainer(); // cookies are per host, not per port: both nodes see the same ones, as behind a balancer
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies };
        using var atA = a.Client(handler);
        using var atB = b.Client(handler);

        // The sign-in form from node A is posted to node B: B accepts A's antiforgery token (shared Data Protection keys).
        var form = await atA.GetStringAsync("/account/sign-in");
        var signedIn = await atB.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = Users.NorthAdmin, ["Password"] = DemoData.Password, ["ReturnUrl"] = "/",
            ["__RequestVerificationToken"] = PortalApp.AntiforgeryToken(form),
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/", signedIn.Headers.Location!.OriginalString);

        // Node B issued the sign-in cookie; node A reads it and finds the server-side session in the shared database.
        var home = await atA.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("North Clinic", await home.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await atB.GetAsync("/")).StatusCode);

        // Signing out on node A (with node B's form) ends the session on node B too: a copy of the cookie no longer works there.
        var copied = cookies.GetCookieHeader(b.BaseAddress);
        var signOutForm = await atB.GetStringAsync("/account/sign-out");
        var signedOut = await atA.PostAsync("/account/sign-out", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalApp.AntiforgeryToken(signOutForm),
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        using var replay = b.Client();
        using var withCopy = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "Cookie", copied } } };
        var afterSignOut = await replay.SendAsync(withCopy);
        Assert.Equal(HttpStatusCode.Redirect, afterSignOut.StatusCode);
        Assert.Contains("/account/sign-in", afterSignOut.Headers.Location!.OriginalString);

        // A token from node A's token endpoint is valid at node B: same signing certificate, same issuer (Portal:PublicUrl).
        var client = DemoData.Clients.Single(c => c.ClientId == "north-app");
        using var anonymous = a.Client();
        var token = await anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = client.ClientId, ["client_secret"] = client.Secret, ["scope"] = "practice.read",
        }));
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        using var app = b.Client();
        app.DefaultRequestHeaders.Authorization = new("Bearer",
            JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString());
        var practices = await app.GetAsync("/api/v1/practices");
        Assert.Equal(HttpStatusCode.OK, practices.StatusCode);
        Assert.Contains(North, await practices.Content.ReadAsStringAsync());
        using var discovery = b.Client();
        Assert.Equal(PortalNodes.PublicUrl, JsonDocument.Parse(await discovery.GetStringAsync("/.well-known/openid-configuration"))
            .RootElement.GetProperty("issuer").GetString());
    }

    [Fact, KillsANode]
    public async Task when_the_leader_is_killed_mid_work_the_other_node_takes_over_the_reactions_and_every_claim_is_drafted_once()
    {
        await nodes.BothRunning();
        // Marten's HotCold elects a leader per shard: the claim-draft reaction runs on exactly one of the two nodes.
        var leader = await nodes.RunnerOfAsync(Shard, TimeSpan.FromSeconds(60));
        var standby = nodes.Nodes.Single(n => n != leader);
        Assert.DoesNotContain(Shard, await standby.ShardsAsync());

        // Work for the leader: approved charts, each of which the claim-draft reaction turns into a claim stream.
        const int first = 240, second = 60;
        var encounters = await ApprovedCharts(first);
        var handled = await WaitFor(() => Receipts(), n => n >= 10, TimeSpan.FromSeconds(90), "the leader to start drafting claims");

        var leadersShards = await leader.ShardsAsync();
        leader.Kill();
        var sinceKill = Stopwatch.StartNew();
        var atKill = await Receipts();
        Assert.True(atKill < first, $"The leader finished all {first} claims before it was killed ({handled} → {atKill}); the test proved nothing.");
        // More work while no node leads: appended to the event store, it waits there for the next leader.
        encounters.AddRange(await ApprovedCharts(second));

        var took = Stopwatch.StartNew();
        Assert.Same(standby, await nodes.RunnerOfAsync(Shard, TimeSpan.FromSeconds(60), standby));
        // The dead leader's lock connection sits idle, so PostgreSQL frees its locks as soon as the killed process's sockets close
        // (ADR 0048; in ADR 0043's time they sat in pg_sleep and waited for the connection check interval).
        Assert.True(sinceKill.Elapsed < TimeSpan.FromSeconds(20), $"The survivor took the shard {sinceKill.Elapsed} after the kill.");
        await WaitFor(async () => (await nodes.Control.Services.GetRequiredService<ReactionMonitor>().LagAsync())
            .Single(l => l.Reaction == ClaimDrafts).Behind, behind => behind == 0, TimeSpan.FromSeconds(120), "the new leader to catch up");

        // Every shard the dead node ran (reactions and async projections alike) now runs on the survivor.
        await WaitFor(async () => leadersShards.Except(await standby.ShardsAsync()).ToArray(), missing => missing.Length == 0,
            TimeSpan.FromSeconds(60), "the survivor to run every shard of the dead node");

        // Nothing lost, nothing twice: one receipt per approval, one claim stream per encounter, no dead letter.
        Assert.Equal(first + second, await Receipts());
        await using var query = Store.QuerySession(North);
        var created = await query.Events.QueryRawEventDataOnly<ClaimCreated>().ToListAsync();
        Assert.Equal(encounters.Order(), created.Select(c => c.EncounterId).Order());
        var claims = await query.Query<ClaimView>().ToListAsync();
        Assert.Equal(encounters.Count, claims.Count);
        Assert.Equal(0, await query.Query<ReactionDeadLetter>().Where(d => d.AnyTenant()).CountAsync());
        Assert.Equal(0, await query.Query<ClaimNotDrafted>().CountAsync());
        Assert.True(took.Elapsed < TimeSpan.FromSeconds(150), $"Failover and catch-up took {took.Elapsed}.");
    }

    /// <summary>
    /// ADR 0048: a leading node holds its shards' locks and nothing else: no transaction, no snapshot. Dead rows made while it
    /// leads are removable at once (Marten's lock monitor kept a pg_sleep running on each lock's connection, and before that the
    /// locks were transaction-scoped: vacuum could remove nothing newer than the lock's statement, and the coding queue's index
    /// grew a dead head that every pull walked).
    /// </summary>
    [Fact]
    public async Task a_leading_node_does_not_keep_vacuum_from_removing_dead_rows()
    {
        await nodes.BothRunning();
        await nodes.RunnerOfAsync(Shard, TimeSpan.FromSeconds(60));
        await using var conn = new NpgsqlConnection(nodes.ConnectionString);
        await conn.OpenAsync();
        Assert.True(await Scalar<long>(conn, "select count(*) from pg_locks where locktype = 'advisory' and granted") > 0, "No node holds a leadership lock.");

        foreach (var sql in new[] { "drop table if exists vacuum_probe", "create table vacuum_probe (id int primary key, n int)", "insert into vacuum_probe values (1, 0)" })
            await Execute(conn, sql);
        for (var i = 0; i < 50; i++) await Execute(conn, "update vacuum_probe set n = n + 1");
        var notices = new List<string>();
        conn.Notice += (_, e) => notices.Add(e.Notice.MessageText);
        await Execute(conn, "vacuum (verbose) vacuum_probe");
        var tuples = notices.SelectMany(n => n.Split('\n')).Single(l => l.Contains("are dead but not yet removable"));
        var holders = await Scalar<string>(conn, "select coalesce(string_agg(format('%s %s xmin=%s since %s: %s', application_name, state, " +
            "backend_xmin, now() - xact_start, left(query, 60)), '; '), 'none') from pg_stat_activity where datname = current_database() " +
            "and backend_xmin is not null and pid <> pg_backend_pid()");
        Assert.True(tuples.Contains(" 0 are dead but not yet removable"), $"{tuples}; snapshots held by: {holders}");
    }

    /// <summary>
    /// ADR 0048: a lock lost with its connection (here terminated by hand; in life a PostgreSQL restart, a fail-over, a cut
    /// network) is noticed by the node that held it (LeadershipWatch), which stops and takes back only what it can lock again:
    /// each shard runs on exactly one node again within seconds, not on both for ever.
    /// </summary>
    [Fact]
    public async Task a_node_that_loses_its_lock_connection_stops_the_shards_the_other_node_takes()
    {
        await nodes.BothRunning();
        var leader = await nodes.RunnerOfAsync(Shard, TimeSpan.FromSeconds(60));
        var restartsBefore = await leader.LockLossRestartsAsync();
        await using var conn = new NpgsqlConnection(nodes.ConnectionString);
        await conn.OpenAsync();
        var terminated = await Scalar<long>(conn, "select count(pg_terminate_backend(l.pid)) from pg_locks l join pg_stat_activity a on a.pid = l.pid " +
            $"where l.locktype = 'advisory' and l.granted and a.datname = current_database() and a.application_name like '{leader.ApplicationName}/%'");
        Assert.True(terminated > 0, "The leader's lock connection was not found.");

        // Within seconds: the leader noticed and restarted its daemon, and every shard runs on exactly one node, steadily.
        var since = Stopwatch.StartNew();
        await WaitFor(leader.LockLossRestartsAsync, n => n > restartsBefore, TimeSpan.FromSeconds(30), "the leader to notice its lost lock");
        var steady = 0;
        await WaitFor(async () =>
        {
            var a = await nodes.Nodes[0].ShardsAsync();
            var b = await nodes.Nodes[1].ShardsAsync();
            var once = a.Intersect(b).Count() == 0 && a.Union(b).Contains(Shard);
            steady = once ? steady + 1 : 0;
            return steady;
        }, n => n >= 6, TimeSpan.FromSeconds(30), "each shard to run on exactly one node");
        Assert.True(since.Elapsed < TimeSpan.FromSeconds(30), $"Took {since.Elapsed}.");
    }

    static async Task<T> Scalar<T>(NpgsqlConnection conn, string sql)
    {
        await using var command = new NpgsqlCommand(sql, conn);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    static async Task Execute(NpgsqlConnection conn, string sql)
    {
        await using var command = new NpgsqlCommand(sql, conn);
        await command.ExecuteNonQueryAsync();
    }

    async Task<int> Receipts()
    {
        await using var query = Store.QuerySession(North);
        return await query.Query<ReactionReceipt>().Where(r => r.Reaction == ClaimDrafts).CountAsync();
    }

    /// <summary>Approved, coded charts appended straight to the event store (as `claims bench` does), in one transaction.</summary>
    async Task<List<Guid>> ApprovedCharts(int count)
    {
        await using var session = Store.LightweightSession(North);
        var patient = await session.Query<Patient>().Where(p => p.Coverages.Length > 0).FirstAsync();
        var provider = await session.Query<Provider>().FirstAsync();
        var coder = new Coder(Guid.CreateVersion7(), "two nodes", null);
        var now = DateTimeOffset.UtcNow;
        var dos = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-1);
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var id = Guid.CreateVersion7();
            session.Events.StartStream<Encounter>(id,
                new EncounterOpened(id, patient.Id, patient.Name, patient.Mrn, provider.Id, provider.Name, provider.Id, provider.Name, dos, "11",
                    patient.Coverages[0].Id, patient.Coverages[0].PayerName, "Failover visit.", "test", "two nodes", now),
                new ChartQueued(id, 0, now.AddHours(48), 48, "two nodes", now),
                new ChartAssigned(id, coder, true, null, "two nodes", now),
                new DiagnosesCoded(id, [new CodedDiagnosis(1, "I10", "")], [], null, "two nodes", now),
                new ServiceLinesCoded(id, [new ServiceLine(1, "99213", "", [], 1, 125m, [1])], [], null, "two nodes", now),
                new ChartSubmitted(id, coder.Id, false, "test", "two nodes", now),
                new ChartApproved(id, coder.Id, "test", "two nodes", now));
            ids.Add(id);
        }
        await session.SaveChangesAsync();
        return ids;
    }

    static async Task<T> WaitFor<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > until) throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}; last value {value}.");
            await Task.Delay(50);
        }
    }
}

/// <summary>Marks a test that leaves a node dead: <see cref="KillsANodeLast"/> runs it after the others of its class.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class KillsANodeAttribute : Attribute;

/// <summary>
/// Runs the tests that kill a node after the others, so no test waits for the killed node to start again (a Portal.Web process's
/// start is ~10 s of CPU on the suite's two cores); the rest keep a fixed order, by name.
/// </summary>
public sealed class KillsANodeLast : Xunit.v3.ITestCaseOrderer
{
    public IReadOnlyCollection<TTestCase> OrderTestCases<TTestCase>(IReadOnlyCollection<TTestCase> testCases) where TTestCase : notnull, Xunit.Sdk.ITestCase =>
        [.. testCases.OrderBy(t => t is Xunit.v3.IXunitTestCase x && x.TestMethod.Method.IsDefined(typeof(KillsANodeAttribute), false))
            .ThenBy(t => t.TestCaseDisplayName, StringComparer.Ordinal)];
}
