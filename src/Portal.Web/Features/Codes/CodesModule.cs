using Npgsql;

namespace Portal.Web.Features.Codes;

public static class CodesModule
{
    /// <summary>Code sets live in plain tables (global, not per practice), so there is nothing to tell Marten.</summary>
    public static IServiceCollection AddCodes(this IServiceCollection services)
    {
        services.AddSingleton<CodeCatalog>();
        services.AddSingleton<CodeSetUploadRunner>();
        services.AddHostedService<CodeSetStartup>();
        return services;
    }
}

/// <summary>
/// At startup: create the reference tables, load the sample code sets from <c>infra/codesets</c> (idempotent; on by
/// default outside Production, <c>Portal:CodeSets:LoadSamples</c>), then build the indexes of the versions in force.
/// </summary>
sealed class CodeSetStartup(NpgsqlDataSource db, CodeCatalog catalog, IConfiguration config, IHostEnvironment env,
    TimeProvider clock, ILogger<CodeSetStartup> log) : IHostedService, IAsyncDisposable
{
    readonly CancellationTokenSource stopping = new();
    Task? refreshing;

    public async Task StartAsync(CancellationToken ct)
    {
        await CodeSetTables.EnsureCreatedAsync(db, ct);
        if (config.GetValue("Portal:CodeSets:LoadSamples", !env.IsProduction()) && SampleDirectory() is { } dir)
            foreach (var (system, version, path) in SampleFiles.In(dir))
            {
                await using var file = File.OpenRead(path);
                var summary = await CodeSetImport.ImportAsync(db, system, version, null, file, path, "sample-data", null, ct);
                if (!summary.Unchanged) log.LogInformation("Loaded sample {System} {Version}: {Rows} rows", system, version, summary.Rows);
            }
        await catalog.RefreshAsync(ct: ct);
        await catalog.WarmAsync(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), ct);
        refreshing = RefreshPeriodically(stopping.Token);
    }

    // Imports made by the CLI or another instance reach this one within a minute.
    async Task RefreshPeriodically(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try { await catalog.RefreshAsync(ct); }
                catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning(e, "Refreshing the code-set versions failed"); }
            }
        }
        catch (OperationCanceledException) { }
    }

    bool disposed;

    // A host torn down while starting may stop its services after disposing them: stopping then has nothing left to do.
    public async Task StopAsync(CancellationToken ct)
    {
        if (disposed) return;
        await stopping.CancelAsync();
        if (refreshing is not null) await refreshing;
    }

    public ValueTask DisposeAsync()
    {
        disposed = true;
        stopping.Dispose();
        return ValueTask.CompletedTask;
    }

    string? SampleDirectory()
    {
        if (config["Portal:CodeSets:SampleDirectory"] is { Length: > 0 } configured) return configured;
        for (var dir = new DirectoryInfo(env.ContentRootPath); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "infra", "codesets"))) return Path.Combine(dir.FullName, "infra", "codesets");
        return null;
    }
}

/// <summary>Sample files are named <c>{system}-{version}[.anything].{ext}</c>, e.g. <c>icd10cm-2027.order.txt</c>.</summary>
public static class SampleFiles
{
    public static IEnumerable<(string System, string Version, string Path)> In(string directory) =>
        Directory.EnumerateFiles(directory)
            .Select(path => (Name: Path.GetFileName(path), Path: path))
            .Select(f => (Parts: f.Name.Split('-', '.'), f.Path))
            .Where(f => f.Parts.Length >= 3 && CodeSystems.IsKnown(f.Parts[0]) && CodeSystems.IsVersionLabel(f.Parts[1]))
            .OrderBy(f => f.Parts[0]).ThenBy(f => f.Parts[1])
            .Select(f => (f.Parts[0], f.Parts[1], f.Path));
}
