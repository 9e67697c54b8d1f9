using System.Text;
using System.Text.Json.Serialization;
using Marten;
using Portal.Billing.Remittance;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;

namespace Portal.Web.Features.Payments;

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum EraOutcome { Posted, AlreadyPosted, Refused }

/// <summary>What an import did: posted (with counts), already posted (nothing posted again) or refused (nothing posted, problems say where).</summary>
public sealed record EraImportResult(Guid? RemittanceId, EraOutcome Outcome, string Message, int Posted, int Skipped, int Unmatched, int Denied,
    RemittanceProblem[] Problems);

/// <summary>
/// The one 835 import: upload page, API and the SFTP inbox pickup (ST01 = 835) all call <see cref="ImportAsync"/>. Exactly once:
/// the file hash, each check (payer + TRN02 + BPR16) and each claim payment (<see cref="RemittanceKeys"/>) are unique keys
/// (ADR 0011) claimed in the file's one transaction with every posting, so a second import posts nothing and says so, and a
/// failure mid-file leaves nothing. A malformed, foreign or unbalanced file is refused whole: its stream records the refusal
/// and no claim is touched.
/// </summary>
public sealed class EraImport(IDocumentStore store, TimeProvider clock, ILogger<EraImport> log)
{
    public static readonly UniqueKeyKind FileKey = new("era-file", "remittance.file.posted", _ => "This 835 file was posted before.");
    public static readonly UniqueKeyKind CheckKey = new("era-check", "remittance.check.posted", v => $"Check {v} was posted before.");
    public static readonly UniqueKeyKind ClaimKey = new("era-claim", "remittance.claim.posted", v => $"Claim payment {v} was posted before.");

    public const string Upload = "upload", Api = "api", Inbox = "inbox";

    public Task<EraImportResult> ImportAsync(Guid practice, byte[] bytes, string fileName, string source, CancellationToken ct) =>
        ImportAsync(practice, bytes, fileName, source, "inbox", ct);

    public async Task<EraImportResult> ImportAsync(Guid practice, byte[] bytes, string fileName, string source, string by, CancellationToken ct)
    {
        var steps = System.Diagnostics.Stopwatch.StartNew();
        var phases = new Claims.Submission.PhaseClock("835 import");
        var hash = RemittanceKeys.FileHash(bytes);
        await using var session = store.LightweightSession(practice.ToString());
        if (await session.LoadAsync<UniqueKey>(FileKey.IdFor(hash), ct) is { } earlier)
            return new(earlier.OwnerId, EraOutcome.AlreadyPosted,
                $"This file was already posted on {earlier.At:yyyy-MM-dd HH:mm} UTC; nothing was posted again.", 0, 0, 0, 0, []);

        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7();
        fileName = CleanName(fileName);
        var received = new RemittanceReceived(id, fileName, source, hash, bytes.Length, by, now);

        // PostgreSQL cannot store NUL in text: refuse it here with its position rather than fail the file's transaction.
        if (Array.IndexOf(bytes, (byte)0) is var nul and >= 0)
            return await Refuse(session, received, bytes, "The file is not a readable 835 (005010X221A1).",
                [new RemittanceProblem(SegmentAt(bytes, nul), nul, "file", "a NUL byte is not allowed in an X12 file")], ct);

        Era era;
        try
        {
            // X12 is ASCII; Latin-1 reads any byte without throwing, so a stray byte is the reader's to refuse with its position.
            using var text = new StreamReader(new MemoryStream(bytes), Encoding.Latin1);
            era = EraReader.Read(text);
        }
        catch (RemittanceRejected e)
        {
            return await Refuse(session, received, bytes, "The file is not a readable 835 (005010X221A1).",
                [new RemittanceProblem(e.Segment, e.Position, "file", e.Reason)], ct);
        }

        var read = steps.Elapsed;
        phases.Mark("read");
        var foreign = await ForeignPayees(session, practice, era, ct);
        if (foreign.Count > 0)
            return await Refuse(session, received, bytes, "The 835 is for another payee than this practice; nothing was posted.", [.. foreign], ct);

        var imbalances = Balancing.Check(era).Where(i => i.Refuses).ToList();
        if (imbalances.Count > 0)
            return await Refuse(session, received, bytes, $"The 835 does not balance ({imbalances.Count} imbalance(s)); nothing was posted.",
                [.. imbalances.Select(i => new RemittanceProblem(i.Segment, null, i.Loop, $"{i.Where}: {i.Rule}", i.Expected, i.Actual))], ct);

        var balanced = steps.Elapsed;
        phases.Mark("payee and balance");
        var posted = await Post(session, practice, id, era, by, now, phases, ct);
        var queued = steps.Elapsed;
        session.Events.StartStream<RemittanceView>(id, received, posted.Event);
        session.Store(new RemittanceFile(id, fileName, bytes));
        session.Claim(FileKey, hash, id, now);
        phases.Mark("queue remittance");
        try
        {
            await session.SaveChangesAsync(ct);
            phases.Mark("save");
            phases.Done();
        }
        catch (Exception e) when (e.IsUniqueViolation())
        {
            throw new RuleViolation("Another import posted this file or one of its checks at the same moment; nothing from this attempt was posted. " +
                                    "Import it again to see what was posted.", "remittance.concurrent");
        }
        var p = posted.Event;
        // Where a file's time goes (no PHI: counts and milliseconds), for docs/benchmarks.md and for operators.
        log.LogInformation("835 import of {Claims} claim payment(s): read {Read:F0} ms, payee and balance {Balanced:F0} ms, load claims and keys {Load:F0} ms, " +
                           "match and post {Posted:F0} ms, claim appends {Append:F0} ms, save {Saved:F0} ms",
            p.Claims.Length, read.TotalMilliseconds, (balanced - read).TotalMilliseconds, posted.Load.TotalMilliseconds,
            (queued - balanced - posted.Load - posted.Append).TotalMilliseconds, posted.Append.TotalMilliseconds, (steps.Elapsed - queued).TotalMilliseconds);
        var message = p.Posted == 0 && p.Unmatched == 0 && p.Skipped > 0
            ? $"Every check or claim payment in this file was already posted; nothing was posted again ({p.Skipped} skipped)."
            : $"Posted {p.Posted} claim payment(s); {p.Skipped} already posted (skipped); {p.Unmatched} unmatched; {posted.Denied} denial(s) sent to follow-up.";
        var outcome = p.Posted == 0 && p.Unmatched == 0 && p.Skipped > 0 && p.ProviderAdjustments.All(a => a.AlreadyPosted) ? EraOutcome.AlreadyPosted : EraOutcome.Posted;
        return new(id, outcome, message, p.Posted, p.Skipped, p.Unmatched, posted.Denied, []);
    }

