using System.Security.Cryptography;

namespace Portal.Billing.Remittance;

public enum EntryKind
{
    /// <summary>The billed charge of a line (posted by the web layer when the claim is submitted, not from an 835).</summary>
    Charge,
    Payment,
    /// <summary>CO: contractual obligation, the provider absorbs it; the patient may not be billed.</summary>
    Contractual,
    Deductible,     // PR-1
    Coinsurance,    // PR-2
    Copay,          // PR-3
    PatientOther,   // any other PR (non-covered with waiver, 204…)
    /// <summary>OA: other adjustment (often COB, OA-23).</summary>
    OtherAdjustment,
    /// <summary>PI: payer-initiated reduction.</summary>
    PayerReduction,
    /// <summary>CR: the deprecated corrections group of old files, kept by sign.</summary>
    Correction,
    /// <summary>AMT*I interest: a memo, already inside the claim's paid amount (not counted again in the money identity).</summary>
    Interest,
    /// <summary>PLB: a provider-level adjustment on the payer's account (positive = withheld from this payment).</summary>
    ProviderAdjustment,
}

/// <summary>
/// One ledger entry. Entries are only ever added: a reversal is a new entry with the opposite amount, never an edit.
/// <see cref="PaymentKey"/> is the claim-payment (or PLB) idempotency key it came from; <see cref="LineKey"/> is the
/// line (REF*6R line control number, else "code#n"), null for claim-level amounts.
/// </summary>
public sealed record PostingEntry(
    string PaymentKey, string ClaimId, string PatientId, string PayerId, string? LineKey,
    EntryKind Kind, decimal Amount, string Group = "", string Reason = "", string Reference = "", bool Reversal = false);

/// <summary>A claim the web layer offers as a match for a CLP (the practice's claims to this payer).</summary>
public sealed record ClaimCandidate(string Id, string PatientId, string PatientControlNumber, string? PayerClaimNumber, decimal Charge, DateOnly? ServiceFrom);

/// <summary>The match of one CLP: the claim, or why there is none (unmatched queue).</summary>
public sealed record ClaimMatch(EraClaim Remit, ClaimCandidate? Claim, string? Problem);

/// <summary>A denial found on a claim or line: the CARC and group, the amount, the category and the next action.</summary>
public sealed record Denial(string? LineKey, string Group, string Carc, decimal Amount, string? Category, string? NextAction, IReadOnlyList<string> Remarks);

/// <summary>Per-line posting summary (what the screen shows next to the line).</summary>
public sealed record LinePosting(string LineKey, string Procedure, decimal Charge, decimal Paid, decimal Allowed, decimal Contractual,
    decimal Deductible, decimal Coinsurance, decimal Copay, decimal PatientOther, decimal OtherAdjustments, decimal PayerReductions, decimal Corrections)
{
    public decimal PatientResponsibility => Deductible + Coinsurance + Copay + PatientOther;
}

/// <summary>The posting of one CLP: its key, the claim, the line summaries, the entries, denials (work items) and the status.</summary>
public sealed record ClaimPosting(string PaymentKey, string ClaimId, string PatientControlNumber, string PayerClaimNumber, string Status,
    decimal Paid, decimal Allowed, decimal Interest, IReadOnlyList<LinePosting> Lines, IReadOnlyList<PostingEntry> Entries, IReadOnlyList<Denial> Denials)
{
    public bool IsDenied => Status == "4" || Denials.Count > 0;
    public bool IsReversal => Status == "22";
}

/// <summary>Everything one 835 file posts: claim postings, CLPs with no claim (unmatched queue), and PLB entries.</summary>
public sealed record RemittancePosting(string FileHash, IReadOnlyList<string> CheckKeys, IReadOnlyList<ClaimPosting> Claims,
    IReadOnlyList<ClaimMatch> Unmatched, IReadOnlyList<PostingEntry> ProviderAdjustments)
{
    public IEnumerable<PostingEntry> Entries => Claims.SelectMany(c => c.Entries).Concat(ProviderAdjustments);
}

/// <summary>Idempotency keys the web layer stores with unique constraints.</summary>
public static class RemittanceKeys
{
    /// <summary>SHA-256 (hex) of the file's bytes: the same file twice.</summary>
    public static string FileHash(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
    public static string FileHash(Stream stream) => Convert.ToHexStringLower(SHA256.HashData(stream));

    /// <summary>The same check or EFT in any file: payer id + TRN02 + BPR16.</summary>
    public static string Check(EraPayment p) => $"{p.PayerId}|{p.TraceNumber}|{p.EffectiveDate:yyyyMMdd}";

    /// <summary>The same claim payment in any file: check key + CLP01 + CLP07 + CLP02 (a reversal, CLP02=22, differs from the payment it reverses).</summary>
    public static string ClaimPayment(EraPayment p, EraClaim c) => $"{Check(p)}|{c.PatientControlNumber}|{c.PayerClaimNumber}|{c.Status}";
}

/// <summary>Candidate claims indexed by patient control number (case-insensitive) and payer claim number.</summary>
public sealed class ClaimCandidates(IEnumerable<ClaimCandidate> candidates)
{
    readonly ILookup<string, ClaimCandidate> byPcn = candidates.ToLookup(c => c.PatientControlNumber.Trim(), StringComparer.OrdinalIgnoreCase);
    readonly ILookup<string, ClaimCandidate> byPayerNumber = candidates.Where(c => c.PayerClaimNumber is { Length: > 0 }).ToLookup(c => c.PayerClaimNumber!);

