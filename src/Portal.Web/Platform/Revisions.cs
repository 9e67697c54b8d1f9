using Marten;

namespace Portal.Web.Platform;

/// <summary>
/// A document with Marten's numeric revision mapped to <see cref="Version"/> (register it with <see cref="Revisions.Revisioned{T}"/>):
/// its ETag is W/"Version", and <see cref="Revisions.StoreChecked{T}"/> writes it only over the version the caller read.
/// </summary>
public interface IHasRevision
{
    long Version { get; set; }
}

public static class Revisions
{
    public static MartenRegistry.DocumentMappingExpression<T> Revisioned<T>(this MartenRegistry.DocumentMappingExpression<T> mapping)
        where T : IHasRevision =>
        mapping.UseNumericRevisions(true).Metadata(m => m.Revision.MapTo(d => d.Version));

    /// <summary>
    /// Writes <paramref name="updated"/> over <paramref name="current"/> (null: a first write). With If-Match (<paramref name="expected"/>) the
    /// current version must be the one the caller read (412 otherwise); either way Marten refuses the write at save time if another
    /// writer saved in between (UpdateRevision), so the check and the write are one step.
    /// </summary>
    public static T StoreChecked<T>(this IDocumentSession session, T? current, T updated, long? expected) where T : class, IHasRevision
    {
        StaleVersion.Check(expected, current?.Version ?? 0);
        if (current is null)
        {
            updated.Version = 1;
            session.Insert(updated);
        }
        else
        {
            updated.Version = current.Version + 1;
            session.UpdateRevision(updated, updated.Version);
        }
        return updated;
    }
}
