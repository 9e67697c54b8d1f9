using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Billing.PatientBilling;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform.Email;
using Stripe;

namespace Portal.Web.Features.PatientBalances;

public static class PatientBalanceEndpoints
{
    public static void MapPatientBalances(this IEndpointRouteBuilder app)
    {
        var practice = app.MapGroup("/api/v1/practices/{practiceId:guid}").WithTags("Patient balances");
        var patient = practice.MapGroup("/patients/{patientId:guid}");

        patient.MapGet("/ledger", Ledger).WithName("GetPatientLedger").Requires(Permissions.PatientBalancesRead)
            .WithSummary("The patient's ledger: charges, payer payments, adjustments, patient responsibility, payments, refunds, balance and aging")
            .WithDescription("Built from the claim streams and the patient account a few seconds behind the writes (updatedAt says when).");
        patient.MapPost("/payments", PostPayment).WithName("PostPatientPayment").Idempotent().Requires(Permissions.PatientPaymentsPost)
            .WithSummary("Post a front-desk payment (cash, check, card-present reference)")
            .WithDescription("A card payment online for the same amount within Portal:PatientBilling:DuplicateWindow is flagged (possibleDuplicateOf).")
            .ProducesValidationProblem();
        patient.MapPost("/payments/{paymentId:guid}/refunds", Refund).WithName("RefundPatientPayment").HonoursIfMatch()
            .Requires(Permissions.PatientRefunds)
            .WithSummary("Refund all or part of a payment, with reason and approver; a card payment online is refunded through Stripe")
            .ProducesValidationProblem();
        patient.MapPut("/statement-email", SetEmail).WithName("SetStatementEmail").HonoursIfMatch().Requires(Permissions.PatientAccountsManage)
            .WithSummary("Where the patient's statements are e-mailed (null: by post)").ProducesValidationProblem();
        patient.MapPost("/hold", Hold).WithName("HoldPatientStatements").HonoursIfMatch().Requires(Permissions.PatientAccountsManage)
            .WithSummary("Stop statements for the patient, with a reason").ProducesValidationProblem();
        patient.MapPost("/hold/release", ReleaseHold).WithName("ReleasePatientHold").HonoursIfMatch().Requires(Permissions.PatientAccountsManage)
            .WithSummary("Resume statements").ProducesValidationProblem();
        patient.MapPost("/collections", SendToCollections).WithName("SendPatientToCollections").HonoursIfMatch().Requires(Permissions.PatientAccountsManage)
            .WithSummary("Send the balance to collections, with a reason (statements stop)").ProducesValidationProblem();
        patient.MapPost("/collections/recall", RecallFromCollections).WithName("RecallPatientFromCollections").HonoursIfMatch().Requires(Permissions.PatientAccountsManage)
            .WithSummary("Take the account back from collections").ProducesValidationProblem();
        patient.MapPost("/payment-plans", AgreePlan).WithName("AgreePaymentPlan").Idempotent().Requires(Permissions.PatientAccountsManage)
            .WithSummary("Agree monthly instalments over the balance").ProducesValidationProblem();
        patient.MapPost("/payment-plans/{planId:guid}/cancel", CancelPlan).WithName("CancelPaymentPlan").HonoursIfMatch().Requires(Permissions.PatientAccountsManage)
            .WithSummary("End the patient's payment plan").ProducesValidationProblem();

        practice.MapGet("/patient-balances", Balances).WithName("ListPatientBalances").Requires(Permissions.PatientBalancesRead).Sorts(BalanceSorting)
            .WithSummary("Patients who owe the practice, largest balance first, with aging; cursor and limit (or the deprecated page and pageSize)");
        practice.MapGet("/patient-balances/possible-duplicates", Duplicates).WithName("ListPossibleDuplicatePayments").Sorts(DuplicateSorting)
            .Requires(Permissions.PatientBalancesRead).WithSummary("Payments flagged as possibly paying the same balance twice, newest first; cursor and limit");
        practice.MapGet("/payment-plans/missed", MissedPlans).WithName("ListMissedPaymentPlans").Requires(Permissions.PatientBalancesRead).Sorts(MissedSorting)
            .WithSummary("Payment plans with a missed instalment, oldest missed first: the follow-up list; cursor and limit");

        practice.MapGet("/patient-billing/settings", GetSettings).WithName("GetPatientBillingSettings").Requires(Permissions.PatientBillingSettingsRead)
            .WithSummary("Statement branding, statement and dunning policy, plan grace, connected Stripe account");
        practice.MapPut("/patient-billing/settings", PutSettings).WithName("UpdatePatientBillingSettings").HonoursIfMatch()
            .Requires(Permissions.PatientBillingSettingsManage).WithSummary("Change the patient-billing settings").ProducesValidationProblem();

        practice.MapPost("/statement-runs", StartRun).WithName("StartStatementRun").Idempotent().Requires(Permissions.StatementsRun)
            .WithSummary("Start a statement run (runs in the background: poll the run for progress)").ProducesValidationProblem();
        practice.MapGet("/statement-runs", Runs).WithName("ListStatementRuns").Requires(Permissions.StatementsRun).Sorts(RunSorting)
            .WithSummary("The practice's statement runs, newest first; cursor and limit");
        practice.MapGet("/statement-runs/{runId:guid}", Run).WithName("GetStatementRun").Requires(Permissions.StatementsRun)
            .WithSummary("A run's progress and counts");
        practice.MapGet("/statement-runs/{runId:guid}/print.pdf", PrintBatch).WithName("GetStatementPrintBatch").Requires(Permissions.StatementsRead)
            .WithSummary("The run's print batch: one PDF with every statement for the post");
        practice.MapGet("/statements/{statementId:guid}.pdf", StatementPdfFile).WithName("GetStatementPdf").Requires(Permissions.StatementsRead)
            .WithSummary("One statement as issued (PDF)");

        app.MapPost("/webhooks/stripe", StripeWebhooks.Receive).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
    }