    public IReadOnlyList<ClaimCandidate> ByPatientControlNumber(string pcn) => byPcn[pcn].ToList();
    public IReadOnlyList<ClaimCandidate> ByPayerClaimNumber(string number) => byPayerNumber[number].ToList();
}

public static class ClaimMatching
{
    /// <summary>
    /// Matches a CLP by patient control number (CLP01 = CLM01), then narrows ties by payer claim number (CLP07), charge
    /// (|CLP03|, reversals are negative) and first date of service. No candidate, or a tie left after all of them, goes
    /// to the unmatched queue with the reason.
    /// </summary>
    public static ClaimMatch Match(EraClaim clp, IReadOnlyList<ClaimCandidate> candidates) => Match(clp, new ClaimCandidates(candidates));

    public static ClaimMatch Match(EraClaim clp, ClaimCandidates candidates)
    {
        var pcn = clp.PatientControlNumber.Trim();
        var found = candidates.ByPatientControlNumber(pcn);
        if (found.Count == 0 && clp.PayerClaimNumber.Length > 0) found = candidates.ByPayerClaimNumber(clp.PayerClaimNumber);
        if (found.Count == 0) return new ClaimMatch(clp, null, $"no claim with patient control number {pcn} or payer claim number {Or(clp.PayerClaimNumber)}");
        found = Narrow(found, c => c.PayerClaimNumber is { Length: > 0 } n && n == clp.PayerClaimNumber);
        found = Narrow(found, c => c.Charge == Math.Abs(clp.Charge));
        var dos = clp.Lines.Select(l => l.ServiceFrom).Where(d => d is not null).Min() ?? clp.StatementFrom;
        found = Narrow(found, c => dos is not null && c.ServiceFrom == dos);
        return found.Count == 1 ? new ClaimMatch(clp, found[0], null)
            : new ClaimMatch(clp, null, $"{found.Count} claims match patient control number {pcn}; link it by hand");
    }

    static string Or(string s) => s.Length == 0 ? "(none)" : s;

    static IReadOnlyList<ClaimCandidate> Narrow(IReadOnlyList<ClaimCandidate> found, Func<ClaimCandidate, bool> keep)
    {
        if (found.Count <= 1) return found;
        var kept = found.Where(keep).ToList();
        return kept.Count > 0 ? kept : found;
    }
}

/// <summary>
/// Posting math (issue 12 item 2) as pure functions: a balanced 835 and the claims it matched in, entries out.
/// Nothing is stored; the web layer appends the entries as events in one transaction per file and skips any
/// <see cref="ClaimPosting.PaymentKey"/> or check key it already holds.
/// </summary>
public static class Posting
{
    /// <summary>Balances the file (refusing it whole when it does not balance), matches every CLP and posts the matched ones.</summary>
    public static RemittancePosting Post(Era era, string fileHash, IReadOnlyList<ClaimCandidate> candidates, DenialRules rules)
    {
        Balancing.Require(era);
        var index = new ClaimCandidates(candidates);
        var claims = new List<ClaimPosting>();
        var unmatched = new List<ClaimMatch>();
        var plb = new List<PostingEntry>();
        foreach (var p in era.Payments)
        {
            foreach (var clp in p.Claims)
            {
                var m = ClaimMatching.Match(clp, index);
                if (m.Claim is null) unmatched.Add(m);
                else claims.Add(Claim(p, clp, m.Claim, rules));
            }
            plb.AddRange(ProviderAdjustments(p));
        }
        return new RemittancePosting(fileHash, era.Payments.Select(RemittanceKeys.Check).Distinct().ToList(), claims, unmatched, plb);
    }

    public static IEnumerable<PostingEntry> ProviderAdjustments(EraPayment p) =>
        p.ProviderAdjustments.Select((a, i) => new PostingEntry($"{RemittanceKeys.Check(p)}|PLB|{i + 1}", "", "", p.PayerId, null,
            EntryKind.ProviderAdjustment, a.Amount, "", a.Reason, a.Reference));

    /// <summary>The line key used in entries: REF*6R when the payer echoes it, else procedure code and position.</summary>
    public static string LineKey(EraServiceLine line, int n) => line.LineControlNumber ?? $"{line.Procedure.Code}#{n}";

