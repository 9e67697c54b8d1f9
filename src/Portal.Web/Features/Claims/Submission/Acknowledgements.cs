using Portal.Web.Platform;
using System.Security.Cryptography;
using System.Text;
using Marten;
using X12 = Portal.Billing.X12;

namespace Portal.Web.Features.Claims.Submission;

/// <summary>
/// What an acknowledgement reads of a claim. <see cref="View"/> is the claim for <see cref="ClaimBulkAppend"/>, which writes only
/// the members an event's Apply changes (ADR 0027): the acknowledgement events change the state, the rejection reasons and the
/// payer's claim number, and read nothing else of the claim.
/// </summary>
public sealed record AckClaim(Guid Id, long Version, ClaimState State, Guid? BatchId, string PatientControlNumber, string PatientName,
    string ClearinghousePayerId, string? PayerClaimNumber, DateTimeOffset? SubmittedAt)
{
    public ClaimView View() => new()
    {
        Id = Id, Version = Version, State = State, BatchId = BatchId, PatientControlNumber = PatientControlNumber, PatientName = PatientName,
        PayerClaimNumber = PayerClaimNumber, SubmittedAt = SubmittedAt,
    };
}

/// <summary>What one acknowledgement did to one claim or batch, in plain words.</summary>
public sealed record AckEffect(Guid? BatchId, Guid? ClaimId, string Reference, string? PatientName, string Outcome, string[] Codes, string[] Reasons);

/// <summary>
/// An imported 999 or 277CA: kept with its hash (unique per practice, so the same file twice changes nothing), what it matched and
/// what it changed. The file's bytes are not kept; the interchange control number and the hash identify it.
/// </summary>
public sealed class Acknowledgement
{
    public Guid Id { get; set; }
    public long Sequence { get; set; }
    /// <summary>999 or 277CA.</summary>
    public string Kind { get; set; } = "";
    public string FileName { get; set; } = "";
    public string Sha256 { get; set; } = "";
    public long Size { get; set; }
    /// <summary>upload (portal page), api, inbox (the transport's inbox: a check or the poller).</summary>
    public string Source { get; set; } = "";
    public string InterchangeControlNumber { get; set; } = "";
    public string SenderId { get; set; } = "";
    public string Summary { get; set; } = "";
    public Guid[] BatchIds { get; set; } = [];
    public int Accepted { get; set; }
    public int Rejected { get; set; }
    public int Pending { get; set; }
    public AckEffect[] Effects { get; set; } = [];
    public string ReceivedBy { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
}

public sealed record AckImportResult(Acknowledgement Acknowledgement, bool Duplicate, string Message);


/// <summary>999 and 277CA files from the inbox go through the same import as uploads, each in its own transaction.</summary>
public sealed class AcknowledgementInboxHandler(string transactionSet, IDocumentStore store, TimeProvider clock) : IInboxFileHandler
{
    public string TransactionSet => transactionSet;

    public async Task<InboxFileResult> HandleAsync(InboxFile file, CancellationToken ct)
    {
        try
        {
            var result = await BatchWrites.Retrying(store, file.PracticeId.ToString(), session =>
                AcknowledgementImport.Import(session, file.PracticeId, file.Content, file.Name, "inbox", file.By, clock.GetUtcNow(), ct));
            return new InboxFileResult(true, result.Message, result.Acknowledgement.Id);
        }
        catch (UnprocessableInput refused)
        {
            return new InboxFileResult(false, refused.Message, Refused: true);
        }
    }
}

public static class AcknowledgementImport
{
    public const int MaxBytes = 50 * 1024 * 1024;

    /// <summary>
    /// A file refused before anything was applied (422): not X12, cut, inconsistent, or naming a batch or claim Portal did not send.
    /// Segment (ISA = 1) and position (1-based character) say where, as problem extensions.
    /// </summary>
    public static UnprocessableInput Refused(string message, int? segment = null, long? position = null) =>
        new(message, null, new Dictionary<string, object?> { ["segment"] = segment, ["position"] = position });

    public static readonly UniqueKeyKind FileKey = new("ack-file", "acknowledgement-already-imported",
        sha => $"This file (SHA-256 {sha}) was already imported.");

    /// <summary>ST01 of the first transaction set, or a refusal naming the segment: the inbox sorts files by it.</summary>
    public static string TransactionSet(byte[] content)
    {
        var (_, segments) = Envelope(content);
        return segments.FirstOrDefault(s => s.Id == "ST")?[1] ?? throw Refused("The interchange has no transaction set (ST).", 1, 1);
    }

