using Marten;

namespace Portal.Web.Platform;

/// <summary>
/// Queries that look at every practice (<c>AnyTenant()</c>) see one database's practices only when practices are spread over
/// several (ADR 0031). These run the query once per database and put the answers together; with one database they are one
/// query on the default session, as before.
/// </summary>
public static class AcrossDatabases
{
    public static async Task<List<T>> QueryEachDatabase<T>(this IDocumentStore store,
        Func<IQuerySession, CancellationToken, Task<IReadOnlyList<T>>> query, CancellationToken ct)
    {
        var databases = await store.Storage.AllDatabases();
        if (databases.Count <= 1)
        {
            await using var single = store.QuerySession();
            return [.. await query(single, ct)];
        }
        var all = new List<T>();
        foreach (var database in databases)
        {
            await using var session = store.QuerySession(Marten.Services.SessionOptions.ForDatabase(database));
            all.AddRange(await query(session, ct));
        }
        return all;
    }

    /// <summary>A way to open a session on each database (the default session alone with one database).</summary>
    public static async Task<IReadOnlyList<Func<IDocumentSession>>> SessionPerDatabase(this IDocumentStore store)
    {
        var databases = await store.Storage.AllDatabases();
        if (databases.Count <= 1) return [() => store.LightweightSession()];
        return [.. databases.Select(d => (Func<IDocumentSession>)(() => store.LightweightSession(Marten.Services.SessionOptions.ForDatabase(d))))];
    }
}
