using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Billing.PatientBilling;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Tenancy;
using Stripe.Checkout;

namespace Portal.Web.Features.PatientBalances;

/// <summary>
/// The pay-online page behind a statement's link: no login, so it shows only the practice, the patient's first name and the
/// amount due (no visits, codes, dates of birth or addresses). Paying creates a Stripe Checkout Session in the practice's
/// connected account and sends the browser there; the payment posts when Stripe's webhook says it succeeded, never from the
/// browser's return.
/// </summary>
[AllowAnonymous]
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Portal.Web.Platform.RateLimits.AccountEmail)]
public class PayModel(PayLinks links, IDocumentStore store, PortalStripe stripe, TimeProvider clock) : PageModel
{
    public string? PracticeName { get; private set; }
    public string? FirstName { get; private set; }
    public decimal AmountDue { get; private set; }
    public bool Expired { get; private set; }
    public bool CardsOff { get; private set; }
    public bool Done { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, bool done, CancellationToken ct)
    {
        Response.Headers["Referrer-Policy"] = "no-referrer";
        Response.Headers.CacheControl = "no-store";
        Done = done;
        await Load(token, ct);
        if (Expired) Response.StatusCode = 404;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken ct)
    {
        var target = await Load(token, ct);
        if (target is null || Expired) { Response.StatusCode = 404; return Page(); }
        if (CardsOff || AmountDue <= 0m) return Page();
        var settings = await SettingsOf(target, ct);
        var root = $"{Request.Scheme}://{Request.Host}{Request.PathBase}";
        var metadata = new Dictionary<string, string>
        {
            ["practice_id"] = target.PracticeId.ToString(), ["patient_id"] = target.PatientId.ToString(),
            ["statement_id"] = target.StatementId?.ToString() ?? "",
        };
        var session = await new SessionService(stripe.Client).CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            LineItems =
            [
                new SessionLineItemOptions
                {
                    Quantity = 1,
                    PriceData = new SessionLineItemPriceDataOptions
                    {
                        Currency = "usd", UnitAmount = Money.ToCents(AmountDue),
                        ProductData = new SessionLineItemPriceDataProductDataOptions { Name = $"Payment to {PracticeName}" },
                    },
                },
            ],
            SuccessUrl = $"{root}/pay/{token}?done=true",
            CancelUrl = $"{root}/pay/{token}",
            Metadata = metadata,
            PaymentIntentData = new SessionPaymentIntentDataOptions { Metadata = metadata },
        }, new Stripe.RequestOptions { StripeAccount = settings?.StripeAccountId }, ct);
        return Redirect(session.Url);
    }

    async Task<PatientBillingSettings?> SettingsOf(PayLinkTarget target, CancellationToken ct)
    {
        await using var query = store.QuerySession(target.PracticeId.ToString());
        return await query.LoadAsync<PatientBillingSettings>(target.PracticeId, ct);
    }

    async Task<PayLinkTarget?> Load(string token, CancellationToken ct)
    {
        var target = links.Read(token);
        if (target is null) { Expired = true; return null; }
        await using var global = store.QuerySession();
        if (await global.LoadAsync<Organization>(target.PracticeId, ct) is not { } org) { Expired = true; return null; }
        await using var query = store.QuerySession(target.PracticeId.ToString());
        if (await query.LoadAsync<Patient>(target.PatientId, ct) is not { } patient) { Expired = true; return null; }
        var settings = await query.LoadAsync<PatientBillingSettings>(target.PracticeId, ct);
        PracticeName = settings?.DisplayName ?? org.Name;
        FirstName = patient.Demographics.FirstName;
        AmountDue = Math.Max(0m, (await query.LoadAsync<PatientLedger>(target.PatientId, ct))?.Balance ?? 0m);
        CardsOff = !stripe.Settings.Enabled;
        _ = clock;
        return target;
    }
}
