using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

public class PayersModel(IQuerySession query) : ReferenceListPageModel<Payer, AddPayer>(query)
{
    protected override string ListPath => "payers";
    protected override Task<IReadOnlyList<Payer>> List(IQuerySession q, CancellationToken ct) => IntakeQueries.Payers(q, ct);

    public Task<IActionResult> OnPostAddAsync(AddPayer input, [FromServices] IDocumentSession session, [FromServices] TimeProvider clock,
        CancellationToken ct) =>
        Add(input, () => PayerWrites.Add(session, input, User.Actor(), clock, ct), ct);
}
