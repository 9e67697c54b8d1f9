using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using JasperFx;
using Marten;
using Portal.Web.Features.Intake;
using X12 = Portal.Billing.X12;

namespace Portal.Web.Features.Claims.Submission;

/// <summary>created (file written) → sent → acknowledged by the 999: accepted, accepted with errors, partially accepted, rejected.</summary>
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum BatchState { Created, Sent, Accepted, AcceptedWithErrors, PartiallyAccepted, Rejected }

/// <summary>A claim in a batch: CLM01 of each part it was split into (a claim of more than 50 lines or 12 diagnoses has several).</summary>
public sealed record BatchClaim(Guid ClaimId, string PatientControlNumber, string[] Parts, string PatientName, string PayerName,
    DateOnly DateOfService, decimal Charge);

/// <summary>
/// One 837P interchange written to the batch store with control numbers allocated in the same transaction (ISA13 = GS06 = the
/// practice+sender counter; ST02 its last four digits, one set per interchange). Reference is BHT03, echoed by the 277CA's TRN*2.
/// </summary>
public sealed record ClaimBatchCreated(Guid BatchId, long Sequence, string InterchangeControlNumber, string GroupControlNumber,
    string TransactionSetControlNumber, string Reference, string SenderId, string ReceiverId, string Usage, Guid? PayerId, string? PayerName,
    string FileName, long FileSize, string Sha256, BatchClaim[] Claims, int TransactionClaims, decimal TotalCharge, string By, DateTimeOffset At);

/// <summary>Every attempt to send, the first and each explicit re-send, successful or not.</summary>
public sealed record ClaimBatchSent(Guid BatchId, string Transport, string Destination, bool Resend, string By, DateTimeOffset At);

public sealed record ClaimBatchSendFailed(Guid BatchId, string Transport, string Error, bool Resend, string By, DateTimeOffset At);

/// <summary>The 999 for this batch: AK9 (group) and IK5 (the set) status, with the errors in plain words.</summary>
public sealed record ClaimBatchAcknowledged(Guid BatchId, Guid AcknowledgementId, string Status, string StatusText, string[] Errors,
    string By, DateTimeOffset At);

/// <summary>A 277CA reported on claims of this batch (counts as applied).</summary>
public sealed record ClaimBatchStatusReported(Guid BatchId, Guid AcknowledgementId, int Accepted, int Rejected, int Pending, string By, DateTimeOffset At);

public sealed record BatchSend(DateTimeOffset At, string By, string Transport, bool Resend, bool Succeeded, string Detail);

/// <summary>The batch stream's inline snapshot.</summary>
public sealed class ClaimBatchView
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public long Sequence { get; set; }
    public BatchState State { get; set; }
    public string InterchangeControlNumber { get; set; } = "";
    public string GroupControlNumber { get; set; } = "";
    public string TransactionSetControlNumber { get; set; } = "";
    public string Reference { get; set; } = "";
    public string SenderId { get; set; } = "";
    public string ReceiverId { get; set; } = "";
    public string Usage { get; set; } = "";
    public Guid? PayerId { get; set; }
    public string? PayerName { get; set; }
    public string FileName { get; set; } = "";
    public long FileSize { get; set; }
    public string Sha256 { get; set; } = "";
    public BatchClaim[] Claims { get; set; } = [];
    public int ClaimCount { get; set; }
    public int TransactionClaims { get; set; }
    public decimal TotalCharge { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public BatchSend[] Sends { get; set; } = [];
    public string? AckStatusText { get; set; }
    public string[] AckErrors { get; set; } = [];
    public Guid[] AcknowledgementIds { get; set; } = [];
    public int ClaimsAccepted { get; set; }
    public int ClaimsRejected { get; set; }

    public void Apply(ClaimBatchCreated e)
    {
        Id = e.BatchId; Sequence = e.Sequence; State = BatchState.Created; InterchangeControlNumber = e.InterchangeControlNumber;
        GroupControlNumber = e.GroupControlNumber; TransactionSetControlNumber = e.TransactionSetControlNumber; Reference = e.Reference;
        SenderId = e.SenderId; ReceiverId = e.ReceiverId; Usage = e.Usage; PayerId = e.PayerId; PayerName = e.PayerName; FileName = e.FileName;
        FileSize = e.FileSize; Sha256 = e.Sha256; Claims = e.Claims; ClaimCount = e.Claims.Length; TransactionClaims = e.TransactionClaims;
        TotalCharge = e.TotalCharge; CreatedBy = e.By; CreatedAt = e.At;
    }

    public void Apply(ClaimBatchSent e)
    {
        if (State == BatchState.Created) State = BatchState.Sent;
        SentAt = e.At;
        Sends = [.. Sends, new BatchSend(e.At, e.By, e.Transport, e.Resend, true, e.Destination)];
    }

    public void Apply(ClaimBatchSendFailed e) => Sends = [.. Sends, new BatchSend(e.At, e.By, e.Transport, e.Resend, false, e.Error)];

    public void Apply(ClaimBatchAcknowledged e)
    {
        State = e.Status switch { "A" => BatchState.Accepted, "E" => BatchState.AcceptedWithErrors, "P" => BatchState.PartiallyAccepted, _ => BatchState.Rejected };
        AckStatusText = e.StatusText; AckErrors = e.Errors; AcknowledgementIds = [.. AcknowledgementIds, e.AcknowledgementId];
    }

    public void Apply(ClaimBatchStatusReported e)
    {
        ClaimsAccepted += e.Accepted; ClaimsRejected += e.Rejected;
        AcknowledgementIds = [.. AcknowledgementIds, e.AcknowledgementId];
    }
}

