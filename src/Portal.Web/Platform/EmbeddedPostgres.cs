using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace Portal.Web.Platform;

/// <summary>
/// A private PostgreSQL cluster started from the system binaries, for development and tests when no
/// connection string is configured. Production always configures ConnectionStrings:Portal.
/// </summary>
public static class EmbeddedPostgres
{
    public const int DefaultPort = 54329;
    const string Superuser = "postgres";
    const string Password = "portal-dev-only";
    static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Starts the cluster if it is not already running and returns a connection string to <paramref name="database"/>.</summary>
    public static string EnsureStarted(string database, int? port = null, string? dataDirectory = null)
    {
        var p = port ?? PortFromEnvironment();
        Gate.Wait();
        try
        {
            if (!Accepts(p))
            {
                var bin = FindBinaries();
                var data = dataDirectory ?? DefaultDataDirectory(p);
                InitIfNeeded(bin, data);
                Start(bin, data, p);
            }
            CreateDatabaseIfMissing(p, database);
            return ConnectionString(p, database);
        }
        finally
        {
            Gate.Release();
        }
    }

    public static string ConnectionString(int port, string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = port, Username = Superuser, Password = Password, Database = database,
            MaxPoolSize = 100, IncludeErrorDetail = true,
        }.ConnectionString;

    static int PortFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable("PORTAL_PG_PORT"), out var port) ? port : DefaultPort;

    static string FindBinaries()
    {
        var candidates = new List<string>();
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "initdb")))
                candidates.Add(dir);
        if (Directory.Exists("/usr/lib/postgresql"))
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .Select(v => Path.Combine(v, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0));
        return candidates.FirstOrDefault() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/<version>/bin: " +
            "install the 'postgresql' package (sudo apt-get install -y postgresql), or set ConnectionStrings:Portal to an existing server.");
    }

    static string DefaultDataDirectory(int port)
    {
        // An ignored folder in the checkout (.data/), so a developer sees and can delete it. When we run as root the
        // server runs as 'postgres', which may not be able to reach a checkout under /root; then use /var/tmp.
        var repo = FindRepositoryRoot();
        var inRepo = repo is null ? null : Path.Combine(repo, ".data", $"postgres-{port}");
        if (inRepo is not null && (!IsRoot || PostgresCanReach(Path.GetDirectoryName(inRepo)!)))
            return inRepo;
        return Path.Combine("/var/tmp", $"portal-postgres-{port}");
    }

    static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
                return dir.FullName;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
                return dir.FullName;
        return null;
    }

    static bool IsRoot => Environment.UserName == "root";

    static bool PostgresCanReach(string directory)
    {
        Directory.CreateDirectory(directory);
        return Run("runuser", ["-u", Superuser, "--", "test", "-w", directory], throwOnError: false) == 0
            || TryChown(directory);
    }

    static bool TryChown(string directory) =>
        Run("chown", [Superuser, directory], throwOnError: false) == 0
        && Run("runuser", ["-u", Superuser, "--", "test", "-w", directory], throwOnError: false) == 0;

    static void InitIfNeeded(string bin, string data)
    {
        if (File.Exists(Path.Combine(data, "PG_VERSION"))) return;
        Directory.CreateDirectory(data);
        var pwfile = Path.Combine(data, "..", $".pw-{Path.GetFileName(data)}");
        File.WriteAllText(pwfile, Password + "\n");
        try
        {
            if (IsRoot) { Run("chown", ["-R", Superuser, data]); Run("chown", [Superuser, pwfile]); }
            RunAsServerUser(Path.Combine(bin, "initdb"),
                ["-D", data, "-U", Superuser, "--pwfile", pwfile, "--auth-local=trust", "--auth-host=scram-sha-256",
                 "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"]);
        }
        finally
        {
            File.Delete(pwfile);
        }
    }

    static void Start(string bin, string data, int port)
    {
        var log = Path.Combine(data, "server.log");
        // max_connections: web app pools + test fixture + daemon; fsync off is fine for a throwaway dev cluster.
        var options = $"-p {port} -c listen_addresses=127.0.0.1 -k {data} -c max_connections=300 -c fsync=off " +
                      "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB";
        RunAsServerUser(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start"]);
        for (var i = 0; i < 100 && !Accepts(port); i++) Thread.Sleep(100);
        if (!Accepts(port))
            throw new InvalidOperationException($"The embedded PostgreSQL did not start on port {port}; see {log}.");
    }

    static void CreateDatabaseIfMissing(int port, string database)
    {
        using var conn = new NpgsqlConnection(ConnectionString(port, "postgres"));
        conn.Open();
        using var exists = new NpgsqlCommand("select 1 from pg_database where datname = @d", conn);
        exists.Parameters.AddWithValue("d", database);
        if (exists.ExecuteScalar() is not null) return;
        using var create = new NpgsqlCommand($"create database \"{database.Replace("\"", "")}\"", conn);
        try { create.ExecuteNonQuery(); }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase) { }
    }

    static bool Accepts(int port)
    {
        try
        {
            // A blocking connect: a local port answers or refuses at once, and waiting on ConnectAsync from a starved thread pool
            // (several test hosts starting together) timed out while the cluster was up, and a second start then failed.
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return client.Connected;
        }
        catch (Exception) { return false; }
    }

    static void RunAsServerUser(string program, string[] args)
    {
        if (IsRoot) Run("runuser", ["-u", Superuser, "--", program, .. args]);
        else Run(program, args);
    }

    static int Run(string program, string[] args, bool throwOnError = true)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(psi)!; }
        catch (Exception e) when (!throwOnError) { _ = e; return -1; }
        // pg_ctl start leaves the server holding our pipes open; read to end only with a timeout.
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
            throw new InvalidOperationException($"{program} did not finish within 90 s.");
        if (process.ExitCode != 0 && throwOnError)
        {
            Task.WaitAll([stderr, stdout], TimeSpan.FromSeconds(2));
            var detail = stderr.IsCompleted ? stderr.Result : "";
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {detail}");
        }
        return process.ExitCode;
    }
}
