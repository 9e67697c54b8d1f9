using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

using Marten;
using Npgsql;
using NpgsqlTypes;
using Portal.Web.Platform;

namespace Portal.Web.Features.Claims.Submission;

/// <summary>The claim as it was read (its Version is the stream version) and the submission event to append to it.</summary>
public sealed record ClaimEventToAppend(ClaimView Claim, object Event);

/// <summary>
/// One submission event on each of many claim streams, written set-based (ADR 0019): a batch of 10,000 claims, or a 277CA for
/// them, is one statement that checks and bumps every stream's version, appends the events to <c>mt_events</c> and writes each
/// claim's inline snapshot (<see cref="ClaimView"/>, applied here with its own Apply method), inside the session's transaction, so
/// it commits or rolls back with the rest of the save (the batch stream, the control-number counter, the acknowledgement).
/// Marten's own append does the same per stream (one function call, one snapshot upsert and a linear search of the unit of work
/// per claim), which is what made a 10,000-claim batch take 20 s. A stream that moved on since it was read fails the whole save
/// (<see cref="StaleStreamsException"/>, retried by <see cref="BatchWrites.Retrying{T}"/>).
/// </summary>
public static class ClaimBulkAppend
{
    /// <summary>Below this many claims Marten's own append is as quick and keeps every code path ordinary.</summary>
    public const int Threshold = 50;

    static readonly string Sql = $"""
        with input as (
            select * from unnest(@streams, @expected, @event_ids, @types, @dotnet_types, @bodies, @patches) with ordinality
                as i(stream, expected, event_id, type, dotnet_type, body, patch, ord)
        ), locked as materialized (
            -- Every stream row locked in id order before any is changed: two runs over overlapping claims then queue behind each
            -- other instead of locking in join order and deadlocking (a 500 under two batch runs at once).
            select s.id from {MartenSetup.Schema}.mt_streams s
            where s.tenant_id = @tenant and s.id = any(@streams) order by s.id for update
        ), bumped as (
            update {MartenSetup.Schema}.mt_streams s set version = s.version + 1, timestamp = now()
            from input i join locked l on l.id = i.stream
            where s.tenant_id = @tenant and s.id = i.stream and s.version = i.expected and s.is_archived is not true
            returning s.id, s.version
        ), appended as (
            insert into {MartenSetup.Schema}.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived)
            select nextval('{MartenSetup.Schema}.mt_events_sequence'), i.event_id, i.stream, b.version, i.body::jsonb, i.type, @tenant, now(), i.dotnet_type, false
            from (select * from input order by ord) i join bumped b on b.id = i.stream
            returning 1
        ), snapshots as (
            update {MartenSetup.Schema}.mt_doc_claimview d set data = d.data || i.patch::jsonb, mt_version = b.version, mt_last_modified = transaction_timestamp()
            from input i join bumped b on b.id = i.stream
            where d.tenant_id = @tenant and d.id = i.stream
            returning 1
        )
        select (select count(*) from bumped), (select count(*) from appended), (select count(*) from snapshots)
        """;

    /// <summary>
    /// Queues the changes: Marten's append for a few, the set-based statement (run now, in the transaction this opens) for many.
    /// The caller saves the session. On the set-based path the claims in <paramref name="changes"/> take their new state and version.
    /// </summary>
    public static async Task AppendAsync(IDocumentSession session, IReadOnlyList<ClaimEventToAppend> changes, CancellationToken ct)
    {
        if (changes.Count == 0) return;
        if (changes.Select(c => c.Claim.Id).Distinct().Count() != changes.Count)
            throw new InvalidOperationException("One event per claim: a claim is named twice.");
        if (changes.Count < Threshold)
        {
            foreach (var c in changes) session.Events.Append(c.Claim.Id, c.Claim.Version + 1, c.Event);
            return;
        }

        var events = (Marten.Events.EventGraph)((StoreOptions)session.DocumentStore.Options).Events;
        var serializer = session.DocumentStore.Options.Serializer();
        var n = changes.Count;
        var streams = new Guid[n];
        var expected = new long[n];
        var eventIds = new Guid[n];
        var types = new string[n];
        var dotnetTypes = new string[n];
        var bodies = new string[n];
        var patches = new string[n];
        var fields = SnapshotFields.For(session.DocumentStore.Options.Serializer());
        var before = new object?[fields.Count];
        for (var i = 0; i < n; i++)
        {
            var (claim, e) = changes[i];
            var mapping = events.EventMappingFor(e.GetType());
            streams[i] = claim.Id;
            expected[i] = claim.Version;
            eventIds[i] = Guid.CreateVersion7();
            types[i] = mapping.EventTypeName;
            dotnetTypes[i] = mapping.DotNetTypeName;
            bodies[i] = serializer.ToJson(e);
            // The snapshot after the event, as Marten's inline projection stores it: its Version (read back from the JSON, the
            // claim's ETag) and mt_version are the stream's new version. Only the members the event changed are sent and merged
            // into the stored document (ADR 0027): the rest of it is what was read, so re-encoding it is work for nothing.
            fields.Read(claim, before);
            Apply(claim, e);
            claim.Version = expected[i] + 1;
            patches[i] = fields.Patch(claim, before, serializer);
        }

        await session.BeginTransactionAsync(ct);
        // 10,000 rows of input are a few MB: in memory, not spilled to temporary files (the default work_mem is 4 MB). The
        // rewritten snapshots are compressed with lz4 where the server has it: about a third less CPU than the default pglz
        // for documents of this size (ADR 0027). SET LOCAL ends with the transaction.
        await using (var setup = new NpgsqlCommand(await SetLocalAsync(session.Connection!, ct), session.Connection))
            await setup.ExecuteNonQueryAsync(ct);
        await using var command = new NpgsqlCommand(Sql, session.Connection);
        command.Parameters.Add(new NpgsqlParameter("tenant", NpgsqlDbType.Varchar) { Value = session.TenantId });
        command.Parameters.Add(new NpgsqlParameter("streams", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = streams });
        command.Parameters.Add(new NpgsqlParameter("expected", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = expected });
        command.Parameters.Add(new NpgsqlParameter("event_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = eventIds });
        command.Parameters.Add(new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Varchar) { Value = types });
        command.Parameters.Add(new NpgsqlParameter("dotnet_types", NpgsqlDbType.Array | NpgsqlDbType.Varchar) { Value = dotnetTypes });
        command.Parameters.Add(new NpgsqlParameter("bodies", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = bodies });
        command.Parameters.Add(new NpgsqlParameter("patches", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = patches });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (bumped, appended, written) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        await reader.CloseAsync();
        if (bumped != n || appended != n || written != n)
            throw new StaleStreamsException($"{n - bumped} of {n} claims changed since they were read; nothing was saved.");
    }

    static bool? lz4;

    /// <summary>The SET LOCAL statements of a set-based snapshot write: work_mem for its input, lz4 where the server offers it.</summary>
    internal static async Task<string> SetLocalAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        lz4 ??= await Lz4Available(connection, ct);
        return "set local work_mem = '64MB'" + (lz4.Value ? "; set local default_toast_compression = 'lz4'" : "");
    }