    async Task<EraImportResult> Refuse(IDocumentSession session, RemittanceReceived received, byte[] bytes, string reason,
        RemittanceProblem[] problems, CancellationToken ct)
    {
        session.Events.StartStream<RemittanceView>(received.RemittanceId, received,
            new RemittanceRefused(received.RemittanceId, reason, problems, received.By, received.At));
        session.Store(new RemittanceFile(received.RemittanceId, received.FileName, bytes));
        await session.SaveChangesAsync(ct);
        return new(received.RemittanceId, EraOutcome.Refused, reason, 0, 0, 0, 0, problems);
    }

    /// <summary>Payees (N1*PE: XX NPI or FI tax id) that are not this practice's billing NPI/TIN, a provider's NPI or a claim's billing NPI.</summary>
    static async Task<List<RemittanceProblem>> ForeignPayees(IQuerySession session, Guid practice, Era era, CancellationToken ct)
    {
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (await session.LoadAsync<BillingProfile>(practice, ct) is { } profile) { known.Add(profile.Npi); known.Add(profile.TaxId.Replace("-", "")); }
        foreach (var npi in await session.Query<Provider>().Select(p => p.Npi).ToListAsync(ct)) known.Add(npi);
        // The claims' billing NPIs only when a payee is still unknown: a scan of every claim, not needed for the usual file.
        if (era.Payments.Any(p => !known.Contains(p.Payee.Id.Replace("-", ""))))
            foreach (var npi in await session.Query<ClaimView>().Select(c => c.BillingProvider.Npi).Distinct().ToListAsync(ct))
                known.Add(npi);
        return era.Payments.Where(p => !known.Contains(p.Payee.Id.Replace("-", "")))
            .Select(p => new RemittanceProblem(p.Segment, null, "1000B payee",
                $"transaction {p.ControlNumber}: payee {p.Payee.Name} ({p.Payee.IdQualifier} {p.Payee.Id}) is not this practice"))
            .ToList();
    }

    sealed record Posted(RemittancePosted Event, int Denied, TimeSpan Load, TimeSpan Append);

