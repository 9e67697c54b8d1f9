using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Payments;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;
using Portal.Web.Platform.Reactions;
using Portal.Tests.Payments;

namespace Portal.Tests.ScaleOut;

/// <summary>
/// A Portal of its own (not the shared fixture) over two databases of the embedded cluster (ADR 0031): the common one
/// (<c>portal_multi_main</c>: identity, organisations, code sets, the placement map, and every practice not placed elsewhere) and
/// <c>second</c> (<c>portal_multi_second</c>). Both are dropped and created afresh for each run. The daemon runs (Solo), one per
/// database.
/// </summary>
public sealed class SeveralDatabasesPortal : WebApplicationFactory<Program>, IAsyncLifetime
{
    readonly ConcurrentDictionary<string, string> tokens = new();
    public string MainConnectionString { get; }
    public string SecondConnectionString { get; }

    public SeveralDatabasesPortal()
    {
        var any = new NpgsqlConnectionStringBuilder(EmbeddedPostgres.EnsureStarted("portal_tests"));
        foreach (var name in new[] { "portal_multi_main", "portal_multi_second" })
        {
            using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(any.ConnectionString) { Database = "postgres" }.ConnectionString);
            admin.Open();
            using var drop = new NpgsqlCommand($"drop database if exists {name} with (force)", admin);
            drop.ExecuteNonQuery();
        }
        MainConnectionString = EmbeddedPostgres.EnsureStarted("portal_multi_main");
        SecondConnectionString = EmbeddedPostgres.EnsureStarted("portal_multi_second");
        UseKestrel(0); // a real server, so the browser test of the move form can reach it
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Portal", MainConnectionString);
        builder.UseSetting("Portal:Databases:second", SecondConnectionString);
        builder.UseSetting("Portal:DatabaseMapRefresh", "00:00:00.200");
        builder.UseSetting("Portal:SeedDemoData", "true");
        builder.UseSetting("Portal:DaemonIdlePolling", "00:00:00.100");
        builder.UseSetting("Portal:DaemonGapWait", "00:00:00.500");
        builder.UseSetting("Portal:RateLimits:SignIn:PermitLimit", "100");
        builder.UseSetting("Portal:RateLimits:Token:PermitLimit", "100");
        builder.UseSetting("Portal:RateLimits:PerAddress:PermitLimit", "100000");
        builder.UseSetting("Portal:Submission:InboxPollInterval", "00:00:00");
    }

    public ValueTask InitializeAsync()
    {
        StartServer(); // schema in both databases, demo data in the common one
        BaseAddress = ClientOptions.BaseAddress;
        return ValueTask.CompletedTask;
    }

    public Uri BaseAddress { get; private set; } = default!;

    public TenantDatabases Databases => Services.GetRequiredService<TenantDatabases>();

    /// <summary>A client with its own cookies that does not follow redirects (the server is a real Kestrel one).</summary>
    public HttpClient Browser() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = BaseAddress };

    /// <summary>A client without cookies that does not follow redirects.</summary>
    public HttpClient Plain() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseAddress };

    public async Task<HttpClient> AppClient(string clientId)
    {
        var app = DemoData.Clients.Single(c => c.ClientId == clientId);
        var token = await Cached("app:" + clientId, async () =>
        {
            using var http = Plain();
            return await AccessToken(await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = app.Secret,
                ["scope"] = string.Join(' ', app.Scopes),
            })));
        });
        return Bearer(token);
    }

    /// <summary>A demo user's token from the authorization code + PKCE flow of this host (the platform admin signs in with TOTP).</summary>
    public async Task<HttpClient> ClientFor(string email)
    {
        var token = await Cached("user:" + email, async () =>
        {
            using var http = Browser();
            var verifier = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var challenge = Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            const string redirect = "http://127.0.0.1/callback";
            var authorize = "/connect/authorize?" + string.Join('&', new Dictionary<string, string>
            {
                ["client_id"] = "portal-swagger", ["response_type"] = "code", ["redirect_uri"] = redirect,
                ["scope"] = string.Join(' ', Scopes.All.Select(s => s.Name)), ["code_challenge"] = challenge,
                ["code_challenge_method"] = "S256", ["state"] = "test",
            }.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}"));
            await PortalApp.SignIn(http, email, DemoData.Password, email == Users.PlatformAdmin ? DemoData.OpsTotpSecret : null, authorize);
            var location = (await http.GetAsync(authorize)).Headers.Location?.ToString() ?? throw new InvalidOperationException("No code.");
            var code = Regex.Match(location, "[?&]code=([^&]+)").Groups[1].Value;
            return await AccessToken(await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code", ["client_id"] = "portal-swagger", ["code"] = Uri.UnescapeDataString(code),
                ["redirect_uri"] = redirect, ["code_verifier"] = verifier,
            })));
        });
        return Bearer(token);
    }

    public async Task<HttpClient> SignedInBrowser(string email)
    {
        var http = Browser();
        await PortalApp.SignIn(http, email, DemoData.Password, email == Users.PlatformAdmin ? DemoData.OpsTotpSecret : null);
        return http;
    }

    HttpClient Bearer(string token)
    {
        var http = Plain();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    async Task<string> Cached(string key, Func<Task<string>> create)
    {
        if (tokens.TryGetValue(key, out var token)) return token;
        return tokens[key] = await create();
    }

    static async Task<string> AccessToken(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Token request failed: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>Until every reaction has handled every event of its types in every database.</summary>
    public async Task WaitForReactionsAsync()
    {
        var monitor = Services.GetRequiredService<ReactionMonitor>();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await monitor.LagAsync()).Any(l => l.Behind > 0))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("Reactions still behind.");
            await Task.Delay(50);
        }
    }

    /// <summary>The practice's rows per table in one database (tables with none left out).</summary>
    public async Task<Dictionary<string, long>> Rows(string database, Guid practice) =>
        (await PracticeMove.CountAsync(Databases.Named(database), practice.ToString(), default)).Where(kv => kv.Value > 0)
        .ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Puts the practice back in <paramref name="database"/> (tests share this host and may find it moved).</summary>
    public async Task EnsureIn(Guid practice, string database)
    {
        await Databases.ReloadAsync(default);
        if (Databases.DatabaseOf(practice.ToString()) != database)
            await Services.GetRequiredService<PracticeMove>().MoveAsync(practice, database, default);
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await base.DisposeAsync();
}

