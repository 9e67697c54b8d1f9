using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

public class ProvidersModel(IQuerySession query) : ReferenceListPageModel<Provider, EnrollProvider>(query)
{
    protected override string ListPath => "providers";
    protected override Task<IReadOnlyList<Provider>> List(IQuerySession q, CancellationToken ct) => IntakeQueries.Providers(q, ct);

    public Task<IActionResult> OnPostEnrollAsync(EnrollProvider input, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct) =>
        Add(input, () => ProviderWrites.Enroll(session, input, User.Actor(), clock, ct), ct);
}
