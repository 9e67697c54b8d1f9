using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Portal.Web.Features.Demo;
using Portal.Web.Platform;
using Portal.Web.Platform.Reactions;
using Marten;
using Marten.Events;


namespace Portal.Tests;

/// <summary>
/// The one fixture: Portal on a real Kestrel server (so Playwright can reach it) against a real PostgreSQL, the
/// embedded one unless PORTAL_TEST_DB names another. Tokens come from our own token endpoint, never from a fake.
/// Each test stream (TestStreams, ADR 0033) has an instance of its own: the first uses database portal_tests (or the one
/// PORTAL_TEST_DB names), the second portal_tests_2 on the same server.
/// </summary>
public sealed partial class PortalApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    readonly ConcurrentDictionary<string, string> tokens = new();

    static int created, live;

    /// <summary>1 for the first stream's instance, 2 for the second's.</summary>
    public int Instance { get; } = Interlocked.Increment(ref created);

    public string ConnectionString { get; }

    public Uri BaseAddress { get; private set; } = default!;

    /// <summary>Portal:Submission:Directory of this run (batch files, outbox, inbox per practice).</summary>
    public string SubmissionDirectory { get; }

    /// <summary>The SMTP server Portal delivers to in tests: assert on real delivered messages with <c>App.Mail.WaitForMessageTo</c>.</summary>
    public TestSmtpServer Mail { get; } = new();

    /// <summary>Log lines the app writes while a test records them (Hardening tests: no PHI in logs).</summary>
    public Hardening.CapturedLogs Logs { get; } = new();

    /// <summary>The local fake of the Stripe API (Portal:Stripe:ApiBase points at it) that also delivers signed webhooks to Portal.</summary>
    public FakeStripe Stripe { get; } = new();

    public PortalApp()
    {
        Interlocked.Increment(ref live);
        ConnectionString = Database(Instance);
        SubmissionDirectory = Path.Combine(Path.GetTempPath(), $"portal-submission-tests-{Environment.ProcessId}-{Instance}");
        UseKestrel(0);
        Mail.Start();
        Stripe.Start();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Portal", ConnectionString);
        builder.UseSetting("Portal:SeedDemoData", "true");
        // Tests sign in and fetch tokens from one address far more often than people do. Per e-mail and per client id
        // these limits are still reachable, which Account/RateLimiting proves with an e-mail and a client id of its own.
        builder.UseSetting("Portal:RateLimits:SignIn:PermitLimit", "100");
        builder.UseSetting("Portal:RateLimits:SignIn:Window", "00:01:00");
        builder.UseSetting("Portal:RateLimits:Token:PermitLimit", "100");
        builder.UseSetting("Portal:RateLimits:AccountEmail:PermitLimit", "100");
        builder.UseSetting("Portal:RateLimits:AccountEmail:Window", "00:01:00");
        builder.UseSetting("Portal:RateLimits:PerAddress:PermitLimit", "100000");
        // API plans: the standard plan is out of reach of normal tests; ApiPlatform/RateLimitsPerClient registers an app on
        // the 'tiny' plan to reach one.
        builder.UseSetting("Portal:ApiLimits:Plans:standard:PermitLimit", "1000000");
        builder.UseSetting("Portal:ApiLimits:Plans:standard:Window", "00:01:00");
        builder.UseSetting("Portal:ApiLimits:Plans:tiny:PermitLimit", "3");
        builder.UseSetting("Portal:ApiLimits:Plans:tiny:Window", "01:00:00");
        // The 'quota' plan: a roomy window but 2 requests a day (RateLimitsPerClient).
        builder.UseSetting("Portal:ApiLimits:Plans:quota:PermitLimit", "100");
        builder.UseSetting("Portal:ApiLimits:Plans:quota:Window", "00:01:00");
        builder.UseSetting("Portal:ApiLimits:Plans:quota:DailyQuota", "2");
        // Claim submission: batch files, outbox and inbox in a folder of this run; no background inbox poll (tests call the
        // poller's round themselves); the SFTP tests' client key, written by Claims/Submission/SftpServer when it starts.
        builder.UseSetting("Portal:Submission:Directory", SubmissionDirectory);
        builder.UseSetting("Portal:Submission:InboxPollInterval", "00:00:00");
        builder.UseSetting("Portal:Submission:Credentials:test-sftp:PrivateKeyPath", Claims.Submission.SftpServer.ClientKeyPath);
        builder.UseSetting("Portal:Smtp:Host", "127.0.0.1");
        builder.UseSetting("Portal:Smtp:Port", Mail.Port.ToString());
        builder.UseSetting("Portal:Smtp:UseTls", "false");
        builder.UseSetting("Portal:Smtp:From", "Portal <no-reply@portal.test>");
        // Stripe: the fake API on a local port, its key and the webhook signing secret. Statement mails leave when their run ends
        // (the sender is woken; its 2 s poll is for other nodes' runs and retries).
        builder.UseSetting("Portal:Stripe:SecretKey", FakeStripe.SecretKey);
        builder.UseSetting("Portal:Stripe:ApiBase", Stripe.ApiBase);
        builder.UseSetting("Portal:Stripe:WebhookSecrets:0", FakeStripe.WebhookSecret);
        builder.ConfigureLogging(logging =>
        {
            // The capture sees what the configured levels let through (appsettings.json: what production writes), and
            // everything from Portal's own code and Marten down to Debug.
            logging.AddProvider(Logs);
            logging.AddFilter<Hardening.CapturedLogs>("Portal", LogLevel.Debug);
            logging.AddFilter<Hardening.CapturedLogs>("Marten", LogLevel.Debug);
            // Tests roll back appends on purpose (unique keys, conflicts): the daemon's notes on skipped sequence gaps would
            // bury a failure's message in CI's console log.
            logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>("Marten.Events.Daemon.Coordination", LogLevel.Error);
        });
        // Reactions: quick retries so a dead-letter test takes a fraction of a second.
        builder.UseSetting("Portal:Reactions:Attempts", "3");
        builder.UseSetting("Portal:Reactions:FirstRetryDelay", "00:00:00.020");
        // The daemon looks for new events as soon as an append commits (a NOTIFY it listens for), so neither a reset nor a test
        // waiting for a reaction waits out a poll (ADR 0039), and its idle poll keeps the product's 1 s: at 100 ms the two
        // hosts' daemon polls cost ~7 % of the suite's CPU (ADR 0044). PORTAL_DAEMON_POLL_ONLY=1 polls only, every 100 ms (to compare).
        builder.UseSetting("Portal:DaemonIdlePolling", PollOnly ? "00:00:00.100" : "00:00:01");
        if (!PollOnly)
        {
            builder.UseSetting("Portal:DaemonWakeOnAppend", "true");
            // A NOTIFY that arrives while the agent is reading the high-water mark is dropped by Marten's listener: the next
            // look comes after the busy poll instead (250 ms by default).
            builder.UseSetting("Portal:DaemonBusyPolling", "00:00:00.100");
        }
        // Tests that expect a 412 leave gaps in the event sequence (the failed append's numbers); don't wait 3 s on each.
        builder.UseSetting("Portal:DaemonGapWait", "00:00:00.500");
        // Webhooks: a receiver that does not answer within 1 s has timed out; retries start after 200 ms (doubling), and one
        // subscription may have 4 sends in flight (Webhooks/DeliveringWebhooks). The sender is woken by the deliveries this host
        // creates and sleeps until the next one is due, so its poll (for other nodes' deliveries) keeps the product's 1 s.
        builder.UseSetting("Portal:Webhooks:Timeout", "00:00:01");
        builder.UseSetting("Portal:Webhooks:FirstRetryDelay", "00:00:00.200");
        builder.UseSetting("Portal:Webhooks:MaxPerSubscription", "4");
        builder.UseSetting("Portal:Webhooks:MaxConcurrency", "16");
        builder.ConfigureServices(s => s.ConfigureMarten(o => o.Schema.For<Reactions.ProbeEffect>()).AddReaction<Reactions.ProbeReaction>());
        // The browser tests' axe-core, served by the test host for the documents they check (Browser/AxeInPage.cs).
        builder.ConfigureServices(s => s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, Browser.AxeScriptRoute>());
    }

    /// <summary>
    /// Waits until every reaction has handled every event of its types (its position reached the newest such event), or throws
    /// after <paramref name="timeout"/> (default 10 s). Call it before asserting on a reaction's effect; never Task.Delay.
    /// </summary>
    static string Database(int instance)
    {
        var configured = Environment.GetEnvironmentVariable("PORTAL_TEST_DB");
        if (configured is not { Length: > 0 }) return EmbeddedPostgres.EnsureStarted(instance == 1 ? "portal_tests" : $"portal_tests_{instance}");
        if (instance == 1) return configured;
        var builder = new NpgsqlConnectionStringBuilder(configured);
        var name = $"{builder.Database}_{instance}";
        using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(configured) { Database = "postgres" }.ConnectionString))
        {
            admin.Open();
            using var exists = new NpgsqlCommand("select 1 from pg_database where datname = @name", admin);
            exists.Parameters.AddWithValue("name", name);
            if (exists.ExecuteScalar() is null)
                using (var create = new NpgsqlCommand($"create database \"{name}\"", admin)) create.ExecuteNonQuery();
        }
        builder.Database = name;
        return builder.ConnectionString;
    }

    public async Task WaitForReactionsAsync(TimeSpan? timeout = null)
    {
        var started = ResetTimings.Start();
        try { await UntilReactionsCaughtUpAsync(timeout); }
        finally { ResetTimings.Record($"stream {Instance}: tests waiting for reactions themselves", started); }
    }

    async Task UntilReactionsCaughtUpAsync(TimeSpan? timeout)
    {
        var monitor = Services.GetRequiredService<ReactionMonitor>();
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var lags = await monitor.LagAsync();
            if (lags.All(l => l.Behind == 0)) return;
            if (DateTime.UtcNow > until)
                throw new TimeoutException("Reactions still behind: " + string.Join(", ", lags.Where(l => l.Behind > 0).Select(l => $"{l.Reaction} ({l.Behind})")));
            await Task.Delay(20);
        }
    }

    public async ValueTask InitializeAsync()
    {
        var started = ResetTimings.Start();
        StartServer();
        ResetTimings.Once($"stream {Instance}: test host start", started);
        BaseAddress = ClientOptions.BaseAddress;
        Stripe.PortalBase = BaseAddress;
    }

    readonly DatabaseReset reset = new();
    bool firstReset = true;
    string? quietMark;
    static readonly bool AlwaysWait = Environment.GetEnvironmentVariable("PORTAL_RESET_ALWAYS_WAIT") == "1";
    static readonly bool PollOnly = Environment.GetEnvironmentVariable("PORTAL_DAEMON_POLL_ONLY") == "1";

    async Task<string> ResetMarkAsync()
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        return await ResetMarkAsync(conn);
    }

    /// <summary>"last:is_called|shard=position,…": true when every reaction's position is at or past the sequence's last number.</summary>
    bool CaughtUp(string mark)
    {
        var parts = mark.Split('|');
        var last = long.Parse(parts[0].Split(':')[0], System.Globalization.CultureInfo.InvariantCulture);
        var positions = parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries);
        // A reaction without a position yet (it never ran) is not caught up.
        return positions.Length == Services.GetRequiredService<ReactionMonitor>().Reactions.Count && positions.All(p => long.Parse(p[(p.LastIndexOf('=') + 1)..], System.Globalization.CultureInfo.InvariantCulture) >= last);
    }

    /// <summary>The event sequence's last number and every reaction's position, as one string.</summary>
    async Task<string> ResetMarkAsync(NpgsqlConnection conn)
    {
        var schema = MartenSetup.Schema;
        await using var cmd = new NpgsqlCommand($"""
            select (select last_value::text || ':' || is_called::text from {schema}.mt_events_sequence) || '|' ||
                   coalesce((select string_agg(name || '=' || last_seq_id, ',' order by name)
                             from {schema}.mt_event_progression where name = any($1)), '')
            """, conn) { Parameters = { new() { Value = Services.GetRequiredService<ReactionMonitor>().Reactions.Select(ReactionMonitor.ShardOf).ToArray() } } };
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Back to the seeded demo data: called before every test (ADR 0029).</summary>
    public async Task ResetAsync()
    {
        var phase = ResetTimings.Start();
        var resetStarted = phase;
        var firstOfStream = firstReset;
        Mail.Clear();
        Stripe.Clear();
        // A reaction still working on the previous test's events would write into the next test's data: let it finish first
        // (a few ms; most tests append no event a reaction takes). Reaction positions (mt_event_progression) are kept, like
        // the daemon's: the reset deletes rows but leaves the event sequence alone, so new events always come after every
        // position. Restarting the sequence would put positions ahead of the new events and the reactions would skip them.
        // Events the daemon had not seen yet when the reset deleted them look like a rolled-back append: its high-water mark
        // waits Portal:DaemonGapWait (0.5 s here) before skipping them, a cost only the tests that wait for a reaction pay.
        // Waiting for the high-water mark here instead cost every test ~80 ms.
        // The first reset of a run may find a previous run's events (a benchmark leaves thousands) and a reaction added since,
        // which starts from the first event: it gets minutes once, every later reset 30 s.
        // Most tests append no event at all: when the event sequence and the reactions' positions are what the last reset left
        // (one query), nothing was appended since, not even a rolled-back append, and no position moved, so every reaction is
        // still caught up and there is nothing to wait for. PORTAL_RESET_ALWAYS_WAIT=1 waits every time (to compare).
        // When every reaction's position has reached the sequence's last number, the daemon has already read every event a
        // test appended (a position moves only after the handler finished): nothing to wait for either.
        var mark = firstReset || AlwaysWait ? null : await ResetMarkAsync();
        if (mark is null || (mark != quietMark && !CaughtUp(mark)))
        {
            await UntilReactionsCaughtUpAsync(TimeSpan.FromSeconds(firstReset ? 300 : 30));
            phase = ResetTimings.Record($"wait for reactions (stream {Instance})", phase);
        }
        else phase = ResetTimings.Record("nothing appended since the last reset (no wait)", phase);
        firstReset = false;
        // Background work (the webhook sender polling every 50 ms, reaction handlers, statement runs) must not write while the
        // tables are emptied: when Respawn truncated them, a transaction of theirs holding one table and wanting another made a
        // deadlock. The reset pauses that work (it waits at the gate and goes on after) and waits for what is in progress.
        bool restored;
        await using (await Services.GetRequiredService<BackgroundWork>().PauseAsync())
        await using (var conn = new NpgsqlConnection(ConnectionString))
        {
            phase = ResetTimings.Record("pause background work", phase);
            await conn.OpenAsync();
            restored = await reset.EmptyAsync(conn);
            phase = ResetTimings.Record(restored ? "empty and restore the seed copy" : "empty", phase);
            // Taken while background work is still paused and after every reaction caught up: the next reset compares with it.
            // Seeding through the app appends events (and waits for them itself): the next reset waits, to be sure.
            quietMark = restored ? await ResetMarkAsync(conn) : null;
        }
        if (!restored)
        {
            // Seeded through the app, then copied once the reactions and the async projections have read the seed's events, so
            // the copy is what every later test would have found after seeding.
            await using (var scope = Services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedOrganizationsAsync();
            try
            {
                await UntilReactionsCaughtUpAsync(null);
                await Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
                await using var conn = new NpgsqlConnection(ConnectionString);
                await conn.OpenAsync();
                await reset.CopySeedAsync(conn);
            }
            catch (TimeoutException)
            {
                // The daemon is behind (a test stopped it): no copy this time; the next reset seeds through the app again.
            }
            phase = ResetTimings.Record("seed through the app and copy", phase);
        }
        // Control numbers start again with the database: yesterday's files must not be taken for today's.
        if (Directory.Exists(SubmissionDirectory)) Directory.Delete(SubmissionDirectory, recursive: true);
        // Code sets are kept between tests (the reset leaves them); a test that removed its own versions in SQL must not leave
        // the in-memory catalog pointing at them for the next test's code searches.
        await Services.GetRequiredService<Portal.Web.Features.Codes.CodeCatalog>().RefreshAsync();
        ResetTimings.Record("refresh code catalog", phase);
        if (firstOfStream) ResetTimings.Once($"stream {Instance}: first reset (seeds and copies)", resetStarted);
        Interlocked.Increment(ref ResetTimings.Resets);
    }

    public HttpClient Anonymous() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress };

    /// <summary>An API client acting for a demo user, with a token from the authorization code + PKCE flow.</summary>
    public async Task<HttpClient> ClientFor(string email, params string[] scopes)
    {
        scopes = scopes.Length > 0 ? scopes : [.. Scopes.All.Select(s => s.Name)];
        var token = await CachedToken($"user:{email}:{string.Join(' ', scopes)}", () => UserToken(email, scopes));
        return Bearer(token);
    }

    /// <summary>A token of the user's own, not shared with other tests (which <see cref="ClientFor"/> caches): for tests that revoke it.</summary>
    public Task<string> FreshUserToken(string email, params string[] scopes) =>
        UserToken(email, scopes.Length > 0 ? scopes : [.. Scopes.All.Select(s => s.Name)]);

    /// <summary>An API client sending <paramref name="token"/> as its bearer token.</summary>
    public HttpClient WithToken(string token) => Bearer(token);

    /// <summary>A third-party app registered to one practice, with a client-credentials token.</summary>
    public async Task<HttpClient> AppClient(string clientId, params string[] scopes)
    {
        var client = DemoData.Clients.Single(c => c.ClientId == clientId);
        scopes = scopes.Length > 0 ? scopes : client.Scopes;
        var token = await CachedToken($"app:{clientId}:{string.Join(' ', scopes)}", async () =>
        {
            using var http = Anonymous();
            var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = client.Secret,
                ["scope"] = string.Join(' ', scopes),
            }));
            return await AccessToken(response);
        });
        return Bearer(token);
    }

    /// <summary>A browser-like client (cookies, no bearer token) signed in to the portal pages.</summary>
    public async Task<HttpClient> SignedInBrowser(string email)
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        var http = new HttpClient(handler) { BaseAddress = BaseAddress };
        await SignIn(http, email);
        return http;
    }

    HttpClient Bearer(string token)
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    async Task<string> CachedToken(string key, Func<Task<string>> create)
    {
        if (tokens.TryGetValue(key, out var token)) return token;
        token = await create();
        tokens[key] = token;
        return token;
    }

    static Task SignIn(HttpClient http, string email, string? returnUrl = null) =>
        SignIn(http, email, DemoData.Password, email == Users.PlatformAdmin ? DemoData.OpsTotpSecret : null, returnUrl);

    /// <summary>
    /// Signs in through the real pages: the password, then, when the page asks for it, the authenticator code computed
    /// from <paramref name="totpSecret"/> (the demo platform admin must use MFA). Returns where Portal sent the user.
    /// </summary>
    public static async Task<string> SignIn(HttpClient http, string email, string password, string? totpSecret, string? returnUrl = null)
    {
        var url = "/account/sign-in" + (returnUrl is null ? "" : "?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
        var form = await http.GetStringAsync(url);
        var response = await http.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email, ["Password"] = password, ["ReturnUrl"] = returnUrl ?? "/",
            ["__RequestVerificationToken"] = AntiforgeryToken(form),
        }));
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Sign-in as {email} failed: {(int)response.StatusCode}");
        var location = response.Headers.Location!.OriginalString;
        if (!location.StartsWith("/account/sign-in/mfa", StringComparison.Ordinal)) return location;
        if (totpSecret is null) throw new InvalidOperationException($"Sign-in as {email} asks for an authenticator code.");

        var mfaForm = await http.GetStringAsync(location);
        response = await http.PostAsync(location, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Code"] = TotpCode(totpSecret), ["__RequestVerificationToken"] = AntiforgeryToken(mfaForm),
        }));
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"The authenticator code for {email} was refused: {(int)response.StatusCode}");
        return response.Headers.Location!.OriginalString;
    }

    /// <summary>The current 6-digit TOTP code for a base32 authenticator key, as an authenticator app shows it.</summary>
    public static string TotpCode(string base32Secret) =>
        new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(base32Secret.Replace(" ", "").ToUpperInvariant())).ComputeTotp();

    public static string AntiforgeryToken(string html) =>
        AntiforgeryInput().Match(html) is { Success: true } m ? m.Groups[1].Value
            : throw new InvalidOperationException("The page has no antiforgery token.");

    // The real authorization code + PKCE flow, driven the way a browser would: sign in, get a code, redeem it.
    async Task<string> UserToken(string email, string[] scopes)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        { BaseAddress = BaseAddress };
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)));
        const string redirect = "http://127.0.0.1/callback";
        var authorize = "/connect/authorize?" + string.Join('&', new Dictionary<string, string>
        {
            ["client_id"] = "portal-swagger", ["response_type"] = "code", ["redirect_uri"] = redirect,
            ["scope"] = string.Join(' ', scopes), ["code_challenge"] = challenge, ["code_challenge_method"] = "S256",
            ["state"] = "test",
        }.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}"));

        await SignIn(http, email, authorize);
        var response = await http.GetAsync(authorize);
        var location = response.Headers.Location?.ToString()
            ?? throw new InvalidOperationException($"No redirect from the authorization endpoint ({(int)response.StatusCode}).");
        var code = Regex.Match(location, "[?&]code=([^&]+)").Groups[1].Value;
        if (code.Length == 0) throw new InvalidOperationException($"No code in {location}");

        var token = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = "portal-swagger", ["code"] = Uri.UnescapeDataString(code),
            ["redirect_uri"] = redirect, ["code_verifier"] = verifier,
        }));
        return await AccessToken(token);
    }

    static async Task<string> AccessToken(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Token request failed: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryInput();

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        var last = Interlocked.Decrement(ref live) == 0;
        ResetTimings.Add(reset.Copies, reset.RestoreFailures);
        if (last) ResetTimings.Report();
        if (last) SuiteCpu.Report();
        await base.DisposeAsync();
        await Mail.DisposeAsync();
        // One sshd serves both streams: the stream that finishes last stops it.
        if (last) Claims.Submission.SftpServer.StopIfStarted();
        if (Directory.Exists(SubmissionDirectory)) Directory.Delete(SubmissionDirectory, recursive: true);
        await Stripe.DisposeAsync();
    }
}

