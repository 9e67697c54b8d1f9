using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace Portal.Tests.ScaleOut;

/// <summary>
/// Two real Portal.Web processes (the build's own Portal.Web.dll, started with <c>dotnet</c>) on free loopback ports against
/// one PostgreSQL database of their own, both with <c>Portal:Daemon=HotCold</c>, the same OpenIddict certificates and the same
/// public URL, as docs/deployment.md describes a multi-node deployment. A third, in-process Portal with the daemon disabled
/// (<see cref="Control"/>) creates the schema and the demo data first and gives the tests Marten's store to append work and
/// read results; it never runs a reaction. The database is dropped and created again for each run, so the test fixture's
/// database and its daemon are not involved.
/// </summary>
public sealed class PortalNodes : IAsyncLifetime
{
    public const string PublicUrl = "http://portal.test/";
    static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    readonly string folder = Path.Combine(Path.GetTempPath(), $"portal-nodes-{Environment.ProcessId}");
    readonly string adminConnectionString;
    readonly Dictionary<string, string> certificates = [];

    public string ConnectionString { get; }
    public string Database { get; }
    public WebApplicationFactory<Program> Control { get; private set; } = default!;
    public Node[] Nodes { get; } = [new("a"), new("b")];

    public PortalNodes()
    {
        // The server the test fixture uses (PortalApp.ConnectionString), in a database of our own on it.
        adminConnectionString = Environment.GetEnvironmentVariable("PORTAL_TEST_DB") is { Length: > 0 } configured
            ? configured
            : Portal.Web.Platform.EmbeddedPostgres.EnsureStarted("portal_tests");
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString);
        Database = $"{builder.Database}_nodes";
        builder.Database = Database;
        ConnectionString = builder.ConnectionString;
    }

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        await RecreateDatabase();
        WriteCertificates();
        Control = new ControlPortal(this);
        _ = Control.Services; // starts it: schema, identity migrations, demo data, code sets
        await Task.WhenAll(Nodes.Select(n => n.StartAsync(this)));
    }

    /// <summary>Starts any node that is not running (a test may have killed one) and waits until both answer ready.</summary>
    public Task BothRunning() => Task.WhenAll(Nodes.Where(n => !n.Running).Select(n => n.StartAsync(this)));

    /// <summary>
    /// The one node that runs a daemon shard (e.g. <c>claims.draft-on-approval:All</c>), once exactly one does. Marten's HotCold
    /// elects a leader per shard; this throws if two nodes ever report the same shard at once.
    /// </summary>
    public async Task<Node> RunnerOfAsync(string shard, TimeSpan timeout, params Node[] among)
    {
        among = among.Length > 0 ? among : Nodes;
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var running = new List<Node>();
            foreach (var node in among)
                if ((await node.ShardsAsync()).Contains(shard)) running.Add(node);
            if (running.Count > 1) throw new InvalidOperationException($"Two nodes run {shard} at once: {string.Join(", ", running.Select(n => n.Name))}.");
            if (running.Count == 1) return running[0];
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"No node took {shard} within {timeout.TotalSeconds:0} s.\n" + string.Join("\n", among.Select(n => n.Output())));
            await Task.Delay(100);
        }
    }

    async Task RecreateDatabase()
    {
        await using var conn = new NpgsqlConnection(adminConnectionString);
        await conn.OpenAsync();
        foreach (var sql in new[] { $"drop database if exists \"{Database}\" with (force)", $"create database \"{Database}\"" })
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    // Every node signs and encrypts with the same certificates (Portal:Identity:*), as production requires.
    void WriteCertificates()
    {
        foreach (var (name, usage) in new[] { ("signing", X509KeyUsageFlags.DigitalSignature), ("encryption", X509KeyUsageFlags.KeyEncipherment) })
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest($"CN=Portal test {name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
            var path = Path.Combine(folder, $"{name}.pfx");
            File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, "portal-nodes"));
            certificates[name] = path;
        }
    }

    /// <summary>The settings every node and the control host share (as environment variables for the processes).</summary>
    Dictionary<string, string> SharedSettings(string applicationName) => new()
    {
        ["ConnectionStrings:Portal"] = new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = applicationName }.ConnectionString,
        ["Portal:PublicUrl"] = PublicUrl,
        ["Portal:Identity:SigningCertificate"] = certificates["signing"],
        ["Portal:Identity:EncryptionCertificate"] = certificates["encryption"],
        ["Portal:Identity:CertificatePassword"] = "portal-nodes",
        ["Portal:Submission:Directory"] = Path.Combine(folder, "submission"),
        ["Portal:Submission:InboxPollInterval"] = "00:00:00",
        ["Portal:Smtp:Folder"] = Path.Combine(folder, "mail"),
        ["Portal:DaemonIdlePolling"] = "00:00:00.100",
        ["Portal:DaemonGapWait"] = "00:00:00.500",
        ["Portal:DaemonLeadershipPolling"] = "00:00:00.500",
        ["Portal:Reactions:FirstRetryDelay"] = "00:00:00.020",
    };

    sealed class ControlPortal(PortalNodes nodes) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            foreach (var (key, value) in nodes.SharedSettings("portal-control")) builder.UseSetting(key, value);
            builder.UseSetting("Portal:SeedDemoData", "true");
            builder.UseSetting("Portal:Daemon", "Disabled");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) node.Kill();
        await Control.DisposeAsync();
        await using (var conn = new NpgsqlConnection(adminConnectionString))
        {
            await conn.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database if exists \"{Database}\" with (force)", conn);
            await drop.ExecuteNonQueryAsync();
        }
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>One Portal.Web process.</summary>
    public sealed class Node(string name)
    {
        readonly ConcurrentQueue<string> output = new();
        Process? process;

        public string Name { get; } = name;
        public Uri BaseAddress { get; private set; } = default!;
        public bool Running => process is { HasExited: false };

        public async Task StartAsync(PortalNodes nodes)
        {
            var port = FreePort();
            BaseAddress = new Uri($"http://127.0.0.1:{port}/");
            var dll = Path.Combine(AppContext.BaseDirectory, "Portal.Web.dll");
            // Under `timeout`, so a node outlives an aborted test run by twenty minutes at most (a killed test host cannot kill it).
            var start = new ProcessStartInfo(File.Exists("/usr/bin/timeout") ? "/usr/bin/timeout" : "dotnet")
            {
                WorkingDirectory = AppContext.BaseDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (start.FileName != "dotnet") foreach (var arg in new[] { "--kill-after=5", "1200", "dotnet" }) start.ArgumentList.Add(arg);
            foreach (var arg in new[] { dll, "--urls", BaseAddress.ToString().TrimEnd('/') }) start.ArgumentList.Add(arg);
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
            foreach (var (key, value) in nodes.SharedSettings($"portal-node-{Name}")) start.Environment[key.Replace(":", "__")] = value;
            start.Environment["Portal__SeedDemoData"] = "false";
            start.Environment["Portal__Daemon"] = "HotCold";
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            start.Environment["Logging__LogLevel__Marten"] = "Warning";
            output.Clear();
            process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
            process.OutputDataReceived += (_, e) => Keep(e.Data);
            process.ErrorDataReceived += (_, e) => Keep(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            using var http = Client();
            var until = DateTime.UtcNow + StartTimeout;
            while (true)
            {
                if (process.HasExited) throw new InvalidOperationException($"Node {Name} exited with {process.ExitCode}:\n{Output()}");
                try
                {
                    if ((await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return;
                }
                catch (HttpRequestException) { }
                if (DateTime.UtcNow > until) throw new TimeoutException($"Node {Name} was not ready within {StartTimeout.TotalSeconds:0} s:\n{Output()}");
                await Task.Delay(200);
            }
        }

        /// <summary>A hard kill (SIGKILL): no graceful shutdown, no daemon hand-over, connections cut mid-transaction.</summary>
        public void Kill()
        {
            if (process is { HasExited: false }) process.Kill(entireProcessTree: true);
            process?.WaitForExit(10_000);
        }

        public HttpClient Client(HttpMessageHandler? handler = null) =>
            new(handler ?? new HttpClientHandler { AllowAutoRedirect = false }, disposeHandler: handler is null) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        /// <summary>The daemon shards this node runs now, from its /health/ready (none when it is not running).</summary>
        public async Task<string[]> ShardsAsync()
        {
            if (!Running) return [];
            try
            {
                return [.. (await DaemonCheckAsync()).GetProperty("shards").EnumerateArray().Select(s => s.GetString()!)];
            }
            catch (HttpRequestException) { return []; }
        }

        /// <summary>How often this node restarted its daemon after finding a leadership lock lost (LeadershipWatch, ADR 0048).</summary>
        public async Task<int> LockLossRestartsAsync() => (await DaemonCheckAsync()).GetProperty("lockLossRestarts").GetInt32();

        /// <summary>The data of the <c>daemon</c> check in this node's /health/ready.</summary>
        async Task<JsonElement> DaemonCheckAsync()
        {
            using var http = Client();
            var ready = JsonDocument.Parse(await http.GetStringAsync("/health/ready")).RootElement;
            return ready.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "daemon").GetProperty("data");
        }

        /// <summary>The application name this node's connections start with in pg_stat_activity (ConnectionDefaults adds its process).</summary>
        public string ApplicationName => $"portal-node-{Name}";

        public string Output() => $"--- node {Name} ({BaseAddress}) ---\n" + string.Join("\n", output);

        void Keep(string? line)
        {
            if (line is null) return;
            output.Enqueue(line);
            while (output.Count > 300) output.TryDequeue(out _);
        }

        static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
