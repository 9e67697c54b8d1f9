using Marten;
using JasperFx;
using Npgsql;

namespace Portal.Web.Platform;

/// <summary>
/// A natural key taken within one practice (an MRN, an NPI, a vendor's active engagement). The document's id is the key
/// itself and the table's primary key is (tenant_id, id), so PostgreSQL refuses a second claim of the same key in the same
/// practice while another practice may hold the same value. Claimed in the same session, hence the same transaction, as
/// the stream it guards: two concurrent creates cannot both commit. Why a key document and not a unique index on the
/// snapshot: docs/adr/0011-unique-keys.md.
/// </summary>
public sealed record UniqueKey(string Id, Guid OwnerId, DateTimeOffset At);

/// <summary>A kind of key: its prefix, the rule code of the 409, and the plain message naming the value.</summary>
public sealed record UniqueKeyKind(string Name, string Rule, Func<string, string> Conflict)
{
    /// <summary>Keys compare trimmed and case-insensitively: "n-1001" and "N-1001" are the same MRN.</summary>
    public string IdFor(string value) => $"{Name}:{Normalize(value)}";

    public static string Normalize(string value) => value.Trim().ToUpperInvariant();

    public RuleViolation Violation(string value, string? message = null) => new(message ?? Conflict(value.Trim()), Rule);
}

public static class UniqueKeys
{
    /// <summary>Queues the claim; <see cref="SaveClaimingAsync"/> turns a lost race into the kind's 409.</summary>
    public static void Claim(this IDocumentSession session, UniqueKeyKind kind, string value, Guid ownerId, DateTimeOffset now) =>
        session.Insert(new UniqueKey(kind.IdFor(value), ownerId, now));

    /// <summary>
    /// Queues many keys of one owner as one multi-row insert (a large 835's claim payments, ADR 0032) instead of one Marten
    /// insert each: the same rows (<see cref="UniqueKey"/> documents, tenant_id = the session's practice, in the session's
    /// database and transaction), so <c>LoadAsync&lt;UniqueKey&gt;</c> reads them as usual. A key held already, or named twice,
    /// fails the save with PostgreSQL's unique violation (<see cref="IsUniqueViolation"/>, not <see cref="ConflictingKey"/>):
    /// the caller maps it to its 409. Below <paramref name="threshold"/> keys it queues Marten's inserts, the ordinary path.
    /// </summary>
    public static void ClaimAll(this IDocumentSession session, UniqueKeyKind kind, IReadOnlyCollection<string> values, Guid ownerId,
        DateTimeOffset now, int threshold = 50)
    {
        if (values.Count < threshold)
        {
            foreach (var value in values) session.Claim(kind, value, ownerId, now);
            return;
        }
        var serializer = session.DocumentStore.Options.Serializer();
        var ids = new string[values.Count];
        var docs = new string[values.Count];
        var i = 0;
        foreach (var value in values)
        {
            ids[i] = kind.IdFor(value);
            docs[i] = serializer.ToJson(new UniqueKey(ids[i], ownerId, now));
            i++;
        }
        session.QueueSqlCommand(
            $"insert into {MartenSetup.Schema}.mt_doc_uniquekey (tenant_id, id, data, mt_dotnet_type, mt_last_modified) " +
            "select ?, k.id, k.doc::jsonb, ?, transaction_timestamp() from unnest(?::varchar[], ?::text[]) as k(id, doc)",
            session.TenantId, typeof(UniqueKey).FullName!, ids, docs);
    }

    /// <summary>Frees the key (an engagement revoked, an app revoked), so the value may be used again.</summary>
    public static void Release(this IDocumentSession session, UniqueKeyKind kind, string value) =>
        session.Delete<UniqueKey>(kind.IdFor(value));

    /// <summary>
    /// Saves; if another writer committed the same key first, throws the kind's <see cref="RuleViolation"/> (409), with
    /// <paramref name="message"/> instead of the kind's own when the value alone would read badly (a vendor id).
    /// </summary>
    public static async Task SaveClaimingAsync(this IDocumentSession session, UniqueKeyKind kind, string value, CancellationToken ct,
        string? message = null)
    {
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception e) when (ConflictingKey(e) == kind.IdFor(value))
        {
            throw kind.Violation(value, message);
        }
    }

    /// <summary>The id of the key another writer already holds, if that is why the save failed.</summary>
    public static string? ConflictingKey(Exception e)
    {
        for (var x = (Exception?)e; x is not null; x = x.InnerException)
            if (x is DocumentAlreadyExistsException { DocType: var type } taken && type == typeof(UniqueKey))
                return taken.Id as string;
        return null;
    }

    /// <summary>Any unique violation (a key, or a unique index): the last line of defence maps it to 409, never 500.</summary>
    public static bool IsUniqueViolation(this Exception e)
    {
        for (var x = (Exception?)e; x is not null; x = x.InnerException)
            if (x is DocumentAlreadyExistsException or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
                return true;
        return false;
    }
}
