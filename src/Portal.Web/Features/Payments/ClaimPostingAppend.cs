using JasperFx.Events;
using Marten;
using Npgsql;
using NpgsqlTypes;
using Portal.Web.Features.Claims;
using Portal.Web.Platform;

namespace Portal.Web.Features.Payments;

/// <summary>A claim as the 835 import read it (Version = the stream version read) and the posting events to append to it, in order.</summary>
public sealed record ClaimPostings(ClaimView Claim, IReadOnlyList<object> Events);

/// <summary>
/// The 835 import's claim events (<see cref="ClaimPaymentPosted"/>, <see cref="ClaimDenied"/>) on many claim streams, written
/// set-based in the file's transaction (ADR 0028, the payments twin of ADR 0019's submission append): one statement checks and bumps
/// every claim stream's version (at the version read: a claim changed meanwhile fails the whole file), appends the events to
/// <c>mt_events</c> and writes each claim's snapshot after the claim's own Apply methods (since ADR 0032 as a patch of the members
/// they changed, merged into the stored document as ADR 0027 does for submissions), exactly what Marten's inline
/// <see cref="ClaimView"/> projection stores; the ledger rows of the posted events are queued through
/// <see cref="LedgerProjection.Commands"/> as the inline ledger projection would. Marten's own path costs, per claim, a second
/// load of the snapshot, a function call for the append and an upsert of the snapshot: most of a 5,000-claim file's time.
/// Consumers of these events other than those two inline projections read <c>mt_events</c> (the async daemon, reactions,
/// webhooks, the patient ledger) and see them as usual. A new inline projection over these events must be added here too.
/// </summary>
public static class ClaimPostingAppend
{
    /// <summary>Below this many claims Marten's own append is as quick and keeps the ordinary path (upload of a few claims, tests).</summary>
    public const int Threshold = 50;

    static readonly string Sql = $"""
        with input as (
            select * from unnest(@streams, @expected, @versions, @docs) as s(stream, expected, version, doc)
        ), locked as materialized (
            -- Stream rows locked in id order first, as ClaimBulkAppend does: overlapping runs wait, never deadlock.
            select s.id from {MartenSetup.Schema}.mt_streams s
            where s.tenant_id = @tenant and s.id = any(@streams) order by s.id for update
        ), bumped as (
            update {MartenSetup.Schema}.mt_streams s set version = i.version, timestamp = now()
            from input i join locked l on l.id = i.stream
            where s.tenant_id = @tenant and s.id = i.stream and s.version = i.expected and s.is_archived is not true
            returning s.id
        ), appended as (
            insert into {MartenSetup.Schema}.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived)
            select nextval('{MartenSetup.Schema}.mt_events_sequence'), e.id, e.stream, e.version, e.body::jsonb, e.type, @tenant, now(), e.dotnet_type, false
            from (select * from unnest(@event_streams, @event_versions, @event_ids, @types, @dotnet_types, @bodies) with ordinality
                    as x(stream, version, id, type, dotnet_type, body, ord) order by ord) e
            returning 1
        ), snapshots as (
            update {MartenSetup.Schema}.mt_doc_claimview d set data = d.data || i.doc::jsonb, mt_version = i.version, mt_last_modified = transaction_timestamp()
            from input i join bumped b on b.id = i.stream
            where d.tenant_id = @tenant and d.id = i.stream
            returning 1
        )
        select (select count(*) from bumped), (select count(*) from appended), (select count(*) from snapshots)
        """;

