using Portal.Web.Platform;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Marten;
using Portal.Billing.PatientBilling;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform.Email;

namespace Portal.Web.Features.PatientBalances;

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum RunStatus { Queued, Running, Completed, Failed }

/// <summary>A statement run of a practice: its progress while it runs (poll it), and its counts when done.</summary>
public sealed record StatementRun(Guid Id, Guid PracticeId, StatementDelivery Delivery, DateOnly StatementDate, RunStatus Status, int Candidates, int Processed,
    int Emailed, int Printed, Dictionary<string, int> Skipped, string StartedBy, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt,
    string LinkRoot, string? Error, double? Seconds)
{
    public int Issued => Emailed + Printed;
}

/// <summary>One statement as issued: everything its PDF shows, frozen (the PDF is drawn again from this, identically). Sha256 of the PDF as sent.</summary>
public sealed record StatementRecord(Guid Id, Guid RunId, Guid PatientId, StatementDelivery Delivery, Statement Statement, string PdfSha256,
    int PdfBytes, DateTimeOffset IssuedAt);

/// <summary>
/// A statement e-mail waiting to leave (global outbox: the sender works across practices). The mail says which practice, the
/// amount due and its date, and carries the pay link; the statement itself (visits, codes) never travels by mail.
/// </summary>
public sealed record StatementMail(Guid Id, string TenantId, string To, string PracticeName, decimal AmountDue, DateOnly DueDate, string Link,
    DateTimeOffset QueuedAt)
{
    public DateTimeOffset? SentAt { get; init; }
    public int Attempts { get; init; }
    public string? LastError { get; init; }
}

/// <summary>Start a statement run. Delivery Email: patients with a statement e-mail get it mailed, the others go in the print batch.</summary>
public sealed record StartStatementRun(StatementDelivery Delivery = StatementDelivery.Email);

/// <summary>Runs statement runs one after another in the background; a run left Queued or Running by a restart continues.</summary>
public sealed class StatementRunQueue
{
    readonly Channel<(string Tenant, Guid RunId)> channel = Channel.CreateUnbounded<(string, Guid)>();
    int running;
    public void Enqueue(string tenant, Guid runId) => channel.Writer.TryWrite((tenant, runId));
    internal ChannelReader<(string Tenant, Guid RunId)> Reader => channel.Reader;

    /// <summary>A run is drawing and writing in this process: the statement mail sender waits (it would take the cores the run needs).</summary>
    public bool Running => Volatile.Read(ref running) > 0;
    /// <summary>Set when a run of this process ends (its mails are queued): the mail sender looks at once instead of at its next poll.</summary>
    internal Wakeup MailsQueued { get; } = new();

    internal void Started() => Interlocked.Increment(ref running);
    internal void Finished()
    {
        Interlocked.Decrement(ref running);
        MailsQueued.Set();
    }
}

sealed class StatementRunWorker(StatementRunQueue queue, IServiceProvider services, IDocumentStore store, BackgroundWork work,
    ILogger<StatementRunWorker> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var unfinished = await store.QueryEachDatabase(async (query, c) => await query.Query<StatementRun>()
                .Where(r => r.AnyTenant() && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running)).ToListAsync(c), stoppingToken);
            foreach (var run in unfinished.OrderBy(r => r.CreatedAt)) queue.Enqueue(run.PracticeId.ToString(), run.Id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogDebug("No unfinished statement runs to resume: {Exception}", SafeLog.Describe(e));
        }
        await foreach (var (tenant, runId) in queue.Reader.ReadAllAsync(stoppingToken))
        {
            queue.Started();
            using var lease = await work.EnterAsync(stoppingToken);
            try
            {
                await using var scope = services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<StatementRunner>().Run(tenant, runId, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError("Statement run {RunId} failed: {Exception}", runId, SafeLog.Describe(e));
                await using var session = store.LightweightSession(tenant);
                if (await session.LoadAsync<StatementRun>(runId, stoppingToken) is { } run)
                {
                    session.Store(run with { Status = RunStatus.Failed, Error = "The run stopped with an error; statements issued so far stand." });
                    await session.SaveChangesAsync(stoppingToken);
                }
            }
            finally
            {
                queue.Finished();
            }
        }
    }
}