    static async Task<bool> Lz4Available(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "select coalesce((select 'lz4' = any(enumvals) from pg_settings where name = 'default_toast_compression'), false)", connection);
        return await command.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>The submission events this path writes; any other event goes through Marten's append.</summary>
    static void Apply(ClaimView claim, object e)
    {
        switch (e)
        {
            case ClaimBatched x: claim.Apply(x); break;
            case ClaimAcceptedByClearinghouse x: claim.Apply(x); break;
            case ClaimRejectedByClearinghouse x: claim.Apply(x); break;
            case ClaimAcceptedByPayer x: claim.Apply(x); break;
            case ClaimRejectedByPayer x: claim.Apply(x); break;
            default: throw new ArgumentException($"{e.GetType().Name} is not a submission event.", nameof(e));
        }
    }
}

/// <summary>
/// The members of <see cref="ClaimView"/> as its JSON document has them (every public property with a getter, computed ones such
/// as <see cref="ClaimView.Editable"/> included, named by Marten's casing), to write only those an event changed (ADR 0027):
/// read every member before the event's Apply and after it, and serialize the ones whose value is no longer the same
/// (arrays are compared by reference, so a member Apply replaced, or one computed afresh on each read, is always written).
/// </summary>
sealed class SnapshotFields
{
    readonly (string Json, Func<ClaimView, object?> Get)[] members;
    static SnapshotFields? cached;

    SnapshotFields((string, Func<ClaimView, object?>)[] members) => this.members = members;

    public int Count => members.Length;

    public static SnapshotFields For(ISerializer serializer)
    {
        if (cached is { } c) return c;
        Func<string, string> name = serializer.Casing switch
        {
            Weasel.Core.Casing.Default => n => n,
            Weasel.Core.Casing.CamelCase => JsonNamingPolicy.CamelCase.ConvertName,
            Weasel.Core.Casing.SnakeCase => JsonNamingPolicy.SnakeCaseLower.ConvertName,
            var other => throw new NotSupportedException($"ClaimBulkAppend does not know Marten's casing {other}."),
        };
        var list = typeof(ClaimView).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p =>
            {
                var view = Expression.Parameter(typeof(ClaimView));
                var get = Expression.Lambda<Func<ClaimView, object?>>(Expression.Convert(Expression.Property(view, p), typeof(object)), view).Compile();
                return (name(p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? p.Name), get);
            }).ToArray();
        return cached = new SnapshotFields(list);
    }

    public void Read(ClaimView claim, object?[] values)
    {
        for (var i = 0; i < members.Length; i++) values[i] = members[i].Get(claim);
    }

    /// <summary>A JSON object of the members whose value differs from <paramref name="before"/>, for <c>data || patch</c>.</summary>
    public string Patch(ClaimView claim, object?[] before, ISerializer serializer)
    {
        // One serialization per claim: the changed members by their JSON names, each value written as its own runtime type.
        var changed = new Dictionary<string, object?>(8);
        for (var i = 0; i < members.Length; i++)
        {
            var value = members[i].Get(claim);
            if (!Equals(value, before[i])) changed[members[i].Json] = value;
        }
        return serializer.ToJson(changed);
    }
}
