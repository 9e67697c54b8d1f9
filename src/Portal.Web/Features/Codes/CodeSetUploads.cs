using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Serialization;
using Npgsql;
using Portal.Billing.CodeFiles;
using Portal.Web.Platform;

namespace Portal.Web.Features.Codes;

[JsonConverter(typeof(JsonStringEnumConverter<UploadState>))]
public enum UploadState { Queued, Running, Ready, Unchanged, Refused, Failed, Activated, Discarded }

/// <summary>
/// An uploaded code-set file on its way to becoming a version: read in the background (progress in <see cref="BytesRead"/>
/// of <see cref="TotalBytes"/>), then <see cref="UploadState.Ready"/> with its differences from the version it would replace
/// (<see cref="BaseVersion"/>) until a platform admin activates or discards it. A refused file carries the line and column.
/// </summary>
public sealed record CodeSetUpload(
    Guid Id, string System, string Version, DateOnly EffectiveFrom, string FileName, long TotalBytes, long BytesRead, int RowsRead,
    UploadState State, string? Sha256, int? Rows, string? BaseVersion, int? Added, int? Removed, int? Changed,
    int? ErrorLine, int? ErrorColumn, string? Error, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt,
    string? ActivatedBy, DateTimeOffset? ActivatedAt)
{
    /// <summary>Share of the file read so far, 0–100.</summary>
    public int Percent => State is UploadState.Queued ? 0
        : State is UploadState.Running ? (int)Math.Min(99, TotalBytes == 0 ? 0 : BytesRead * 100 / TotalBytes) : 100;

    public bool Finished => State is not (UploadState.Queued or UploadState.Running);

    [JsonIgnore] internal string? BaseSha256 { get; init; }

    /// <summary>The label the staged rows are stored under: not a version label, so no search or edit ever reads them.</summary>
    [JsonIgnore] public string StagedAs => "~" + Id.ToString("N");
}

/// <summary>One difference between an upload and the version it would replace: a code (or NCCI pair) and its descriptor before and after.</summary>
public sealed record CodeSetChange(string Key, string? Before, string? After);

/// <summary>A page of one kind of difference (added, removed, changed), with the counts of all three.</summary>
public sealed record CodeSetDiffPage(Guid UploadId, string System, string Version, string? BaseVersion, string Change,
    int Added, int Removed, int Changed, int Total, int Offset, int Limit, IReadOnlyList<CodeSetChange> Items)
{
    /// <summary>The cursor of the next page (also in the Link header); null on the last one.</summary>
    public string? Next { get; init; }
}

/// <summary>The file kinds a platform admin can upload, in the words of the upload page.</summary>
public static class CodeSetKinds
{
    public static readonly (string System, string Label)[] All =
    [
        (CodeSystems.Icd10Cm, "ICD-10-CM: order file or Tabular XML"),
        (CodeSystems.Hcpcs, "HCPCS Level II: ANWEB fixed width, CSV or XLSX"),
        (CodeSystems.Cpt, "CPT (licensed): AMA data file or CSV"),
        (CodeSystems.Ncci, "NCCI PTP practitioner: text, CSV or XLSX"),
        (CodeSystems.Mue, "MUE practitioner: CSV or XLSX"),
        (CodeSystems.Mce, "MCE age and sex lists (Portal table)"),
        (CodeSystems.Modifier, "Modifiers: CSV"),
        (CodeSystems.Pos, "Places of service: CSV"),
    ];

    public static string Label(string system) => system == CodeSystems.IcdTabular ? "ICD-10-CM Tabular XML"
        : All.FirstOrDefault(k => k.System == system).Label ?? system;
}

public static class CodeSetUploads
{
    const string S = MartenSetup.Schema;
    public const string Table = "code_set_upload";
    public static readonly string[] Changes = ["added", "removed", "changed"];

    /// <summary>Created with the other code-set tables; not reference data, so the test reset empties it.</summary>
    public const string Ddl = $"""
        create table if not exists {S}.{Table} (
          id uuid primary key, system text not null, version text not null, effective_from date not null, file_name text not null,
          total_bytes bigint not null, bytes_read bigint not null default 0, rows_read int not null default 0, state text not null,
          sha256 text, rows int, base_version text, base_sha256 text, added int, removed int, changed int,
          error_line int, error_column int, error text, created_by text not null, created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(), finished_at timestamptz, activated_by text, activated_at timestamptz);
        """;