/// <summary>
/// One run: select the patients (<see cref="StatementRules"/>), then per patient freeze the statement, draw its PDF, append
/// StatementIssued to the account stream and queue the e-mail (the outbox sender mails it later, never the run itself). A run of
/// 10,000 patients is a pipeline: balances are read a page of <see cref="Page"/> patients per round trip (ledgers, accounts and
/// patients in one batch), PDFs are drawn on every core (no more threads than cores), and the writes of the previous
/// <see cref="Batch"/> patients commit in one transaction while the next batch is drawn, so progress is visible as it goes.
/// A patient already issued a statement by this run (a run resumed after a restart) is skipped.
/// </summary>
public sealed class StatementRunner(IDocumentStore store, PayLinks links, TimeProvider clock, ILogger<StatementRunner> log)
{
    const int Batch = 250, Page = 2000;

    sealed record Decided(PatientLedger Ledger, PatientAccount Account, Patient Patient, StatementDecision Decision);

    /// <summary>Drawn statements to write, with the selection's counts so far (written with the run's progress).</summary>
    sealed record DrawnBatch((StatementRecord Record, string? Email)[] Items, int Candidates, Dictionary<string, int> Skipped);

    public async Task Run(string tenant, Guid runId, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        StatementRun run;
        await using (var session = store.LightweightSession(tenant))
        {
            run = await session.LoadAsync<StatementRun>(runId, ct) ?? throw new InvalidOperationException("No such run.");
            if (run.Status is RunStatus.Completed or RunStatus.Failed) return;
            run = run with { Status = RunStatus.Running };
            session.Store(run);
            await session.SaveChangesAsync(ct);
        }

        await using var query = store.QuerySession(tenant);
        var org = await query.LoadAsync<Organization>(run.PracticeId, ct);
        var settings = await PatientBillingSettings.For(query, run.PracticeId, org?.Name ?? "Your practice", ct);
        var issued = (await query.Query<StatementRecord>().Where(s => s.RunId == runId).Select(s => s.PatientId).ToListAsync(ct)).ToHashSet();
        // Only the ids first (an index scan on the balance); the documents come a page at a time.
        var owing = await query.Query<PatientLedger>().Where(l => l.Balance > 0m).OrderBy(l => l.Id).Select(l => l.Id).ToListAsync(ct);

        var template = run;
        var channel = Channel.CreateBounded<DrawnBatch>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        double write = 0, writeWait = 0;
        var writer = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in channel.Reader.ReadAllAsync(ct))
                {
                    var started = Stopwatch.GetTimestamp();
                    run = await Write(tenant, run, batch, ct);
                    write += Stopwatch.GetElapsedTime(started).TotalSeconds;
                }
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
                throw;
            }
        }, ct);

        double read = 0, draw = 0;
        var candidates = 0;
        var skipped = new Dictionary<string, int>();
        var parallel = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount };
        try
        {
            foreach (var page in owing.Chunk(Page))
            {
                var started = Stopwatch.GetTimestamp();
                var batchQuery = query.CreateBatchQuery();
                var ledgersTask = batchQuery.LoadMany<PatientLedger>().ById(page);
                var accountsTask = batchQuery.LoadMany<PatientAccount>().ById(page.Select(PatientAccount.StreamIdFor).ToArray());
                var patientsTask = batchQuery.LoadMany<Patient>().ById(page);
                await batchQuery.Execute(ct);
                var accounts = (await accountsTask).ToDictionary(a => a.PatientId);
                var patients = (await patientsTask).ToDictionary(p => p.Id);
                var decided = new List<Decided>();
                foreach (var ledger in (await ledgersTask).Where(l => l.Balance > 0m))
                {
                    candidates++;
                    var account = accounts.GetValueOrDefault(ledger.Id) ?? new PatientAccount { PatientId = ledger.Id };
                    var planOk = account.Plan is { } plan
                        && PaymentPlans.Status(plan.Instalments, account.PaidSince(plan.AgreedAt), run.StatementDate, settings.PlanGraceDays).InGoodStanding;
                    var candidate = new StatementCandidate(ledger.Id, ledger.Balance, account.Statements.LastOrDefault()?.StatementDate,
                        account.NoticesSince(ledger.ClearedAt), account.OnHold, account.InCollections, planOk);
                    var decision = StatementRules.Decide(settings.Policy, candidate, run.StatementDate);
                    if (decision.Send && !issued.Contains(ledger.Id) && patients.TryGetValue(ledger.Id, out var patient))
                        decided.Add(new Decided(ledger, account, patient, decision));
                    else if (decision.Skipped is { } reason) skipped[reason.ToString()] = skipped.GetValueOrDefault(reason.ToString()) + 1;
                }
                read += Stopwatch.GetElapsedTime(started).TotalSeconds;

                foreach (var chunk in decided.Chunk(Batch))
                {
                    started = Stopwatch.GetTimestamp();
                    var drawn = new (StatementRecord Record, string? Email)[chunk.Length];
                    Parallel.For(0, chunk.Length, parallel, i => drawn[i] = Draw(template, settings, chunk[i]));
                    draw += Stopwatch.GetElapsedTime(started).TotalSeconds;
                    started = Stopwatch.GetTimestamp();
                    await channel.Writer.WriteAsync(new DrawnBatch(drawn, candidates, new Dictionary<string, int>(skipped)), ct);
                    writeWait += Stopwatch.GetElapsedTime(started).TotalSeconds;
                }
            }
            await channel.Writer.WriteAsync(new DrawnBatch([], candidates, skipped), ct);
            channel.Writer.Complete();
        }
        catch (Exception e)
        {
            channel.Writer.TryComplete(e);
            // The writer stops too. When it failed first (the channel closed under the drawing), its failure is the cause.
            try { await writer; }
            catch (Exception writerFailure) when (e is ChannelClosedException) { ExceptionDispatchInfo.Throw(writerFailure); }
            catch (Exception) when (e is not ChannelClosedException) { }
            throw;
        }
        await writer;

        await using (var session = store.LightweightSession(tenant))
        {
            var previous = await session.LoadAsync<StatementRun>(runId, ct);
            run = run with
            {
                Processed = Math.Max(run.Processed, previous?.Processed ?? 0), Status = RunStatus.Completed, CompletedAt = clock.GetUtcNow(),
                Seconds = watch.Elapsed.TotalSeconds,
            };
            session.Store(run);
            await session.SaveChangesAsync(ct);
        }
        log.LogInformation("Statement run {RunId}: {Issued} statements in {Seconds:0.0} s (reading {Read:0.0} s, drawing {Draw:0.0} s, "
            + "writing {Write:0.0} s alongside, waiting for the writer {Wait:0.0} s)", runId, run.Issued, watch.Elapsed.TotalSeconds, read, draw,
            write, writeWait);
    }

    /// <summary>One transaction: the statements, StatementIssued on each account stream, the queued e-mails and the run's progress.</summary>
    async Task<StatementRun> Write(string tenant, StatementRun run, DrawnBatch batch, CancellationToken ct)
    {
        await using var session = store.LightweightSession(tenant);
        var now = clock.GetUtcNow();
        foreach (var (record, email) in batch.Items)
        {
            session.Store(record);
            session.Events.Append(PatientAccount.StreamIdFor(record.PatientId), new StatementIssued(record.PatientId, record.Id, run.Id,
                record.Statement.Notice, record.Statement.AmountDue, record.Statement.StatementDate, record.Statement.DueDate, record.Delivery,
                run.StartedBy, now));
            if (record.Delivery == StatementDelivery.Email && email is not null)
                session.Store(new StatementMail(record.Id, tenant, email,
                    record.Statement.Practice.Name, record.Statement.AmountDue, record.Statement.DueDate, record.Statement.PayOnlineUrl!, now));
        }
        run = run with
        {
            Candidates = batch.Candidates, Skipped = batch.Skipped,
            Processed = run.Processed + batch.Items.Length,
            Emailed = run.Emailed + batch.Items.Count(d => d.Record.Delivery == StatementDelivery.Email),
            Printed = run.Printed + batch.Items.Count(d => d.Record.Delivery == StatementDelivery.Print),
        };
        session.Store(run);
        await session.SaveChangesAsync(ct);
        return run;
    }

    (StatementRecord, string?) Draw(StatementRun run, PatientBillingSettings settings, Decided d)
    {
        var (ledger, account, patient, decision) = d;
        var id = Guid.CreateVersion7();
        var visits = Visits(ledger);
        var last = account.Statements.LastOrDefault();
        var paidSince = ledger.Entries.Where(e => last is null || DateOnly.FromDateTime(e.At.UtcDateTime) > last.StatementDate)
            .Sum(e => e.PatientPaid - e.Refunded);
        var who = patient.Demographics;
        var address = who.Address is { } a
            ? new[] { a.Line1, a.Line2 ?? "", $"{a.City}, {a.State} {a.PostalCode}" }
            : [];
        var link = links.Url(run.LinkRoot, new PayLinkTarget(run.PracticeId, patient.Id, id));
        var planNote = account.Plan is not null ? "Your payment plan has a missed instalment: please pay the amount due or call us." : null;
        var statement = new Statement(id, settings.Branding, $"{who.FirstName} {who.LastName}", address, patient.Mrn, run.StatementDate,
            decision.Notice!.Value, decision.DueDate!.Value, decision.AmountDue, visits, paidSince, link, planNote);
        var pdf = StatementPdf.Render(statement);
        var delivery = run.Delivery == StatementDelivery.Email && account.StatementEmail is not null ? StatementDelivery.Email : StatementDelivery.Print;
        return (new StatementRecord(id, run.Id, patient.Id, delivery, statement, Convert.ToHexStringLower(SHA256.HashData(pdf)), pdf.Length,
            clock.GetUtcNow()), account.StatementEmail);
    }

    /// <summary>Visits with something left for the patient; the patient's payments pay the oldest visits first (as aging does).</summary>
    public static IReadOnlyList<StatementVisit> Visits(PatientLedger ledger)
    {
        var credit = ledger.PatientPaid - ledger.Refunded - ledger.Disputed;
        var result = new List<StatementVisit>();
        foreach (var v in ledger.Visits.Where(v => !v.Voided).OrderBy(v => v.DateOfService))
        {
            var owed = v.PatientResponsibility - v.PatientWrittenOff;
            var paid = Math.Clamp(credit, 0m, Math.Max(owed, 0m));
            credit -= paid;
            if (owed - paid <= 0m) continue;
            result.Add(new StatementVisit(v.DateOfService, v.Description, v.Charges, v.InsurancePaid, v.Adjustments + v.PayerWrittenOff, paid, owed - paid));
        }
        return result;
    }
}