    static (X12.Separators, List<X12.X12Segment>) Envelope(byte[] content)
    {
        try { return X12.X12Reader.ReadEnvelope(new StringReader(Text(content))); }
        catch (X12.X12Rejected e) { throw Refused($"The file is not a readable X12 interchange: segment {e.Segment}, character {e.Position}: {e.Reason}", e.Segment, e.Position); }
    }

    static string Text(byte[] content) => Encoding.UTF8.GetString(content);

    /// <summary>
    /// Reads a 999 or 277CA and applies it in one transaction: batch states from the 999, claim events from both. The same bytes
    /// twice: nothing changes and the first import is returned with Duplicate = true. Refused (nothing applied): not X12, another
    /// transaction set, a cut or inconsistent file, or a batch or claim that Portal did not send.
    /// </summary>
    public static async Task<AckImportResult> Import(IDocumentSession session, Guid practiceId, byte[] content, string fileName, string source,
        string by, DateTimeOffset now, CancellationToken ct)
    {
        var clock = new PhaseClock("ack");
        if (content.Length == 0) throw Refused("The file is empty.", 1, 1);
        if (content.Length > MaxBytes) throw Refused($"The file is larger than {MaxBytes / 1024 / 1024} MB.");
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        if (await session.LoadAsync<UniqueKey>(FileKey.IdFor(sha), ct) is { } taken
            && await session.LoadAsync<Acknowledgement>(taken.OwnerId, ct) is { } earlier)
            return new AckImportResult(earlier, true, $"This file was already imported on {earlier.ReceivedAt:yyyy-MM-dd HH:mm} UTC by {earlier.ReceivedBy}; nothing was changed.");

        var (_, segments) = Envelope(content);
        var st = segments.FirstOrDefault(s => s.Id == "ST") ?? throw Refused("The interchange has no transaction set (ST).", 1, 1);
        var ack = new Acknowledgement
        {
            Id = Guid.CreateVersion7(now), Sequence = now.UtcTicks, FileName = fileName, Sha256 = sha, Size = content.Length, Source = source,
            InterchangeControlNumber = segments[0][13], SenderId = segments[0][6].Trim(), ReceivedBy = by, ReceivedAt = now,
        };
        var effects = new List<AckEffect>();
        switch (st[1])
        {
            case "999":
                ack.Kind = "999";
                X12.Ack999 ack999;
                try { ack999 = X12.Ack999Reader.Read(new StringReader(Text(content))); }
                catch (X12.X12Rejected e) { throw Refused($"The 999 is refused: segment {e.Segment}, character {e.Position}: {e.Reason}", e.Segment, e.Position); }
                await Apply999(session, ack, ack999, segments, effects, by, now, ct);
                break;
            case "277":
                ack.Kind = "277CA";
                X12.Ack277 ack277;
                try { ack277 = X12.Ack277Reader.Read(new StringReader(Text(content))); }
                catch (X12.X12Rejected e) { throw Refused($"The 277CA is refused: segment {e.Segment}, character {e.Position}: {e.Reason}", e.Segment, e.Position); }
                clock.Mark("read 277");
                await Apply277(session, practiceId, ack, ack277, segments, effects, by, now, ct, clock);
                break;
            case "835":
                throw Refused("This is an 835 remittance (payments), not a 999 or 277CA acknowledgement; import it with the payments feature.", st.Number, st.Position);
            default:
                throw Refused($"This is a {st[1]} transaction set; claim submission imports 999 and 277CA acknowledgements only.", st.Number, st.Position);
        }
        ack.Effects = [.. effects];
        ack.Accepted = effects.Count(e => e.ClaimId is not null && e.Outcome.StartsWith("Accepted", StringComparison.Ordinal));
        ack.Rejected = effects.Count(e => e.ClaimId is not null && e.Outcome.StartsWith("Rejected", StringComparison.Ordinal));
        ack.Pending = effects.Count(e => e.ClaimId is not null && e.Outcome.StartsWith("Pending", StringComparison.Ordinal));
        ack.Summary = ack.Kind == "999"
            ? string.Join("; ", effects.Where(e => e.ClaimId is null).Select(e => $"{e.Reference}: {e.Outcome}"))
            : $"{ack.Accepted} accepted, {ack.Rejected} rejected, {ack.Pending} pending or unchanged";
        session.Store(ack);
        session.Claim(FileKey, sha, ack.Id, now);
        clock.Mark("summary");
        await session.SaveClaimingAsync(FileKey, sha, ct);
        clock.Mark("save");
        clock.Done();
        return new AckImportResult(ack, false, $"{ack.Kind} imported: {ack.Summary}.");
    }