public sealed partial class SeveralDatabases(SeveralDatabasesPortal app, Browser.BrowserFixture browser) : IClassFixture<SeveralDatabasesPortal>
{
    static readonly Guid North = DemoData.NorthClinic, Riverside = DemoData.RiversidePediatrics;
    static string Api(Guid practice, string path) => $"/api/v1/practices/{practice}/{path}";

    /// <summary>A submitted claim of North Clinic (its claim stream's first events), as the payments tests make them.</summary>
    async Task<Guid> SubmittedClaim(string pcn, params (string Code, decimal Charge)[] lines)
    {
        var store = app.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.LightweightSession(North.ToString());
        var id = Guid.CreateVersion7();
        var dos = PaymentsGiven.Dos;
        var at = new DateTimeOffset(dos.AddDays(2).ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
        var provider = new ClaimProviderRef(Guid.NewGuid(), "North Clinic", PaymentsGiven.Npi, "207Q00000X");
        session.Events.StartStream<ClaimView>(id,
            new ClaimCreated(id, Guid.NewGuid(), Guid.NewGuid(), "Pat " + pcn, "MRN-" + pcn, pcn,
                new ClaimCoverage(Guid.NewGuid(), PaymentsGiven.AcmePayer, "Acme Health Plan", "ACME01", "M" + pcn, "Pat " + pcn, "18", null, "P"),
                provider, provider, null, dos, "11", null, [new ClaimDiagnosis(1, "I10")],
                [.. lines.Select((l, i) => new ClaimLine(i + 1, l.Code, [], 1, l.Charge, [1], dos))], "1", null, null, "test", "test", at),
            new ClaimBatched(id, Guid.NewGuid(), "000000001", "1", "0001", "test", at));
        await session.SaveChangesAsync();
        return id;
    }

    async Task<Patient> Register(HttpClient client, Guid practice, string mrn)
    {
        var response = await client.PostAsJsonAsync(Api(practice, "patients"),
            new RegisterPatient(mrn, "Test", "Patient " + mrn, new DateOnly(1980, 1, 2), Sex.Female));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<Patient>(PaymentsGiven.Json))!;
    }

