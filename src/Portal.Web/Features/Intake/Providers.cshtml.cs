using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

public class ProvidersModel(IQuerySession query) : IntakePageModel
{
    public IReadOnlyList<Provider> Providers { get; private set; } = [];
    public EnrollProvider? Input { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Providers = await IntakeQueries.Providers(query, ct);

    public async Task<IActionResult> OnPostEnrollAsync(EnrollProvider input, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct)
    {
        if (await TryWrite(() => ProviderWrites.Enroll(session, input, User.Actor(), clock, ct))) return Redirect($"{Root}/providers");
        Providers = await IntakeQueries.Providers(query, ct);
        Input = input;
        return Page();
    }
}
