using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Portal.Web.Platform;

static class Swagger
{
    public static void AddPortalSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Portal API",
                Version = "v1",
                Description =
                    "Medical coding and billing for practices and their coding vendors. Every tenant route is under " +
                    "/api/v1/practices/{practiceId}; a practice you may not act for answers 404. Authenticate with OAuth2: " +
                    "client credentials for apps registered to one practice, authorization code + PKCE for apps acting for a user. " +
                    "Errors are RFC 9457 problem details. Dates of service are plain dates (yyyy-MM-dd); money is a decimal.",
            });
            var scopes = Scopes.All.ToDictionary(s => s.Name, s => s.Description);
            o.AddSecurityDefinition("oauth2", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "OAuth2 via Portal's own authorization server (discovery: /.well-known/openid-configuration).",
                Flows = new OpenApiOAuthFlows
                {
                    ClientCredentials = new OpenApiOAuthFlow { TokenUrl = new Uri("/connect/token", UriKind.Relative), Scopes = scopes },
                    AuthorizationCode = new OpenApiOAuthFlow
                    {
                        AuthorizationUrl = new Uri("/connect/authorize", UriKind.Relative),
                        TokenUrl = new Uri("/connect/token", UriKind.Relative),
                        Scopes = scopes,
                    },
                },
            });
            o.AddSecurityRequirement(doc => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference("oauth2", doc)] = Scopes.All.Select(s => s.Name).ToList(),
            });
            o.OperationFilter<HeaderParameters>();
            o.OperationFilter<PagedLists>();
            o.OperationFilter<SortedLists>();
            o.DocumentFilter<OpenApiExamples>();
            o.OperationFilter<RouteParameters>();
            o.SupportNonNullableReferenceTypes();
            o.CustomSchemaIds(SchemaId);
        });
    }

    /// <summary>
    /// Schema names: the type's namespace below Features (Intake.Patient); a generic type by its name and its arguments'
    /// (Platform.PageOfEncounterListRow), so a generated client gets readable class names.
    /// </summary>
    static string SchemaId(Type t)
    {
        static string Plain(Type t) => t.FullName!.Replace("Portal.Web.Features.", "").Replace('+', '.');
        if (!t.IsGenericType) return Plain(t);
        var definition = Plain(t.GetGenericTypeDefinition());
        var name = definition[..definition.IndexOf('`')];
        return name + (name.EndsWith("Of", StringComparison.Ordinal) ? "" : "Of") + string.Join("And", t.GetGenericArguments().Select(a => SchemaId(a).Split('.')[^1]));
    }

    public static void UsePortalSwagger(this WebApplication app)
    {
        var configured = SwaggerOrigins.Configured(app.Configuration);
        // Swagger UI sends the user back to oauth2-redirect.html on the address the browser shows (its own origin). Before the
        // page is served, that exact redirect URI is registered on the portal-swagger client, but only for an origin we know
        // (Portal:PublicUrl, Portal:Swagger:Origins) or a loopback one; any other Host header registers nothing, so the
        // authorization server refuses the redirect (docs/security.md, "Swagger UI sign-in").
        app.UseWhen(c => c.Request.Path == "/swagger" || c.Request.Path == "/swagger/" || c.Request.Path == "/swagger/index.html",
            ui => ui.Use(async (context, next) =>
            {
                if (context.RequestServices.GetService<ISwaggerRedirects>() is { } redirects
                    && SwaggerOrigins.RedirectFor(context.Request) is { } redirect && SwaggerOrigins.Accepts(redirect, configured))
                    await redirects.AllowAsync(redirect, context.RequestAborted);
                await next();
            }));
        app.UseSwagger();
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/swagger/v1/swagger.json", "Portal API v1");
            o.DocumentTitle = "Portal API";
            o.OAuthClientId("portal-swagger");
            o.OAuthUsePkce();
            o.OAuthScopeSeparator(" ");
        });
    }
}

