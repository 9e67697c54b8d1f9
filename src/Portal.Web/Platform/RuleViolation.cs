namespace Portal.Web.Platform;

/// <summary>A business rule refused the command: the request was well-formed but conflicts with current state (409).</summary>
public sealed class RuleViolation(string message, string? code = null) : Exception(message)
{
    public string? Code { get; } = code;
}

/// <summary>The request names something that is not valid input for this operation (422), e.g. an unknown vendor id in a body.</summary>
public sealed class UnprocessableInput(string message, IDictionary<string, string[]>? errors = null,
    IDictionary<string, object?>? extensions = null) : Exception(message)
{
    public IDictionary<string, string[]> Errors { get; } = errors ?? new Dictionary<string, string[]>();

    /// <summary>Structured details for API clients (e.g. the code edits that failed), added to the ProblemDetails as is.</summary>
    public IDictionary<string, object?> Extensions { get; } = extensions ?? new Dictionary<string, object?>();
}

/// <summary>
/// The request body itself is refused before any rule applies: 413 (too large) or 415 (a type we do not accept). Detail says
/// what would be accepted.
/// </summary>
public sealed class RefusedContent(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
}

/// <summary>A malformed value in the request (400), named by its field, e.g. <c>page</c> out of range.</summary>
public sealed class InvalidInput(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