    internal static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    internal static TimeSpan DuplicateWindow(IConfiguration config) => config.GetValue("Portal:PatientBilling:DuplicateWindow", TimeSpan.FromHours(72));

    static async Task<Results<Ok<PatientLedgerView>, NotFoundProblem>> Ledger(Guid patientId, HttpContext context, IQuerySession query,
        TimeProvider clock, CancellationToken ct)
    {
        if (await PatientBalanceWrites.Patient(query, patientId, ct) is not { } p) return NoPatient();
        var practice = context.RequiredPractice();
        var settings = await PatientBillingSettings.For(query, practice.PracticeId, practice.Name, ct);
        var view = await PatientLedgerView.Load(query, patientId, p.Name, settings, Today(clock), ct);
        // If-Match on the account's writes (hold, collections, e-mail, plan cancel) takes this: the account stream's version.
        if (view.AccountVersion > 0) context.Response.Headers.ETag = ETags.For(view.AccountVersion);
        return TypedResults.Ok(view);
    }

    static NotFoundProblem NoPatient() => new("No patient with this id in the practice.");

    static async Task<Results<Created<PaymentPosted>, NotFoundProblem>> PostPayment(Guid patientId, PostPatientPayment body, HttpContext context,
        IDocumentStore store, IQuerySession query, IConfiguration config, TimeProvider clock, CancellationToken ct)
    {
        if (await PatientBalanceWrites.Patient(query, patientId, ct) is null) return NoPatient();
        if (body.Method == PatientPaymentMethod.Online)
            throw new UnprocessableInput("Card payments online post from Stripe; at the desk use Cash, Check or CardPresent.",
                new Dictionary<string, string[]> { ["method"] = ["Use Cash, Check or CardPresent."] });
        if (body.Method is PatientPaymentMethod.Check or PatientPaymentMethod.CardPresent && string.IsNullOrWhiteSpace(body.Reference))
            throw new UnprocessableInput("A check or card payment needs its reference (check number or terminal receipt).",
                new Dictionary<string, string[]> { ["reference"] = ["Required for checks and card payments."] });
        var tenant = context.RequiredPractice().TenantId;
        var e = await PatientBalanceWrites.FrontDeskPayment(() => store.LightweightSession(tenant), patientId, body.Amount, body.Method,
            body.Reference?.Trim(), body.Note, DuplicateWindow(config), context.User.Actor(), clock.GetUtcNow(), ct);
        return TypedResults.Created($"/api/v1/practices/{tenant}/patients/{patientId}/ledger",
            new PaymentPosted(e.PaymentId, e.Amount, e.Method, e.Source, e.PossibleDuplicateOf));
    }