/// <summary>Allocated control numbers of one practice and sender; the counter's stream takes one event per batch run.</summary>
public sealed record ControlNumbersAllocated(string SenderId, long First, int Count, DateTimeOffset At);

public sealed class ControlNumberCounter
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public long Last { get; set; }
    public void Apply(ControlNumbersAllocated e) => Last = e.First + e.Count - 1;
}

/// <summary>Which ready claims to batch; both lists empty = every ready claim.</summary>
public sealed record CreateBatches(Guid[]? ClaimIds = null, Guid[]? PayerIds = null);

public static class BatchWrites
{
    public const long MaxControlNumber = 999_999_999;

    /// <summary>
    /// Ready claims → one 837P per payer (or one for the clearinghouse): control numbers from the practice+sender counter, the files
    /// written to the batch store, the batch streams, the counter's allocation and a ClaimBatched per claim, all saved in one
    /// transaction. A lost race (another run took the same numbers or claims) throws a concurrency exception before anything is
    /// committed and the attempt deletes its own files; the caller retries.
    /// </summary>
    public static async Task<IReadOnlyList<ClaimBatchView>> Create(IDocumentSession session, SubmissionStorage storage, Guid practiceId,
        CreateBatches request, string by, DateTimeOffset now, CancellationToken ct)
    {
        var clock = new PhaseClock("batch");
        var settings = await TradingPartnerSettings.For(session, practiceId, ct)
            ?? throw new UnprocessableInput("Set up the clearinghouse first: the practice has no trading-partner settings (submitter and receiver ids). " +
                "An administrator enters them on the claim submission page or with PUT …/claims/submission/settings.");
        var profile = await BillingProfile.For(session, practiceId, ct)
            ?? throw new UnprocessableInput("The practice has no billing profile (billing organization, NPI, tax id, address), so no claim can go out yet.");

        var query = session.Query<ClaimView>().Where(c => c.State == ClaimState.Ready);
        clock.Mark("settings");
        var claims = (await query.ToListAsync(ct)).AsEnumerable();
        clock.Mark("read ready");
        if (request.ClaimIds is { Length: > 0 } ids)
        {
            var wanted = ids.ToHashSet();
            var picked = claims.Where(c => wanted.Contains(c.Id)).ToList();
            if (picked.Count != wanted.Count)
                throw new UnprocessableInput($"{wanted.Count - picked.Count} of the claims asked for are not ready to batch (unknown, not ready, or already batched).",
                    new Dictionary<string, string[]> { ["claimIds"] = [.. wanted.Except(picked.Select(c => c.Id)).Take(20).Select(i => $"{i} is not a ready claim.")] });
            claims = picked;
        }
        if (request.PayerIds is { Length: > 0 } payers) claims = claims.Where(c => payers.Contains(c.Coverage.PayerId));
        var ready = claims.OrderBy(c => c.Coverage.PayerName, StringComparer.Ordinal).ThenBy(c => c.PatientControlNumber, StringComparer.Ordinal).ToList();
        if (ready.Count == 0) throw new UnprocessableInput("No claims are ready to batch.");

        var patients = (await session.LoadManyAsync<Patient>(ct, ready.Select(c => c.PatientId).Distinct())).ToDictionary(p => p.Id);
        var groups = settings.Grouping == BatchGrouping.Payer
            ? ready.GroupBy(c => (Guid?)c.Coverage.PayerId).ToList()
            : ready.GroupBy(_ => (Guid?)null).ToList();
        clock.Mark("patients");

        var counterId = SubmissionIds.Counter(practiceId, settings.SenderQualifier, settings.SubmitterId);
        var counter = await session.Events.FetchForWriting<ControlNumberCounter>(counterId, ct);
        var first = (counter.Aggregate?.Last ?? 0) + 1;
        if (first + groups.Count - 1 > MaxControlNumber)
            throw new RuleViolation("The interchange control numbers of this submitter id are used up (999,999,999). Ask the clearinghouse for a new submitter id.");
        counter.AppendOne(new ControlNumbersAllocated(settings.SubmitterId, first, groups.Count, now));
        clock.Mark("counter");

        var partners = settings.ToX12();
        var created = new List<ClaimBatchView>();
        var written = new List<string>();
        // Each claim at the version we read: if anything else was appended to a claim since (a fix that took it out of ready),
        // the whole save fails and nothing is batched. The numbers and ids of every batch are known before any file is written,
        // so the claims' events go to PostgreSQL first and the 837P files are written while it runs the statement (ADR 0027):
        // on two cores the database and the writer work side by side. The writer reads nothing the events change.
        var plans = new List<(long Number, string Isa13, string St02, Guid BatchId, List<ClaimView> Group, Guid? PayerId)>(groups.Count);
        var batched = new List<ClaimEventToAppend>(ready.Count);
        for (var g = 0; g < groups.Count; g++)
        {
            var number = first + g;
            var isa13 = number.ToString("D9", CultureInfo.InvariantCulture);
            var st02 = (number % 10000).ToString("D4", CultureInfo.InvariantCulture);
            var batchId = Guid.CreateVersion7(now);
            var group = groups[g].ToList();
            plans.Add((number, isa13, st02, batchId, group, groups[g].Key));
            foreach (var claim in group)
                batched.Add(new ClaimEventToAppend(claim, new ClaimBatched(claim.Id, batchId, isa13, number.ToString(CultureInfo.InvariantCulture), st02, by, now)));
        }
        clock.Mark("plan");
        Task? appending = null;
        try
        {
            appending = ClaimBulkAppend.AppendAsync(session, batched, ct);
            clock.Mark("bulk: serialize, statement sent");
            var events = new List<ClaimBatchCreated>(plans.Count);
            for (var g = 0; g < plans.Count; g++)
            {
                var (number, isa13, st02, batchId, group, payerId) = plans[g];
                var payerName = payerId is null ? null : group[0].Coverage.PayerName;
                var outgoing = new List<X12.Claim>(group.Count);
                var batchClaims = new BatchClaim[group.Count];
                for (var i = 0; i < group.Count; i++)
                {
                    var claim = group[i];
                    if (!patients.TryGetValue(claim.PatientId, out var patient))
                        throw new UnprocessableInput($"Claim {claim.PatientControlNumber}: its patient record is missing.");
                    IReadOnlyList<X12.Claim> parts;
                    try { parts = X12.ClaimSplitter.Split(ClaimOutput.ToX12(claim, profile, patient)); }
                    catch (ArgumentException e) { throw new UnprocessableInput($"Claim {claim.PatientControlNumber} cannot go out as an 837P: {e.Message}"); }
                    outgoing.AddRange(parts);
                    batchClaims[i] = new BatchClaim(claim.Id, claim.PatientControlNumber, [.. parts.Select(p => p.PatientControlNumber)], claim.PatientName,
                        claim.Coverage.PayerName, claim.DateOfService, claim.TotalCharge);
                }
                var reference = "B" + isa13;
                // The batch id's random tail keeps two attempts racing for the same number from writing (or cleaning up) the same file.
                var fileName = $"837P-{isa13}-{Slug(payerName ?? settings.ClearinghouseName)}-{batchId.ToString("N")[^8..]}.x12";
                var path = storage.BatchFile(practiceId, fileName);
                written.Add(path);
                string sha;
                long size;
                await using (var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16))
                {
                    try
                    {
                        X12.Edi837Writer.Write(new X12.ClaimBatch(partners, new X12.ControlNumbers(number, number, st02), now, reference, outgoing), file);
                    }
                    catch (ArgumentException e) { throw new UnprocessableInput($"The batch cannot be written as an 837P: {e.Message}"); }
                    await file.FlushAsync(ct);
                    size = file.Length;
                    file.Position = 0;
                    sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
                }
                events.Add(new ClaimBatchCreated(batchId, now.UtcTicks + g, isa13, number.ToString(CultureInfo.InvariantCulture), st02, reference,
                    settings.SubmitterId, settings.ReceiverId, settings.Usage, payerId, payerName, fileName, size, sha, batchClaims, outgoing.Count,
                    batchClaims.Sum(c => c.Charge), by, now));
            }
            clock.Mark("map+write");
            await appending;
            clock.Mark("statement (rest)");
            foreach (var createdEvent in events)
            {
                session.Events.StartStream<ClaimBatchView>(createdEvent.BatchId, createdEvent);
                var view = new ClaimBatchView();
                view.Apply(createdEvent);
                created.Add(view);
            }
            await session.SaveChangesAsync(ct);
            clock.Mark("save");
            clock.Done();
        }
        catch
        {
            // The statement may still be running on the session's connection: let it end before the session is disposed (its
            // transaction is rolled back then, so nothing of it stays).
            if (appending is not null)
                try { await appending; } catch (Exception) { /* the first failure is the one to report */ }
            foreach (var path in written) File.Delete(path);
            throw;
        }
        return created;
    }

    /// <summary>Sends (or re-sends) the stored file with the practice's transport; the attempt is logged either way.</summary>
    public static async Task<BatchSend> Send(IDocumentSession session, ClaimTransports transports, SubmissionStorage storage, Guid practiceId,
        Guid batchId, bool resend, string by, TimeProvider clock, CancellationToken ct)
    {
        var settings = await TradingPartnerSettings.For(session, practiceId, ct)
            ?? throw new UnprocessableInput("The practice has no trading-partner settings, so Portal does not know where to send the batch.");
        var batch = await session.LoadAsync<ClaimBatchView>(batchId, ct) ?? throw new BatchNotFound();
        var path = storage.BatchFile(practiceId, batch.FileName);
        if (!File.Exists(path)) throw new RuleViolation($"The file {batch.FileName} is missing from the batch store ({storage.Root}); restore it from backup before re-sending.");
        var transport = transports.For(settings);
        BatchSend result;
        try
        {
            var destination = await transport.SendAsync(practiceId, settings, path, batch.FileName, ct);
            session.Events.Append(batchId, batch.Version + 1, new ClaimBatchSent(batchId, transport.Kind.ToString(), destination, resend, by, clock.GetUtcNow()));
            result = new BatchSend(clock.GetUtcNow(), by, transport.Kind.ToString(), resend, true, destination);
        }
        catch (TransportFailed e)
        {
            session.Events.Append(batchId, batch.Version + 1, new ClaimBatchSendFailed(batchId, transport.Kind.ToString(), e.Message, resend, by, clock.GetUtcNow()));
            result = new BatchSend(clock.GetUtcNow(), by, transport.Kind.ToString(), resend, false, e.Message);
        }
        await session.SaveChangesAsync(ct);
        return result;
    }

    /// <summary>Runs <paramref name="work"/> in a fresh session up to five times while it loses races (optimistic concurrency, a deadlock).</summary>
    public static async Task<T> Retrying<T>(IDocumentStore store, string tenant, Func<IDocumentSession, Task<T>> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession(tenant);
            try { return await work(session); }
            catch (Exception e) when (attempt < 5 && (e.IsStaleWrite() || e.IsUniqueViolation() || e.IsLostRace() || e is ConcurrencyException or Marten.Exceptions.ExistingStreamIdCollisionException))
            {
                await Task.Delay(Random.Shared.Next(5, 40 * attempt));
            }
        }
    }

    static string Slug(string name)
    {
        var slug = new string([.. name.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        while (slug.Contains("--", StringComparison.Ordinal)) slug = slug.Replace("--", "-", StringComparison.Ordinal);
        return slug.Length == 0 ? "CLAIMS" : slug[..Math.Min(slug.Length, 30)];
    }
}

public sealed class BatchNotFound() : Exception("No such batch.");
