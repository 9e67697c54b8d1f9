using Microsoft.Extensions.Options;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;
using Portal.Web.Platform;

namespace Portal.Web.Features.ApiClients;

public static class ApiClientEndpoints
{
    public static void MapApiClients(this IEndpointRouteBuilder app)
    {
        var clients = app.MapGroup("/api/v1/practices/{practiceId:guid}/api-clients").WithTags("API clients")
            .Requires(Permissions.ApiClientsManage);

        clients.MapGet("", List).WithName("ListApiClients").Sorts(Sorting).WithSummary("Third-party apps registered to this practice, active first; cursor and limit");
        clients.MapPost("", Register).WithName("RegisterApiClient").Idempotent()
            .WithSummary("Register an app that calls the API for this practice with client credentials")
            .WithDescription("The answer carries the client secret, shown this once. The app's tokens act for this practice only.")
            .ProducesValidationProblem().ProducesProblem(422);
        clients.MapPost("/{id:guid}/revoke", Revoke).WithName("RevokeApiClient").HonoursIfMatch()
            .WithSummary("Revoke an app: its tokens stop working at once")
            .ProducesProblem(409).ProducesProblem(412);
    }

    static readonly Sorting<ApiClient> Sorting = new Sorting<ApiClient>("active,-registered")
    {
        { "active", "active apps before revoked ones", c => c.Active ? 0 : 1 },
        { "registered", "when the app was registered", c => c.RegisteredAt },
        { "name", "app name", c => c.Name },
        { "revoked", "when the app was revoked", c => c.RevokedAt },
    }.TieBreak(c => c.Id);

    static async Task<Ok<CursorPage<ApiClient>>> List(IQuerySession query, string? sort, string? cursor, int? limit, HttpContext context, CancellationToken ct)
    {
        var order = Sorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        return TypedResults.Ok(order.Apply(await query.Query<ApiClient>().ToListAsync(ct)).Slice(request).WithLink(context));
    }

    static async Task<Created<ApiClientCredentials>> Register(RegisterApiClient body, HttpContext context, IDocumentSession session,
        IOpenIddictApplicationManager applications, TimeProvider clock, IOptionsMonitor<ApiLimitSettings> limits, CancellationToken ct)
    {
        var practice = context.RequiredPractice();
        var credentials = await ApiClientWrites.Register(session, applications, practice, body, context.User.Actor(), clock, ct, limits.CurrentValue);
        return TypedResults.Created($"/api/v1/practices/{practice.PracticeId}/api-clients/{credentials.Id}", credentials);
    }

    static async Task<Results<Ok<ApiClient>, NotFoundProblem>> Revoke(Guid id, HttpContext context, IDocumentSession session,
        IOpenIddictApplicationManager applications, TimeProvider clock, CancellationToken ct)
    {
        var client = await ApiClientWrites.Revoke(session, applications, id, ETags.Parse(context.Request.Headers.IfMatch),
            context.User.Actor(), clock, ct);
        if (client is null)
            return new NotFoundProblem("No API client with this id in this practice.");
        context.Response.Headers.ETag = ETags.For(client.Version);
        return TypedResults.Ok(client);
    }
}