    static async Task<Results<Created<RefundPosted>, NotFoundProblem>> Refund(Guid patientId, Guid paymentId, RefundPatientPayment body,
        HttpContext context, IDocumentStore store, IQuerySession query, PortalStripe stripe, TimeProvider clock, CancellationToken ct)
    {
        if (await PatientBalanceWrites.Patient(query, patientId, ct) is null) return NoPatient();
        var practice = context.RequiredPractice();
        var account = await PatientBalanceWrites.Account(query, patientId, ct);
        if (account.Payments.FirstOrDefault(p => p.PaymentId == paymentId) is not { } payment)
            return new NotFoundProblem("No payment with this id on the patient's account.");
        // Checked before Stripe is asked, so a refund larger than what is left never reaches the card.
        account.Refund(paymentId, body.Amount, body.Reason, body.Approver, null, context.User.Actor(), clock.GetUtcNow());
        var refundId = Guid.CreateVersion7();
        string? stripeRefundId = null;
        if (payment.StripePaymentIntentId is { } intent)
        {
            var settings = await query.LoadAsync<PatientBillingSettings>(practice.PracticeId, ct);
            var refund = await new RefundService(stripe.Client).CreateAsync(new RefundCreateOptions
            {
                PaymentIntent = intent, Amount = Money.ToCents(body.Amount), Reason = "requested_by_customer",
                Metadata = new() { ["practice_id"] = practice.PracticeId.ToString(), ["refund_id"] = refundId.ToString() },
            }, new RequestOptions { StripeAccount = settings?.StripeAccountId, IdempotencyKey = "portal-refund-" + refundId }, ct);
            stripeRefundId = refund.Id;
        }
        var tenant = practice.TenantId;
        try
        {
            await PatientBalanceWrites.OnAccount(() => store.LightweightSession(tenant), patientId, (a, session) =>
            {
                if (stripeRefundId is not null)
                {
                    if (a.StripeRefundIds.Contains(stripeRefundId)) return null;
                    session.Claim(PatientBalanceWrites.StripeRefund, stripeRefundId, patientId, clock.GetUtcNow());
                }
                return a.Refund(paymentId, body.Amount, body.Reason.Trim(), body.Approver.Trim(), stripeRefundId, context.User.Actor(), clock.GetUtcNow(), refundId);
            }, ct, ETags.Parse(context.Request.Headers.IfMatch));
        }
        catch (Exception e) when (stripeRefundId is not null && UniqueKeys.ConflictingKey(e) == PatientBalanceWrites.StripeRefund.IdFor(stripeRefundId))
        {
            // Stripe's charge.refunded webhook for this very refund posted it first: it is on the ledger once.
        }
        return TypedResults.Created($"/api/v1/practices/{tenant}/patients/{patientId}/ledger", new RefundPosted(refundId, paymentId, body.Amount, stripeRefundId));
    }

    static Task<Results<NoContent, NotFoundProblem>> SetEmail(Guid patientId, SetStatementEmail body, HttpContext context, IDocumentStore store,
        IQuerySession query, TimeProvider clock, CancellationToken ct) =>
        AccountWrite(patientId, context, store, query, ct, (a, by) =>
            a.StatementEmail == body.Email?.Trim() ? null : new StatementEmailChanged(patientId, body.Email?.Trim() is { Length: > 0 } e ? e : null, by, clock.GetUtcNow()));

    static Task<Results<NoContent, NotFoundProblem>> Hold(Guid patientId, AccountReason body, HttpContext context, IDocumentStore store,
        IQuerySession query, TimeProvider clock, CancellationToken ct) =>
        AccountWrite(patientId, context, store, query, ct, (a, by) => a.OnHold
            ? throw new RuleViolation("Statements are already on hold for this patient.", "already-on-hold")
            : new PatientAccountHeld(patientId, body.Reason.Trim(), by, clock.GetUtcNow()));

    static Task<Results<NoContent, NotFoundProblem>> ReleaseHold(Guid patientId, AccountReason body, HttpContext context, IDocumentStore store,
        IQuerySession query, TimeProvider clock, CancellationToken ct) =>
        AccountWrite(patientId, context, store, query, ct, (a, by) => !a.OnHold
            ? throw new RuleViolation("Statements are not on hold for this patient.", "not-on-hold")
            : new PatientAccountHoldReleased(patientId, body.Reason.Trim(), by, clock.GetUtcNow()));

