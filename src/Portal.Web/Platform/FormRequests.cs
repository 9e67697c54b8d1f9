using Microsoft.AspNetCore.Http.Metadata;

namespace Portal.Web.Platform;

/// <summary>
/// An endpoint that takes only a form (an uploaded file) answers 415 to a request that carries no form, before its parameters
/// are bound. The request delegates are generated at build time (ADR 0046), and the generated binding of an
/// <see cref="IFormFile"/> reads <c>Request.Form</c> even when the request has no body at all, which throws; the runtime-built
/// delegates answered such a request 415, and so does Portal now (a problem+json under /api, the error page elsewhere).
/// </summary>
static class FormRequests
{
    public static IApplicationBuilder UseFormEndpointsNeedAForm(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is { ContentTypes.Count: > 0 } accepts
            && accepts.ContentTypes.All(IsForm) && !context.Request.HasFormContentType)
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        await next(context);
    });

    static bool IsForm(string contentType) =>
        contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase)
        || contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
}
