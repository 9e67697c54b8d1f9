using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

public class PatientPageModel(IQuerySession query) : IntakePageModel
{
    public Patient Patient { get; private set; } = default!;
    public IReadOnlyList<Payer> Payers { get; private set; } = [];
    public IReadOnlyList<EncounterListRow> Encounters { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid patientId, [FromServices] IDocumentSession session, CancellationToken ct)
    {
        if (!await Load(patientId, ct)) return NotFound();
        await PhiAudit.Record(session, HttpContext, PhiAudit.View, nameof(Intake.Patient), Patient.Id, Patient.Id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCoverageAsync(Guid patientId, long version, AddCoverage input,
        [FromServices] IDocumentSession session, [FromServices] TimeProvider clock, CancellationToken ct)
    {
        var found = true;
        if (await TryWrite(async () => found = await PatientWrites.AddCoverage(session, patientId, version, input, User.Actor(), clock, ct) is not null)
            && found)
            return Redirect($"{Root}/patients/{patientId}");
        return found && await Load(patientId, ct) ? Page() : NotFound();
    }

    async Task<bool> Load(Guid patientId, CancellationToken ct)
    {
        var patient = await query.LoadAsync<Patient>(patientId, ct);
        if (patient is null || !await Coding.VendorVisibility.MaySeePatient(query, User, patientId, ct)) return false;
        Patient = patient;
        Payers = await IntakeQueries.Payers(query, ct);
        var firm = Coding.VendorVisibility.FirmOf(User);
        Encounters = [.. (await query.Query<Coding.CodingQueueRow>().Where(r => r.PatientId == patientId)
            .OrderByDescending(r => r.DateOfService).Take(50).ToListAsync(ct))
            .Where(r => firm is not { } f || Coding.VendorVisibility.MaySee(f, r.Status, r.VendorId, r.CoderId is not null))
            .Select(EncounterListRow.From)];
        return true;
    }
}
