using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Billing.Forms;
using Portal.Web.Features.Codes;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;

namespace Portal.Web.Features.Claims;

/// <summary>Lines as the claim screen's form posts them: modifiers and pointers as text ("25 59", "1,2").</summary>
public sealed class ClaimLineForm
{
    public string? Code { get; set; }
    public string? Modifiers { get; set; }
    public decimal Units { get; set; } = 1;
    public decimal? Charge { get; set; }
    public string? Pointers { get; set; }
}

/// <summary>The claim screen: header, diagnoses and lines with their findings, fixes in place, overrides, actions, history.</summary>
public class DetailsModel(IQuerySession query, TimeProvider clock) : PracticePageModel
{
    [BindProperty(SupportsGet = true)] public Guid ClaimId { get; set; }
    public ClaimView Claim { get; private set; } = default!;
    public IReadOnlyList<ClaimHistoryEntry> History { get; private set; } = [];
    public IReadOnlyList<Provider> Providers { get; private set; } = [];
    public string? Done { get; private set; }
    public bool CanWork => User.Allows(Permissions.ClaimsWrite, Practice);
    public bool CanReady => User.Allows(Permissions.ClaimsReady, Practice);
    public bool CanReplace => User.Allows(Permissions.ClaimsVoid, Practice);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await Load(ct) ? Page() : NotFound();

