using Marten;
using Portal.Web.Platform;

namespace Portal.Web.Features.Payments;

/// <summary>
/// The denial follow-up work items of a large 835 (one stream each, <see cref="DenialWorkItemOpened"/> as its first event), started
/// set-based in the file's transaction (ADR 0032, the twin of <see cref="ClaimPostingAppend"/>): three queued statements insert
/// the stream rows, the events and the inline <see cref="DenialWorkItem"/> snapshots (built by its own Apply, Version 1, as
/// Marten's inline snapshot stores it), and the inline ledger projection's statements for the events are queued as Marten
/// would run them (<see cref="LedgerProjection.Commands"/>: the denial roll-up and the claims' outcomes). Marten's own path
/// costs a stream action, three operations and a projection pass per item. Other consumers read <c>mt_events</c> as usual.
/// Rows carry the session's tenant and go to the session's database (ADR 0031). A new inline projection over
/// <see cref="DenialWorkItemOpened"/> must be added here too.
/// </summary>
public static class DenialWorkItemStarts
{
    public static void Start(IDocumentSession session, IReadOnlyList<DenialWorkItemOpened> opened)
    {
        if (opened.Count == 0) return;
        if (opened.Count < ClaimPostingAppend.Threshold)
        {
            foreach (var e in opened) session.Events.StartStream<DenialWorkItem>(e.WorkItemId, e);
            return;
        }

        var graph = (Marten.Events.EventGraph)((StoreOptions)session.DocumentStore.Options).Events;
        var serializer = session.DocumentStore.Options.Serializer();
        var mapping = graph.EventMappingFor(typeof(DenialWorkItemOpened));
        var n = opened.Count;
        var ids = new Guid[n];
        var eventIds = new Guid[n];
        var bodies = new string[n];
        var docs = new string[n];
        var ledger = new List<(Guid Id, string Tenant, object Data)>(n);
        for (var i = 0; i < n; i++)
        {
            var e = opened[i];
            ids[i] = e.WorkItemId;
            eventIds[i] = Guid.CreateVersion7();
            bodies[i] = serializer.ToJson(e);
            var item = new DenialWorkItem();
            item.Apply(e);
            item.Version = 1;
            docs[i] = serializer.ToJson(item);
            ledger.Add((eventIds[i], session.TenantId, e));
        }
        var schema = MartenSetup.Schema;
        session.QueueSqlCommand(
            $"insert into {schema}.mt_streams (tenant_id, id, type, version, timestamp, created, is_archived) " +
            "select ?, s.id, ?, 1, now(), now(), false from unnest(?::uuid[]) as s(id)",
            session.TenantId, graph.AggregateAliasFor(typeof(DenialWorkItem)), ids);
        session.QueueSqlCommand(
            $"insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived) " +
            $"select nextval('{schema}.mt_events_sequence'), e.id, e.stream, 1, e.body::jsonb, ?, ?, now(), ?, false " +
            "from unnest(?::uuid[], ?::uuid[], ?::text[]) with ordinality as e(stream, id, body, ord) order by e.ord",
            mapping.EventTypeName, session.TenantId, mapping.DotNetTypeName, ids, eventIds, bodies);
        session.QueueSqlCommand(
            $"insert into {schema}.mt_doc_denialworkitem (tenant_id, id, data, mt_last_modified, mt_dotnet_type, mt_version) " +
            "select ?, d.id, d.doc::jsonb, transaction_timestamp(), ?, 1 from unnest(?::uuid[], ?::text[]) as d(id, doc)",
            session.TenantId, typeof(DenialWorkItem).FullName!, ids, docs);
        foreach (var (sql, args) in LedgerProjection.Commands(ledger)) session.QueueSqlCommand(sql, args);
    }
}
