using Portal.Web.Platform;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Portal.Web.Platform.Csv;

namespace Portal.Web.Features.Payments;

public class ArModel(TenantDatabases databases, TimeProvider clock) : PaymentsPageModel
{
    public AgingReport Report { get; private set; } = default!;
    [BindProperty(SupportsGet = true)] public AgingBasis Basis { get; set; } = AgingBasis.DateOfService;
    [BindProperty(SupportsGet = true)] public DateOnly? AsOf { get; set; }

    public async Task OnGetAsync(CancellationToken ct) =>
        Report = await PaymentQueries.Aging(databases.For(Practice.PracticeId), Practice.PracticeId, AsOf ?? PaymentEndpoints.Today(clock), Basis, ct);

    public async Task<IActionResult> OnGetExportAsync(CancellationToken ct)
    {
        await OnGetAsync(ct);
        return CsvDownload.Of($"ar-aging-{Report.AsOf:yyyy-MM-dd}.csv", PaymentEndpoints.AgingColumns,
            Report.ByPayer.Select(r => ("insurance", r)).Concat(Report.ByPatient.Select(r => ("patient", r))));
    }
}
