using System.Net.Sockets;
using System.Text.Json;
using JasperFx;
using JasperFx.Events;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Portal.Web.Platform;

/// <summary>
/// Maps every exception to an answer: RFC 9457 ProblemDetails under /api (and the other machine routes), a small
/// HTML page for the portal's pages. Nothing surfaces as a bare 500, and nothing from an exception's message reaches
/// the logs: messages can quote the data that failed (PostgreSQL's "Where: JSON data …" quotes the patient's name),
/// so only exception types, SQL states, stack traces and ids are logged (<see cref="SafeLog"/>).
/// </summary>
sealed class PortalExceptionHandler(IProblemDetailsService problems, ILogger<PortalExceptionHandler> log) : IExceptionHandler
{
    /// <summary>Seconds a client should wait before retrying while the database is unreachable.</summary>
    public const int RetryAfterSeconds = 30;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var problem = exception switch
        {
            RuleViolation rule => new ProblemDetails
            {
                Status = 409, Title = "The request conflicts with the current state", Detail = rule.Message,
                Extensions = { ["rule"] = rule.Code },
            },
            RefusedContent refused => new ProblemDetails { Status = refused.Status, Title = refused.Title, Detail = refused.Message },
            UnprocessableInput bad => WithExtensions(new HttpValidationProblemDetails(bad.Errors)
            {
                Status = 422, Title = "The request cannot be processed", Detail = bad.Message,
            }, bad.Extensions),
            InvalidInput bad => Malformed(bad.Field, bad.Message),
            _ when exception.IsStaleWrite() => new ProblemDetails
            {
                Status = 412, Title = "The resource has changed since you read it",
                Detail = "Someone else saved a newer version. Reload it, then apply your change again.",
            },
            _ when DatabaseOutage.Is(exception) => new ProblemDetails
            {
                Status = 503, Title = "The database is unavailable",
                Detail = "We can't reach the database right now. Nothing was changed; try again shortly.",
            },
            _ when UnstorableText.Is(exception) => new ProblemDetails
            {
                Status = 400, Title = "The request is malformed",
                Detail = "The request contains characters that cannot be stored (for example NUL or other control characters).",
            },
            BadHttpRequestException { InnerException: JsonException json } when JsonField(json) is { } field =>
                Malformed(field, $"'{field}' is not valid here: {JsonProblem(json)}"),
            // Write functions turn a lost race for a key into their own RuleViolation; anything unique they did not foresee
            // still answers 409, not 500.
            _ when exception.IsUniqueViolation() => new ProblemDetails
            {
                Status = 409, Title = "The request conflicts with the current state",
                Detail = "A record with the same identifying value already exists.", Extensions = { ["rule"] = "already-exists" },
            },
            _ when exception.IsLostRace() => new ProblemDetails
            {
                Status = 409, Title = "The request conflicts with the current state",
                Detail = "Another change to the same records was saved at the same moment, so nothing of this request was saved. Try it again.",
                Extensions = { ["rule"] = "concurrent-change" },
            },
            BadHttpRequestException bad => new ProblemDetails
            {
                Status = bad.StatusCode, Title = "The request is malformed", Detail = bad.Message,
            },
            _ => null,
        };

        var request = $"{context.Request.Method} {context.Request.Path}";
        if (problem is null)
        {
            log.LogError("Unhandled {Exception} on {Request} (trace {TraceId}){NewLine}{StackTrace}",
                SafeLog.Describe(exception), request, context.TraceIdentifier, Environment.NewLine, SafeLog.StackTrace(exception));
            problem = new ProblemDetails
            {
                Status = 500, Title = "Something went wrong",
                Detail = "The server could not complete the request. Tell us the traceId if it keeps happening.",
            };
        }
        else if (problem.Status == 503)
        {
            log.LogWarning("Database unreachable on {Request} (trace {TraceId}): {Exception}", request, context.TraceIdentifier, SafeLog.Describe(exception));
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
        }

        context.Response.StatusCode = problem.Status!.Value;
        if (ServesPages(context.Request.Path))
        {
            await ErrorPage.WriteAsync(context, problem.Status.Value);
            return true;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>Everything a browser navigates to; the machine routes answer problem details.</summary>
    static bool ServesPages(PathString path) =>
        !path.StartsWithSegments("/api") && !path.StartsWithSegments("/connect") && !path.StartsWithSegments("/health")
        && !path.StartsWithSegments("/swagger") && !path.StartsWithSegments("/.well-known");

    static HttpValidationProblemDetails Malformed(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = 400, Title = "The request is malformed", Detail = message,
        };

    // "$.visitNotes" → "visitNotes"; "$.lines[2].code" → "lines[2].code". The root itself names no field.
    static string? JsonField(JsonException json) =>
        json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..]
        : json.Path is { Length: > 1 } indexed && indexed.StartsWith("$[", StringComparison.Ordinal) ? indexed[1..]
        : null;

    // Our own converters' messages are safe to echo; System.Text.Json's own ones name the .NET type, so keep them generic.
    static string JsonProblem(JsonException json) =>
        json.InnerException is null && json.Message.StartsWith(TextGuard.MessagePrefix, StringComparison.Ordinal)
            ? json.Message.Split(" Path:")[0]
            : "the value has the wrong type or format.";

    static ProblemDetails WithExtensions(ProblemDetails problem, IDictionary<string, object?> extensions)
    {
        foreach (var (key, value) in extensions) problem.Extensions[key] = value;
        return problem;
    }
}

/// <summary>PostgreSQL cannot be reached: refused or dropped connections, a server shutting down or starting, an exhausted pool.</summary>
public static class DatabaseOutage
{
    public static bool Is(Exception exception)
    {
        foreach (var e in SafeLog.Chain(exception))
        {
            switch (e)
            {
                // admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections, class 08 (connection exception)
                case PostgresException pg:
                    return pg.SqlState is "57P01" or "57P02" or "57P03" or "53300" || pg.SqlState.StartsWith("08", StringComparison.Ordinal);
                // Npgsql marks socket, I/O and timeout failures (including "the connection pool has been exhausted") transient.
                case NpgsqlException { IsTransient: true }:
                case SocketException:
                    return true;
            }
        }
        return false;
    }
}

/// <summary>Text PostgreSQL refuses to store: NUL in text or jsonb (22P05), or bytes that are not valid UTF-8 (22021).</summary>
static class UnstorableText
{
    public static bool Is(Exception exception) =>
        SafeLog.Chain(exception).OfType<PostgresException>().Any(pg => pg.SqlState is "22P05" or "22021");
}

public static class StaleWrites
{
    /// <summary>Marten refused an append or update because the stream or document moved on since it was read.</summary>
    public static bool IsStaleWrite(this Exception e) => e is ConcurrencyException or EventStreamUnexpectedMaxEventIdException or StaleStreamsException or StaleVersion;
}

public static class LostRaces
{
    /// <summary>
    /// PostgreSQL ended the transaction because it lost a race with another one (deadlock 40P01, serialization failure 40001):
    /// nothing of it was saved and the same request, tried again, normally succeeds.
    /// </summary>
    public static bool IsLostRace(this Exception e) =>
        SafeLog.Chain(e).OfType<PostgresException>().Any(pg => pg.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure);
}

/// <summary>A set-based append found streams that moved on since they were read (ADR 0019); nothing was saved.</summary>
public sealed class StaleStreamsException(string message) : Exception(message);
