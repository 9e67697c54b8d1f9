using System.ComponentModel.DataAnnotations;
using System.Text;
using Marten;
using Portal.Billing.Remittance;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Codes;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;

namespace Portal.Web.Features.Payments;

public sealed record AssignWorkItems([Required] Guid[] Ids, [MaxLength(200)] string? Owner);
public sealed record AddWorkItemNote([Required, MinLength(1), MaxLength(4000)] string Note);
public sealed record AppealDenial([MaxLength(4000)] string? Argument, [MaxLength(4000)] string? Note);
public sealed record ResolveDenial([Required, MinLength(2), MaxLength(200)] string Outcome, [Range(0, 10_000_000)] decimal Recovered, [MaxLength(4000)] string? Note);
public sealed record WriteOffDenial([Range(0.01, 10_000_000)] decimal Amount, [Required, MinLength(3), MaxLength(500)] string Reason);
public sealed record LinkUnmatched([Required] Guid ClaimId);
public sealed record CorrectDeniedClaim([Required, MinLength(3), MaxLength(500)] string Reason, [MaxLength(50)] string? PayerClaimNumber = null);
public sealed record ChangePaymentSettings([Range(0, 10_000_000)] decimal WriteOffApprovalAbove, [Range(1, 3650)] int AppealWindowDays,
    Dictionary<Guid, int>? PayerAppealWindowDays, [Range(1, 3650)] int? ResponseDays = null, Dictionary<Guid, int>? PayerResponseDays = null,
    [Range(1, 3650)] int? TimelyFilingDays = null, Dictionary<Guid, int>? PayerTimelyFilingDays = null, [Range(0, 365)] int? TimelyFilingWarnDays = null);

/// <summary>Writes of the follow-up queue and the unmatched queue; the API and the pages both call these.</summary>
public static class FollowUpWrites
{
    static async Task<DenialWorkItem> Open(IDocumentSession session, Guid id, long? expected, CancellationToken ct)
    {
        var item = await session.LoadAsync<DenialWorkItem>(id, ct) ?? throw new WorkItemNotFound();
        if (expected is { } v && v != item.Version)
            throw new JasperFx.ConcurrencyException(typeof(DenialWorkItem), id);
        return item;
    }

