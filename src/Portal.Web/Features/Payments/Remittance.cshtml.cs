using System.Text;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Billing.Remittance;

namespace Portal.Web.Features.Payments;

public class RemittanceModel(IQuerySession query) : PaymentsPageModel
{
    public RemittanceView Remittance { get; private set; } = default!;

    /// <summary>The file as read again, for the adjustments in plain words (null for a refused file).</summary>
    public Era? Era { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid remittanceId, CancellationToken ct)
    {
        if (await query.LoadAsync<RemittanceView>(remittanceId, ct) is not { } r) return NotFound();
        Remittance = r;
        if (r.State == RemittanceState.Posted && await query.LoadAsync<RemittanceFile>(remittanceId, ct) is { } file)
        {
            using var text = new StreamReader(new MemoryStream(file.Content), Encoding.Latin1);
            Era = EraReader.Read(text);
        }
        return Page();
    }

    public RemittanceClaim? Row(EraPayment p, EraClaim c) =>
        Remittance.Claims.FirstOrDefault(r => r.PaymentKey == RemittanceKeys.ClaimPayment(p, c));
}