    const string Columns = "id, system, version, effective_from, file_name, total_bytes, bytes_read, rows_read, state, sha256, rows, " +
        "base_version, added, removed, changed, error_line, error_column, error, created_by, created_at, finished_at, activated_by, activated_at, " +
        "base_sha256, updated_at";

    /// <summary>A job that stopped reporting progress for this long died with its process.</summary>
    static readonly TimeSpan Stalled = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Checks the arguments, keeps the file in a temporary file (the request ends before the import does) and starts reading
    /// it in the background. Unknown system → <see cref="InvalidInput"/>-free 404 is the caller's; a bad version or date → 422.
    /// </summary>
    public static async Task<CodeSetUpload> StartAsync(NpgsqlDataSource db, CodeSetUploadRunner runner, string system, string? version,
        string? effectiveFrom, Stream content, string fileName, string by, CancellationToken ct)
    {
        if (!CodeSystems.IsKnown(system) || system == CodeSystems.IcdTabular)
            throw new UnprocessableInput($"'{system}' is not a file kind; use one of {string.Join(", ", CodeSetKinds.All.Select(k => k.System))}.",
                new Dictionary<string, string[]> { ["system"] = ["Choose the kind of file."] });
        if (string.IsNullOrWhiteSpace(version) || !CodeSystems.IsVersionLabel(version.Trim()))
            throw new UnprocessableInput($"Version '{version}' is not a year (2026) or a quarter (2026Q3).",
                new Dictionary<string, string[]> { ["version"] = ["Use YYYY or YYYYQn."] });
        version = version.Trim();
        DateOnly from;
        if (string.IsNullOrWhiteSpace(effectiveFrom)) from = CodeSystems.EffectiveFrom(system, version)!.Value;
        else if (!DateOnly.TryParseExact(effectiveFrom, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out from))
            throw new UnprocessableInput("effectiveFrom must be a date (YYYY-MM-DD).",
                new Dictionary<string, string[]> { ["effectiveFrom"] = ["Use YYYY-MM-DD."] });

        var id = Guid.CreateVersion7();
        Directory.CreateDirectory(runner.Folder);
        var path = Path.Combine(runner.Folder, id.ToString("N") + ".upload");
        long size;
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            await content.CopyToAsync(file, ct);
            size = file.Length;
        }
        if (size == 0)
        {
            File.Delete(path);
            throw new UnprocessableInput("The file is empty.", new Dictionary<string, string[]> { ["file"] = ["Choose a code-set file."] });
        }
        await using (var cmd = db.CreateCommand($"""
            insert into {S}.{Table} (id, system, version, effective_from, file_name, total_bytes, state, created_by)
            values ($1, $2, $3, $4, $5, $6, $7, $8)
            """))
        {
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(system);
            cmd.Parameters.AddWithValue(version);
            cmd.Parameters.AddWithValue(from);
            cmd.Parameters.AddWithValue(Path.GetFileName(fileName) is { Length: > 0 } name ? name[..Math.Min(name.Length, 255)] : "upload");
            cmd.Parameters.AddWithValue(size);
            cmd.Parameters.AddWithValue(nameof(UploadState.Queued));
            cmd.Parameters.AddWithValue(by);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        runner.Start(id, path);
        return (await FindAsync(db, id, ct))!;
    }

