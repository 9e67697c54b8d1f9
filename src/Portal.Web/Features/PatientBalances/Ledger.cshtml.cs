using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Features.Intake;

namespace Portal.Web.Features.PatientBalances;

/// <summary>The patient's ledger with the front desk's actions: take a payment, refund one, hold statements, collections, plans.</summary>
public class LedgerModel(IQuerySession query, IDocumentStore store, IConfiguration config, TimeProvider clock) : PracticePageModel
{
    public Patient Patient { get; private set; } = default!;
    public PatientLedgerView Ledger { get; private set; } = default!;
    public bool CanPost => User.Allows(Permissions.PatientPaymentsPost, Practice);
    public bool CanRefund => User.Allows(Permissions.PatientRefunds, Practice);
    public bool CanManage => User.Allows(Permissions.PatientAccountsManage, Practice);

    public async Task<IActionResult> OnGetAsync(Guid patientId, [FromServices] IDocumentSession session, CancellationToken ct)
    {
        if (!await Load(patientId, ct)) return NotFound();
        await PhiAudit.Record(session, HttpContext, PhiAudit.View, nameof(PatientLedger), patientId, patientId, ct);
        return Page();
    }

    Func<IDocumentSession> Open => () => store.LightweightSession(Practice.TenantId);

    public Task<IActionResult> OnPostAsync(Guid patientId, PostPatientPayment input, CancellationToken ct) => Act(patientId, ct, async () =>
    {
        if (input.Method == PatientPaymentMethod.Online) throw new UnprocessableInput("Card payments online post from Stripe.");
        if (input.Method is PatientPaymentMethod.Check or PatientPaymentMethod.CardPresent && string.IsNullOrWhiteSpace(input.Reference))
            throw new UnprocessableInput("A check or card payment needs its reference (check number or terminal receipt).");
        await PatientBalanceWrites.FrontDeskPayment(Open, patientId, input.Amount, input.Method, input.Reference?.Trim(), input.Note,
            PatientBalanceEndpoints.DuplicateWindow(config), User.Actor(), clock.GetUtcNow(), ct);
    });

    public Task<IActionResult> OnPostRefundAsync(Guid patientId, Guid paymentId, RefundPatientPayment input, [FromServices] PortalStripe stripe,
        CancellationToken ct) => Act(patientId, ct, async () =>
    {
        var account = await PatientBalanceWrites.Account(query, patientId, ct);
        var payment = account.Payments.FirstOrDefault(p => p.PaymentId == paymentId) ?? throw new RuleViolation("No such payment.");
        account.Refund(paymentId, input.Amount, input.Reason, input.Approver, null, User.Actor(), clock.GetUtcNow());
        var refundId = Guid.CreateVersion7();
        string? stripeRefundId = null;
        if (payment.StripePaymentIntentId is { } intent)
        {
            var settings = await query.LoadAsync<PatientBillingSettings>(Practice.PracticeId, ct);
            stripeRefundId = (await new Stripe.RefundService(stripe.Client).CreateAsync(new Stripe.RefundCreateOptions
            {
                PaymentIntent = intent, Amount = Portal.Billing.PatientBilling.Money.ToCents(input.Amount), Reason = "requested_by_customer",
            }, new Stripe.RequestOptions { StripeAccount = settings?.StripeAccountId, IdempotencyKey = "portal-refund-" + refundId }, ct)).Id;
        }
        try
        {
            await PatientBalanceWrites.OnAccount(Open, patientId, (a, s) =>
            {
                if (stripeRefundId is not null)
                {
                    if (a.StripeRefundIds.Contains(stripeRefundId)) return null;
                    s.Claim(PatientBalanceWrites.StripeRefund, stripeRefundId, patientId, clock.GetUtcNow());
                }
                return a.Refund(paymentId, input.Amount, input.Reason.Trim(), input.Approver.Trim(), stripeRefundId, User.Actor(), clock.GetUtcNow(), refundId);
            }, ct);
        }
        catch (Exception e) when (stripeRefundId is not null && UniqueKeys.ConflictingKey(e) == PatientBalanceWrites.StripeRefund.IdFor(stripeRefundId)) { }
    });