    public static ClaimPosting Claim(EraPayment payment, EraClaim clp, ClaimCandidate claim, DenialRules rules)
    {
        var key = RemittanceKeys.ClaimPayment(payment, clp);
        var reversal = clp.IsReversal;
        var entries = new List<PostingEntry>();
        PostingEntry E(string? line, EntryKind kind, decimal amount, string group = "", string reason = "") =>
            new(key, claim.Id, claim.PatientId, payment.PayerId, line, kind, amount, group, reason, "", reversal);

        var lines = new List<LinePosting>();
        var denials = new List<Denial>();
        foreach (var (line, n) in clp.Lines.Select((l, i) => (l, i + 1)))
        {
            var lk = LineKey(line, n);
            if (line.Paid != 0) entries.Add(E(lk, EntryKind.Payment, line.Paid));
            foreach (var a in line.Adjustments) entries.Add(E(lk, Kind(a), a.Amount, a.Group, a.Reason));
            var pr = line.Adjustments.Where(a => a.Group == "PR").Sum(a => a.Amount);
            decimal Sum(EntryKind k) => line.Adjustments.Where(a => Kind(a) == k).Sum(a => a.Amount);
            lines.Add(new LinePosting(lk, line.Procedure.ToString(), line.Charge, line.Paid, line.Allowed ?? line.Paid + pr,
                Sum(EntryKind.Contractual), Sum(EntryKind.Deductible), Sum(EntryKind.Coinsurance), Sum(EntryKind.Copay), Sum(EntryKind.PatientOther),
                Sum(EntryKind.OtherAdjustment), Sum(EntryKind.PayerReduction), Sum(EntryKind.Correction)));
            if (!reversal && line.Paid == 0) denials.AddRange(Denials(lk, line.Adjustments, line.Remarks, rules));
        }
        var claimLevelPaid = clp.Paid - clp.Lines.Sum(l => l.Paid);
        if (claimLevelPaid != 0) entries.Add(E(null, EntryKind.Payment, claimLevelPaid));
        foreach (var a in clp.Adjustments) entries.Add(E(null, Kind(a), a.Amount, a.Group, a.Reason));
        if (clp.Interest != 0) entries.Add(E(null, EntryKind.Interest, clp.Interest));
        if (!reversal && clp.Paid == 0) denials.AddRange(Denials(null, clp.Adjustments, clp.Remarks.ToList(), rules));
        if (clp.IsDenied && denials.Count == 0)
        {
            // CLP02=4 with no denial CARC we know: still a denial, categorised by its largest adjustment.
            var top = clp.Adjustments.Concat(clp.Lines.SelectMany(l => l.Adjustments)).OrderByDescending(a => a.Amount).FirstOrDefault();
            denials.Add(new Denial(null, top?.Group ?? "", top?.Reason ?? "", clp.Charge - clp.Paid, top is null ? null : rules.For(top.Reason)?.Category,
                top is null ? null : rules.For(top.Reason)?.NextAction, clp.Remarks.ToList()));
        }
        var claimPr = clp.Adjustments.Where(a => a.Group == "PR").Sum(a => a.Amount);
        var allowed = lines.Count > 0 ? lines.Sum(l => l.Allowed) + claimPr : clp.Paid + claimPr;
        if (clp.Amounts.TryGetValue("AU", out var coverage) && lines.Count == 0) allowed = coverage;
        return new ClaimPosting(key, claim.Id, clp.PatientControlNumber, clp.PayerClaimNumber, clp.Status, clp.Paid, allowed, clp.Interest, lines, entries, denials);
    }

    static IEnumerable<Denial> Denials(string? line, IReadOnlyList<Adjustment> adjustments, IReadOnlyList<string> remarks, DenialRules rules) =>
        adjustments.Where(a => a.Group is "CO" or "PR" or "OA" && a.Amount > 0 && rules.IsDenialReason(a.Reason))
            .Select(a => new Denial(line, a.Group, a.Reason, a.Amount, rules.For(a.Reason)!.Category, rules.For(a.Reason)!.NextAction, remarks));

    public static EntryKind Kind(Adjustment a) => a.Group switch
    {
        "CO" => EntryKind.Contractual,
        "PR" => a.Reason switch { "1" => EntryKind.Deductible, "2" => EntryKind.Coinsurance, "3" => EntryKind.Copay, _ => EntryKind.PatientOther },
        "OA" => EntryKind.OtherAdjustment,
        "PI" => EntryKind.PayerReduction,
        _ => EntryKind.Correction,
    };

    /// <summary>Reversing entries for entries already posted: same keys and accounts, opposite amounts, marked as reversal.</summary>
    public static IEnumerable<PostingEntry> Reverse(IEnumerable<PostingEntry> posted, string reversalKey) =>
        posted.Select(e => e with { PaymentKey = reversalKey, Amount = -e.Amount, Reversal = true });

    /// <summary>The charge entries of a claim's lines (posted when the claim is submitted; the ledger's starting point).</summary>
    public static IEnumerable<PostingEntry> Charges(ClaimCandidate claim, string payerId, IEnumerable<(string LineKey, decimal Charge)> lines) =>
        lines.Select(l => new PostingEntry($"charge|{claim.Id}|{l.LineKey}", claim.Id, claim.PatientId, payerId, l.LineKey, EntryKind.Charge, l.Charge));
}