    async Task<Posted> Post(IDocumentSession session, Guid practice, Guid remittanceId, Era era, string by, DateTimeOffset now,
        Claims.Submission.PhaseClock phases, CancellationToken ct)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var clps = era.Payments.SelectMany(p => p.Claims).ToList();
        var pcns = clps.Select(c => c.PatientControlNumber.Trim()).Distinct().ToArray();
        var payerClaimNumbers = clps.Select(c => c.PayerClaimNumber).Where(n => n.Length > 0).Distinct().ToArray();
        var claims = await session.Query<ClaimView>()
            .Where(c => c.PatientControlNumber.IsOneOf(pcns) || c.PayerClaimNumber.IsOneOf(payerClaimNumbers)).ToListAsync(ct);
        var byId = claims.ToDictionary(c => c.Id.ToString());
        var candidates = new ClaimCandidates(claims.Select(Candidate).ToList());

        var keyIds = era.Payments.Select(p => CheckKey.IdFor(RemittanceKeys.Check(p)))
            .Concat(era.Payments.SelectMany(p => p.Claims.Select(c => ClaimKey.IdFor(RemittanceKeys.ClaimPayment(p, c))))).Distinct().ToArray();
        var held = (await session.LoadManyAsync<UniqueKey>(ct, keyIds)).ToDictionary(k => k.Id);
        var settings = await session.LoadAsync<PaymentSettings>(practice, ct) ?? PaymentSettings.Default(practice);
        var load = watch.Elapsed;
        phases.Mark("load claims and keys");

        var checks = new List<RemittanceCheck>();
        var rows = new List<RemittanceClaim>();
        var plbs = new List<RemittanceProviderAdjustment>();
        var claimEvents = new Dictionary<Guid, List<object>>();
        var takenInFile = new HashSet<string>();
        var claimKeys = new List<string>();
        var workItems = new List<DenialWorkItemOpened>();
        int postedCount = 0, skipped = 0, unmatched = 0, denied = 0;