/// <summary>Registers an exact redirect URI on the Swagger UI's OAuth client (the identity feature implements it).</summary>
public interface ISwaggerRedirects
{
    Task AllowAsync(Uri redirectUri, CancellationToken ct);
}

/// <summary>Which browser origins may receive Swagger UI's authorization code.</summary>
public static class SwaggerOrigins
{
    public const string RedirectPath = "/swagger/oauth2-redirect.html";

    /// <summary>Portal:PublicUrl and Portal:Swagger:Origins (a list, or one string separated by ';' or ','), as origins.</summary>
    public static IReadOnlySet<string> Configured(IConfiguration config)
    {
        var section = config.GetSection("Portal:Swagger:Origins");
        var listed = section.GetChildren().Select(c => c.Value).Concat((section.Value ?? "").Split([';', ','])).Append(config["Portal:PublicUrl"]);
        return listed.Select(o => Uri.TryCreate(o?.Trim(), UriKind.Absolute, out var uri) ? Origin(uri) : null)
            .OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    public static Uri? RedirectFor(HttpRequest request) =>
        request.Host.HasValue && Uri.TryCreate($"{request.Scheme}://{request.Host}{request.PathBase}{RedirectPath}", UriKind.Absolute, out var uri)
            ? uri : null;

    /// <summary>A configured origin, or a loopback one (RFC 8252 §7.3: the browser and the app are on the same machine).</summary>
    public static bool Accepts(Uri redirect, IReadOnlySet<string> configured) =>
        redirect.Scheme is "http" or "https"
        && (configured.Contains(Origin(redirect)) || IsLoopback(redirect));

    public static bool IsLoopback(Uri uri) =>
        uri.Host is "localhost" || (System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));

    public static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
}

/// <summary>Documents the Idempotency-Key header on creating POSTs and If-Match on updates, from the endpoints' metadata.</summary>
sealed class HeaderParameters : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IdempotentMetadata>().Any())
            Add(operation, IdempotentMetadata.Header,
                "Optional. A unique value per intended creation (e.g. a UUID). Retrying with the same key, caller and body within " +
                "24 hours replays the first 2xx answer (header Idempotent-Replayed: true) instead of creating again; the same key " +
                "with a different body gives 422; while the first request runs, 409 with Retry-After.", 255);
        if (metadata.OfType<IfMatchMetadata>().FirstOrDefault() is { } ifMatch
            && !string.Equals(context.ApiDescription.HttpMethod, "GET", StringComparison.OrdinalIgnoreCase))
        {
            Add(operation, "If-Match",
                (ifMatch.Required ? "Required. " : "Optional. ") +
                "The ETag you read (W/\"<version>\"); a stale one gives 412 Precondition Failed and changes nothing.", 64, ifMatch.Required);
            // Every update that honours If-Match may answer 412: the document says so even where the endpoint did not list it.
            if (operation.Responses is { } responses && !responses.ContainsKey("412"))
                responses["412"] = new OpenApiResponse
                {
                    Description = "Precondition Failed: the If-Match ETag is not the current one (problem details)",
                    Content = new Dictionary<string, IOpenApiMediaType>
                    {
                        ["application/problem+json"] = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context.SchemaRepository) },
                    },
                };
        }
    }

    static void Add(OpenApiOperation operation, string name, string description, int maxLength, bool required = false)
    {
        operation.Parameters ??= [];
        if (operation.Parameters.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))) return;
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = name, In = ParameterLocation.Header, Required = required, Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = maxLength },
        });
    }
}

/// <summary>
/// Declares the route's parameters that a handler does not bind itself ({practiceId} of a practice group, resolved by the tenant
/// middleware): an OpenAPI path without them is not valid, and a generated client could not fill them in.
/// </summary>
sealed class RouteParameters : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var template = context.ApiDescription.RelativePath ?? "";
        var withConstraints = (context.ApiDescription.ActionDescriptor.AttributeRouteInfo?.Template ?? "") + template;
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(template, @"\{([A-Za-z0-9_]+)(:[^}]*)?\}"))
        {
            var name = m.Groups[1].Value;
            operation.Parameters ??= [];
            if (operation.Parameters.Any(p => p.In == ParameterLocation.Path && string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))) continue;
            var guid = withConstraints.Contains("{" + name + ":guid}", StringComparison.OrdinalIgnoreCase);
            operation.Parameters.Insert(0, new OpenApiParameter
            {
                Name = name, In = ParameterLocation.Path, Required = true,
                Schema = guid ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" } : new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }
    }
}

