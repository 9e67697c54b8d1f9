using System.Security.Cryptography;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Portal.Billing.CodeFiles;
using Portal.Web.Platform;

namespace Portal.Web.Features.Codes;

/// <summary>What an import did, compared with the previous version of the same system.</summary>
public sealed record ImportSummary(
    string System, string Version, DateOnly EffectiveFrom, string Sha256, int Rows,
    int Added, int Changed, int Dropped, string? PreviousVersion, bool Unchanged);

/// <summary>One row of the import history (every import that changed something).</summary>
public sealed record CodeSetImportRecord(
    long Id, string System, string Version, DateOnly EffectiveFrom, string FileName, string Sha256, int Rows,
    int Added, int Changed, int Dropped, string? PreviousVersion, string ImportedBy, DateTimeOffset ImportedAt);

/// <summary>
/// Reference tables in the <c>portal</c> schema, outside Marten: global, versioned, loaded with COPY. PostgreSQL is
/// the source of truth; <see cref="CodeCatalog"/> keeps the in-memory search index.
/// </summary>
public static class CodeSetTables
{
    public const string Version = "code_set_version";
    public const string History = "code_set_import";
    public const string Entries = "code_entry";
    public const string Ptp = "ncci_ptp_edit";
    public const string Mue = "mue_limit";
    /// <summary>Files kept whole after validation (Tabular XML, MCE lists): the edits parse them once per version.</summary>
    public const string Files = "code_set_file";
    public static readonly string[] All = [Version, History, Entries, Ptp, Mue, Files];

    const string S = MartenSetup.Schema;

