using JasperFx;
using JasperFx.Events;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Portal.Web.Platform;

/// <summary>Maps domain and concurrency failures to RFC 9457 ProblemDetails, so none of them surfaces as a bare 500.</summary>
sealed class PortalExceptionHandler(IProblemDetailsService problems, ILogger<PortalExceptionHandler> log) : IExceptionHandler
{
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
            _ when exception.IsStaleWrite() => new ProblemDetails
            {
                Status = 412, Title = "The resource has changed since you read it",
                Detail = "Someone else saved a newer version. Reload it, then apply your change again.",
            },
            // Write functions turn a lost race for a key into their own RuleViolation; anything unique they did not foresee
            // still answers 409, not 500.
            _ when exception.IsUniqueViolation() => new ProblemDetails
            {
                Status = 409, Title = "The request conflicts with the current state",
                Detail = "A record with the same identifying value already exists.", Extensions = { ["rule"] = "already-exists" },
            },
            BadHttpRequestException bad => new ProblemDetails
            {
                Status = bad.StatusCode, Title = "The request is malformed", Detail = bad.Message,
            },
            _ => null,
        };
        if (problem is null)
        {
            log.LogError(exception, "Unhandled exception on {Path}", context.Request.Path);
            return false;
        }
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    static ProblemDetails WithExtensions(ProblemDetails problem, IDictionary<string, object?> extensions)
    {
        foreach (var (key, value) in extensions) problem.Extensions[key] = value;
        return problem;
    }
}

public static class StaleWrites
{
    /// <summary>Marten refused an append or update because the stream or document moved on since it was read.</summary>
    public static bool IsStaleWrite(this Exception e) => e is ConcurrencyException or EventStreamUnexpectedMaxEventIdException;
}