/// <summary>
/// Lists under the cursor convention (docs/api.md, "Paging"): an answer with <c>next</c> also carries the next page in
/// <c>Link: &lt;…&gt;; rel="next"</c>; the document says so on the 200 answer, and describes <c>cursor</c> and <c>limit</c>.
/// </summary>
sealed class PagedLists : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var ok = context.ApiDescription.SupportedResponseTypes.FirstOrDefault(r => r.StatusCode == 200)?.Type;
        if (ok?.GetProperty("Next") is null || operation.Responses?.TryGetValue("200", out var response) != true || response is not OpenApiResponse answer) return;
        answer.Headers ??= new Dictionary<string, IOpenApiHeader>();
        answer.Headers["Link"] = new OpenApiHeader
        {
            Description = "The next page, when there is one: <the same URL with cursor=next>; rel=\"next\" (filters kept).",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        };
        foreach (var p in operation.Parameters ?? [])
        {
            if (p is not OpenApiParameter parameter) continue;
            if (parameter.Name == "cursor")
                parameter.Description ??= "Opaque: the previous answer's next (or its Link header). Leave out for the first page.";
            else if (parameter.Name == "limit")
                parameter.Description ??= $"Rows per page, 1 to {CursorPaging.MaxLimit} (default {CursorPaging.DefaultLimit}).";
            else if (parameter.Name is "page" or "pageSize")
            {
                parameter.Description ??= "Deprecated: page numbers, kept for existing clients; use cursor and limit.";
                parameter.Deprecated = true;
            }
        }
    }
}

/// <summary>
/// Lists with sort keys (<see cref="SortingEndpoints.Sorts"/>): the <c>sort</c> parameter says the convention, each key and what it
/// orders by, and the default (schema default); <c>x-sort-keys</c> lists the keys for tools (docs/api.md, "Sorting").
/// </summary>
sealed class SortedLists : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ISortKeys>().FirstOrDefault() is not { } keys) return;
        operation.Parameters ??= [];
        var index = operation.Parameters.ToList().FindIndex(p => p.In == ParameterLocation.Query && string.Equals(p.Name, "sort", StringComparison.OrdinalIgnoreCase));
        var parameter = new OpenApiParameter
        {
            Name = "sort", In = ParameterLocation.Query,
            Description = "Comma-separated sort keys, each ascending or after '-' descending (e.g. sort=" + Example(keys) + "): " +
                          string.Join("; ", keys.Keys.Select(k => $"{k.Name} ({k.Meaning})")) + $". Default: {keys.Default}. " +
                          "Another key is a 400 naming sort; the next cursor keeps the sort (docs/api.md, \"Sorting\").",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Default = System.Text.Json.Nodes.JsonValue.Create(keys.Default), MaxLength = 200 },
            Example = System.Text.Json.Nodes.JsonValue.Create(Example(keys)),
            Extensions = new Dictionary<string, IOpenApiExtension>
            {
                ["x-sort-keys"] = new JsonNodeExtension(new System.Text.Json.Nodes.JsonArray([.. keys.Keys.Select(k => (System.Text.Json.Nodes.JsonNode?)System.Text.Json.Nodes.JsonValue.Create(k.Name))])),
            },
        };
        if (index < 0) operation.Parameters.Add(parameter);
        else operation.Parameters[index] = parameter;
    }

    /// <summary>A sort other than the default: the second key descending, then the first (or the one key descending).</summary>
    static string Example(ISortKeys keys) => keys.Keys.Count > 1 ? $"-{keys.Keys[1].Name},{keys.Keys[0].Name}" : "-" + keys.Keys[0].Name;
}
