using JasperFx;
using JasperFx.Descriptors;
using JasperFx.MultiTenancy;
using Marten;
using Marten.Schema;
using Marten.Storage;
using Npgsql;
using Weasel.Core.Migrations;

namespace Portal.Web.Platform;

/// <summary>
/// Which PostgreSQL database holds which practice (ADR 0031). The main database (<c>ConnectionStrings:Portal</c>, named
/// <see cref="Main"/>) is the common one: identity, organisations, code sets, platform billing and the placement map
/// <c>portal.practice_database</c>; it also holds every practice the map does not place elsewhere. More databases come from
/// <c>Portal:Databases:&lt;name&gt;</c> (a connection string each); with none, this is one data source and nothing else.
/// Raw SQL over a practice's rows takes its data source from <see cref="For(string)"/>; work that scans every practice loops
/// over <see cref="All"/>.
/// </summary>
public sealed class TenantDatabases : IAsyncDisposable
{
    public const string Main = "main";
    public const string MapTable = MartenSetup.Schema + ".practice_database";

    readonly Dictionary<string, string> connectionStrings;
    readonly Dictionary<string, NpgsqlDataSource> sources;
    volatile Dictionary<string, Placement> map = new(StringComparer.Ordinal);
    int loaded;
    bool mapTableReady;

    /// <summary>A practice placed outside the main database, or being moved (<paramref name="MovingSince"/> set).</summary>
    public sealed record Placement(string TenantId, string Database, DateTimeOffset? MovingSince);

    public TenantDatabases(string mainConnectionString, IConfiguration configuration)
    {
        connectionStrings = new(StringComparer.Ordinal) { [Main] = mainConnectionString };
        foreach (var child in configuration.GetSection("Portal:Databases").GetChildren())
        {
            if (string.IsNullOrWhiteSpace(child.Value)) continue;
            if (child.Key == Main || !System.Text.RegularExpressions.Regex.IsMatch(child.Key, "^[a-z][a-z0-9-]{0,39}$"))
                throw new InvalidOperationException($"Portal:Databases:{child.Key}: a database name is lower-case letters, digits and '-', and not '{Main}'.");
            connectionStrings[child.Key] = ConnectionDefaults.Apply(child.Value);
        }
        sources = connectionStrings.ToDictionary(kv => kv.Key, kv => NpgsqlDataSource.Create(kv.Value), StringComparer.Ordinal);
        Refresh = configuration.GetValue("Portal:DatabaseMapRefresh", TimeSpan.FromSeconds(5));
    }

    /// <summary>More than the main database is configured: the placement map and <see cref="PortalTenancy"/> are in use.</summary>
    public bool Several => sources.Count > 1;

    /// <summary>How often every node re-reads the map; a move waits this long between its steps so every node has seen each.</summary>
    public TimeSpan Refresh { get; }

    /// <summary>The configured database names, main first.</summary>
    public IReadOnlyList<string> Names => [Main, .. sources.Keys.Where(k => k != Main).Order(StringComparer.Ordinal)];

    public NpgsqlDataSource Common => sources[Main];

    public string ConnectionString(string database) => connectionStrings[database];

    public NpgsqlDataSource Named(string database) =>
        sources.TryGetValue(database, out var source) ? source : throw new ArgumentException($"No database named '{database}' is configured.");

    /// <summary>Each configured database once, main first: for work that scans every practice (outbox, monitors, schema).</summary>
    public IEnumerable<(string Name, NpgsqlDataSource Source)> All => Names.Select(n => (n, sources[n]));

    /// <summary>The database a practice (tenant id) lives in; the default tenant and unplaced practices live in main.</summary>
    public string DatabaseOf(string tenantId)
    {
        EnsureLoaded();
        return map.TryGetValue(tenantId, out var p) ? p.Database : Main;
    }

    public NpgsqlDataSource For(string tenantId) => Several ? sources[DatabaseOf(tenantId)] : Common;

    public NpgsqlDataSource For(Guid practiceId) => For(practiceId.ToString());

    /// <summary>The practice is being moved: its writes answer 503 until the move ends (reads keep working).</summary>
    public bool IsMoving(string tenantId)
    {
        if (!Several) return false;
        EnsureLoaded();
        return map.TryGetValue(tenantId, out var p) && p.MovingSince is not null;
    }

    public IReadOnlyList<Placement> Placements { get { EnsureLoaded(); return [.. map.Values]; } }

    void EnsureLoaded()
    {
        if (!Several || Volatile.Read(ref loaded) == 1) return;
        ReloadAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public async Task EnsureMapTableAsync(CancellationToken ct)
    {
        if (!Several || mapTableReady) return;
        await using var cmd = Common.CreateCommand($"""
            create schema if not exists {MartenSetup.Schema};
            create table if not exists {MapTable} (
                tenant_id varchar(100) primary key,
                database varchar(40) not null,
                placed_at timestamptz not null default now(),
                moving_since timestamptz null,
                moving_to varchar(40) null);
            """);
        await cmd.ExecuteNonQueryAsync(ct);
        mapTableReady = true;
    }

    /// <summary>Reads the map again (every <see cref="Refresh"/> on every node, and right after this node changes it).</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        if (!Several) return;
        await EnsureMapTableAsync(ct);
        var fresh = new Dictionary<string, Placement>(StringComparer.Ordinal);
        await using (var cmd = Common.CreateCommand($"select tenant_id, database, moving_since from {MapTable}"))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                var database = reader.GetString(1);
                // A row naming a database this node was not configured with is a configuration error: fail loudly rather
                // than serve the practice from the wrong database.
                if (!sources.ContainsKey(database))
                    throw new InvalidOperationException($"The placement map puts a practice in database '{database}', which Portal:Databases does not configure.");
                fresh[reader.GetString(0)] = new(reader.GetString(0), database,
                    reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
            }
        map = fresh;
        Volatile.Write(ref loaded, 1);
    }