    static async Task Apply999(IDocumentSession session, Acknowledgement ack, X12.Ack999 file, List<X12.X12Segment> segments, List<AckEffect> effects,
        string by, DateTimeOffset now, CancellationToken ct)
    {
        var batchIds = new List<Guid>();
        var changes = new List<ClaimEventToAppend>();
        foreach (var group in file.Groups)
        {
            var candidates = await session.Query<ClaimBatchView>().Where(b => b.GroupControlNumber == group.GroupControl).ToListAsync(ct);
            var batch = candidates.FirstOrDefault(b => string.Equals(b.SenderId, file.ReceiverId, StringComparison.OrdinalIgnoreCase)) ?? candidates.FirstOrDefault();
            var ak1 = segments.FirstOrDefault(s => s.Id == "AK1" && s[2] == group.GroupControl);
            if (batch is null)
                throw Refused($"AK1 names group control number {group.GroupControl}, which is no batch of this practice (segment {ak1?.Number}).", ak1?.Number, ak1?.Position);
            if (group.FunctionalId != "HC")
                throw Refused($"AK1 acknowledges a {group.FunctionalId} group; Portal sends claims (HC).", ak1?.Number, ak1?.Position);
            foreach (var set in group.Sets.Where(s => s.ControlNumber != batch.TransactionSetControlNumber))
            {
                var ak2 = segments.FirstOrDefault(s => s.Id == "AK2" && s[2] == set.ControlNumber);
                throw Refused($"AK2 names transaction set {set.ControlNumber}; batch {batch.InterchangeControlNumber} has set {batch.TransactionSetControlNumber}.",
                    ak2?.Number, ak2?.Position);
            }
            if (batchIds.Contains(batch.Id))
                throw Refused($"AK1 acknowledges batch {batch.InterchangeControlNumber} a second time in the same file.", ak1?.Number, ak1?.Position);
            batchIds.Add(batch.Id);
            var errors = group.Sets.SelectMany(Reasons).Concat(group.Errors.Select(e => $"Group: {e.Message} (code {e.Code})")).ToArray();
            // With the expected version, as every append here: quick appends give an inline snapshot its version only when told
            // (the claim's and the batch's ETag is that version), and a claim changed since it was read fails the whole file.
            session.Events.Append(batch.Id, batch.Version + 1, new ClaimBatchAcknowledged(batch.Id, ack.Id, group.Status, group.StatusText, errors, by, now));
            effects.Add(new AckEffect(batch.Id, null, $"Batch {batch.InterchangeControlNumber}", null,
                group.Status is "A" or "E" ? $"Accepted by the clearinghouse's syntax check ({group.StatusText})" : $"Rejected: {group.StatusText}",
                [group.Status], errors));

            var rejectedSets = group.Sets.Where(s => !s.Accepted).ToList();
            if (rejectedSets.Count == 0) continue;
            // A rejected set: none of its claims arrived. One set per batch, so every claim of the batch goes back to the work queue.
            var codes = rejectedSets.SelectMany(s => s.Errors.Select(e => "999:" + e.Code).Concat(s.SegmentErrors.Select(x => $"999:{x.SegmentId}:{x.Error?.Code}"))).Distinct().ToArray();
            var reasons = rejectedSets.SelectMany(Reasons).DefaultIfEmpty("The clearinghouse rejected the file (999): none of its claims arrived.").ToArray();
            var claims = (await Claims(session, batch.Claims.Select(c => c.ClaimId), ct)).ToDictionary(c => c.Id);
            foreach (var bc in batch.Claims)
            {
                if (!claims.TryGetValue(bc.ClaimId, out var claim)) continue;
                if (claim.BatchId != batch.Id || claim.State is not (ClaimState.Batched or ClaimState.AcceptedByClearinghouse))
                {
                    effects.Add(new AckEffect(batch.Id, claim.Id, claim.PatientControlNumber, claim.PatientName, $"Unchanged: the claim is {Words(claim.State)} now", codes, reasons));
                    continue;
                }
                changes.Add(new ClaimEventToAppend(claim.View(), new ClaimRejectedByClearinghouse(claim.Id, ack.Id, codes, reasons, by, now)));
                effects.Add(new AckEffect(batch.Id, claim.Id, claim.PatientControlNumber, claim.PatientName, "Rejected by the clearinghouse (999)", codes, reasons));
            }
        }
        ack.BatchIds = [.. batchIds.Distinct()];
        await ClaimBulkAppend.AppendAsync(session, changes, ct);
    }

