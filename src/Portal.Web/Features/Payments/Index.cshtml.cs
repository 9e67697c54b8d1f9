using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Platform;

namespace Portal.Web.Features.Payments;

public class IndexModel(IQuerySession query) : PaymentsPageModel
{
    public PageOf<RemittanceView> Rows { get; private set; } = new([], 1, Paging.DefaultPageSize, 0);
    public EraImportResult? Result { get; private set; }

    public string PageUrl(int page) => $"{Root}/payments?p={page}";

    public async Task OnGetAsync(int p = 1, CancellationToken ct = default) =>
        Rows = await query.Query<RemittanceView>().OrderByDescending(r => r.ReceivedAt).ToPageAsync(Paging.ForPortalPage(p), ct);

    public async Task<IActionResult> OnPostAsync(IFormFile? file, [FromServices] EraImport import, CancellationToken ct)
    {
        if (file is null || file.Length == 0) Error = "Choose an 835 file to upload.";
        else if (file.Length > PaymentEndpoints.MaxFileBytes) Error = "The largest 835 accepted is 50 MB.";
        else
        {
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, ct);
            Result = await import.ImportAsync(Practice.PracticeId, buffer.ToArray(), file.FileName, EraImport.Upload, User.Actor(), ct);
        }
        await OnGetAsync(1, ct);
        return Page();
    }
}