    public Task<IActionResult> OnPostHoldAsync(Guid patientId, AccountReason input, CancellationToken ct) => Act(patientId, ct, () =>
        PatientBalanceWrites.OnAccount(Open, patientId, (a, _) => a.OnHold ? throw new RuleViolation("Statements are already on hold.")
            : new PatientAccountHeld(patientId, input.Reason.Trim(), User.Actor(), clock.GetUtcNow()), ct));

    public Task<IActionResult> OnPostReleaseAsync(Guid patientId, AccountReason input, CancellationToken ct) => Act(patientId, ct, () =>
        PatientBalanceWrites.OnAccount(Open, patientId, (a, _) => !a.OnHold ? throw new RuleViolation("Statements are not on hold.")
            : new PatientAccountHoldReleased(patientId, input.Reason.Trim(), User.Actor(), clock.GetUtcNow()), ct));

    public Task<IActionResult> OnPostCollectionsAsync(Guid patientId, AccountReason input, CancellationToken ct) => Act(patientId, ct, async () =>
    {
        var balance = (await query.LoadAsync<PatientLedger>(patientId, ct))?.Balance ?? 0m;
        await PatientBalanceWrites.OnAccount(Open, patientId, (a, _) => a.InCollections ? throw new RuleViolation("Already in collections.")
            : balance <= 0m ? throw new RuleViolation("The patient owes nothing: there is nothing to collect.")
            : new PatientSentToCollections(patientId, balance, input.Reason.Trim(), input.Agency?.Trim(), User.Actor(), clock.GetUtcNow()), ct);
    });

    public Task<IActionResult> OnPostEmailAsync(Guid patientId, SetStatementEmail input, CancellationToken ct) => Act(patientId, ct, () =>
        PatientBalanceWrites.OnAccount(Open, patientId, (a, _) =>
            new StatementEmailChanged(patientId, input.Email?.Trim() is { Length: > 0 } e ? e : null, User.Actor(), clock.GetUtcNow()), ct));

    public Task<IActionResult> OnPostPlanAsync(Guid patientId, AgreePaymentPlan input, CancellationToken ct) => Act(patientId, ct, async () =>
    {
        var total = input.Total ?? (await query.LoadAsync<PatientLedger>(patientId, ct))?.Balance ?? 0m;
        if (total <= 0m) throw new RuleViolation("The patient owes nothing: a plan needs a balance.");
        var schedule = Portal.Billing.PatientBilling.PaymentPlans.Schedule(total, input.Instalments, input.FirstDue!.Value);
        await PatientBalanceWrites.OnAccount(Open, patientId, (a, _) => a.Plan is not null ? throw new RuleViolation("The patient already has a plan.")
            : new PaymentPlanAgreed(patientId, Guid.CreateVersion7(), total, [.. schedule], User.Actor(), clock.GetUtcNow()), ct);
    });

    async Task<IActionResult> Act(Guid patientId, CancellationToken ct, Func<Task> write)
    {
        if (await query.LoadAsync<Patient>(patientId, ct) is null) return NotFound();
        if (await TryWrite(write)) return Redirect($"{Root}/patients/{patientId}/ledger");
        return await Load(patientId, ct) ? Page() : NotFound();
    }

    async Task<bool> Load(Guid patientId, CancellationToken ct)
    {
        if (await query.LoadAsync<Patient>(patientId, ct) is not { } patient) return false;
        Patient = patient;
        var settings = await PatientBillingSettings.For(query, Practice.PracticeId, Practice.Name, ct);
        Ledger = await PatientLedgerView.Load(query, patientId, patient.Name, settings, PatientBalanceEndpoints.Today(clock), ct);
        return true;
    }
}