        foreach (var (p, pi) in era.Payments.Select((p, i) => (p, i)))
        {
            var checkKey = RemittanceKeys.Check(p);
            var date = p.EffectiveDate ?? p.ProductionDate ?? DateOnly.FromDateTime(now.UtcDateTime);
            if (held.TryGetValue(CheckKey.IdFor(checkKey), out var earlierCheck) || !takenInFile.Add(CheckKey.IdFor(checkKey)))
            {
                checks.Add(new RemittanceCheck(p.PayerId, p.Payer.Name, p.TraceNumber, p.EffectiveDate, Signed(p), p.Method, checkKey, true, earlierCheck?.OwnerId));
                foreach (var clp in p.Claims)
                {
                    skipped++;
                    rows.Add(new RemittanceClaim(null, clp.PatientControlNumber, PatientName(clp), clp.PayerClaimNumber, clp.Status, clp.Charge, clp.Paid,
                        clp.PatientResponsibility ?? 0, RemittanceKeys.ClaimPayment(p, clp), "check already posted", null));
                }
                plbs.AddRange(p.ProviderAdjustments.Select(a => new RemittanceProviderAdjustment(p.PayerId, a.Reason, a.Reference, a.Amount, true)));
                continue;
            }
            session.Claim(CheckKey, checkKey, remittanceId, now);
            checks.Add(new RemittanceCheck(p.PayerId, p.Payer.Name, p.TraceNumber, p.EffectiveDate, Signed(p), p.Method, checkKey, false, null));

            foreach (var (clp, ci) in p.Claims.Select((c, i) => (c, i)))
            {
                var key = RemittanceKeys.ClaimPayment(p, clp);
                var match = ClaimMatching.Match(clp, candidates);
                if (held.ContainsKey(ClaimKey.IdFor(key)) || !takenInFile.Add(ClaimKey.IdFor(key)))
                {
                    skipped++;
                    rows.Add(new RemittanceClaim(match.Claim is null ? null : Guid.Parse(match.Claim.Id), clp.PatientControlNumber, PatientName(clp),
                        clp.PayerClaimNumber, clp.Status, clp.Charge, clp.Paid, clp.PatientResponsibility ?? 0, key, "claim payment already posted", null));
                    continue;
                }
                if (match.Claim is null)
                {
                    unmatched++;
                    var dos = clp.Lines.Select(l => l.ServiceFrom).Where(d => d is not null).Min() ?? clp.StatementFrom;
                    session.Store(new UnmatchedClaimPayment(Guid.CreateVersion7(), remittanceId, pi, ci, p.PayerId, p.Payer.Name, p.TraceNumber,
                        clp.PatientControlNumber, clp.PayerClaimNumber, PatientName(clp), clp.Status, clp.Charge, clp.Paid, dos, key,
                        match.Problem ?? "no claim matched", UnmatchedState.Open, now));
                    rows.Add(new RemittanceClaim(null, clp.PatientControlNumber, PatientName(clp), clp.PayerClaimNumber, clp.Status, clp.Charge, clp.Paid,
                        clp.PatientResponsibility ?? 0, key, "unmatched: " + match.Problem, null));
                    continue;
                }
                var claim = byId[match.Claim.Id];
                var result = PostClaim(session, settings, remittanceId, p, clp, claim, date, by, now, workItems);
                if (!claimEvents.TryGetValue(claim.Id, out var list)) claimEvents[claim.Id] = list = [];
                list.AddRange(result.Events);
                claimKeys.Add(key);
                postedCount++;
                if (result.WorkItemId is not null) denied++;
                rows.Add(new RemittanceClaim(claim.Id, clp.PatientControlNumber, claim.PatientName, clp.PayerClaimNumber, clp.Status, clp.Charge, clp.Paid,
                    clp.PatientResponsibility ?? 0, key, result.WorkItemId is null ? "posted" : "posted; denial sent to follow-up", result.WorkItemId));
            }

            var account = PayerAccount.IdFor(p.PayerId);
            var portalPayer = p.Claims.Select(c => ClaimMatching.Match(c, candidates).Claim).FirstOrDefault(c => c is not null) is { } any
                ? byId[any.Id].Coverage.PayerId
                : (await session.Query<Payer>().Where(x => x.ClearinghousePayerId == p.PayerId).FirstOrDefaultAsync(ct))?.Id;
            var adjustments = Posting.ProviderAdjustments(p).Zip(p.ProviderAdjustments).Select(t =>
                (object)new ProviderAdjustmentPosted(account, p.PayerId, remittanceId, t.First.PaymentKey, t.Second.Reason, t.Second.Reference,
                    t.Second.Amount, t.Second.FiscalPeriodEnd, by, now, portalPayer)).ToList();
            if (adjustments.Count > 0) session.Events.Append(account, adjustments);
            plbs.AddRange(p.ProviderAdjustments.Select(a => new RemittanceProviderAdjustment(p.PayerId, a.Reason, a.Reference, a.Amount, false)));
        }
        // Appended at the version read: the claim's snapshot (and its ETag) follows, and a claim changed meanwhile fails the whole file
        // (one transaction), which the caller retries or answers 412. Set-based for a large file (ADR 0028).
        // The claim payments' keys in one statement for a large file (ADR 0032); any of them held meanwhile fails the save (409).
        session.ClaimAll(ClaimKey, claimKeys, remittanceId, now, ClaimPostingAppend.Threshold);
        DenialWorkItemStarts.Start(session, workItems);
        var append = watch.Elapsed;
        phases.Mark("match and post");
        await ClaimPostingAppend.AppendAsync(session, [.. claimEvents.Select(c => new ClaimPostings(byId[c.Key.ToString()], c.Value))], ct);
        phases.Mark("claim appends");