    static async Task<Results<NoContent, NotFoundProblem>> SendToCollections(Guid patientId, AccountReason body, HttpContext context,
        IDocumentStore store, IQuerySession query, TimeProvider clock, CancellationToken ct)
    {
        var balance = (await query.LoadAsync<PatientLedger>(patientId, ct))?.Balance ?? 0m;
        return await AccountWrite(patientId, context, store, query, ct, (a, by) =>
            a.InCollections ? throw new RuleViolation("The account is already in collections.", "already-in-collections")
            : balance <= 0m ? throw new RuleViolation("The patient owes nothing: there is nothing to collect.", "no-balance")
            : new PatientSentToCollections(patientId, balance, body.Reason.Trim(), body.Agency?.Trim(), by, clock.GetUtcNow()));
    }

    static Task<Results<NoContent, NotFoundProblem>> RecallFromCollections(Guid patientId, AccountReason body, HttpContext context,
        IDocumentStore store, IQuerySession query, TimeProvider clock, CancellationToken ct) =>
        AccountWrite(patientId, context, store, query, ct, (a, by) => !a.InCollections
            ? throw new RuleViolation("The account is not in collections.", "not-in-collections")
            : new PatientRecalledFromCollections(patientId, body.Reason.Trim(), by, clock.GetUtcNow()));

    static async Task<Results<Created<PlanView>, NotFoundProblem>> AgreePlan(Guid patientId, AgreePaymentPlan body, HttpContext context,
        IDocumentStore store, IQuerySession query, TimeProvider clock, CancellationToken ct)
    {
        if (await PatientBalanceWrites.Patient(query, patientId, ct) is null) return NoPatient();
        var practice = context.RequiredPractice();
        var total = body.Total ?? (await query.LoadAsync<PatientLedger>(patientId, ct))?.Balance ?? 0m;
        if (total <= 0m) throw new RuleViolation("The patient owes nothing: a plan needs a balance (or a total).", "no-balance");
        if (decimal.Round(total, 2) != total || total * 100 < body.Instalments)
            throw new UnprocessableInput("Each instalment must be at least one cent.", new Dictionary<string, string[]> { ["instalments"] = ["Too many for the total."] });
        var schedule = PaymentPlans.Schedule(total, body.Instalments, body.FirstDue!.Value);
        var e = await PatientBalanceWrites.OnAccount(() => store.LightweightSession(practice.TenantId), patientId, (a, _) => a.Plan is not null
            ? throw new RuleViolation("The patient already has a payment plan; cancel it first.", "plan-exists")
            : new PaymentPlanAgreed(patientId, Guid.CreateVersion7(), total, [.. schedule], context.User.Actor(), clock.GetUtcNow()), ct);
        var settings = await PatientBillingSettings.For(query, practice.PracticeId, practice.Name, ct);
        return TypedResults.Created($"/api/v1/practices/{practice.PracticeId}/patients/{patientId}/ledger",
            new PlanView(e.PlanId, total, e.At, PaymentPlans.Status(schedule, 0m, Today(clock), settings.PlanGraceDays)));
    }

    static Task<Results<NoContent, NotFoundProblem>> CancelPlan(Guid patientId, Guid planId, AccountReason body, HttpContext context,
        IDocumentStore store, IQuerySession query, TimeProvider clock, CancellationToken ct) =>
        AccountWrite(patientId, context, store, query, ct, (a, by) => a.Plan?.PlanId != planId
            ? throw new RuleViolation("The patient has no such payment plan.", "no-plan")
            : new PaymentPlanCancelled(patientId, planId, body.Reason.Trim(), by, clock.GetUtcNow()));

    static async Task<Results<NoContent, NotFoundProblem>> AccountWrite(Guid patientId, HttpContext context, IDocumentStore store, IQuerySession query,
        CancellationToken ct, Func<PatientAccount, string, object?> decide)
    {
        if (await PatientBalanceWrites.Patient(query, patientId, ct) is null) return NoPatient();
        var by = context.User.Actor();
        await PatientBalanceWrites.OnAccount(() => store.LightweightSession(context.RequiredPractice().TenantId), patientId, (a, _) => decide(a, by), ct,
            ETags.Parse(context.Request.Headers.IfMatch));
        return TypedResults.NoContent();
    }

    public static readonly Sorting<PatientLedger> BalanceSorting = new Sorting<PatientLedger>("-balance")
    {
        { "balance", "what the patient owes", l => l.Balance },
        { "patient", "patient name", l => l.PatientName },
        { "oldest", "date of the oldest amount still owed", l => l.OldestOwedOn },
        { "updated", "last change to the ledger", l => l.UpdatedAt },
    }.TieBreak(l => l.Id);