/// <summary>
/// Sends queued statement e-mails when a run of this process ends and every Portal:PatientBilling:MailPoll (default 2 s: runs of
/// other nodes, failed tries), 50 at a time, 5 attempts each. It waits while a statement run works in this process: a run is a
/// burst of CPU (PDFs on every core) and its mails are better sent right after it than slowing it down (a run of 10,000 queues
/// 10,000 mails; the run's target is to have them queued, docs/benchmarks.md).
/// </summary>
sealed class StatementMailSender(IDocumentStore store, IMailSender sender, IConfiguration config, TimeProvider clock, StatementRunQueue runs, BackgroundWork work,
    ILogger<StatementMailSender> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = config.GetValue("Portal:PatientBilling:MailPoll", TimeSpan.FromSeconds(2));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (runs.Running || await SendSome(stoppingToken) == 0) await runs.MailsQueued.WaitAsync(poll, stoppingToken);
            }
            catch (OperationCanceledException) { return; }
            catch (Exception e)
            {
                log.LogWarning("Statement mail round failed: {Exception}", SafeLog.Describe(e));
                try { await Task.Delay(poll, stoppingToken); } catch (OperationCanceledException) { return; }
            }
        }
    }

    async Task<int> SendSome(CancellationToken ct)
    {
        using var lease = await work.EnterAsync(ct);
        // The mails are queued in the practice's transaction, so in its database (ADR 0031): each database's queue in turn.
        var sent = 0;
        foreach (var open in await store.SessionPerDatabase()) sent += await SendSome(open, ct);
        return sent;
    }

    async Task<int> SendSome(Func<IDocumentSession> open, CancellationToken ct)
    {
        await using var session = open();
        var due = await session.Query<StatementMail>().Where(m => m.SentAt == null && m.Attempts < 5).OrderBy(m => m.QueuedAt).Take(50).ToListAsync(ct);
        foreach (var m in due)
        {
            var mail = new OutgoingMail(m.To, $"Your statement from {m.PracticeName}",
                [$"You have a new statement from {m.PracticeName}.", $"Amount due: {m.AmountDue:$#,##0.00}, please pay by {m.DueDate:MMMM d, yyyy}.",
                 "You can pay online by card with the link below, no account needed. Questions about your bill? Call the practice."],
                "View and pay", m.Link);
            try
            {
                await sender.SendAsync(mail, ct);
                session.Store(m with { SentAt = clock.GetUtcNow(), Attempts = m.Attempts + 1 });
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                session.Store(m with { Attempts = m.Attempts + 1, LastError = e.GetType().Name });
            }
        }
        await session.SaveChangesAsync(ct);
        return due.Count;
    }
}
