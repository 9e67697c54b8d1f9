using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

public class NewEncounterModel(IQuerySession query, TimeProvider clock) : IntakePageModel
{
    public IReadOnlyList<Patient> Patients { get; private set; } = [];
    public IReadOnlyList<Provider> Providers { get; private set; } = [];
    public OpenEncounter? Input { get; private set; }
    public string Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd");

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await Load(ct);
        return Page();
    }

    /// <summary>htmx: the coverage choices of the chosen patient.</summary>
    public async Task<IActionResult> OnGetCoveragesAsync(Guid? patientId, CancellationToken ct)
    {
        var patient = patientId is { } id ? await query.LoadAsync<Patient>(id, ct) : null;
        Response.Headers.Vary = "HX-Request";
        return Partial("_CoverageOptions", patient?.Coverages ?? []);
    }

    public async Task<IActionResult> OnPostAsync(OpenEncounter input, [FromServices] IDocumentSession session, CancellationToken ct)
    {
        EncounterDetails? opened = null;
        if (await TryWrite(async () => opened = await EncounterWrites.Open(session, input, "portal", User.Actor(), clock, ct)))
            return Redirect($"{Root}/encounters/{opened!.Id}");
        Input = input;
        await Load(ct);
        return Page();
    }

    async Task Load(CancellationToken ct)
    {
        Patients = await query.Query<Patient>().OrderBy(p => p.Demographics.LastName).ThenBy(p => p.Demographics.FirstName)
            .Take(1000).ToListAsync(ct);
        Providers = await IntakeQueries.Providers(query, ct);
    }
}