    public async Task<IActionResult> OnGetPdfAsync(string? mode, CancellationToken ct)
    {
        var claim = await query.LoadAsync<ClaimView>(ClaimId, ct);
        if (claim is null) return NotFound();
        var form = mode == "data" ? Cms1500Mode.DataOnly : Cms1500Mode.FullForm;
        try
        {
            var bytes = await ClaimForms.Cms1500Pdf(query, claim, Practice.PracticeId, form, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), ct);
            Response.Headers.CacheControl = "no-store";
            return File(bytes, "application/pdf", $"cms1500-{claim.PatientControlNumber}{(form == Cms1500Mode.DataOnly ? "-data" : "")}.pdf");
        }
        catch (RuleViolation e)
        {
            Error = e.Message;
            await Load(ct);
            return Page();
        }
    }

    public Task<IActionResult> OnPostCodesAsync(long version, string[]? diagnoses, ClaimLineForm[]? lines, string? reason,
        [FromServices] IDocumentSession session, [FromServices] CodeCatalog catalog, CancellationToken ct) =>
        Change(session, catalog, version, ct, "Codes saved and checked again.", async c =>
        {
            var input = new ChangeClaimCodes([.. (diagnoses ?? []).Where(d => !string.IsNullOrWhiteSpace(d))],
                [.. (lines ?? []).Where(l => !string.IsNullOrWhiteSpace(l.Code)).Select(l => new ClaimLineInput(l.Code,
                    (l.Modifiers ?? "").Split([' ', ',', '-'], StringSplitOptions.RemoveEmptyEntries), l.Units, l.Charge,
                    [.. (l.Pointers ?? "").Split([' ', ',', ':'], StringSplitOptions.RemoveEmptyEntries).Select(Pointer)]))], reason);
            var (dx, claimLines) = await ClaimInput.Codes(session, c, input, ct);
            return [c.ChangeCodes(dx, claimLines, Blank(reason), User.Actor(), clock.GetUtcNow())];
        });

    /// <summary>Pointers as numbers (1–12) or box 21 letters (A–L).</summary>
    static int Pointer(string p) => p.Length == 1 && char.IsAsciiLetter(p[0]) ? char.ToUpperInvariant(p[0]) - 'A' + 1
        : int.TryParse(p, out var n) ? n : 99;

    public Task<IActionResult> OnPostDetailsAsync(long version, string? placeOfService, string? priorAuthorization, Guid? referringProviderId,
        string? reason, [FromServices] IDocumentSession session, [FromServices] CodeCatalog catalog, CancellationToken ct) =>
        Change(session, catalog, version, ct, "Details saved and checked again.", async c =>
        {
            var (pos, auth, referring) = await ClaimInput.Details(session,
                new ChangeClaimDetails(Blank(placeOfService), Blank(priorAuthorization), referringProviderId, reason), ct);
            return [c.ChangeDetails(pos, auth, referring, Blank(reason), User.Actor(), clock.GetUtcNow())];
        });

    public Task<IActionResult> OnPostRescrubAsync(long version, [FromServices] IDocumentSession session, [FromServices] CodeCatalog catalog,
        CancellationToken ct) =>
        Change(session, catalog, version, ct, "Checked again.", c => Task.FromResult<object[]>(c.State == ClaimState.Voided
            ? throw new RuleViolation("This claim was voided.", "claim-voided") : [new ClaimWrites.RescrubRequested(User.Actor())]));

    public Task<IActionResult> OnPostOverrideAsync(long version, string rule, int? position, string? overrideReason,
        [FromServices] IDocumentSession session, [FromServices] CodeCatalog catalog, CancellationToken ct) =>
        Change(session, catalog, version, ct, "Warning overridden.", c =>
            Task.FromResult<object[]>([c.Override(rule, position, overrideReason ?? "", User.Actor(), clock.GetUtcNow())]));

    public Task<IActionResult> OnPostReadyAsync(long version, [FromServices] IDocumentSession session, [FromServices] CodeCatalog catalog,
        CancellationToken ct) =>
        Change(session, catalog, version, ct, "The claim is ready to send.", c =>
            Task.FromResult<object[]>([c.MarkReady(User.Actor(), clock.GetUtcNow())]));

    public Task<IActionResult> OnPostReturnAsync(long version, string? note, [FromServices] IDocumentSession session,
        [FromServices] CodeCatalog catalog, CancellationToken ct) =>
        Change(session, catalog, version, ct, "Sent back to coding. The claim takes the new codes when the chart is approved again.", c =>
            Task.FromResult<object[]>([c.ReturnToCoding(note ?? "", User.Actor(), clock.GetUtcNow())]));

    public Task<IActionResult> OnPostPayerNumberAsync(long version, string? payerClaimNumber, [FromServices] IDocumentSession session,
        [FromServices] CodeCatalog catalog, CancellationToken ct) =>
        Change(session, catalog, version, ct, "Payer claim number recorded.", c =>
            Task.FromResult<object[]>([c.RecordPayerNumber(payerClaimNumber ?? "", null, User.Actor(), clock.GetUtcNow())]));

    public Task<IActionResult> OnPostCorrectAsync(long version, string? replaceReason, string? payerClaimNumber,
        [FromServices] IDocumentSession session, [FromServices] CodeCatalog catalog, CancellationToken ct) =>
        Replace("7", version, replaceReason, payerClaimNumber, session, catalog, ct);

    public Task<IActionResult> OnPostVoidAsync(long version, string? replaceReason, string? payerClaimNumber,
        [FromServices] IDocumentSession session, [FromServices] CodeCatalog catalog, CancellationToken ct) =>
        Replace("8", version, replaceReason, payerClaimNumber, session, catalog, ct);

    public async Task<IActionResult> OnPostSecondaryAsync([FromServices] IDocumentSession session, [FromServices] CodeCatalog catalog,
        CancellationToken ct)
    {
        ClaimView? created = null;
        if (await TryWrite(async () => created = await ClaimWrites.Secondary(session, catalog, ClaimId, User.Actor(), clock, ct)) && created is not null)
            return Redirect($"{Root}/claims/{created.Id}?done={Uri.EscapeDataString("Secondary claim drafted with the primary's payment.")}");
        return await Load(ct) ? Page() : NotFound();
    }

    async Task<IActionResult> Replace(string frequency, long version, string? reason, string? payerClaimNumber, IDocumentSession session,
        CodeCatalog catalog, CancellationToken ct)
    {
        ClaimView? created = null;
        if (await TryWrite(async () =>
            {
                var number = Blank(payerClaimNumber) is { } n ? ClaimWrites.PayerNumber(n, "payerClaimNumber") : null;
                created = await ClaimWrites.Replace(session, catalog, ClaimId, version, frequency, number, reason ?? "", User.Actor(), clock, ct);
            }) && created is not null)
            return Redirect($"{Root}/claims/{created.Id}?done={Uri.EscapeDataString(frequency == "7" ? "Corrected claim drafted; fix it here." : "Void claim drafted.")}");
        return await Load(ct) ? Page() : NotFound();
    }

    async Task<IActionResult> Change(IDocumentSession session, CodeCatalog catalog, long version, CancellationToken ct, string done,
        Func<ClaimView, Task<object[]>> decide)
    {
        ClaimView? changed = null;
        var ok = await TryWrite(async () =>
        {
            var current = await session.LoadAsync<ClaimView>(ClaimId, ct) ?? throw new RuleViolation("No such claim.", "not-found");
            var events = await decide(current);
            changed = await ClaimWrites.Change(session, catalog, ClaimId, version, _ => events, clock, ct);
        });
        if (ok && changed is not null) return Redirect($"{Root}/claims/{ClaimId}?done={Uri.EscapeDataString(done)}");
        return await Load(ct) ? Page() : NotFound();
    }

    async Task<bool> Load(CancellationToken ct)
    {
        var claim = await query.LoadAsync<ClaimView>(ClaimId, ct);
        if (claim is null) return false;
        Claim = claim;
        History = [.. (await query.Events.FetchStreamAsync(ClaimId, token: ct)).Select(ClaimHistoryEntry.From).Reverse()];
        Providers = await IntakeQueries.Providers(query, ct);
        Done = Error is null && Request.Query["done"].ToString() is { Length: > 0 and < 200 } d ? d : null;
        return true;
    }

    static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    public static string Describe(string eventName) => eventName switch
    {
        "claim_created" => "Claim drafted",
        "claim_scrubbed" => "Checked by the claim edits",
        "claim_codes_changed" => "Codes changed",
        "claim_details_changed" => "Details changed",
        "claim_warning_overridden" => "Warning overridden",
        "claim_marked_ready" => "Marked ready to send",
        "claim_held" => "Put on hold",
        "claim_returned_to_coding" => "Sent back to coding",
        "claim_voided" => "Voided",
        "claim_payer_number_recorded" => "Payer claim number recorded",
        "claim_batched" => "Put in a batch",
        "claim_accepted_by_clearinghouse" => "Accepted by the clearinghouse",
        "claim_rejected_by_clearinghouse" => "Rejected by the clearinghouse",
        "claim_accepted_by_payer" => "Accepted by the payer",
        "claim_rejected_by_payer" => "Rejected by the payer",
        "claim_payment_posted" => "Payment posted",
        "claim_denied" => "Denied",
        "claim_written_off" => "Written off",
        "claim_closed" => "Closed",
        _ => eventName.Replace('_', ' '),
    };
}
