using Portal.Web.Platform;

namespace Portal.Web.Features.Claims;

/// <summary>
/// The claims core's decisions on a claim as it stands: each looks at the snapshot and returns the event to append, or throws a
/// <see cref="RuleViolation"/> (409) or <see cref="UnprocessableInput"/> (422). They never change the snapshot.
/// </summary>
public sealed partial class ClaimView
{
    /// <summary>Where a biller may still change the claim: before it goes out, or after the front end sent it back.</summary>
    public bool Editable => State is ClaimState.Draft or ClaimState.Ready or ClaimState.RejectedByClearinghouse or ClaimState.RejectedByPayer;

    /// <summary>The payer has adjudicated (or at least accepted) it: only a corrected (7) or void (8) claim changes it now.</summary>
    public bool HeldByPayer => State is ClaimState.AcceptedByPayer or ClaimState.Paid or ClaimState.PartlyPaid or ClaimState.Denied
        or ClaimState.Closed;

    void EnsureEditable(string what)
    {
        if (!Editable)
            throw new RuleViolation(State == ClaimState.Voided
                ? $"This claim was voided; {what} on the claim that replaced it."
                : $"This claim is {ClaimStates.Label(State).ToLowerInvariant()}; {what} only before it is sent or after a rejection. " +
                  "Once the payer has it, send a corrected claim.", "claim-locked");
    }

    public ClaimCodesChanged ChangeCodes(ClaimDiagnosis[] diagnoses, ClaimLine[] lines, string? reason, string by, DateTimeOffset now)
    {
        EnsureEditable("codes can be changed");
        if (diagnoses.SequenceEqual(Diagnoses) && lines.Length == Lines.Length && lines.Zip(Lines).All(p => Same(p.First, p.Second)))
            throw new RuleViolation("The diagnoses and lines are what the claim already has; nothing to change.", "no-change");
        return new(Id, diagnoses, lines, reason, by, now);
    }

    static bool Same(ClaimLine a, ClaimLine b) =>
        a with { Modifiers = [], Pointers = [] } == b with { Modifiers = [], Pointers = [] }
        && a.Modifiers.SequenceEqual(b.Modifiers) && a.Pointers.SequenceEqual(b.Pointers);

    public ClaimDetailsChanged ChangeDetails(string? placeOfService, string? priorAuthorization, ClaimProviderRef? referring, string? reason,
        string by, DateTimeOffset now)
    {
        EnsureEditable("details can be changed");
        if ((placeOfService is null || placeOfService == PlaceOfService) && (priorAuthorization is null || priorAuthorization == PriorAuthorization)
            && (referring is null || referring == ReferringProvider))
            throw new RuleViolation("These details are what the claim already has; nothing to change.", "no-change");
        return new(Id, placeOfService, priorAuthorization, referring, null, reason, by, now);
    }

    public ClaimWarningOverridden Override(string rule, int? position, string reason, string by, DateTimeOffset now)
    {
        EnsureEditable("warnings can be overridden");
        var finding = Findings.FirstOrDefault(f => f.Rule == rule && f.Position == position)
            ?? throw new UnprocessableInput($"The claim has no finding '{rule}'{(position is { } p ? $" at position {p}" : "")}.",
                new Dictionary<string, string[]> { ["rule"] = ["Name a rule (and position) of one of the claim's current findings."] });
        if (finding.Severity == "Error" || !finding.Overridable)
            throw new RuleViolation($"'{rule}' cannot be overridden: {(finding.Severity == "Error" ? "errors must be fixed" : "it is for information only")}.",
                "not-overridable");
        if (reason.Trim().Length < 3)
            throw new UnprocessableInput("Say why the warning does not apply.", new Dictionary<string, string[]> { ["reason"] = ["At least 3 characters."] });
        return new(Id, rule, position, reason.Trim(), by, now);
    }

