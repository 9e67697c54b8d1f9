using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

public class PatientsModel(IQuerySession query) : IntakePageModel
{
    public PageOf<Patient> Patients { get; private set; } = new([], 1, Paging.DefaultPageSize, 0);
    public IReadOnlyList<Payer> Payers { get; private set; } = [];
    public RegisterPatient? Input { get; private set; }
    [BindProperty(SupportsGet = true)] public string? Search { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    public string PageUrl(int page) => $"{Root}/patients?search={Uri.EscapeDataString(Search ?? "")}&p={page}";

    public async Task OnGetAsync(CancellationToken ct) => await Load(ct);

    public async Task<IActionResult> OnPostRegisterAsync(RegisterPatient input, Guid? payerId, string? memberId,
        [FromServices] IDocumentSession session, [FromServices] TimeProvider clock, CancellationToken ct)
    {
        var ok = await TryWrite(async () =>
        {
            var patient = await PatientWrites.Register(session, input, User.Actor(), clock, ct);
            if (payerId is { } payer && !string.IsNullOrWhiteSpace(memberId))
                await PatientWrites.AddCoverage(session, patient.Id, patient.Version,
                    new AddCoverage(payer, memberId, $"{patient.Demographics.FirstName} {patient.Demographics.LastName}",
                        new DateOnly(clock.GetUtcNow().Year, 1, 1)), User.Actor(), clock, ct);
        });
        if (ok) return Redirect($"{Root}/patients?search={Uri.EscapeDataString(input.Mrn.Trim())}");
        await Load(ct);
        Input = input;
        return Page();
    }

    async Task Load(CancellationToken ct)
    {
        Patients = await IntakeQueries.Patients(query, Search, null).ToPageAsync(Paging.ForPortalPage(PageNumber), ct);
        Payers = await IntakeQueries.Payers(query, ct);
    }
}