    async Task<string> Snapshot(HttpClient biller, HttpClient northApp, Guid[] claims)
    {
        var parts = new List<string>();
        foreach (var c in claims) parts.Add(await biller.GetStringAsync(Api(North, $"ar/ledger?account=claim&id={c}")));
        parts.Add(await biller.GetStringAsync(Api(North, "ar/aging?asOf=2026-06-30")));
        parts.Add(await biller.GetStringAsync(Api(North, $"ar/ledger?account=payer&id={PaymentsGiven.AcmePayer}")));
        parts.Add(await northApp.GetStringAsync(Api(North, "patients?pageSize=200")));
        return string.Join("\n", parts);
    }

    [Fact]
    public async Task two_practices_in_two_databases_see_only_their_own_data_and_a_move_keeps_every_event_and_total()
    {
        await app.EnsureIn(North, TenantDatabases.Main);
        await app.EnsureIn(Riverside, TenantDatabases.Main);
        var northApp = await app.AppClient("north-app");
        var riversideApp = await app.AppClient("riverside-app");
        var biller = await app.ClientFor(Users.NorthBiller);
        var patient = await Register(northApp, North, "MV-" + Guid.NewGuid().ToString("N")[..8]);
        var pcn = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        Guid[] claims = [await SubmittedClaim("A" + pcn, ("99213", 150), ("17110", 200)), await SubmittedClaim("B" + pcn, ("99214", 200))];
        await PaymentsGiven.Import(biller, new Remit("EFT-" + pcn,
        [
            new Clp("A" + pcn, "1", [Svc.Of("99213", 150, new Cas("CO", "45", 50), new Cas("PR", "3", 20)), Svc.Of("17110", 200, new Cas("CO", "45", 80))]),
            new Clp("B" + pcn, "4", [new Svc("99214", 200, [new Cas("CO", "197", 200)], ["M62"])]),
        ]));
        await app.WaitForReactionsAsync();
        var before = await Snapshot(biller, northApp, claims);
        var rowsBefore = await app.Rows(TenantDatabases.Main, North);
        Assert.True(rowsBefore["mt_events"] > 0 && rowsBefore["payment_ledger"] > 0);

        var output = new StringWriter();
        var exit = await PracticesCommand.RunAsync(app.Services, ["practices", "move", North.ToString(), "--to", "second"], output);

        Assert.True(exit == 0, output.ToString());
        Assert.Equal("second", app.Databases.DatabaseOf(North.ToString()));
        Assert.Empty(await app.Rows(TenantDatabases.Main, North));
        var rowsAfter = await app.Rows("second", North);
        foreach (var (table, rows) in rowsBefore.Where(kv => kv.Key != "mt_doc_patientledger"))
            Assert.True(rowsAfter.GetValueOrDefault(table) == rows, $"{table}: {rows} before, {rowsAfter.GetValueOrDefault(table)} after");
        await app.WaitForReactionsAsync();
        Assert.Equal(before, await Snapshot(biller, northApp, claims));
        // The async patient ledgers are rebuilt by the second database's daemon from the moved events.
        var until = DateTime.UtcNow.AddSeconds(20);
        while ((await app.Rows("second", North)).GetValueOrDefault("mt_doc_patientledger") != rowsBefore.GetValueOrDefault("mt_doc_patientledger")
               && DateTime.UtcNow < until)
            await Task.Delay(100);
        Assert.Equal(rowsBefore.GetValueOrDefault("mt_doc_patientledger"), (await app.Rows("second", North)).GetValueOrDefault("mt_doc_patientledger"));

        // Each practice sees its own data only, and a foreign practice's ids are 404 as ever.
        Assert.Equal(HttpStatusCode.OK, (await northApp.GetAsync(Api(North, $"patients/{patient.Id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riversideApp.GetAsync(Api(North, $"patients/{patient.Id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await riversideApp.GetAsync(Api(Riverside, $"patients/{patient.Id}"))).StatusCode);
        var riversidePatient = await Register(riversideApp, Riverside, "RV-" + pcn);
        Assert.Equal(HttpStatusCode.NotFound, (await northApp.GetAsync(Api(North, $"patients/{riversidePatient.Id}"))).StatusCode);
        Assert.Equal(TenantDatabases.Main, app.Databases.DatabaseOf(Riverside.ToString()));
        Assert.Empty(await app.Rows("second", Riverside));

        // New writes of the moved practice land in its new database.
        var streams = (await app.Rows("second", North))["mt_streams"];
        await Register(northApp, North, "MV2-" + pcn);
        Assert.Equal(streams + 1, (await app.Rows("second", North))["mt_streams"]);
        Assert.False((await app.Rows(TenantDatabases.Main, North)).ContainsKey("mt_streams"));
    }

    [Fact]
    public async Task a_move_that_fails_midway_leaves_the_practice_whole_where_it_was_and_writable()
    {
        await app.EnsureIn(North, TenantDatabases.Main);
        var northApp = await app.AppClient("north-app");
        await Register(northApp, North, "FAIL-" + Guid.NewGuid().ToString("N")[..8]);
        await app.WaitForReactionsAsync();
        var rowsBefore = await app.Rows(TenantDatabases.Main, North);
        var move = app.Services.GetRequiredService<PracticeMove>();
        HttpStatusCode? writeDuringMove = null, readDuringMove = null, phiReadDuringMove = null;
        move.AfterTableCopied = async table =>
        {
            if (table != "mt_streams") return;
            // While the copy runs, the practice answers reads from its source and refuses writes, and PHI reads (their audit entry
            // would be written into the database it is leaving).
            writeDuringMove = (await northApp.PostAsJsonAsync(Api(North, "patients"),
                new RegisterPatient("NO-" + Guid.NewGuid().ToString("N")[..8], "No", "Write", new DateOnly(1980, 1, 2), Sex.Female))).StatusCode;
            readDuringMove = (await northApp.GetAsync(Api(North, "engagements"))).StatusCode;
            phiReadDuringMove = (await northApp.GetAsync(Api(North, "patients"))).StatusCode;
            throw new InvalidOperationException("injected: the target went away after copying the streams");
        };
        try
        {
            var output = new StringWriter();
            var exit = await PracticesCommand.RunAsync(app.Services, ["practices", "move", North.ToString(), "--to", "second"], output);
            Assert.True(exit == 1, output.ToString());
            Assert.Contains("injected", output.ToString());
        }
        finally { move.AfterTableCopied = null; }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, writeDuringMove);
        Assert.Equal(HttpStatusCode.OK, readDuringMove);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, phiReadDuringMove);
        Assert.Equal(TenantDatabases.Main, app.Databases.DatabaseOf(North.ToString()));
        Assert.False(app.Databases.IsMoving(North.ToString()));
        Assert.Empty(await app.Rows("second", North));
        Assert.Equal(rowsBefore, await app.Rows(TenantDatabases.Main, North));
        await Register(northApp, North, "AFTER-" + Guid.NewGuid().ToString("N")[..8]);
    }

    /// <summary>
    /// A vendor coder working practices in two databases gets the best queued chart of all of them (highest priority, then
    /// earliest due), not the best of whichever database is asked first.
    /// </summary>
    [Fact]
    public async Task next_chart_across_two_databases_is_the_best_of_both_not_the_first_databases()
    {
        await app.EnsureIn(North, "second");
        Assert.Equal(TenantDatabases.Main, app.Databases.DatabaseOf(Riverside.ToString()));
        var northAdmin = await app.ClientFor(Users.NorthAdmin);
        var riversideAdmin = await app.ClientFor(Users.RiversideAdmin);
        var vendor = await app.ClientFor(Users.VendorCoder);
        var engaged = await riversideAdmin.PostAsJsonAsync(Api(Riverside, "engagements"), new GrantEngagement(DemoData.AcmeCoding, ["coding"]));
        Assert.True(engaged.IsSuccessStatusCode || engaged.StatusCode == HttpStatusCode.Conflict, await engaged.Content.ReadAsStringAsync());

        // A routine chart in the main database, an urgent one in the second.
        var riversideEncounter = await Coding.CodingGiven.Read<EncounterDetails>(await riversideAdmin.PostAsJsonAsync(Api(Riverside, "encounters"),
            await DemoVisit(riversideAdmin, Riverside, new DateOnly(2026, 3, 3), "Well-child visit.")), HttpStatusCode.Created);
        (await riversideAdmin.PostAsJsonAsync(Api(Riverside, $"encounters/{riversideEncounter.Id}/coding/queue"), new SendToCoding(1)))
            .EnsureSuccessStatusCode();
        var urgent = await Coding.CodingGiven.QueuedChart(northAdmin, priority: 9);

        // The combined queue (both databases, highest priority first) is the order the pulls must follow; the other tests of this
        // class may have left charts queued.
        var queued = (await vendor.GetItemsAsync<CodingQueueItem>("/api/v1/vendor/queue?status=Queued&sort=priority&limit=200", PaymentsGiven.Json))!;
        Assert.Equal(North, queued[0].PracticeId);
        Assert.Contains(queued, i => i.EncounterId == urgent.Encounter.Id);
        Assert.Contains(queued, i => i.EncounterId == riversideEncounter.Id);
        foreach (var expected in queued.Take(queued.FindIndex(i => i.EncounterId == riversideEncounter.Id) + 1))
        {
            var pulled = await Coding.CodingGiven.Pull(vendor, "/api/v1/vendor/queue/next");
            Assert.Equal((expected.PracticeId, expected.EncounterId), (pulled!.PracticeId, pulled.Chart.Encounter.Id));
        }
    }

    /// <summary>A new visit of one of the practice's demo patients with a coverage, and its first demo provider.</summary>
    static async Task<OpenEncounter> DemoVisit(HttpClient admin, Guid practice, DateOnly dateOfService, string note)
    {
        var patients = await admin.GetItemsAsync<Patient>(Api(practice, "patients"), PaymentsGiven.Json);
        var patient = patients!.First(p => p.Coverages.Length > 0);
        var provider = (await admin.GetItemsAsync<Provider>(Api(practice, "providers"), PaymentsGiven.Json))!.First();
        return new OpenEncounter(patient.Id, provider.Id, dateOfService, "11", null, patient.Coverages[0].Id, note);
    }

    /// <summary>
    /// The operator moves a practice over the API (202 and a job to follow) and back through the organisations page, and the
    /// refusals are ProblemDetails: unknown organisation 404, a vendor or an unknown database 422, the database it is in 409.
    /// </summary>
    [Fact]
    public async Task the_operator_moves_a_practice_over_the_api_and_the_page_and_follows_its_progress()
    {
        await app.EnsureIn(Riverside, TenantDatabases.Main);
        var ops = await app.ClientFor(Users.PlatformAdmin);
        static string Move(Guid id) => $"/api/v1/platform/organizations/{id}/move";
        Assert.Equal(HttpStatusCode.NotFound, (await ops.PostAsJsonAsync(Move(Guid.NewGuid()), new MovePractice("second"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await ops.PostAsJsonAsync(Move(DemoData.AcmeCoding), new MovePractice("second"))).StatusCode);
        var unknown = await ops.PostAsJsonAsync(Move(Riverside), new MovePractice("nowhere"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Contains("\"database\"", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, (await ops.PostAsJsonAsync(Move(Riverside), new MovePractice(TenantDatabases.Main))).StatusCode);

        var started = await ops.PostAsJsonAsync(Move(Riverside), new MovePractice("second"));
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var location = started.Headers.Location!.ToString();
        // Asked again while it runs (or just after it ended): 409 either way, and no second move.
        Assert.Equal(HttpStatusCode.Conflict, (await ops.PostAsJsonAsync(Move(Riverside), new MovePractice("second"))).StatusCode);
        var job = await Until(ops, location);
        Assert.True(job.Status == PracticeMoveStatus.Done, job.Error);
        Assert.Equal((TenantDatabases.Main, "second"), (job.From, job.To));
        Assert.True(job.Events > 0 && job.Tables > 0 && job.TablesDone == job.Tables);
        Assert.Equal("second", app.Databases.DatabaseOf(Riverside.ToString()));
        Assert.Empty(await app.Rows(TenantDatabases.Main, Riverside));
        var listed = await ops.GetItemsAsync<PracticeMoveJob>("/api/v1/platform/practice-moves", PaymentsGiven.Json);
        Assert.Equal(job.Id, listed![0].Id);
        var riversideApp = await app.AppClient("riverside-app");
        Assert.Equal(HttpStatusCode.OK, (await riversideApp.GetAsync(Api(Riverside, "patients"))).StatusCode);

        // Back through the page: the practice's row offers the other database; the moves table follows the move.
        var browser = await app.SignedInBrowser(Users.PlatformAdmin);
        var page = await browser.GetStringAsync("/platform/organizations");
        Assert.Contains($"id=\"move-{Riverside}\"", page);
        Assert.Contains("Database moves", page);
        var posted = await browser.PostAsync($"/platform/organizations?handler=Move&organizationId={Riverside}", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["database"] = TenantDatabases.Main, ["__RequestVerificationToken"] = PortalApp.AntiforgeryToken(page) }));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Contains("is%20moving", posted.Headers.Location!.ToString());
        var back = (await ops.GetItemsAsync<PracticeMoveJob>("/api/v1/platform/practice-moves", PaymentsGiven.Json))![0];
        Assert.Equal("second", back.From);
        Assert.Equal(PracticeMoveStatus.Done, (await Until(ops, $"/api/v1/platform/practice-moves/{back.Id}")).Status);
        Assert.Equal(TenantDatabases.Main, app.Databases.DatabaseOf(Riverside.ToString()));
        var partial = await browser.GetStringAsync("/platform/organizations?handler=Moves");
        Assert.Contains($"id=\"move-{back.Id}\"", partial);
        Assert.Contains("Moved", partial);
        Assert.DoesNotContain("hx-trigger=\"every 2s\"", partial); // nothing running: the table stops asking
    }

    static async Task<PracticeMoveJob> Until(HttpClient ops, string location)
    {
        var until = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var job = (await ops.GetFromJsonAsync<PracticeMoveJob>(location, PaymentsGiven.Json))!;
            if (job.Status != PracticeMoveStatus.Running || DateTime.UtcNow > until) return job;
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task the_operator_places_a_new_practice_in_a_database_and_an_unknown_one_is_422()
    {
        var ops = await app.ClientFor(Users.PlatformAdmin);
        var name = "Placed Practice " + Guid.NewGuid().ToString("N")[..6];
        var created = await ops.PostAsJsonAsync("/api/v1/platform/organizations", new
        {
            name, kind = "Practice", adminEmail = $"admin-{Guid.NewGuid():N}@placed.example", adminName = "Pat Placed", database = "second",
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var body = await created.Content.ReadFromJsonAsync<OnboardedOrganization>(PaymentsGiven.Json);
        Assert.Equal("second", body!.Organization.Database);
        Assert.Equal("second", app.Databases.DatabaseOf(body.Organization.Id.ToString()));
        var listed = await ops.GetItemsAsync<OrganizationSummary>("/api/v1/platform/organizations", PaymentsGiven.Json);
        Assert.Equal("second", listed!.Single(o => o.Id == body.Organization.Id).Database);

        var refused = await ops.PostAsJsonAsync("/api/v1/platform/organizations", new
        {
            name = name + " 2", kind = "Practice", adminEmail = $"admin-{Guid.NewGuid():N}@placed.example", adminName = "Pat Placed", database = "nowhere",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("database", await refused.Content.ReadAsStringAsync());

        var page = await (await app.SignedInBrowser(Users.PlatformAdmin)).GetStringAsync("/platform/organizations");
        Assert.Contains("id=\"org-database\"", page);
        Assert.Contains("<option value=\"second\">", page);
    }
}