    static IEnumerable<string> Reasons(X12.Ack999Set set)
    {
        foreach (var s in set.SegmentErrors)
        {
            var where = $"Segment {s.SegmentId} (number {s.Position} in the claim file{(s.Loop is null ? "" : $", loop {s.Loop}")})";
            if (s.Error is { } e) yield return $"{where}: {e.Message}";
            foreach (var el in s.Elements)
                yield return $"{where}, element {el.Position}: {el.Error.Message}{(el.BadValue is null ? "" : $" (sent '{el.BadValue}')")}";
        }
        foreach (var e in set.Errors) yield return $"Transaction set {set.ControlNumber}: {e.Message}";
    }

    static async Task Apply277(IDocumentSession session, Guid practiceId, Acknowledgement ack, X12.Ack277 file, List<X12.X12Segment> segments,
        List<AckEffect> effects, string by, DateTimeOffset now, CancellationToken ct, PhaseClock clock)
    {
        var settings = await TradingPartnerSettings.For(session, practiceId, ct);
        ClaimBatchView? traced = null;
        if (file.BatchTrace is { Length: > 0 } trace)
            traced = await session.Query<ClaimBatchView>().Where(b => b.Reference == trace).FirstOrDefaultAsync(ct);

        // CLM01 of each part sent → the claim. A claim split in two is one claim with two parts (-1, -2).
        var byPart = new Dictionary<string, (Guid ClaimId, Guid BatchId)>(StringComparer.Ordinal);
        if (traced is not null)
            foreach (var c in traced.Claims)
                foreach (var p in c.Parts) byPart[p] = (c.ClaimId, traced.Id);
        var missing = file.Claims.Select(c => c.PatientControlNumber).Where(p => !byPart.ContainsKey(p)).Distinct().ToList();
        if (missing.Count > 0)
        {
            var bases = missing.Select(BasePcn).Distinct().ToArray();
            var found = await session.Query<ClaimView>().Where(c => c.PatientControlNumber.IsOneOf(bases)).ToListAsync(ct);
            var batches = (await session.LoadManyAsync<ClaimBatchView>(ct, found.Where(c => c.BatchId is not null).Select(c => c.BatchId!.Value).Distinct()))
                .ToDictionary(b => b.Id);
            foreach (var claim in found)
                if (claim.BatchId is { } b && batches.TryGetValue(b, out var batch))
                    foreach (var part in batch.Claims.Where(x => x.ClaimId == claim.Id).SelectMany(x => x.Parts)) byPart.TryAdd(part, (claim.Id, b));
        }
        foreach (var c in file.Claims.Where(c => !byPart.ContainsKey(c.PatientControlNumber)))
        {
            var trn = segments.FirstOrDefault(s => s.Id == "TRN" && s[1] == "2" && s[2] == c.PatientControlNumber);
            throw Refused($"Claim {c.PatientControlNumber} (TRN*2 at segment {trn?.Number}, character {trn?.Position}) matches no claim this practice sent.",
                trn?.Number, trn?.Position);
        }

        var claimIds = byPart.Values.Select(v => v.ClaimId).Distinct().ToArray();
        clock.Mark("trace+match");
        var claims = (await Claims(session, claimIds, ct)).ToDictionary(c => c.Id);
        clock.Mark("read claims");
        var perBatch = new Dictionary<Guid, (int Accepted, int Rejected, int Pending)>();
        var changes = new List<ClaimEventToAppend>();
        foreach (var group in file.Claims.GroupBy(c => byPart[c.PatientControlNumber]))
        {
            var (claimId, batchId) = group.Key;
            var claim = claims[claimId];
            var statuses = group.SelectMany(a => a.Statuses.Concat(a.Lines.SelectMany(l => l.Statuses))).ToList();
            var codes = statuses.Select(s => string.Join(':', new[] { s.Category, s.Status, s.Entity }.Where(x => x is { Length: > 0 }))).Distinct().ToArray();
            var reasons = group.Select(a => a.Summary).Where(s => s.Length > 0).Distinct().ToArray();
            var outcome = group.Any(a => a.Outcome == X12.AckOutcome.Rejected) ? X12.AckOutcome.Rejected
                : group.All(a => a.Outcome == X12.AckOutcome.Accepted) ? X12.AckOutcome.Accepted : X12.AckOutcome.Pending;
            // The 277CA's source (HL 20 NM1): the payer itself when its id is the claim's payer id, else the clearinghouse.
            var fromPayer = file.SourceId is { Length: > 0 } source && string.Equals(source, claim.ClearinghousePayerId, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(source, settings?.ReceiverId, StringComparison.OrdinalIgnoreCase);
            var who = fromPayer ? "payer" : "clearinghouse";
            var counts = perBatch.GetValueOrDefault(batchId);
            string result;
            if (claim.BatchId != batchId)
                result = "Unchanged: the claim has been sent again in a later batch";
            else if (outcome == X12.AckOutcome.Pending)
            {
                result = "Pending: " + (reasons.FirstOrDefault() ?? "no decision yet");
                counts.Pending++;
            }
            else if (!Allowed(claim.State, fromPayer))
                result = $"Unchanged: the claim is {Words(claim.State)} now";
            else if (outcome == X12.AckOutcome.Accepted)
            {
                object e = fromPayer
                    ? new ClaimAcceptedByPayer(claim.Id, ack.Id, group.Select(a => a.PayerClaimNumber).FirstOrDefault(n => n is not null), by, now)
                    : new ClaimAcceptedByClearinghouse(claim.Id, ack.Id, codes.FirstOrDefault(), by, now);
                changes.Add(new ClaimEventToAppend(claim.View(), e));
                result = $"Accepted by the {who} (277CA)";
                counts.Accepted++;
            }
            else
            {
                object e = fromPayer
                    ? new ClaimRejectedByPayer(claim.Id, ack.Id, codes, reasons, by, now)
                    : new ClaimRejectedByClearinghouse(claim.Id, ack.Id, codes, reasons, by, now);
                changes.Add(new ClaimEventToAppend(claim.View(), e));
                result = $"Rejected by the {who} (277CA)";
                counts.Rejected++;
            }
            perBatch[batchId] = counts;
            effects.Add(new AckEffect(batchId, claim.Id, claim.PatientControlNumber, claim.PatientName, result, codes, reasons));
        }
        clock.Mark("decide");
        await ClaimBulkAppend.AppendAsync(session, changes, ct);
        clock.Mark("bulk append");
        var touched = perBatch.Keys.ToArray();
        var batchVersions = (await session.Query<ClaimBatchView>().Where(b => b.Id.IsOneOf(touched)).Select(b => new BatchVersion(b.Id, b.Version))
            .ToListAsync(ct)).ToDictionary(b => b.Id, b => b.Version);
        foreach (var (batchId, c) in perBatch)
            session.Events.Append(batchId, batchVersions[batchId] + 1, new ClaimBatchStatusReported(batchId, ack.Id, c.Accepted, c.Rejected, c.Pending, by, now));
        ack.BatchIds = [.. perBatch.Keys];
        clock.Mark("batch versions+append");
    }

    /// <summary>
    /// The claims as they stand, with their stream versions (the appends below check them), in one query: only the members an
    /// acknowledgement looks at, not the whole snapshot (ADR 0027).
    /// </summary>
    static async Task<IReadOnlyList<AckClaim>> Claims(IQuerySession session, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToArray();
        return await session.Query<ClaimView>().Where(c => c.Id.IsOneOf(wanted))
            .Select(c => new AckClaim(c.Id, c.Version, c.State, c.BatchId, c.PatientControlNumber, c.PatientName, c.Coverage.ClearinghousePayerId,
                c.PayerClaimNumber, c.SubmittedAt))
            .ToListAsync(ct);
    }

    sealed record BatchVersion(Guid Id, long Version);

    static bool Allowed(ClaimState state, bool fromPayer) => fromPayer
        ? state is ClaimState.Batched or ClaimState.AcceptedByClearinghouse or ClaimState.AcceptedByPayer or ClaimState.RejectedByPayer
        : state is ClaimState.Batched or ClaimState.AcceptedByClearinghouse or ClaimState.RejectedByClearinghouse;

    /// <summary>CLM01 of a split part ("PCN-2") back to the claim's own.</summary>
    static string BasePcn(string pcn)
    {
        var dash = pcn.LastIndexOf('-');
        return dash > 0 && pcn[(dash + 1)..].All(char.IsAsciiDigit) && pcn.Length - dash <= 3 ? pcn[..dash] : pcn;
    }

    public static string Words(ClaimState state) => state switch
    {
        ClaimState.AcceptedByClearinghouse => "accepted by the clearinghouse",
        ClaimState.RejectedByClearinghouse => "rejected by the clearinghouse",
        ClaimState.AcceptedByPayer => "accepted by the payer",
        ClaimState.RejectedByPayer => "rejected by the payer",
        ClaimState.PartlyPaid => "partly paid",
        _ => state.ToString().ToLowerInvariant(),
    };
}

/// <summary>
/// Checks a practice's inbox: every file is sorted by its ST01 and given to the handler registered for it; a file no handler takes
/// (an 835 before the payments feature registers one) stays in the inbox untouched.
/// </summary>
public sealed class InboxCheck(ClaimTransports transports, IEnumerable<IInboxFileHandler> handlers, ILogger<InboxCheck> log)
{
    public sealed record FileOutcome(string Name, string? TransactionSet, string Outcome, string Message, Guid? AcknowledgementId);

