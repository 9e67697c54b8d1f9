using System.Collections.Concurrent;
using Npgsql;
using Portal.Billing.CodeFiles;
using IcdTabular = Portal.Billing.Codes.IcdTabular;
using MceTable = Portal.Billing.Codes.MceTable;
using Portal.Web.Platform;

namespace Portal.Web.Features.Codes;

public sealed record CodeSetVersion(string System, string Version, DateOnly EffectiveFrom, DateOnly? EffectiveTo, string Sha256);

/// <summary>
/// The in-memory side of the code sets: which version is in force on a date, and a search index per version, built
/// from PostgreSQL on first use and dropped when an import replaces the data. Requests never wait on the database
/// once an index is warm.
/// </summary>
public sealed class CodeCatalog(NpgsqlDataSource db)
{
    volatile IReadOnlyList<CodeSetVersion> versions = [];
    readonly ConcurrentDictionary<(string, string), Lazy<Task<CodeIndex>>> indexes = new();
    readonly ConcurrentDictionary<(string, string), Lazy<Task<object?>>> files = new();

    public NpgsqlDataSource Database => db;

    public IReadOnlyList<CodeSetVersion> Versions(string system) => [.. versions.Where(v => v.System == system)];

    /// <summary>The version of <paramref name="system"/> in force on <paramref name="dos"/>: the latest one that started on or before it.</summary>
    public CodeSetVersion? VersionOn(string system, DateOnly dos) =>
        versions.Where(v => v.System == system && v.EffectiveFrom <= dos).MaxBy(v => v.EffectiveFrom);

    public async Task<CodeIndex?> IndexOn(string system, DateOnly dos, CancellationToken ct = default) =>
        VersionOn(system, dos) is { } v ? await Index(v, ct) : null;

    public Task<CodeIndex> Index(CodeSetVersion v, CancellationToken ct = default) =>
        indexes.GetOrAdd((v.System, v.Version), _ => new Lazy<Task<CodeIndex>>(() => Load(v))).Value.WaitAsync(ct);

    /// <summary>
    /// Re-reads the version list and forgets the indexes of versions that were replaced or removed — by an API import
    /// on this instance, or by the CLI or another instance (the periodic refresh notices the new SHA-256).
    /// </summary>
    public async Task RefreshAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"select system, version, effective_from, sha256 from {MartenSetup.Schema}.{CodeSetTables.Version} order by system, effective_from");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<(string System, string Version, DateOnly From, string Sha)>();
        while (await reader.ReadAsync(ct)) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateOnly>(2), reader.GetString(3)));
        var fresh = rows.Select((r, i) => new CodeSetVersion(r.System, r.Version, r.From,
            i + 1 < rows.Count && rows[i + 1].System == r.System ? rows[i + 1].From.AddDays(-1) : null, r.Sha)).ToList();
        var stale = versions.Where(old => !fresh.Any(v => v.System == old.System && v.Version == old.Version && v.Sha256 == old.Sha256));
        foreach (var old in stale)
        {
            indexes.TryRemove((old.System, old.Version), out _);
            files.TryRemove((old.System, old.Version), out _);
        }
        versions = fresh;
    }

    /// <summary>Builds the indexes of the versions in force today, so the first search after startup is fast too.</summary>
    public async Task WarmAsync(DateOnly today, CancellationToken ct)
    {
        foreach (var system in CodeSystems.Searchable)
            if (VersionOn(system, today) is { } v) await Index(v, ct);
    }

    /// <summary>The Tabular facts of an ICD-10-CM release (Excludes1 pairs, code first / manifestation, 7th characters), parsed once per version.</summary>
    public async Task<IcdTabular?> TabularAsync(CodeSetVersion v, CancellationToken ct) =>
        await LoadFile(v, text => new IcdTabular(Icd10CmTabularFile.Read(text)), ct) as IcdTabular;

    /// <summary>The MCE age and sex lists of a release, parsed once per version.</summary>
    public async Task<MceTable?> MceAsync(CodeSetVersion v, CancellationToken ct) =>
        await LoadFile(v, text => new MceTable(MceFile.Read(text)), ct) as MceTable;

    Task<object?> LoadFile(CodeSetVersion v, Func<TextReader, object> parse, CancellationToken ct) =>
        files.GetOrAdd((v.System, v.Version), _ => new Lazy<Task<object?>>(async () =>
        {
            await using var cmd = db.CreateCommand($"select body from {MartenSetup.Schema}.{CodeSetTables.Files} where system = @s and version = @v");
            cmd.Parameters.AddWithValue("s", v.System);
            cmd.Parameters.AddWithValue("v", v.Version);
            if (await cmd.ExecuteScalarAsync() is not byte[] body) return null;
            using var text = TextLines.Open(new MemoryStream(body));
            return parse(text);
        })).Value.WaitAsync(ct);

    async Task<CodeIndex> Load(CodeSetVersion v)
    {
        await using var cmd = db.CreateCommand($"""
            select code, billable, short_description, long_description, flags, ord
            from {MartenSetup.Schema}.{CodeSetTables.Entries} where system = @s and version = @v
            """);
        cmd.Parameters.AddWithValue("s", v.System);
        cmd.Parameters.AddWithValue("v", v.Version);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<CodeEntry>();
        while (await reader.ReadAsync())
            rows.Add(new CodeEntry(reader.GetString(0), reader.GetBoolean(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5)));
        return new CodeIndex(v.System, v.Version, v.EffectiveFrom, rows);
    }
}
