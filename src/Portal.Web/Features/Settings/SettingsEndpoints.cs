using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Platform;

namespace Portal.Web.Features.Settings;

public static class SettingsEndpoints
{
    public static void MapSettings(this IEndpointRouteBuilder app)
    {
        var practice = app.MapGroup("/api/v1/practices/{practiceId:guid}").WithTags("Practice settings");

        practice.MapGet("/settings", Get).WithName("GetPracticeSettings").Requires(Permissions.SettingsRead)
            .WithSummary("Turnaround SLA, QA sample share and query escalation of the practice");
        practice.MapPut("/settings", Update).WithName("UpdatePracticeSettings").Requires(Permissions.SettingsManage)
            .HonoursIfMatch().WithSummary("Change the practice's coding settings").ProducesValidationProblem().ProducesProblem(412);

        practice.MapGet("/fee-schedule", ListFees).WithName("ListFees").Requires(Permissions.SettingsRead).Sorts(FeeSorting)
            .Produces<CursorPage<FeeScheduleEntry>>(200, "application/json", "text/csv")
            .WithSummary("The practice's charges per procedure code, by code; cursor and limit (docs/api.md, \"Paging\")")
            .WithDescription("Add ?format=csv for a CSV export of the whole schedule (code,amount; no paging).");
        practice.MapPut("/fee-schedule/{code}", SetFee).WithName("SetFee").Requires(Permissions.FeesManage)
            .HonoursIfMatch().WithSummary("Set one code's charge")
            .WithDescription("If-Match takes the entry's version from the fee schedule list (W/\"<version>\"); a stale one gives 412.")
            .ProducesValidationProblem().ProducesProblem(412);
        practice.MapDelete("/fee-schedule/{code}", DeleteFee).WithName("DeleteFee").Requires(Permissions.FeesManage)
            .HonoursIfMatch().WithSummary("Remove one code's charge")
            .WithDescription("If-Match takes the entry's version from the fee schedule list (W/\"<version>\"); a stale one gives 412 and removes nothing.")
            .ProducesProblem(404).ProducesProblem(412);
    }

    static async Task<Ok<PracticeSettings>> Get(HttpContext context, IQuerySession query, CancellationToken ct)
    {
        var settings = await PracticeSettings.For(query, context.RequiredPractice().PracticeId, ct);
        if (settings.Version > 0) context.Response.Headers.ETag = ETags.For(settings.Version);
        return TypedResults.Ok(settings);
    }

    static async Task<Ok<PracticeSettings>> Update(UpdatePracticeSettings body, HttpContext context, IDocumentSession session,
        TimeProvider clock, CancellationToken ct)
    {
        var updated = await PracticeSettings.Change(session, context.RequiredPractice().PracticeId, body,
            ETags.Parse(context.Request.Headers.IfMatch), context.User.Actor(), clock.GetUtcNow(), ct);
        context.Response.Headers.ETag = ETags.For(updated.Version);
        return TypedResults.Ok(updated);
    }

    static readonly Sorting<FeeScheduleEntry> FeeSorting = new Sorting<FeeScheduleEntry>("code")
    {
        { "code", "procedure code", f => f.Code },
        { "amount", "fee", f => f.Amount },
        { "updated", "last change", f => f.UpdatedAt },
    }.TieBreak(f => f.Id);

    static async Task<IResult> ListFees(IQuerySession query, string? format, string? sort, string? cursor, int? limit, HttpContext context, CancellationToken ct)
    {
        var order = FeeSorting.Parse(sort);
        if (string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)) return FeeScheduleEntry.Csv(await FeeScheduleEntry.All(query, ct));
        var request = CursorPaging.Parse(cursor, limit, order);
        return TypedResults.Ok((await order.Apply(query.Query<FeeScheduleEntry>()).ToCursorPageAsync(request, ct)).WithLink(context));
    }

    static async Task<Results<Ok<FeeScheduleEntry>, ValidationProblem>> SetFee(string code, SetFee body, HttpContext context,
        IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        if (!string.Equals(FeeScheduleEntry.Key(code), FeeScheduleEntry.Key(body.Code), StringComparison.Ordinal))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = ["The code in the body must match the route."] });
        var entry = await FeeScheduleEntry.Set(session, code, body.Amount, ETags.Parse(context.Request.Headers.IfMatch), context.User.Actor(),
            clock.GetUtcNow(), ct);
        context.Response.Headers.ETag = ETags.For(entry.Version);
        return TypedResults.Ok(entry);
    }

    static async Task<Results<NoContent, NotFoundProblem>> DeleteFee(string code, HttpContext context, IDocumentSession session, CancellationToken ct)
    {
        var key = FeeScheduleEntry.Key(code);
        if (await session.LoadAsync<FeeScheduleEntry>(key, ct) is not { } entry)
            return new NotFoundProblem($"The fee schedule has no charge for {key}.");
        StaleVersion.Check(ETags.Parse(context.Request.Headers.IfMatch), entry.Version);
        session.Delete<FeeScheduleEntry>(key);
        await session.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