    public static async Task<int> Assign(IDocumentSession session, AssignWorkItems input, string by, TimeProvider clock, CancellationToken ct)
    {
        var items = await session.LoadManyAsync<DenialWorkItem>(ct, input.Ids.Distinct());
        if (items.Count != input.Ids.Distinct().Count()) throw new WorkItemNotFound();
        var owner = string.IsNullOrWhiteSpace(input.Owner) ? null : Clean(input.Owner, "owner", 200);
        foreach (var item in items) session.Events.Append(item.Id, new DenialWorkItemAssigned(item.Id, owner, by, clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        return items.Count;
    }

    public static async Task<DenialWorkItem> AddNote(IDocumentSession session, Guid id, long? expected, AddWorkItemNote input, string by,
        TimeProvider clock, CancellationToken ct)
    {
        await Open(session, id, expected, ct);
        session.Events.Append(id, new DenialNoteAdded(id, Clean(input.Note, "note", 4000), by, clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        return (await session.LoadAsync<DenialWorkItem>(id, ct))!;
    }

    public static async Task<DenialWorkItem> Attach(IDocumentSession session, Guid id, string fileName, Stream content, long maxBytes, string by,
        TimeProvider clock, CancellationToken ct)
    {
        await Open(session, id, null, ct);
        var bytes = await DocumentTypes.ReadAtMost(content, maxBytes, ct)
            ?? throw new RefusedContent(413, "Too large", $"The largest attachment accepted is {DocumentOptions.Describe(maxBytes)}.");
        var type = DocumentTypes.Sniff(bytes) ?? throw new RefusedContent(415, "Unsupported type", $"Attach {DocumentTypes.Accepted}.");
        var docId = Guid.CreateVersion7();
        var name = DocumentTypes.DisplayName(fileName, type);
        var now = clock.GetUtcNow();
        session.Store(new WorkItemDocument(docId, id, name, type, bytes, by, now));
        session.Events.Append(id, new DenialAttachmentAdded(id, docId, name, type, bytes.Length, by, now));
        await session.SaveChangesAsync(ct);
        return (await session.LoadAsync<DenialWorkItem>(id, ct))!;
    }

    /// <summary>Appeal: the next level, a letter generated from the claim and denial facts (stored with the item), the deadline of the answer.</summary>
    public static async Task<DenialWorkItem> Appeal(IDocumentSession session, Guid practiceId, Guid id, long? expected, AppealDenial input, string by,
        TimeProvider clock, CancellationToken ct)
    {
        var item = await Open(session, id, expected, ct);
        if (item.IsClosed) throw new RuleViolation($"This work item is {Words(item.State)}; reopen it by posting a new remittance, not an appeal.", "denial.closed");
        var claim = await session.LoadAsync<ClaimView>(item.ClaimId, ct);
        var profile = await BillingProfile.For(session, practiceId, ct);
        var settings = await session.LoadAsync<PaymentSettings>(practiceId, ct) ?? PaymentSettings.Default(practiceId);
        var now = clock.GetUtcNow();
        var level = item.Appeals.Length + 1;
        var argument = input.Argument is { Length: > 0 } a ? Clean(a, "argument", 4000) : null;
        var pdf = AppealLetter.Render(item, claim, profile, level, argument, DateOnly.FromDateTime(now.UtcDateTime));
        var letterId = Guid.CreateVersion7();
        session.Store(new WorkItemDocument(letterId, id, $"appeal-level-{level}-{item.PatientControlNumber}.pdf", "application/pdf", pdf, by, now));
        var deadline = DateOnly.FromDateTime(now.UtcDateTime).AddDays(settings.WindowFor(item.PayerId));
        session.Events.Append(id, new DenialAppealed(id, level, letterId, deadline,
            input.Note is { Length: > 0 } n ? Clean(n, "note", 4000) : null, by, now));
        await session.SaveChangesAsync(ct);
        return (await session.LoadAsync<DenialWorkItem>(id, ct))!;
    }

    /// <summary>
    /// A corrected claim (frequency 7) from a denial: the claims feature's own corrected-claim write (<see cref="ClaimWrites.Replace"/>:
    /// a copy of the claim with the payer's claim number, scrubbed into the claims work queue; the denied claim is voided as replaced),
    /// then the work item records it. The payer claim number is the remittance's (CLP07) unless the biller gives another.
    /// </summary>
    public static async Task<(DenialWorkItem Item, Guid ClaimId)> CorrectedClaim(IDocumentSession session, CodeCatalog catalog, Guid id, long? expected,
        CorrectDeniedClaim input, string by, TimeProvider clock, CancellationToken ct)
    {
        var item = await Open(session, id, expected, ct);
        if (item.IsClosed) throw new RuleViolation($"This work item is already {Words(item.State)}.", "denial.closed");
        if (item.CorrectedClaimId is { } sent)
            throw new RuleViolation($"A corrected claim ({item.CorrectedControlNumber}, {sent}) was already sent from this work item.", "denial.corrected");
        var reason = Clean(input.Reason, "reason", 500);
        var number = input.PayerClaimNumber is { Length: > 0 } given ? ClaimWrites.PayerNumber(given, "payerClaimNumber") : item.PayerClaimNumber;
        var corrected = await ClaimWrites.Replace(session, catalog, item.ClaimId, null, "7", number, reason, by, clock, ct)
            ?? throw new WorkItemNotFound();
        session.Events.Append(id, new DenialCorrectedClaimCreated(id, item.ClaimId, corrected.Id, corrected.PatientControlNumber,
            corrected.PayerClaimControlNumber ?? number ?? "", reason, by, clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        return ((await session.LoadAsync<DenialWorkItem>(id, ct))!, corrected.Id);
    }

    public static async Task<DenialWorkItem> Resolve(IDocumentSession session, Guid id, long? expected, ResolveDenial input, string by,
        TimeProvider clock, CancellationToken ct)
    {
        var item = await Open(session, id, expected, ct);
        if (item.IsClosed) throw new RuleViolation($"This work item is already {Words(item.State)}.", "denial.closed");
        session.Events.Append(id, new DenialResolved(id, Clean(input.Outcome, "outcome", 200), input.Recovered,
            input.Note is { Length: > 0 } n ? Clean(n, "note", 4000) : null, by, clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        return (await session.LoadAsync<DenialWorkItem>(id, ct))!;
    }

    /// <summary>
    /// A write-off needs a reason; above the practice's limit it waits for an approver (<see cref="ApproveWriteOff"/>). Never
    /// automatic: only a person's request writes a denial off. The claim stream gets ClaimWrittenOff when it happens.
    /// </summary>
    public static async Task<DenialWorkItem> WriteOff(IDocumentSession session, Guid practiceId, Guid id, long? expected, WriteOffDenial input,
        string by, TimeProvider clock, CancellationToken ct)
    {
        var item = await Open(session, id, expected, ct);
        if (item.IsClosed) throw new RuleViolation($"This work item is already {Words(item.State)}.", "denial.closed");
        if (input.Amount > item.DeniedAmount)
            throw new UnprocessableInput($"The write-off ({input.Amount:0.00}) is more than the denied amount ({item.DeniedAmount:0.00}).",
                new Dictionary<string, string[]> { ["amount"] = [$"At most {item.DeniedAmount:0.00}."] });
        var reason = Clean(input.Reason, "reason", 500);
        var settings = await session.LoadAsync<PaymentSettings>(practiceId, ct) ?? PaymentSettings.Default(practiceId);
        var now = clock.GetUtcNow();
        if (input.Amount > settings.WriteOffApprovalAbove)
            session.Events.Append(id, new DenialWriteOffRequested(id, input.Amount, reason, by, now));
        else
        {
            session.Events.Append(id, new DenialWrittenOff(id, input.Amount, reason, null, by, now));
            await AppendToClaim(session, item.ClaimId, new ClaimWrittenOff(item.ClaimId, item.PatientId, input.Amount, reason, null, by, now), ct);
        }
        await session.SaveChangesAsync(ct);
        return (await session.LoadAsync<DenialWorkItem>(id, ct))!;
    }

    /// <summary>An event on the claim's stream at the version its snapshot says, so the snapshot's version (the claim's ETag) follows.</summary>
    static async Task AppendToClaim(IDocumentSession session, Guid claimId, object e, CancellationToken ct)
    {
        var claim = await session.LoadAsync<ClaimView>(claimId, ct);
        if (claim is null) session.Events.Append(claimId, e);
        else session.Events.Append(claimId, claim.Version + 1, e);
    }

    public static async Task<DenialWorkItem> ApproveWriteOff(IDocumentSession session, Guid id, long? expected, string approver, TimeProvider clock,
        CancellationToken ct)
    {
        var item = await Open(session, id, expected, ct);
        var pending = item.PendingWriteOff ?? throw new RuleViolation("No write-off is waiting for approval on this work item.", "denial.no-writeoff");
        if (string.Equals(pending.RequestedBy, approver, StringComparison.OrdinalIgnoreCase))
            throw new RuleViolation("The person who asked for a write-off cannot approve it; another approver must.", "denial.self-approval");
        var now = clock.GetUtcNow();
        session.Events.Append(id, new DenialWrittenOff(id, pending.Amount, pending.Reason, approver, pending.RequestedBy, now));
        await AppendToClaim(session, item.ClaimId, new ClaimWrittenOff(item.ClaimId, item.PatientId, pending.Amount, pending.Reason, approver, pending.RequestedBy, now), ct);
        await session.SaveChangesAsync(ct);
        return (await session.LoadAsync<DenialWorkItem>(id, ct))!;
    }

    /// <summary>Links an unmatched CLP to a claim by hand and posts it (same claim-payment key: a second link posts nothing).</summary>
    public static async Task<UnmatchedClaimPayment> Link(IDocumentSession session, Guid practiceId, Guid unmatchedId, LinkUnmatched input, string by,
        TimeProvider clock, CancellationToken ct)
    {
        var item = await session.LoadAsync<UnmatchedClaimPayment>(unmatchedId, ct) ?? throw new WorkItemNotFound("unmatched claim payment");
        if (item.State == UnmatchedState.Linked) throw new RuleViolation($"This claim payment was already linked and posted by {item.LinkedBy}.", "remittance.claim.posted");
        var claim = await session.LoadAsync<ClaimView>(input.ClaimId, ct)
            ?? throw new UnprocessableInput("No such claim in this practice.", new Dictionary<string, string[]> { ["claimId"] = ["Pick one of the practice's claims."] });
        var file = await session.LoadAsync<RemittanceFile>(item.RemittanceId, ct) ?? throw new WorkItemNotFound("remittance file");
        using var text = new StreamReader(new MemoryStream(file.Content), Encoding.Latin1);
        var era = EraReader.Read(text);
        var payment = era.Payments[item.PaymentIndex];
        var clp = payment.Claims[item.ClaimIndex];
        if (await session.LoadAsync<UniqueKey>(EraImport.ClaimKey.IdFor(item.PaymentKey), ct) is not null)
            throw EraImport.ClaimKey.Violation(item.PaymentKey, "This claim payment was already posted; nothing was posted again.");
        var settings = await session.LoadAsync<PaymentSettings>(practiceId, ct) ?? PaymentSettings.Default(practiceId);
        var now = clock.GetUtcNow();
        var date = payment.EffectiveDate ?? payment.ProductionDate ?? DateOnly.FromDateTime(now.UtcDateTime);
        var result = EraImport.PostClaim(session, settings, item.RemittanceId, payment, clp, claim, date, by, now);
        session.Events.Append(claim.Id, result.Events);
        session.Claim(EraImport.ClaimKey, item.PaymentKey, item.RemittanceId, now);
        var linked = item with { State = UnmatchedState.Linked, ClaimId = claim.Id, LinkedBy = by, LinkedAt = now };
        session.Store(linked);
        await session.SaveClaimingAsync(EraImport.ClaimKey, item.PaymentKey, ct, "This claim payment was already posted; nothing was posted again.");
        return linked;
    }

    public static async Task<PaymentSettings> ChangeSettings(IDocumentSession session, Guid practiceId, ChangePaymentSettings input, string by,
        TimeProvider clock, CancellationToken ct)
    {
        var was = await session.LoadAsync<PaymentSettings>(practiceId, ct) ?? PaymentSettings.Default(practiceId);
        static Dictionary<Guid, int>? Days(Dictionary<Guid, int>? given, Dictionary<Guid, int>? kept) =>
            given?.Where(kv => kv.Value is >= 1 and <= 3650).ToDictionary() ?? kept;
        var settings = new PaymentSettings(practiceId, input.WriteOffApprovalAbove, input.AppealWindowDays,
            input.PayerAppealWindowDays?.Where(kv => kv.Value is >= 1 and <= 3650).ToDictionary() ?? [], by, clock.GetUtcNow(),
            input.ResponseDays ?? was.ResponseDays, Days(input.PayerResponseDays, was.PayerResponseDays), input.TimelyFilingDays ?? was.TimelyFilingDays,
            Days(input.PayerTimelyFilingDays, was.PayerTimelyFilingDays), input.TimelyFilingWarnDays ?? was.TimelyFilingWarnDays);
        session.Store(settings);
        await session.SaveChangesAsync(ct);
        return settings;
    }

    /// <summary>Form and JSON text alike: trimmed, storable (no control characters), within its length; else 422 naming the field.</summary>
    static string Clean(string value, string field, int max)
    {
        var v = value.Trim();
        if (v.Length == 0 || v.Length > max || !TextGuard.IsStorable(v))
            throw new UnprocessableInput($"The {field} must be 1 to {max} characters of text.", new Dictionary<string, string[]> { [field] = [$"1 to {max} characters."] });
        return v;
    }

    public static string Words(WorkItemState s) => s switch
    {
        WorkItemState.Open => "open", WorkItemState.Appealed => "appealed", WorkItemState.Resolved => "resolved", _ => "written off",
    };
}

/// <summary>A work item, document or unmatched payment id that is not in this practice: 404.</summary>
public sealed class WorkItemNotFound(string what = "work item") : Exception($"No such {what} in this practice.")
{
    public string What { get; } = what;
}