    static readonly Sorting<PossibleDuplicate> DuplicateSorting = new Sorting<PossibleDuplicate>("-at")
    {
        { "at", "when the payment was taken", d => d.At },
        { "amount", "amount", d => d.Amount },
        { "source", "where the payment came from", d => d.Source },
    }.TieBreak(d => d.PaymentId);

    static readonly Sorting<MissedPlanRow> MissedSorting = new Sorting<MissedPlanRow>("missedDue")
    {
        { "missedDue", "due date of the oldest missed instalment", r => r.OldestMissedDue },
        { "missed", "instalments missed", r => r.Missed },
        { "remaining", "amount remaining on the plan", r => r.Remaining },
        { "patient", "patient name", r => r.PatientName },
    }.TieBreak(r => r.PatientId);

    static readonly Sorting<StatementRun> RunSorting = new Sorting<StatementRun>("-created")
    {
        { "created", "when the run started", r => r.CreatedAt },
        { "statementDate", "statement date", r => r.StatementDate },
        { "status", "run status", r => r.Status },
        { "candidates", "patients selected", r => r.Candidates },
    }.TieBreak(r => r.Id);

    static async Task<Ok<PageOf<PatientBalanceRow>>> Balances(IQuerySession query, TimeProvider clock, string? sort, string? cursor, int? limit, int? page,
        int? pageSize, HttpContext context, CancellationToken ct)
    {
        var today = Today(clock);
        var owing = query.Query<PatientLedger>().Where(l => l.Balance != 0m);
        var found = await owing.ToPageOrCursorAsync(BalanceSorting.Parse(sort), page, pageSize, cursor, limit, context, ct);
        return TypedResults.Ok(found.Map(l => new PatientBalanceRow(l.Id, l.PatientName, l.Balance, l.Aging(today), l.UpdatedAt, l.OldestOwedOn)));
    }

    static async Task<Ok<CursorPage<PossibleDuplicate>>> Duplicates(IQuerySession query, string? sort, string? cursor, int? limit, HttpContext context,
        CancellationToken ct)
    {
        var order = DuplicateSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        var accounts = await query.Query<PatientAccount>().ToListAsync(ct);
        IReadOnlyList<PossibleDuplicate> rows = [.. accounts.SelectMany(a => a.Payments.Where(p => p.PossibleDuplicateOf is not null)
            .Select(p => new PossibleDuplicate(a.PatientId, p.PaymentId, p.PossibleDuplicateOf!.Value, p.Amount, p.Source, p.At)))];
        rows = [.. order.Apply(rows)];
        return TypedResults.Ok(rows.Slice(request).WithLink(context));
    }

    static async Task<Ok<CursorPage<MissedPlanRow>>> MissedPlans(HttpContext context, IQuerySession query, TimeProvider clock, string? sort, string? cursor,
        int? limit, CancellationToken ct)
    {
        var order = MissedSorting.Parse(sort);
        var request = CursorPaging.Parse(cursor, limit, order);
        var practice = context.RequiredPractice();
        var settings = await PatientBillingSettings.For(query, practice.PracticeId, practice.Name, ct);
        var accounts = await query.Query<PatientAccount>().Where(a => a.Plan != null).ToListAsync(ct);
        var names = (await query.LoadManyAsync<Intake.Patient>(ct, accounts.Select(a => a.PatientId).ToArray())).ToDictionary(p => p.Id, p => p.Name);
        var today = Today(clock);
        IReadOnlyList<MissedPlanRow> rows = [.. accounts.Select(a => (a, s: PaymentPlans.Status(a.Plan!.Instalments, a.PaidSince(a.Plan.AgreedAt), today, settings.PlanGraceDays)))
            .Where(x => x.s.Missed > 0)
            .Select(x => new MissedPlanRow(x.a.PatientId, names.GetValueOrDefault(x.a.PatientId, ""), x.a.Plan!.PlanId, x.s.Missed, x.s.Remaining,
                x.s.Instalments.FirstOrDefault(i => i.State == InstalmentState.Missed)?.DueOn))];
        return TypedResults.Ok(order.Apply(rows).Slice(request).WithLink(context));
    }

    static async Task<Ok<PatientBillingSettings>> GetSettings(HttpContext context, IQuerySession query, CancellationToken ct)
    {
        var practice = context.RequiredPractice();
        return TypedResults.Ok(await PatientBillingSettings.For(query, practice.PracticeId, practice.Name, ct));
    }