    public async Task<IReadOnlyList<FileOutcome>> RunAsync(Guid practiceId, TradingPartnerSettings settings, string by, CancellationToken ct)
    {
        var transport = transports.For(settings);
        var outcomes = new List<FileOutcome>();
        foreach (var entry in await transport.ListInboxAsync(practiceId, settings, ct))
        {
            if (entry.Size > AcknowledgementImport.MaxBytes) { outcomes.Add(new(entry.Name, null, "left", "Larger than 50 MB: left in the inbox.", null)); continue; }
            var content = await transport.ReadAsync(practiceId, settings, entry, ct);
            string set;
            try { set = AcknowledgementImport.TransactionSet(content); }
            catch (UnprocessableInput e) { outcomes.Add(new(entry.Name, null, "refused", e.Message, null)); continue; }
            var handler = handlers.FirstOrDefault(h => h.TransactionSet == set);
            if (handler is null)
            {
                outcomes.Add(new(entry.Name, set, "left", $"A {set} file: no handler here, left in the inbox for the feature that takes it.", null));
                continue;
            }
            var result = await handler.HandleAsync(new InboxFile(practiceId, entry.Name, content, by), ct);
            if (result.Processed) await transport.MarkProcessedAsync(practiceId, settings, entry, ct);
            outcomes.Add(new(entry.Name, set, result.Refused ? "refused" : result.Processed ? "imported" : "left", result.Message, result.AcknowledgementId));
            log.LogInformation("Inbox file {File} ({Set}) of practice {Practice}: {Outcome}", entry.Name, set, practiceId, result.Processed ? "imported" : "left");
        }
        return outcomes;
    }
}

/// <summary>
/// Checks every practice's inbox every <c>Portal:Submission:InboxPollInterval</c> (default 5 minutes; 0 turns it off). The
/// explicit "check inbox" (page and API) runs the same check at once.
/// </summary>
public sealed class InboxPoller(IServiceProvider services, IConfiguration config, BackgroundWork work, ILogger<InboxPoller> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = config.GetValue("Portal:Submission:InboxPollInterval", TimeSpan.FromMinutes(5));
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                // Background work passes the gate the test reset (and maintenance) closes; the explicit check does not need it.
                using var lease = await work.EnterAsync(stoppingToken);
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning(e, "Inbox poll failed"); }
        }
    }

    /// <summary>One round over every practice with trading-partner settings; a failing practice does not stop the others.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IDocumentStore>();
        var check = scope.ServiceProvider.GetRequiredService<InboxCheck>();
        IReadOnlyList<TradingPartnerSettings> all;
        all = await store.QueryEachDatabase(async (query, c) => await query.Query<TradingPartnerSettings>().Where(s => s.AnyTenant()).ToListAsync(c), ct);
        var files = 0;
        foreach (var settings in all)
        {
            try { files += (await check.RunAsync(settings.PracticeId, settings, "inbox poller", ct)).Count(o => o.Outcome == "imported"); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("Inbox of practice {Practice} could not be checked: {Message}", settings.PracticeId, e.Message);
            }
        }
        return files;
    }
}
