using Microsoft.Extensions.Primitives;

namespace Portal.Web.Platform;

/// <summary>Weak ETags carry the event stream version: W/"7". If-Match sends it back for optimistic concurrency.</summary>
public static class ETags
{
    public static string For(long version) => $"W/\"{version}\"";

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