        return new(new RemittancePosted(remittanceId, [.. checks], [.. rows], [.. plbs], postedCount, skipped, unmatched, by, now), denied,
            load, watch.Elapsed - append);
    }

    /// <summary>The 1-based number of the segment holding byte <paramref name="at"/>, counting the ISA's terminator (its 106th character).</summary>
    static int SegmentAt(byte[] bytes, int at)
    {
        if (bytes.Length < 106 || bytes[0] != (byte)'I') return 1;
        var terminator = bytes[105];
        var n = 1;
        for (var i = 0; i < at && i < bytes.Length; i++) if (bytes[i] == terminator) n++;
        return n;
    }

    static decimal Signed(EraPayment p) => p.CreditDebit == "D" ? -p.Amount : p.Amount;

    static string PatientName(EraClaim clp) => clp.Patient is { } n ? $"{n.First} {n.Last}".Trim() : "";

    public static ClaimCandidate Candidate(ClaimView c) =>
        new(c.Id.ToString(), c.PatientId.ToString(), c.PatientControlNumber, c.PayerClaimNumber, c.TotalCharge, c.DateOfService);

    public sealed record ClaimPostingResult(List<object> Events, Guid? WorkItemId);

    /// <summary>
    /// The events of one matched CLP: ClaimPaymentPosted on the claim stream, and for a denial (CLP02 = 4 or a denial CARC) ClaimDenied
    /// plus a follow-up work item stream. A reversal (CLP02 = 22) posts its negative amounts as a reversing entry, never an edit.
    /// </summary>
    public static ClaimPostingResult PostClaim(IDocumentSession session, PaymentSettings settings, Guid remittanceId, EraPayment p, EraClaim clp,
        ClaimView claim, DateOnly paymentDate, string by, DateTimeOffset now, List<DenialWorkItemOpened>? workItems = null)
    {
        var posting = Posting.Claim(p, clp, Candidate(claim), ReasonText.Denials);
        var lines = MapLines(clp, claim);
        var allAdjustments = clp.Adjustments.Concat(clp.Lines.SelectMany(l => l.Adjustments))
            .Select(a => new PostedAdjustment(a.Group, a.Reason, a.Amount, a.Quantity)).ToArray();
        var patientShare = clp.Adjustments.Concat(clp.Lines.SelectMany(l => l.Adjustments)).Where(a => a.Group == "PR").Sum(a => a.Amount);
        var events = new List<object>
        {
            new ClaimPaymentPosted(claim.Id, claim.PatientId, remittanceId, posting.PaymentKey, claim.Coverage.PayerId, clp.Status, clp.Charge, clp.Paid,
                patientShare, allAdjustments, lines, clp.PayerClaimNumber.Length > 0 ? clp.PayerClaimNumber : null, p.TraceNumber, paymentDate,
                clp.IsReversal, by, now),
        };
        Guid? workItem = null;
        if (posting.IsDenied && !clp.IsReversal)
        {
            var top = posting.Denials.OrderByDescending(d => d.Amount).FirstOrDefault();
            var amount = clp.IsDenied ? clp.Charge - clp.Paid : posting.Denials.Sum(d => d.Amount);
            var category = top?.Category ?? "other";
            events.Add(new ClaimDenied(claim.Id, claim.PatientId, remittanceId, [.. posting.Denials.Select(d => $"{d.Group}-{d.Carc}").Distinct()], amount,
                category, by, now));
            workItem = Guid.CreateVersion7();
            var window = settings.WindowFor(claim.Coverage.PayerId);
            var opened = new DenialWorkItemOpened(workItem.Value, claim.Id, claim.PatientId, claim.PatientName,
                claim.PatientControlNumber, clp.PayerClaimNumber.Length > 0 ? clp.PayerClaimNumber : claim.PayerClaimNumber, claim.Coverage.PayerId,
                claim.Coverage.PayerName, remittanceId, claim.DateOfService, claim.TotalCharge, amount, category,
                top?.NextAction ?? "Read the remark codes, then choose: corrected claim, appeal, patient billing or write-off.",
                [.. posting.Denials.Select(d => new DeniedReason(d.Group, d.Carc, d.Amount, d.LineKey, [.. d.Remarks]))],
                paymentDate.AddDays(window), window, by, now);
            // A file's work items are started together (DenialWorkItemStarts, set-based when many); one claim's here.
            if (workItems is not null) workItems.Add(opened);
            else session.Events.StartStream<DenialWorkItem>(workItem.Value, opened);
        }
        return new(events, workItem);
    }

    /// <summary>Each SVC to the claim line it pays: the billed code (SVC06 when the payer recoded, else SVC01) and charge, else the code.</summary>
    static PostedLine[] MapLines(EraClaim clp, ClaimView claim)
    {
        var used = new HashSet<int>();
        return [.. clp.Lines.Select(l =>
        {
            var billed = (l.OriginalProcedure ?? l.Procedure).Code;
            var line = claim.Lines.FirstOrDefault(c => !used.Contains(c.Line) && c.Code == billed && c.Charge == Math.Abs(l.Charge))
                ?? claim.Lines.FirstOrDefault(c => !used.Contains(c.Line) && c.Code == billed);
            if (line is not null) used.Add(line.Line);
            return new PostedLine(line?.Line, l.Procedure.Code, l.Charge, l.Paid, l.Allowed, l.UnitsPaid ?? 1,
                [.. l.Adjustments.Select(a => new PostedAdjustment(a.Group, a.Reason, a.Amount, a.Quantity))], [.. l.Remarks]);
        })];
    }

    static string CleanName(string name)
    {
        var last = Path.GetFileName(name.Replace('\\', '/'));
        var clean = new string([.. last.Where(c => !char.IsControl(c) && c is not ('"' or '<' or '>'))]).Trim();
        return clean.Length == 0 ? "remittance.835" : clean.Length > 120 ? clean[..120] : clean;
    }
}