    /// <summary>
    /// Appends the postings: Marten's append at the version read for a few claims (saved with the session), the set-based statement
    /// (run now, in the session's transaction, which this opens) for many. Throws <see cref="StaleStreamsException"/> when a claim
    /// moved on since it was read; the caller's transaction then rolls back whole.
    /// </summary>
    public static async Task AppendAsync(IDocumentSession session, IReadOnlyList<ClaimPostings> postings, CancellationToken ct)
    {
        if (postings.Count == 0) return;
        if (postings.Count < Threshold)
        {
            foreach (var (claim, events) in postings) session.Events.Append(claim.Id, claim.Version + events.Count, [.. events]);
            return;
        }

        var graph = (Marten.Events.EventGraph)((StoreOptions)session.DocumentStore.Options).Events;
        var serializer = session.DocumentStore.Options.Serializer();
        var n = postings.Count;
        var streams = new Guid[n];
        var expected = new long[n];
        var versions = new long[n];
        var docs = new string[n];
        var total = postings.Sum(p => p.Events.Count);
        var eventStreams = new Guid[total];
        var eventVersions = new long[total];
        var eventIds = new Guid[total];
        var types = new string[total];
        var dotnetTypes = new string[total];
        var bodies = new string[total];
        var ledger = new List<(Guid Id, string Tenant, object Data)>(total);
        var fields = Claims.Submission.SnapshotFields.For(serializer);
        var before = new object?[fields.Count];
        var k = 0;
        for (var i = 0; i < n; i++)
        {
            var (claim, events) = postings[i];
            streams[i] = claim.Id;
            expected[i] = claim.Version;
            fields.Read(claim, before);
            foreach (var e in events)
            {
                var mapping = graph.EventMappingFor(e.GetType());
                eventStreams[k] = claim.Id;
                eventVersions[k] = claim.Version + 1;
                eventIds[k] = Guid.CreateVersion7();
                types[k] = mapping.EventTypeName;
                dotnetTypes[k] = mapping.DotNetTypeName;
                bodies[k] = serializer.ToJson(e);
                ledger.Add((eventIds[k], session.TenantId, e));
                Apply(claim, e);
                claim.Version++;
                k++;
            }
            versions[i] = claim.Version;
            // Only the members the events changed (amounts, state, payer claim number, Version, the computed balances), merged
            // into the stored snapshot (ADR 0027's patch, ADR 0032): the rest is what was read, so re-encoding it is work for nothing.
            docs[i] = fields.Patch(claim, before, serializer);
        }

        await session.BeginTransactionAsync(ct);
        // The input in memory rather than spilled to temporary files, and lz4 for the rewritten snapshots where the server has it,
        // as ClaimBulkAppend does (ADR 0027). SET LOCAL ends with the transaction.
        await using (var setup = new NpgsqlCommand(await Claims.Submission.ClaimBulkAppend.SetLocalAsync(session.Connection!, ct), session.Connection))
            await setup.ExecuteNonQueryAsync(ct);
        await using var command = new NpgsqlCommand(Sql, session.Connection);
        command.Parameters.Add(new NpgsqlParameter("tenant", NpgsqlDbType.Varchar) { Value = session.TenantId });
        command.Parameters.Add(new NpgsqlParameter("streams", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = streams });
        command.Parameters.Add(new NpgsqlParameter("expected", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = expected });
        command.Parameters.Add(new NpgsqlParameter("versions", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = versions });
        command.Parameters.Add(new NpgsqlParameter("docs", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = docs });
        command.Parameters.Add(new NpgsqlParameter("event_streams", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = eventStreams });
        command.Parameters.Add(new NpgsqlParameter("event_versions", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = eventVersions });
        command.Parameters.Add(new NpgsqlParameter("event_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = eventIds });
        command.Parameters.Add(new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Varchar) { Value = types });
        command.Parameters.Add(new NpgsqlParameter("dotnet_types", NpgsqlDbType.Array | NpgsqlDbType.Varchar) { Value = dotnetTypes });
        command.Parameters.Add(new NpgsqlParameter("bodies", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = bodies });
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            var (bumped, appended, written) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            if (bumped != n || appended != total || written != n)
                throw new StaleStreamsException($"{n - bumped} of {n} claims changed since they were read; nothing was posted.");
        }
        // The inline ledger projection does not see events written here: queue its statements for them, in the same transaction.
        foreach (var (sql, args) in LedgerProjection.Commands(ledger)) session.QueueSqlCommand(sql, args);
    }

    /// <summary>The posting events this path writes; any other event goes through Marten's append.</summary>
    static void Apply(ClaimView claim, object e)
    {
        switch (e)
        {
            case ClaimPaymentPosted x: claim.Apply(x); break;
            case ClaimDenied x: claim.Apply(x); break;
            default: throw new ArgumentException($"{e.GetType().Name} is not a posting event.", nameof(e));
        }
    }
}