    public static async Task EnsureCreatedAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            create schema if not exists {S};
            create table if not exists {S}.{Version} (
              system text not null, version text not null, effective_from date not null, sha256 text not null,
              primary key (system, version));
            create table if not exists {S}.{History} (
              id bigserial primary key, system text not null, version text not null, effective_from date not null,
              file_name text not null, sha256 text not null, rows int not null, added int not null, changed int not null,
              dropped int not null, previous_version text, imported_by text not null, imported_at timestamptz not null default now());
            create table if not exists {S}.{Entries} (
              system text not null, version text not null, code text not null, billable boolean not null,
              short_description text not null, long_description text not null, flags text not null, ord int not null,
              primary key (system, version, code));
            create table if not exists {S}.{Ptp} (
              version text not null, column1 text not null, column2 text not null, effective_from date not null,
              deleted_on date, modifier_indicator smallint not null, rationale text not null,
              primary key (version, column1, column2));
            create table if not exists {S}.{Mue} (
              version text not null, code text not null, max_units int not null, mai smallint not null, rationale text not null,
              primary key (version, code));
            create table if not exists {S}.{Files} (
              system text not null, version text not null, body bytea not null, primary key (system, version));
            {CodeSetUploads.Ddl}
            """);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

public static class CodeSetImport
{
    const string S = MartenSetup.Schema;

    /// <summary>
    /// Imports one official file as <paramref name="version"/> of <paramref name="system"/> in one transaction: a bad
    /// line refuses the whole file (<see cref="CodeFileRejected"/>) and nothing is kept. The same file twice changes
    /// nothing; a different file for an existing version replaces it.
    /// </summary>
    /// <remarks>
    /// With <paramref name="stageAs"/> the rows are written under that storage label instead (invisible to searches and
    /// edits, which read only labels in the version table), compared with the version they would replace, and left for
    /// <see cref="ActivateAsync"/>; the summary's <see cref="ImportSummary.PreviousVersion"/> is then that base version.
    /// </remarks>
    public static async Task<ImportSummary> ImportAsync(NpgsqlDataSource db, string system, string version, DateOnly? effectiveFrom,
        Stream file, string fileName, string importedBy, IProgress<int>? progress, CancellationToken ct, string? stageAs = null)
    {
        var store = stageAs ?? version;
        if (!CodeSystems.IsKnown(system)) throw new UnprocessableInput($"Unknown code system '{system}'.");
        if (!CodeSystems.IsVersionLabel(version))
            throw new UnprocessableInput($"Version '{version}' is not a year (2026) or a quarter (2026Q3).",
                new Dictionary<string, string[]> { ["version"] = ["Use YYYY or YYYYQn."] });
        var from = effectiveFrom ?? CodeSystems.EffectiveFrom(system, version)!.Value;

        await using var hashing = new HashingStream(file);
        if (system == CodeSystems.Icd10Cm && (await Peek(hashing, 8192, ct)) is var first && Encoding.UTF8.GetString(first).TrimStart('\uFEFF', ' ', '\r', '\n', '\t').StartsWith('<'))
        {
            // The Tabular XML of the same release: its own version row, so importing it twice is a no-op too.
            system = CodeSystems.IcdTabular;
            from = effectiveFrom ?? CodeSystems.EffectiveFrom(system, version)!.Value;
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Two imports of the same version queue up here instead of interleaving.
        await Exec(conn, tx, $"select pg_advisory_xact_lock(hashtext('code-set:' || @s || ':' || @v))", ct, ("s", system), ("v", store));
        var existingSha = await Scalar<string>(conn, tx, $"select sha256 from {S}.{CodeSetTables.Version} where system = @s and version = @v", ct,
            ("s", system), ("v", version));

        var (table, scope) = Target(system);
        await Exec(conn, tx, $"delete from {S}.{table} where {scope}", ct, ("s", system), ("v", store));
        var head = await Peek(hashing, 8192, ct);
        var xlsx = head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4;
        Stream content = new PrefixedStream(head, hashing);
        IEnumerable<T> Text<T>(Func<TextReader, IEnumerable<T>> read) { var reader = TextLines.Open(content); return read(reader); }
        IEnumerable<T> Refuse<T>(string what) => throw new CodeFileRejected(1, 1, $"{what} is not read as a workbook; upload the text edition.");
        var rows = system switch
        {
            CodeSystems.Ncci => await Copy(conn, $"{S}.{table} (version, column1, column2, effective_from, deleted_on, modifier_indicator, rationale)",
                xlsx ? NcciPtpFile.ReadXlsx(content) : Text(NcciPtpFile.Read), (w, r) =>
                {
                    w.Write(store); w.Write(r.Column1); w.Write(r.Column2); w.Write(r.EffectiveFrom, NpgsqlDbType.Date);
                    if (r.DeletedOn is { } d) w.Write(d, NpgsqlDbType.Date); else w.WriteNull();
                    w.Write((short)r.ModifierIndicator); w.Write(r.Rationale);
                }, progress, ct),
            CodeSystems.Mue => await Copy(conn, $"{S}.{table} (version, code, max_units, mai, rationale)",
                xlsx ? MueFile.ReadXlsx(content) : Text(MueFile.Read), (w, r) =>
                {
                    w.Write(store); w.Write(r.Code); w.Write(r.MaxUnits); w.Write((short)r.Mai); w.Write(r.Rationale);
                }, progress, ct),
            CodeSystems.IcdTabular or CodeSystems.Mce => await StoreFile(conn, system, store, content, xlsx, progress, ct),
            _ => await Copy(conn, $"{S}.{table} (system, version, code, billable, short_description, long_description, flags, ord)",
                system switch
                {
                    CodeSystems.Icd10Cm => xlsx ? Refuse<CodeRecord>("An ICD-10-CM file") : Text(Icd10CmOrderFile.Read),
                    CodeSystems.Hcpcs => (xlsx ? HcpcsFile.ReadXlsx(content) : Text(HcpcsFile.Read)).Where(r => r.Kind == CodeKind.Code),
                    CodeSystems.Cpt => xlsx ? Refuse<CodeRecord>("A CPT file") : Text(CptFile.Read),
                    _ => xlsx ? Refuse<CodeRecord>("A code list") : Text(r => CodeListFile.Read(r, system)),
                }, (w, r) =>
                {
                    w.Write(system); w.Write(store); w.Write(r.Code); w.Write(r.Billable); w.Write(r.ShortDescription);
                    w.Write(r.LongDescription); w.Write(r.Flags ?? ""); w.Write(r.Order);
                }, progress, ct),
        };
        if (rows == 0) throw new CodeFileRejected(1, 1, "the file holds no codes.");
        var sha = await hashing.FinishAsync(ct);

        var previous = await Scalar<string>(conn, tx, $"""
            select version from {S}.{CodeSetTables.Version}
            where system = @s and version <> @v and effective_from < @f order by effective_from desc limit 1
            """, ct, ("s", system), ("v", version), ("f", from));
        if (existingSha == sha)
        {
            // Same bytes as the stored version: roll back the reload, nothing changes.
            await tx.RollbackAsync(ct);
            return new ImportSummary(system, version, from, sha, rows, 0, 0, 0, previous, Unchanged: true);
        }

        if (stageAs is not null)
        {
            // Staged: compared with what activating it would replace (the same label if it exists, else the release before it).
            var baseVersion = existingSha is not null ? version : previous;
            var (a, c, d) = baseVersion is null ? (rows, 0, 0) : await Diff(conn, tx, system, store, baseVersion, ct);
            await tx.CommitAsync(ct);
            return new ImportSummary(system, version, from, sha, rows, a, c, d, baseVersion, Unchanged: false);
        }
        var (added, changed, dropped) = previous is null ? (rows, 0, 0) : await Diff(conn, tx, system, version, previous, ct);
        await Exec(conn, tx, $"""
            insert into {S}.{CodeSetTables.Version} (system, version, effective_from, sha256) values (@s, @v, @f, @h)
            on conflict (system, version) do update set effective_from = excluded.effective_from, sha256 = excluded.sha256;
            insert into {S}.{CodeSetTables.History} (system, version, effective_from, file_name, sha256, rows, added, changed, dropped, previous_version, imported_by)
            values (@s, @v, @f, @n, @h, @r, @a, @c, @d, @p, @by);
            """, ct, ("s", system), ("v", version), ("f", from), ("h", sha), ("n", Path.GetFileName(fileName)), ("r", rows),
            ("a", added), ("c", changed), ("d", dropped), ("p", (object?)previous ?? DBNull.Value), ("by", importedBy));
        await tx.CommitAsync(ct);
        return new ImportSummary(system, version, from, sha, rows, added, changed, dropped, previous, Unchanged: false);
    }

    /// <summary>The version a staged release of <paramref name="system"/> <paramref name="version"/> would replace or follow, and its file's SHA-256.</summary>
    public static async Task<(string? Version, string? Sha256)> BaseOfAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string system,
        string version, DateOnly from, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"""
            select version, sha256 from {S}.{CodeSetTables.Version}
            where system = @s and (version = @v or effective_from < @f) order by (version = @v) desc, effective_from desc limit 1
            """, conn, tx);
        cmd.Parameters.AddWithValue("s", system);
        cmd.Parameters.AddWithValue("v", version);
        cmd.Parameters.AddWithValue("f", from);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetString(0), reader.GetString(1)) : (null, null);
    }

    /// <summary>
    /// Makes a staged upload the version <paramref name="staged"/>.Version in one transaction: the rows stored under
    /// <paramref name="stagedAs"/> replace that version's rows, the version row and a history row are written. Refused
    /// (<see cref="RuleViolation"/>) when the version it was compared with changed since, so nobody activates a diff
    /// they did not see.
    /// </summary>
    public static async Task ActivateAsync(NpgsqlDataSource db, ImportSummary staged, string stagedAs, string? baseSha, string fileName,
        string activatedBy, CancellationToken ct, Guid? uploadId = null)
    {
        var (system, version) = (staged.System, staged.Version);
        var (table, scope) = Target(system);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await Exec(conn, tx, $"select pg_advisory_xact_lock(hashtext('code-set:' || @s || ':' || @v))", ct, ("s", system), ("v", version));
        var (nowBase, nowSha) = await BaseOfAsync(conn, tx, system, version, staged.EffectiveFrom, ct);
        if (nowBase != staged.PreviousVersion || nowSha != baseSha)
            throw new RuleViolation($"{system} {version} was compared with {staged.PreviousVersion ?? "no version"}, but {nowBase ?? "no version"} is what it would replace now. Upload the file again to see the current differences.");
        await Exec(conn, tx, $"""
            delete from {S}.{table} where {scope};
            update {S}.{table} set version = @v where {scope.Replace("@v", "@staged")};
            insert into {S}.{CodeSetTables.Version} (system, version, effective_from, sha256) values (@s, @v, @f, @h)
            on conflict (system, version) do update set effective_from = excluded.effective_from, sha256 = excluded.sha256;
            insert into {S}.{CodeSetTables.History} (system, version, effective_from, file_name, sha256, rows, added, changed, dropped, previous_version, imported_by)
            values (@s, @v, @f, @n, @h, @r, @a, @c, @d, @p, @by);
            """, ct, ("s", system), ("v", version), ("staged", stagedAs), ("f", staged.EffectiveFrom), ("h", staged.Sha256),
            ("n", Path.GetFileName(fileName)), ("r", staged.Rows), ("a", staged.Added), ("c", staged.Changed), ("d", staged.Dropped),
            ("p", (object?)staged.PreviousVersion ?? DBNull.Value), ("by", activatedBy));
        if (uploadId is { } id)
        {
            await using var mark = new NpgsqlCommand($"""
                update {S}.{CodeSetUploads.Table} set state = 'Activated', activated_by = @by, activated_at = now(), updated_at = now()
                where id = @id and state = 'Ready'
                """, conn, tx);
            mark.Parameters.AddWithValue("id", id);
            mark.Parameters.AddWithValue("by", activatedBy);
            if (await mark.ExecuteNonQueryAsync(ct) != 1) throw new RuleViolation("This upload was activated or discarded meanwhile.");
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>Drops the rows of a staged upload (discarded, or never activated).</summary>
    public static async Task DiscardStagedAsync(NpgsqlDataSource db, string system, string stagedAs, CancellationToken ct)
    {
        var (table, scope) = Target(system);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await Exec(conn, tx, $"delete from {S}.{table} where {scope}", ct, ("s", system), ("v", stagedAs));
        await tx.CommitAsync(ct);
    }

    public static async Task<IReadOnlyList<CodeSetImportRecord>> HistoryAsync(NpgsqlDataSource db, string system, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            select id, system, version, effective_from, file_name, sha256, rows, added, changed, dropped, previous_version, imported_by, imported_at
            from {S}.{CodeSetTables.History} where system = @s order by id desc
            """);
        cmd.Parameters.AddWithValue("s", system);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<CodeSetImportRecord>();
        while (await reader.ReadAsync(ct))
            list.Add(new CodeSetImportRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateOnly>(3),
                reader.GetString(4), reader.GetString(5), reader.GetInt32(6), reader.GetInt32(7), reader.GetInt32(8), reader.GetInt32(9),
                reader.IsDBNull(10) ? null : reader.GetString(10), reader.GetString(11), reader.GetFieldValue<DateTimeOffset>(12)));
        return list;
    }

    /// <summary>Removes a version and its rows (tests and mistaken uploads).</summary>
    public static async Task DeleteVersionAsync(NpgsqlDataSource db, string system, string version, CancellationToken ct)
    {
        var (table, scope) = Target(system);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await Exec(conn, tx, $"""
            delete from {S}.{table} where {scope};
            delete from {S}.{CodeSetTables.Version} where system = @s and version = @v;
            delete from {S}.{CodeSetTables.History} where system = @s and version = @v;
            """, ct, ("s", system), ("v", version));
        await tx.CommitAsync(ct);
    }

    static (string Table, string Scope) Target(string system) => system switch
    {
        CodeSystems.Ncci => (CodeSetTables.Ptp, "version = @v and @s = @s"),
        CodeSystems.Mue => (CodeSetTables.Mue, "version = @v and @s = @s"),
        CodeSystems.IcdTabular or CodeSystems.Mce => (CodeSetTables.Files, "system = @s and version = @v"),
        _ => (CodeSetTables.Entries, "system = @s and version = @v"),
    };

    static async Task<(int, int, int)> Diff(NpgsqlConnection conn, NpgsqlTransaction tx, string system, string version, string previous,
        CancellationToken ct)
    {
        var (table, key, compare) = system switch
        {
            CodeSystems.Ncci => (CodeSetTables.Ptp, "column1, column2", "n.effective_from is distinct from o.effective_from or n.deleted_on is distinct from o.deleted_on or n.modifier_indicator <> o.modifier_indicator"),
            CodeSystems.Mue => (CodeSetTables.Mue, "code", "n.max_units <> o.max_units or n.mai <> o.mai"),
            CodeSystems.IcdTabular or CodeSystems.Mce => (CodeSetTables.Files, "system", "n.body <> o.body"),
            _ => (CodeSetTables.Entries, "code", "n.billable <> o.billable or n.short_description <> o.short_description or n.long_description <> o.long_description"),
        };
        var filter = table == CodeSetTables.Entries ? "system = @s and version = " : "version = ";
        await using var cmd = new NpgsqlCommand($"""
            with n as (select * from {S}.{table} where {filter}@v), o as (select * from {S}.{table} where {filter}@p)
            select
              (select count(*) from n left join o using ({key}) where o.version is null),
              (select count(*) from n join o using ({key}) where {compare}),
              (select count(*) from o left join n using ({key}) where n.version is null)
            """, conn, tx);
        cmd.Parameters.AddWithValue("s", system);
        cmd.Parameters.AddWithValue("v", version);
        cmd.Parameters.AddWithValue("p", previous);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return ((int)reader.GetInt64(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2));
    }

    /// <summary>Validates a Tabular XML or MCE list with its reader (a refusal names line and column) and keeps the file whole.</summary>
    static async Task<int> StoreFile(NpgsqlConnection conn, string system, string version, Stream content, bool xlsx, IProgress<int>? progress,
        CancellationToken ct)
    {
        if (xlsx) throw new CodeFileRejected(1, 1, "this file is read as text, not as a workbook.");
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, ct);
        buffer.Position = 0;
        int count;
        using (var text = TextLines.Open(new MemoryStream(buffer.GetBuffer(), 0, (int)buffer.Length, writable: false)))
            count = system == CodeSystems.Mce ? MceFile.Read(text).Count() : Icd10CmTabularFile.Read(text).Count();
        await using var cmd = new NpgsqlCommand($"insert into {S}.{CodeSetTables.Files} (system, version, body) values (@s, @v, @b)", conn);
        cmd.Parameters.AddWithValue("s", system);
        cmd.Parameters.AddWithValue("v", version);
        cmd.Parameters.AddWithValue("b", buffer.ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
        progress?.Report(count);
        return count;
    }

    /// <summary>The first bytes of a stream, read ahead (a zip signature means a workbook; a '&lt;' the Tabular XML).</summary>
    static async Task<byte[]> Peek(HashingStream stream, int size, CancellationToken ct)
    {
        if (stream.Peeked is { } done) return done;
        var buffer = new byte[size];
        var n = 0;
        while (n < size && await stream.ReadAsync(buffer.AsMemory(n), ct) is var r and > 0) n += r;
        stream.Peeked = buffer[..n];
        return stream.Peeked;
    }

    /// <summary>The bytes already peeked, then the rest of the stream.</summary>
    /// <summary>A stream read once, front to back: the import's wrappers around the upload need nothing else.</summary>
    abstract class ForwardOnlyStream : Stream
    {
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    sealed class PrefixedStream(byte[] prefix, Stream rest) : ForwardOnlyStream
    {
        int at;
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (at < prefix.Length)
            {
                var n = Math.Min(count, prefix.Length - at);
                Array.Copy(prefix, at, buffer, offset, n);
                at += n;
                return n;
            }
            return rest.Read(buffer, offset, count);
        }
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (at < prefix.Length)
            {
                var n = Math.Min(buffer.Length, prefix.Length - at);
                prefix.AsMemory(at, n).CopyTo(buffer);
                at += n;
                return n;
            }
            return await rest.ReadAsync(buffer, ct);
        }
    }

    static async Task<int> Copy<T>(NpgsqlConnection conn, string target, IEnumerable<T> rows, Action<NpgsqlBinaryImporter, T> write,
        IProgress<int>? progress, CancellationToken ct)
    {
        var count = 0;
        await using (var importer = await conn.BeginBinaryImportAsync($"copy {target} from stdin (format binary)", ct))
        {
            foreach (var row in rows)
            {
                ct.ThrowIfCancellationRequested();
                await importer.StartRowAsync(ct);
                write(importer, row);
                if (++count % 10_000 == 0) progress?.Report(count);
            }
            await importer.CompleteAsync(ct);
        }
        progress?.Report(count);
        return count;
    }

    static async Task Exec(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct, params (string Name, object Value)[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    static async Task<T?> Scalar<T>(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct, params (string Name, object Value)[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        return await cmd.ExecuteScalarAsync(ct) is T result ? result : default;
    }

    /// <summary>Hashes what the parser reads, so the SHA-256 costs no second pass over the file.</summary>
    sealed class HashingStream(Stream inner) : ForwardOnlyStream
    {
        readonly IncrementalHash sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        /// <summary>Bytes read ahead to detect the layout (already hashed); the import reads them first.</summary>
        public byte[]? Peeked { get; set; }

        public async Task<string> FinishAsync(CancellationToken ct)
        {
            var buffer = new byte[64 * 1024];
            while (await ReadAsync(buffer, ct) > 0) { }
            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            sha.AppendData(buffer, offset, n);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            var n = await inner.ReadAsync(buffer, ct);
            sha.AppendData(buffer.Span[..n]);
            return n;
        }


        protected override void Dispose(bool disposing)
        {
            if (disposing) sha.Dispose();
            base.Dispose(disposing);
        }
    }
}
