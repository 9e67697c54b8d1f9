using System.Collections.Concurrent;
using Npgsql;
using Portal.Billing.CodeFiles;
using Portal.Billing.Codes;
using IcdTabular = Portal.Billing.Codes.IcdTabular;
using MceTable = Portal.Billing.Codes.MceTable;
using Portal.Web.Platform;

namespace Portal.Web.Features.Codes;

/// <summary>The NCCI pairs and MUE limits found for a set of codes, each with the version it comes from.</summary>
public sealed record CodeEdits(IReadOnlyList<(string Version, PtpEdit Edit)> Ptp,
    IReadOnlyList<(string Version, MueRecord Limit)> Mue);

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
    readonly ConcurrentDictionary<string, CodeEdits> edits = new(StringComparer.Ordinal);

    /// <summary>Edit lookups kept at most; past it the cache starts over (a practice codes a few thousand distinct code sets).</summary>
    const int MaxEditLookups = 20_000;

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
            edits.Clear();
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

    /// <summary>
    /// The NCCI PTP pairs among <paramref name="codes"/> in the <paramref name="ncci"/> versions and the MUE rows of the codes in the
    /// <paramref name="mue"/> versions. Every coded line asks this (issue 15): the answer is kept per versions and codes, and
    /// forgotten with the versions (<see cref="RefreshAsync"/>), like the code indexes, so a line coded again costs no query.
    /// </summary>
    public async Task<CodeEdits> EditsFor(string[] ncci, string[] mue, string[] codes, CancellationToken ct)
    {
        var key = $"{string.Join(',', ncci)}|{string.Join(',', mue)}|{string.Join(',', codes.Order(StringComparer.Ordinal))}";
        if (edits.TryGetValue(key, out var cached)) return cached;
        const string s = MartenSetup.Schema;
        await using var batch = db.CreateBatch();
        var ptpQuery = new NpgsqlBatchCommand($"""
            select version, column1, column2, effective_from, deleted_on, modifier_indicator, rationale from {s}.{CodeSetTables.Ptp}
            where version = any($1) and column1 = any($2) and column2 = any($2) and column1 <> column2
            """);
        ptpQuery.Parameters.Add(new NpgsqlParameter { Value = ncci });
        ptpQuery.Parameters.Add(new NpgsqlParameter { Value = codes });
        batch.BatchCommands.Add(ptpQuery);
        var mueQuery = new NpgsqlBatchCommand($"select version, code, max_units, mai, rationale from {s}.{CodeSetTables.Mue} where version = any($1) and code = any($2)");
        mueQuery.Parameters.Add(new NpgsqlParameter { Value = mue });
        mueQuery.Parameters.Add(new NpgsqlParameter { Value = codes });
        batch.BatchCommands.Add(mueQuery);
        var ptp = new List<(string, PtpEdit)>();
        var limits = new List<(string, MueRecord)>();
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
                ptp.Add((reader.GetString(0), new PtpEdit(reader.GetString(1), reader.GetString(2), (byte)reader.GetInt16(5),
                    reader.GetFieldValue<DateOnly>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateOnly>(4), reader.GetString(6))));
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var mai = (byte)reader.GetInt16(3);
                limits.Add((reader.GetString(0), new MueRecord(reader.GetString(1), reader.GetInt32(2), mai,
                    mai switch { 1 => "1 Line Edit", 2 => "2 Date of Service Edit: Policy", _ => "3 Date of Service Edit: Clinical" }, reader.GetString(4))));
            }
        }
        var found = new CodeEdits(ptp, limits);
        if (edits.Count >= MaxEditLookups) edits.Clear();
        edits[key] = found;
        return found;
    }

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
