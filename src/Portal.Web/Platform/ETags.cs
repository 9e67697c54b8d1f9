using Microsoft.Extensions.Primitives;

namespace Portal.Web.Platform;

/// <summary>Weak ETags carry the event stream version: W/"7". If-Match sends it back for optimistic concurrency.</summary>
public static class ETags
{
    public static string For(long version) => $"W/\"{version}\"";

    /// <summary>A strong ETag carrying an opaque stamp (an Identity user's ConcurrencyStamp): "3f2c…".</summary>
    public static string ForStamp(string? stamp) => $"\"{stamp}\"";

    /// <summary>The stamp in an If-Match for a resource whose ETag is a stamp (<see cref="ForStamp"/>); null without If-Match.</summary>
    public static string? ParseStamp(StringValues ifMatch)
    {
        var raw = ifMatch.ToString().Trim();
        if (raw.Length == 0 || raw == "*") return null;
        if (raw.StartsWith("W/", StringComparison.Ordinal)) raw = raw[2..];
        return raw.Length > 2 && raw.Length <= 100 && raw[0] == '"' && raw[^1] == '"' && raw[1..^1].All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? raw[1..^1]
            : throw new BadHttpRequestException("If-Match must be an ETag this API returned, e.g. \"9f1c…\".");
    }

    public static long? Parse(StringValues ifMatch)
    {
        var raw = ifMatch.ToString().Trim();
        if (raw.Length == 0 || raw == "*") return null;
        if (raw.StartsWith("W/", StringComparison.Ordinal)) raw = raw[2..];
        return long.TryParse(raw.Trim('"'), out var v) && v > 0
            ? v
            : throw new BadHttpRequestException("If-Match must be an ETag this API returned, e.g. W/\"3\".");
    }
}

/// <summary>
/// An If-Match that names another version than the current one, found by a write that checks a version field itself (documents,
/// Identity rows) rather than through Marten's stream version: answered 412 like Marten's own concurrency errors.
/// </summary>
public sealed class StaleVersion() : Exception("The resource has changed since it was read.")
{
    /// <summary>Throws unless the caller sent no If-Match or the one for the current version.</summary>
    public static void Check(long? expected, long current)
    {
        if (expected is { } v && v != current) throw new StaleVersion();
    }

    public static void Check(string? expected, string? current)
    {
        if (expected is not null && !string.Equals(expected, current, StringComparison.Ordinal)) throw new StaleVersion();
    }
}

/// <summary>Endpoint metadata: this update honours If-Match (412 when stale); the OpenAPI document lists the header.</summary>
public sealed record IfMatchMetadata(bool Required)
{
    public static readonly IfMatchMetadata Optional = new(false);
}

public static class IfMatchEndpointExtensions
{
    /// <summary>This operation changes a versioned resource and honours <c>If-Match</c> with the ETag the caller read.</summary>
    public static TBuilder HonoursIfMatch<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(IfMatchMetadata.Optional);
}
