using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

public class PayersModel(IQuerySession query) : IntakePageModel
{
    public IReadOnlyList<Payer> Payers { get; private set; } = [];
    public AddPayer? Input { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Payers = await IntakeQueries.Payers(query, ct);

    public async Task<IActionResult> OnPostAddAsync(AddPayer input, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct)
    {
        if (await TryWrite(() => PayerWrites.Add(session, input, User.Actor(), clock, ct))) return Redirect($"{Root}/payers");
        Payers = await IntakeQueries.Payers(query, ct);
        Input = input;
        return Page();
    }
}