    public static async Task<CodeSetUpload?> FindAsync(NpgsqlDataSource db, Guid id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"select {Columns} from {S}.{Table} where id = $1");
        cmd.Parameters.AddWithValue(id);
        return (await Read(cmd, ct)).FirstOrDefault();
    }

    public static async Task<IReadOnlyList<CodeSetUpload>> RecentAsync(NpgsqlDataSource db, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"select {Columns} from {S}.{Table} order by created_at desc, id desc limit $1");
        cmd.Parameters.AddWithValue(limit);
        return await Read(cmd, ct);
    }

    static async Task<IReadOnlyList<CodeSetUpload>> Read(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<CodeSetUpload>();
        while (await r.ReadAsync(ct))
        {
            int? I(int i) => r.IsDBNull(i) ? null : r.GetInt32(i);
            string? T(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            DateTimeOffset? D(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
            var state = Enum.Parse<UploadState>(r.GetString(8));
            var upload = new CodeSetUpload(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateOnly>(3), r.GetString(4),
                r.GetInt64(5), r.GetInt64(6), r.GetInt32(7), state, T(9), I(10), T(11), I(12), I(13), I(14), I(15), I(16), T(17),
                r.GetString(18), r.GetFieldValue<DateTimeOffset>(19), D(20), T(21), D(22)) { BaseSha256 = T(23) };
            // A job whose process died stops reporting: say so instead of showing a bar that never moves.
            if (state is UploadState.Queued or UploadState.Running && DateTimeOffset.UtcNow - r.GetFieldValue<DateTimeOffset>(24) > Stalled)
                upload = upload with { State = UploadState.Failed, Error = "The import stopped without finishing (the server restarted?). Nothing was imported; upload the file again." };
            list.Add(upload);
        }
        return list;
    }

    internal static async Task UpdateAsync(NpgsqlDataSource db, Guid id, string set, CancellationToken ct, params object?[] values)
    {
        await using var cmd = db.CreateCommand($"update {S}.{Table} set {set}, updated_at = now() where id = $1");
        cmd.Parameters.AddWithValue(id);
        foreach (var v in values) cmd.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Makes a ready upload the version it names (<see cref="CodeSetImport.ActivateAsync"/>); 409 when it is not ready or the base moved.</summary>
    public static async Task<CodeSetUpload> ActivateAsync(NpgsqlDataSource db, CodeCatalog catalog, Guid id, string by, CancellationToken ct)
    {
        var upload = await FindAsync(db, id, ct) ?? throw new KeyNotFoundException();
        if (upload.State != UploadState.Ready)
            throw new RuleViolation(upload.State == UploadState.Activated
                ? $"This upload was activated on {upload.ActivatedAt:yyyy-MM-dd HH:mm} UTC by {upload.ActivatedBy}."
                : $"Only a file that was read completely can be activated; this upload is {upload.State.ToString().ToLowerInvariant()}.");
        var summary = new ImportSummary(upload.System, upload.Version, upload.EffectiveFrom, upload.Sha256!, upload.Rows ?? 0,
            upload.Added ?? 0, upload.Changed ?? 0, upload.Removed ?? 0, upload.BaseVersion, Unchanged: false);
        await CodeSetImport.ActivateAsync(db, summary, upload.StagedAs, upload.BaseSha256, upload.FileName, by, ct, upload.Id);
        await catalog.RefreshAsync(ct);
        FileDiffs.TryRemove(id, out _);
        return (await FindAsync(db, id, ct))!;
    }

    public static async Task<CodeSetUpload> DiscardAsync(NpgsqlDataSource db, Guid id, CancellationToken ct)
    {
        var upload = await FindAsync(db, id, ct) ?? throw new KeyNotFoundException();
        if (upload.State is UploadState.Activated) throw new RuleViolation("An activated upload is a version now; import a corrected file instead.");
        if (!upload.Finished) throw new RuleViolation("The file is still being read; discard it when it has finished.");
        if (upload.State == UploadState.Ready) await CodeSetImport.DiscardStagedAsync(db, upload.System, upload.StagedAs, ct);
        if (upload.State is UploadState.Ready) await UpdateAsync(db, id, "state = $2", ct, nameof(UploadState.Discarded));
        FileDiffs.TryRemove(id, out _);
        return (await FindAsync(db, id, ct))!;
    }

    /// <summary>One page of added, removed or changed codes (descriptor level), in code order.</summary>
    public static async Task<CodeSetDiffPage> DiffAsync(NpgsqlDataSource db, CodeSetUpload upload, string change, int offset, int limit, CancellationToken ct)
    {
        if (upload.State != UploadState.Ready && upload.State != UploadState.Activated)
            throw new RuleViolation($"There is no difference to show: this upload is {upload.State.ToString().ToLowerInvariant()}.");
        if (upload.State == UploadState.Activated)
            throw new RuleViolation("This upload is active now; its differences were shown before activation and its summary stays in the history.");
        var (total, items) = CodeSystems.Files.Contains(upload.System)
            ? await FileDiff(db, upload, change, offset, limit, ct)
            : await TableDiff(db, upload, change, offset, limit, ct);
        return new CodeSetDiffPage(upload.Id, upload.System, upload.Version, upload.BaseVersion, change, upload.Added ?? 0, upload.Removed ?? 0,
            upload.Changed ?? 0, total, offset, limit, items);
    }

    static async Task<(int, IReadOnlyList<CodeSetChange>)> TableDiff(NpgsqlDataSource db, CodeSetUpload u, string change, int offset, int limit, CancellationToken ct)
    {
        var (table, filter, key, text, order, compare) = u.System switch
        {
            CodeSystems.Ncci => (CodeSetTables.Ptp, "version = ", "column1, column2", "'indicator ' || x.modifier_indicator || ', from ' || x.effective_from || coalesce(', deleted ' || x.deleted_on, '')",
                "x.column1, x.column2", "n.effective_from is distinct from o.effective_from or n.deleted_on is distinct from o.deleted_on or n.modifier_indicator <> o.modifier_indicator"),
            CodeSystems.Mue => (CodeSetTables.Mue, "version = ", "code", "x.max_units || ' units, MAI ' || x.mai", "x.code",
                "n.max_units <> o.max_units or n.mai <> o.mai"),
            _ => (CodeSetTables.Entries, "system = @s and version = ", "code",
                "case when x.billable then '' else '[header] ' end || x.long_description || case when x.short_description <> x.long_description then ' (short: ' || x.short_description || ')' else '' end",
                "x.ord, x.code", "n.billable <> o.billable or n.short_description <> o.short_description or n.long_description <> o.long_description"),
        };
        string T(string alias) => text.Replace("x.", alias + ".");
        string O(string alias) => order.Replace("x.", alias + ".");
        var keyText = u.System == CodeSystems.Ncci ? "{0}.column1 || ' / ' || {0}.column2" : "{0}.code";
        string K(string alias) => string.Format(CultureInfo.InvariantCulture, keyText, alias);
        var baseVersion = u.BaseVersion ?? "~none";
        var (from, select, orderBy) = change switch
        {
            "added" => ($"n left join o using ({key}) where o.version is null", $"{K("n")} as k, null::text as b, {T("n")} as a", O("n")),
            "removed" => ($"o left join n using ({key}) where n.version is null", $"{K("o")} as k, {T("o")} as b, null::text as a", O("o")),
            _ => ($"n join o using ({key}) where {compare}", $"{K("n")} as k, {T("o")} as b, {T("n")} as a", O("n")),
        };
        await using var cmd = db.CreateCommand($"""
            with n as (select * from {S}.{table} where {filter}@staged), o as (select * from {S}.{table} where {filter}@base),
            d as (select {select}, row_number() over (order by {orderBy}) as i from {from})
            select *, (select count(*) from d) from d order by i offset @offset limit @limit
            """);
        cmd.Parameters.AddWithValue("s", u.System);
        cmd.Parameters.AddWithValue("staged", u.StagedAs);
        cmd.Parameters.AddWithValue("base", baseVersion);
        cmd.Parameters.AddWithValue("offset", offset);
        cmd.Parameters.AddWithValue("limit", limit);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var items = new List<CodeSetChange>();
        var total = 0;
        while (await r.ReadAsync(ct))
        {
            var k = r.GetString(0);
            items.Add(new CodeSetChange(u.System == CodeSystems.Ncci ? k : CodeSystems.Display(u.System, k), r.IsDBNull(1) ? null : r.GetString(1),
                r.IsDBNull(2) ? null : r.GetString(2)));
            total = (int)r.GetInt64(4);
        }
        if (items.Count == 0 && offset > 0) total = change switch { "added" => u.Added ?? 0, "removed" => u.Removed ?? 0, _ => u.Changed ?? 0 };
        return (total, items);
    }

    // Tabular XML and MCE lists are kept whole: their differences come from reading both files, once per upload.
    static readonly ConcurrentDictionary<Guid, Lazy<Task<Dictionary<string, CodeSetChange[]>>>> FileDiffs = new();

    static async Task<(int, IReadOnlyList<CodeSetChange>)> FileDiff(NpgsqlDataSource db, CodeSetUpload u, string change, int offset, int limit, CancellationToken ct)
    {
        if (FileDiffs.Count > 8) FileDiffs.Clear();
        var all = await FileDiffs.GetOrAdd(u.Id, _ => new Lazy<Task<Dictionary<string, CodeSetChange[]>>>(() => ComputeFileDiff(db, u))).Value.WaitAsync(ct);
        var list = all[change];
        return (list.Length, [.. list.Skip(offset).Take(limit)]);
    }

    internal static async Task<Dictionary<string, CodeSetChange[]>> ComputeFileDiff(NpgsqlDataSource db, CodeSetUpload u)
    {
        async Task<Dictionary<string, string>> Load(string label)
        {
            await using var cmd = db.CreateCommand($"select body from {S}.{CodeSetTables.Files} where system = $1 and version = $2");
            cmd.Parameters.AddWithValue(u.System);
            cmd.Parameters.AddWithValue(label);
            if (await cmd.ExecuteScalarAsync() is not byte[] body) return [];
            using var text = TextLines.Open(new MemoryStream(body));
            var pairs = u.System == CodeSystems.Mce
                ? MceFile.Read(text).Select(m => (Key: $"{m.Category.ToString().ToLowerInvariant()} {m.Code}{(m.IncludesChildren ? "*" : "")}", Text: $"ages {m.MinAge}–{m.MaxAge}"))
                : Icd10CmTabularFile.Read(text).Select(e => (Key: e.Level == TabularLevel.Diagnosis ? e.Code : $"{e.Level.ToString().ToLowerInvariant()} {e.Code}", Text: Describe(e)));
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in pairs) map.TryAdd(key, value);
            return map;
        }
        var staged = await Load(u.StagedAs);
        var old = u.BaseVersion is { } b ? await Load(b) : [];
        return new()
        {
            ["added"] = [.. staged.Where(p => !old.ContainsKey(p.Key)).Select(p => new CodeSetChange(p.Key, null, p.Value))],
            ["removed"] = [.. old.Where(p => !staged.ContainsKey(p.Key)).Select(p => new CodeSetChange(p.Key, p.Value, null))],
            ["changed"] = [.. staged.Where(p => old.TryGetValue(p.Key, out var was) && was != p.Value).Select(p => new CodeSetChange(p.Key, old[p.Key], p.Value))],
        };
    }

    static string Describe(TabularEntry e)
    {
        var parts = new List<string> { e.Description };
        void Add(string label, IReadOnlyList<string> notes) { if (notes.Count > 0) parts.Add($"{label}: {string.Join("; ", notes)}"); }
        Add("Excludes1", e.Excludes1);
        Add("Code first", e.CodeFirst);
        Add("Use additional code", e.UseAdditionalCode);
        if (e.SevenCharacters is { Count: > 0 } seven) parts.Add("7th characters: " + string.Join(", ", seven.Select(s => $"{s.Key} {s.Value}")));
        return string.Join(" · ", parts);
    }
}

/// <summary>
/// Reads uploaded files in the background, one task per upload, and writes its progress to <c>code_set_upload</c> about
/// twice a second, so any instance can answer the page's polling. The temporary copy is deleted when the read ends.
/// </summary>
public sealed class CodeSetUploadRunner(NpgsqlDataSource db, IHostApplicationLifetime lifetime, ILogger<CodeSetUploadRunner> log)
{
    readonly ConcurrentDictionary<Guid, Task> running = new();

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "portal-code-set-uploads");

    public void Start(Guid id, string path) => running[id] = Task.Run(() => RunAsync(id, path, lifetime.ApplicationStopping));

    /// <summary>Completes when the upload's read has finished on this instance (tests; the page polls instead).</summary>
    public Task WhenFinished(Guid id) => running.TryGetValue(id, out var task) ? task : Task.CompletedTask;

    async Task RunAsync(Guid id, string path, CancellationToken ct)
    {
        try
        {
            var upload = (await CodeSetUploads.FindAsync(db, id, ct))!;
            await CodeSetUploads.UpdateAsync(db, id, "state = $2", ct, nameof(UploadState.Running));
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            var counting = new CountingStream(file);
            var rows = 0;
            var progress = new Progress(n => Volatile.Write(ref rows, n));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var reporter = Report(id, counting, () => Volatile.Read(ref rows), stop.Token);
            try
            {
                var summary = await CodeSetImport.ImportAsync(db, upload.System, upload.Version, upload.EffectiveFrom, counting, upload.FileName,
                    upload.CreatedBy, progress, ct, stageAs: upload.StagedAs);
                await stop.CancelAsync();
                await reporter;
                if (summary.Unchanged)
                {
                    await CodeSetUploads.UpdateAsync(db, id, "state = $2, sha256 = $3, rows = $4, rows_read = $4, bytes_read = total_bytes, system = $5, finished_at = now()", ct,
                        nameof(UploadState.Unchanged), summary.Sha256, summary.Rows, summary.System);
                    return;
                }
                var (added, removed, changed) = (summary.Added, summary.Dropped, summary.Changed);
                string? baseSha = null;
                await using (var conn = await db.OpenConnectionAsync(ct))
                    baseSha = (await CodeSetImport.BaseOfAsync(conn, null, summary.System, summary.Version, summary.EffectiveFrom, ct)).Sha256;
                if (CodeSystems.Files.Contains(summary.System))
                {
                    var staged = upload with { System = summary.System, BaseVersion = summary.PreviousVersion };
                    var diff = await CodeSetUploads.ComputeFileDiff(db, staged);
                    (added, removed, changed) = (diff["added"].Length, diff["removed"].Length, diff["changed"].Length);
                }
                await CodeSetUploads.UpdateAsync(db, id, """
                    state = $2, sha256 = $3, rows = $4, rows_read = $4, bytes_read = total_bytes, system = $5, base_version = $6, base_sha256 = $7,
                    added = $8, removed = $9, changed = $10, finished_at = now()
                    """, ct, nameof(UploadState.Ready), summary.Sha256, summary.Rows, summary.System, summary.PreviousVersion, baseSha,
                    added, removed, changed);
            }
            finally
            {
                await stop.CancelAsync();
                await reporter;
            }
        }
        catch (CodeFileRejected e)
        {
            await Finish(id, UploadState.Refused, e.Message, e.Line, e.Column);
        }
        catch (UnprocessableInput e)
        {
            await Finish(id, UploadState.Refused, e.Message, null, null);
        }
        catch (Exception e)
        {
            log.LogError(e, "Code-set upload {UploadId} failed", id);
            await Finish(id, UploadState.Failed, "The import failed unexpectedly and nothing was imported; the server log has the details.", null, null);
        }
        finally
        {
            try { File.Delete(path); } catch (IOException) { }
            running.TryRemove(id, out _);
        }
    }

    async Task Finish(Guid id, UploadState state, string message, int? line, int? column)
    {
        try
        {
            await CodeSetUploads.UpdateAsync(db, id, "state = $2, error = $3, error_line = $4, error_column = $5, finished_at = now()", CancellationToken.None,
                state.ToString(), message, line, column);
        }
        catch (Exception e) { log.LogError(e, "Recording the end of code-set upload {UploadId} failed", id); }
    }

    async Task Report(Guid id, CountingStream stream, Func<int> rows, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(400, ct);
                await CodeSetUploads.UpdateAsync(db, id, "bytes_read = $2, rows_read = $3", ct, stream.BytesRead, rows());
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) { log.LogWarning(e, "Reporting the progress of code-set upload {UploadId} failed", id); }
    }

    sealed class Progress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    sealed class CountingStream(Stream inner) : Stream
    {
        long read;
        public long BytesRead => Interlocked.Read(ref read);
        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => Count(await inner.ReadAsync(buffer, ct));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
        int Count(int n) { Interlocked.Add(ref read, n); return n; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