    public ClaimMarkedReady MarkReady(string by, DateTimeOffset now)
    {
        if (State == ClaimState.Ready) throw new RuleViolation("The claim is already ready to send.", "already-ready");
        EnsureEditable("it can be marked ready");
        if (AwaitingCoding)
            throw new RuleViolation("The claim is back in coding; it can be marked ready once the chart is approved again.", "awaiting-coding");
        if (ScrubbedAsOf is null) throw new RuleViolation("The claim has not been checked yet; re-scrub it first.", "not-scrubbed");
        var open = Findings.Where(Blocks).ToArray();
        if (open.Length > 0)
            throw new RuleViolation($"Fix or override {open.Length} finding(s) first: " +
                string.Join("; ", open.Take(3).Select(f => $"{f.Rule}: {f.Message}")), "claim-has-findings");
        return new(Id, by, now);
    }

    public ClaimReturnedToCoding ReturnToCoding(string note, string by, DateTimeOffset now)
    {
        EnsureEditable("it can go back to coding");
        if (AwaitingCoding) throw new RuleViolation("The claim is already back in coding.", "awaiting-coding");
        if (FrequencyCode != "1" || PrimaryClaimId is not null)
            throw new RuleViolation("Only an original claim goes back to coding; fix a corrected or secondary claim here.", "not-original");
        if (note.Trim().Length < 3)
            throw new UnprocessableInput("Tell the coder what to look at.", new Dictionary<string, string[]> { ["note"] = ["At least 3 characters."] });
        return new(Id, EncounterId, note.Trim(), by, now);
    }

    public ClaimPayerNumberRecorded RecordPayerNumber(string number, string? reason, string by, DateTimeOffset now)
    {
        if (State == ClaimState.Voided) throw new RuleViolation("This claim was voided.", "claim-voided");
        return new(Id, ClaimWrites.PayerNumber(number, "payerClaimNumber"), reason, by, now);
    }

    /// <summary>A corrected (7) or void (8) claim replaces this one: the payer must have it, under its claim number.</summary>
    public void EnsureReplaceable(string frequency)
    {
        if (State == ClaimState.Voided) throw new RuleViolation("This claim was already voided or replaced.", "claim-voided");
        if (FrequencyCode == "8") throw new RuleViolation("A void claim cannot be corrected or voided.", "void-claim");
        if (!HeldByPayer)
            throw new RuleViolation(frequency == "7"
                ? $"The payer does not have this claim yet ({ClaimStates.Label(State).ToLowerInvariant()}); fix it here and send it as an original."
                : $"The payer does not have this claim yet ({ClaimStates.Label(State).ToLowerInvariant()}); there is nothing to void.",
                "not-with-payer");
        if (string.IsNullOrWhiteSpace(PayerClaimNumber))
            throw new UnprocessableInput("The payer's claim number is needed (box 22, REF*F8): give payerClaimNumber, or record it on the claim first.",
                new Dictionary<string, string[]> { ["payerClaimNumber"] = ["Required: the payer's claim number from the 277CA, 835 or payer portal."] });
    }

    public ClaimVoided Void(Guid replacement, string reason, string by, DateTimeOffset now) => new(Id, replacement, reason, by, now);
}

/// <summary>Plain words for the states (queue, claim screen, CSV).</summary>
public static class ClaimStates
{
    public static string Label(ClaimState state) => state switch
    {
        ClaimState.Draft => "Needs work",
        ClaimState.Ready => "Ready to send",
        ClaimState.Batched => "In a batch",
        ClaimState.AcceptedByClearinghouse => "Accepted by clearinghouse",
        ClaimState.RejectedByClearinghouse => "Rejected by clearinghouse",
        ClaimState.AcceptedByPayer => "Accepted by payer",
        ClaimState.RejectedByPayer => "Rejected by payer",
        ClaimState.Paid => "Paid",
        ClaimState.PartlyPaid => "Partly paid",
        ClaimState.Denied => "Denied",
        ClaimState.Closed => "Closed",
        ClaimState.Voided => "Voided",
        _ => state.ToString(),
    };

    public static string Frequency(string code) => code switch { "7" => "Corrected", "8" => "Void", _ => "Original" };
}