/// <summary>Base for every test: the database starts from the seeded demo data.</summary>
public abstract class PortalTest(PortalApp app) : IAsyncLifetime
{
    protected PortalApp App { get; } = app;

    public virtual async ValueTask InitializeAsync()
    {
        SuiteCpu.TestStarted(this, GetType().Name);
        await App.ResetAsync();
    }

    public virtual ValueTask DisposeAsync()
    {
        SuiteCpu.TestEnded(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Demo users by role, as tests name them.</summary>
public static class Users
{
    public const string NorthAdmin = "admin@north.example";
    public const string NorthProvider = "provider@north.example";
    public const string NorthBiller = "biller@north.example";
    public const string NorthCoder = "coder@north.example";
    public const string NorthQa = "qa@north.example";
    public const string RiversideAdmin = "admin@riverside.example";
    public const string RiversideCoder = "coder@riverside.example";
    public const string VendorAdmin = "admin@acme.example";
    public const string VendorCoder = "coder@acme.example";
    /// <summary>Acme's biller: Acme is engaged by North Clinic for coding only.</summary>
    public const string AcmeBiller = "biller@acme.example";
    /// <summary>Beacon Billing Partners' biller: Beacon is engaged by Riverside Pediatrics for claims, posting and A/R.</summary>
    public const string BeaconBiller = "biller@beacon.example";
    public const string PlatformAdmin = "ops@portal.example";
}