    /// <summary>Places a new practice before its first write (the operator's choice at onboarding).</summary>
    public async Task PlaceAsync(Guid practiceId, string database, CancellationToken ct)
    {
        if (!Several || database == Main) return;
        Named(database);
        await EnsureMapTableAsync(ct);
        await using var cmd = Common.CreateCommand($"insert into {MapTable} (tenant_id, database) values ($1, $2)");
        cmd.Parameters.Add(new() { Value = practiceId.ToString() });
        cmd.Parameters.Add(new() { Value = database });
        await cmd.ExecuteNonQueryAsync(ct);
        await ReloadAsync(ct);
    }

    internal async Task SetAsync(string tenantId, string database, bool moving, CancellationToken ct)
    {
        await EnsureMapTableAsync(ct);
        await using var cmd = Common.CreateCommand($"""
            insert into {MapTable} (tenant_id, database, moving_since) values ($1, $2, case when $3 then now() end)
            on conflict (tenant_id) do update set database = excluded.database,
                moving_since = case when $3 then coalesce({MapTable}.moving_since, now()) end
            """);
        cmd.Parameters.Add(new() { Value = tenantId });
        cmd.Parameters.Add(new() { Value = database });
        cmd.Parameters.Add(new() { Value = moving });
        await cmd.ExecuteNonQueryAsync(ct);
        await ReloadAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var source in sources.Values) await source.DisposeAsync();
    }
}

/// <summary>Re-reads the placement map on every node so moves and placements made elsewhere are seen within one interval.</summary>
sealed class TenantMapRefresher(TenantDatabases databases, ILogger<TenantMapRefresher> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!databases.Several) return;
        await databases.ReloadAsync(stoppingToken);
        using var timer = new PeriodicTimer(databases.Refresh);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await databases.ReloadAsync(stoppingToken); }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                log.LogWarning("The placement map could not be re-read ({Type}); keeping the last one.", e.GetType().Name);
            }
        }
    }
}

/// <summary>
/// Marten's tenancy over the configured databases (ADR 0031): conjoined tenancy inside each, a practice's database from the
/// placement map, the default tenant (global documents) in main. Marten's own multi-database tenancies either fix the tenant
/// list at start-up or give up the default tenant; Portal needs both a runtime map and the default tenant.
/// </summary>
sealed class PortalTenancy : ITenancy
{
    readonly TenantDatabases databases;
    readonly Dictionary<string, MartenDatabase> byName;

    public PortalTenancy(StoreOptions options, TenantDatabases databases)
    {
        this.databases = databases;
        byName = databases.Names.ToDictionary(n => n,
            n => new MartenDatabase(options, NpgsqlDataSource.Create(databases.ConnectionString(n)), n), StringComparer.Ordinal);
        Default = new Tenant(StorageConstants.DefaultTenantId, byName[TenantDatabases.Main]);
        Cleaner = new CompositeDocumentCleaner(this, options);
    }

    public Tenant Default { get; }
    public IDocumentCleaner Cleaner { get; }

    MartenDatabase DatabaseFor(string tenantId) =>
        tenantId == StorageConstants.DefaultTenantId ? byName[TenantDatabases.Main] : byName[databases.DatabaseOf(tenantId)];

    public Tenant GetTenant(string tenantId) => new(tenantId, DatabaseFor(tenantId));

    public ValueTask<Tenant> GetTenantAsync(string tenantId) => ValueTask.FromResult(GetTenant(tenantId));

    public ValueTask<IMartenDatabase> FindOrCreateDatabase(string tenantIdOrDatabaseIdentifier) =>
        ValueTask.FromResult<IMartenDatabase>(byName.TryGetValue(tenantIdOrDatabaseIdentifier, out var named)
            ? named
            : DatabaseFor(tenantIdOrDatabaseIdentifier));

    public ValueTask<IMartenDatabase> FindDatabase(DatabaseId id) =>
        ValueTask.FromResult<IMartenDatabase>(byName.Values.FirstOrDefault(d => d.Id == id)
            ?? throw new ArgumentOutOfRangeException(nameof(id), $"No database {id.Identity}."));

    public bool IsTenantStoredInCurrentDatabase(IMartenDatabase database, string tenantId) =>
        DatabaseFor(tenantId).Id == database.Id;

    public ValueTask<IReadOnlyList<IDatabase>> BuildDatabases() =>
        ValueTask.FromResult<IReadOnlyList<IDatabase>>([.. databases.Names.Select(n => (IDatabase)byName[n])]);

    public DatabaseCardinality Cardinality => DatabaseCardinality.StaticMultiple;

    public ValueTask<DatabaseUsage> DescribeDatabasesAsync(CancellationToken token) =>
        ValueTask.FromResult(new DatabaseUsage
        {
            Cardinality = DatabaseCardinality.StaticMultiple,
            MainDatabase = byName[TenantDatabases.Main].Describe(),
            Databases = [.. databases.Names.Select(n => byName[n].Describe())],
        });

    public void Dispose()
    {
        foreach (var d in byName.Values) d.Dispose();
    }
}
