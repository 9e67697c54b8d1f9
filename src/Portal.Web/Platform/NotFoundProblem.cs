using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Portal.Web.Platform;

/// <summary>
/// A 404 served as RFC 9457 problem details: <c>application/problem+json</c>, with <c>instance</c> and <c>traceId</c>
/// like every other error. Use it instead of <c>TypedResults.NotFound(new ProblemDetails …)</c>, which answers
/// <c>application/json</c>.
/// </summary>
public sealed class NotFoundProblem(string detail) : IResult, IStatusCodeHttpResult, IValueHttpResult<ProblemDetails>, IValueHttpResult,
    IEndpointMetadataProvider
{
    public ProblemDetails Value { get; } = new() { Status = StatusCodes.Status404NotFound, Title = "Not found", Detail = detail };
    object? IValueHttpResult.Value => Value;
    public int? StatusCode => StatusCodes.Status404NotFound;

    public Task ExecuteAsync(HttpContext httpContext) => TypedResults.Problem(Value).ExecuteAsync(httpContext);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status404NotFound, typeof(ProblemDetails), ["application/problem+json"]));
}