    static async Task<Ok<PatientBillingSettings>> PutSettings(UpdatePatientBillingSettings body, HttpContext context, IDocumentSession session,
        TimeProvider clock, CancellationToken ct)
    {
        var practice = context.RequiredPractice();
        var current = await session.LoadAsync<PatientBillingSettings>(practice.PracticeId, ct);
        if (ETags.Parse(context.Request.Headers.IfMatch) is { } expected && expected != (current?.Version ?? 0))
            throw new JasperFx.ConcurrencyException(typeof(PatientBillingSettings), practice.PracticeId);
        var intervals = body.NoticeIntervals ?? StatementPolicy.Default.NoticeIntervals;
        var policy = new StatementPolicy(body.MinimumBalance, body.MinimumDaysBetween, intervals, body.DueInDays);
        if (policy.Problems().ToList() is { Count: > 0 } problems)
            throw new UnprocessableInput(string.Join(" ", problems), new Dictionary<string, string[]> { ["policy"] = [.. problems] });
        var settings = new PatientBillingSettings(practice.PracticeId, body.DisplayName.Trim(), body.AddressLines?.Select(l => l.Trim()).ToArray() ?? [],
            body.Phone?.Trim(), body.MinimumBalance, body.MinimumDaysBetween, intervals, body.DueInDays, body.PlanGraceDays, body.StripeAccountId,
            context.User.Actor(), clock.GetUtcNow()) { Version = (current?.Version ?? 0) + 1 };
        session.Store(settings);
        await session.SaveChangesAsync(ct);
        context.Response.Headers.ETag = ETags.For(settings.Version);
        return TypedResults.Ok(settings);
    }

    internal static async Task<StatementRun> Start(HttpContext context, IDocumentSession session, StatementRunQueue queue, PortalLinks links,
        StatementDelivery delivery, TimeProvider clock, CancellationToken ct)
    {
        var practice = context.RequiredPractice();
        var run = new StatementRun(Guid.CreateVersion7(), practice.PracticeId, delivery, Today(clock), RunStatus.Queued, 0, 0, 0, 0, [],
            context.User.Actor(), clock.GetUtcNow(), null, links.Absolute(context.Request, ""), null, null);
        session.Store(run);
        await session.SaveChangesAsync(ct);
        queue.Enqueue(practice.TenantId, run.Id);
        return run;
    }

    static async Task<Accepted<StatementRun>> StartRun(StartStatementRun body, HttpContext context, IDocumentSession session, StatementRunQueue queue,
        PortalLinks links, TimeProvider clock, CancellationToken ct)
    {
        var run = await Start(context, session, queue, links, body.Delivery, clock, ct);
        return TypedResults.Accepted($"/api/v1/practices/{run.PracticeId}/statement-runs/{run.Id}", run);
    }

    static async Task<Ok<CursorPage<StatementRun>>> Runs(IQuerySession query, string? sort, string? cursor, int? limit, HttpContext context, CancellationToken ct)
    {
        var order = RunSorting.Parse(sort);
        return TypedResults.Ok((await order.Apply(query.Query<StatementRun>()).ToCursorPageAsync(CursorPaging.Parse(cursor, limit, order), ct)).WithLink(context));
    }

    static async Task<Results<Ok<StatementRun>, NotFoundProblem>> Run(Guid runId, IQuerySession query, CancellationToken ct) =>
        await query.LoadAsync<StatementRun>(runId, ct) is { } run ? TypedResults.Ok(run) : new NotFoundProblem("No statement run with this id.");

    static async Task<Results<FileStreamHttpResult, NotFoundProblem>> PrintBatch(Guid runId, IQuerySession query, CancellationToken ct)
    {
        if (await query.LoadAsync<StatementRun>(runId, ct) is null) return new NotFoundProblem("No statement run with this id.");
        var records = await query.Query<StatementRecord>().Where(s => s.RunId == runId && s.Delivery == StatementDelivery.Print).ToListAsync(ct);
        var stream = new MemoryStream();
        StatementPdf.Write(records.OrderBy(r => r.Statement.PatientName).Select(r => r.Statement), stream);
        stream.Position = 0;
        return TypedResults.File(stream, "application/pdf", $"statements-{runId}.pdf");
    }

    static async Task<Results<FileContentHttpResult, NotFoundProblem>> StatementPdfFile(Guid statementId, IQuerySession query, CancellationToken ct) =>
        await query.LoadAsync<StatementRecord>(statementId, ct) is { } record
            ? TypedResults.File(StatementPdf.Render(record.Statement), "application/pdf", $"statement-{statementId}.pdf")
            : new NotFoundProblem("No statement with this id.");
}
