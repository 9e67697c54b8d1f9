using System.Text.Json;
using Marten;
using Portal.Web.Features.Codes;
using Codes_ = Portal.Web.Features.Codes.CodeSystems;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Settings;
using Portal.Web.Platform;
using Scrub = Portal.Billing.Scrubbing;

namespace Portal.Web.Features.Claims;

/// <summary>
/// The claims core's writes, shared by the API, the pages and the approval reaction: fetch (with the version the caller saw),
/// decide, append, re-scrub, save. Every change of content is followed by a <see cref="ClaimScrubbed"/> in the same save.
/// </summary>
public static class ClaimWrites
{
    /// <summary>One claim per encounter (the original; corrected and secondary claims have their own keys).</summary>
    public static readonly UniqueKeyKind EncounterKey = new("claim-encounter", "claim-exists", id => $"Encounter {id} already has a claim.");
    public static readonly UniqueKeyKind ControlNumberKey = new("claim-pcn", "claim-control-number-taken",
        pcn => $"Patient control number {pcn} is already used by another claim of this practice.");
    /// <summary>One corrected or void claim per original, one secondary per primary.</summary>
    public static readonly UniqueKeyKind ReplacementKey = new("claim-replaces", "claim-replaced", id => $"Claim {id} was already corrected or voided.");
    public static readonly UniqueKeyKind SecondaryKey = new("claim-secondary", "secondary-exists", id => $"Claim {id} already has a secondary claim.");

    public const string System = "Portal (claims)";

    // ---- drafting ----

    /// <summary>
    /// Drafts the claim of an approved encounter on <paramref name="session"/> (not saved): the claim stream with ClaimCreated and
    /// its first ClaimScrubbed, and the keys that make it once per encounter. Null when the encounter is not there; a
    /// <see cref="RuleViolation"/> when it is not approved, has a claim already, or has no coverage in force on the date of service.
    /// </summary>
    public static async Task<ClaimView?> Draft(IDocumentSession session, CodeCatalog catalog, Guid encounterId, string source, string by,
        TimeProvider clock, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var encounterQ = batch.Load<Encounter>(encounterId);
        var detailsQ = batch.Load<EncounterDetails>(encounterId);
        var existingQ = batch.Load<UniqueKey>(EncounterKey.IdFor(encounterId.ToString()));
        await batch.Execute(ct);
        if (await encounterQ is not { } encounter || await detailsQ is not { } details) return null;
        if (await existingQ is { } existing)
            throw new RuleViolation($"Encounter {encounterId} already has claim {existing.OwnerId}.", "claim-exists");
        if (encounter.Status != EncounterStatus.Approved)
            throw new RuleViolation($"Only an approved chart becomes a claim; this encounter is {encounter.Status}.", "encounter-not-approved");

        var patient = await session.LoadAsync<Patient>(details.PatientId, ct)
            ?? throw new RuleViolation("The encounter's patient is missing.", "no-patient");
        var dos = details.DateOfService;
        var coverage = CoverageOn(patient, dos, CoveragePriority.Primary)
            ?? patient.Coverages.FirstOrDefault(c => c.Id == details.CoverageId && InForce(c, dos))
            ?? throw new RuleViolation($"{patient.Name} has no coverage in force on {dos:yyyy-MM-dd}: self-pay, no claim.", "no-coverage");
        var payer = await session.LoadAsync<Payer>(coverage.PayerId, ct)
            ?? throw new RuleViolation($"Payer {coverage.PayerName} is not in the practice's payer list.", "no-payer");
        var providers = await session.LoadManyAsync<Provider>(ct, details.RenderingProviderId, details.BillingProviderId);
        var rendering = providers.FirstOrDefault(p => p.Id == details.RenderingProviderId)
            ?? throw new RuleViolation("The encounter's rendering provider is missing.", "no-provider");
        var billing = providers.FirstOrDefault(p => p.Id == details.BillingProviderId) ?? rendering;

        var coded = encounter.Coding;
        var fees = await FeeScheduleEntry.ChargesFor(session, coded.Lines.Where(l => l.Charge <= 0).Select(l => l.Code), ct);
        ClaimLine[] lines = [.. coded.Lines.Select(l => new ClaimLine(l.Line, l.Code, l.Modifiers, l.Units,
            l.Charge > 0 ? l.Charge : fees.TryGetValue(FeeScheduleEntry.Key(l.Code), out var fee) ? fee * l.Units : 0m,
            l.DiagnosisPointers, dos))];
        ClaimDiagnosis[] diagnoses = [.. coded.Diagnoses.OrderBy(d => d.Sequence).Select(d => new ClaimDiagnosis(d.Sequence, d.Code))];

        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7();
        var pcn = ControlNumber(id);
        var created = new ClaimCreated(id, encounterId, patient.Id, patient.Name, patient.Mrn, pcn, Coverage(coverage, payer),
            Ref(billing), Ref(rendering), null, dos, details.PlaceOfService, null, diagnoses, lines, "1", null, null, source, by, now);
        var view = new ClaimView();
        view.Apply(created);
        var scrubbed = await Scrubbed(session, catalog, view, System, now, ct);
        view.Apply(scrubbed);
        session.Events.StartStream<ClaimView>(id, created, scrubbed);
        session.Claim(EncounterKey, encounterId.ToString(), id, now);
        session.Claim(ControlNumberKey, pcn, id, now);
        return view;
    }

    /// <summary>
    /// The chart was recoded after the biller sent it back: the claim takes the chart's new codes and is checked again. Nothing
    /// when the claim is not waiting for coding (a QA correction after the claim went out is the biller's to act on).
    /// </summary>
    public static async Task<bool> TakeRecodedChart(IDocumentSession session, CodeCatalog catalog, Guid claimId, Guid encounterId, string by,
        TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<ClaimView>(claimId, ct);
        if (stream.Aggregate is not { AwaitingCoding: true } claim) return false;
        var encounter = await session.LoadAsync<Encounter>(encounterId, ct);
        if (encounter is null) return false;
        var fees = await FeeScheduleEntry.ChargesFor(session, encounter.Coding.Lines.Where(l => l.Charge <= 0).Select(l => l.Code), ct);
        var now = clock.GetUtcNow();
        var changed = new ClaimCodesChanged(claimId,
            [.. encounter.Coding.Diagnoses.OrderBy(d => d.Sequence).Select(d => new ClaimDiagnosis(d.Sequence, d.Code))],
            [.. encounter.Coding.Lines.Select(l => new ClaimLine(l.Line, l.Code, l.Modifiers, l.Units,
                l.Charge > 0 ? l.Charge : fees.TryGetValue(FeeScheduleEntry.Key(l.Code), out var fee) ? fee * l.Units : 0m,
                l.DiagnosisPointers, claim.DateOfService, claim.Lines.FirstOrDefault(x => x.Line == l.Line)?.PlaceOfService))],
            "The chart was recoded and approved again", by, now);
        await AppendWithScrub(session, catalog, stream, claim, [changed], now, ct);
        return true;
    }

    static ClaimCoverage Coverage(Coverage c, Payer payer) => new(c.Id, c.PayerId, payer.Name, payer.ClearinghousePayerId, c.MemberId,
        c.SubscriberName, c.Relationship.ToString(), c.GroupNumber, Responsibility(c.Priority));

    static string Responsibility(CoveragePriority p) => p switch { CoveragePriority.Secondary => "S", CoveragePriority.Tertiary => "T", _ => "P" };

    static ClaimProviderRef Ref(Provider p) => new(p.Id, p.Name, p.Npi, p.TaxonomyCode);

    static bool InForce(Coverage c, DateOnly dos) => c.EffectiveFrom <= dos && (c.EffectiveTo ?? DateOnly.MaxValue) >= dos;

    static Coverage? CoverageOn(Patient p, DateOnly dos, CoveragePriority priority) =>
        p.Coverages.FirstOrDefault(c => c.Priority == priority && InForce(c, dos));

    /// <summary>
    /// CLM01: short (≤ 20, what receivers keep), upper-case letters and digits only (X12-safe in any delimiter set), unique per
    /// practice (claimed as a key). From the claim id: its millisecond timestamp and 30 of its random bits, in base 36.
    /// </summary>
    public static string ControlNumber(Guid id)
    {
        Span<byte> b = stackalloc byte[16];
        id.TryWriteBytes(b, bigEndian: true, out _);
        ulong ms = 0;
        for (var i = 0; i < 6; i++) ms = ms << 8 | b[i];
        var random = ((ulong)b[12] << 24 | (ulong)b[13] << 16 | (ulong)b[14] << 8 | b[15]) & 0x3FFFFFFF;
        return "C" + Base36(ms).PadLeft(9, '0') + Base36(random).PadLeft(6, '0');
    }

    static string Base36(ulong value)
    {
        const string digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        var chars = new Stack<char>();
        do { chars.Push(digits[(int)(value % 36)]); value /= 36; } while (value > 0);
        return new string([.. chars]);
    }

    // ---- scrubbing ----

    /// <summary>The billing core's scrubber over the claim as it stands (the same CodeRules.Scrub path as the dry run).</summary>
    public static async Task<ClaimScrubbed> Scrubbed(IQuerySession session, CodeCatalog catalog, ClaimView claim, string by, DateTimeOffset now,
        CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var patientQ = batch.Load<Patient>(claim.PatientId);
        var payerQ = batch.Load<Payer>(claim.Coverage.PayerId);
        var othersQ = batch.Query<ClaimView>().Where(c => c.PatientId == claim.PatientId && c.DateOfService == claim.DateOfService
            && c.Id != claim.Id && c.State != ClaimState.Voided).ToList();
        await batch.Execute(ct);
        var patient = await patientQ;
        var asOf = DateOnly.FromDateTime(now.UtcDateTime);
        var scrubClaim = ScrubClaim(claim, patient, await payerQ);
        // A corrected claim's original and a secondary's primary are the same service, not duplicates of it.
        var onFile = (await othersQ).Where(o => o.Id != claim.OriginalClaimId && o.Id != claim.PrimaryClaimId
                && o.OriginalClaimId != claim.Id && o.PrimaryClaimId != claim.Id)
            .Select(o => ScrubClaim(o, patient, null)).ToList();
        var findings = await CodeRules.Scrub(catalog, scrubClaim, asOf, onFile, ct);
        return new ClaimScrubbed(claim.Id, [.. findings.Select(f => new ClaimFinding(f.Rule, f.Severity.ToString(), f.Message, f.FixHint,
            f.Position, f.Field, f.Overridable, f.Code.Length > 0 ? f.Code : null, f.Location))], asOf, by, now);
    }

    public static Scrub.Claim ScrubClaim(ClaimView c, Patient? patient, Payer? payer)
    {
        var coverage = patient?.Coverages.FirstOrDefault(x => x.Id == c.Coverage.CoverageId);
        return new Scrub.Claim
        {
            Id = c.Id.ToString(),
            Patient = patient is null ? new Scrub.Patient { Id = c.PatientId.ToString() } : new Scrub.Patient
            {
                Id = patient.Id.ToString(), DateOfBirth = patient.Demographics.BirthDate,
                Sex = patient.Demographics.Sex switch { Sex.Female => "F", Sex.Male => "M", _ => "U" },
            },
            Payer = new Scrub.Payer { Id = c.Coverage.PayerId.ToString(), Name = c.Coverage.PayerName, TimelyFilingDays = payer?.TimelyFilingDays },
            Coverage = new Scrub.Coverage { EffectiveFrom = coverage?.EffectiveFrom, EffectiveTo = coverage?.EffectiveTo, MemberId = c.Coverage.MemberId },
            BillingProvider = new Scrub.Provider { Npi = c.BillingProvider.Npi, Taxonomy = c.BillingProvider.Taxonomy },
            RenderingProvider = new Scrub.Provider { Npi = c.RenderingProvider.Npi, Taxonomy = c.RenderingProvider.Taxonomy },
            DateOfService = c.DateOfService,
            FrequencyCode = c.FrequencyCode,
            OriginalClaimNumber = c.PayerClaimControlNumber,
            PlaceOfService = c.PlaceOfService,
            Diagnoses = [.. c.Diagnoses.OrderBy(d => d.Sequence).Select(d => d.Code)],
            Lines = [.. c.Lines.Select(l => new Scrub.ServiceLine
            {
                Code = l.Code, Modifiers = l.Modifiers, Units = l.Units, Charge = l.Charge,
                Pointers = l.Pointers.Length > 0 ? l.Pointers : null, PlaceOfService = l.PlaceOfService, DateOfService = l.DateOfService,
            })],
            Voided = c.State == ClaimState.Voided,
        };
    }

    // ---- changing a claim ----

    /// <summary>
    /// Fetch (at the caller's version when given: 412 when stale), decide, append, and when the content changed re-scrub in the same
    /// save. Null when there is no such claim in this practice.
    /// </summary>
    public static async Task<ClaimView?> Change(IDocumentSession session, CodeCatalog catalog, Guid claimId, long? expectedVersion,
        Func<ClaimView, object[]> decide, TimeProvider clock, CancellationToken ct)
    {
        var stream = expectedVersion is { } v
            ? await session.Events.FetchForWriting<ClaimView>(claimId, v, ct)
            : await session.Events.FetchForWriting<ClaimView>(claimId, ct);
        if (stream.Aggregate is not { } claim) return null;
        var events = decide(claim);
        var view = await AppendWithScrub(session, catalog, stream, claim, events, clock.GetUtcNow(), ct);
        await session.SaveChangesAsync(ct);
        return view;
    }

    static async Task<ClaimView> AppendWithScrub(IDocumentSession session, CodeCatalog catalog,
        JasperFx.Events.IEventStream<ClaimView> stream, ClaimView claim, object[] events, DateTimeOffset now, CancellationToken ct)
    {
        // Work on a copy: the fetched snapshot sits in the session's identity map and must not change before Marten applies the events.
        var view = Copy(claim);
        foreach (var e in events) Apply(view, e);
        List<object> all = [.. events];
        if (events.Any(e => e is ClaimCodesChanged or ClaimDetailsChanged or RescrubRequested))
        {
            var scrubbed = await Scrubbed(session, catalog, view, events.OfType<RescrubRequested>().FirstOrDefault()?.By ?? System, now, ct);
            view.Apply(scrubbed);
            all = [.. all.Where(e => e is not RescrubRequested), scrubbed];
        }
        stream.AppendMany(all);
        view.Version = claim.Version + all.Count;
        return view;
    }

    /// <summary>Not an event: asks <see cref="Change"/> to run the scrubber again on unchanged content (the "re-scrub" button).</summary>
    public sealed record RescrubRequested(string By);

    static void Apply(ClaimView view, object e)
    {
        switch (e)
        {
            case ClaimCodesChanged x: view.Apply(x); break;
            case ClaimDetailsChanged x: view.Apply(x); break;
            case ClaimScrubbed x: view.Apply(x); break;
            case ClaimWarningOverridden x: view.Apply(x); break;
            case ClaimMarkedReady x: view.Apply(x); break;
            case ClaimReturnedToCoding x: view.Apply(x); break;
            case ClaimVoided x: view.Apply(x); break;
            case ClaimPayerNumberRecorded x: view.Apply(x); break;
            case RescrubRequested: break;
            default: throw new ArgumentException($"The claims core does not append {e.GetType().Name}.");
        }
    }

    static readonly JsonSerializerOptions CopyOptions = new(JsonSerializerDefaults.General);

    public static ClaimView Copy(ClaimView claim) => JsonSerializer.Deserialize<ClaimView>(JsonSerializer.Serialize(claim, CopyOptions), CopyOptions)!;

    // ---- corrected, void and secondary claims ----

    /// <summary>A corrected (frequency 7) or void (8) claim of one the payer has: a new stream; the original is voided (replaced).</summary>
    public static async Task<ClaimView?> Replace(IDocumentSession session, CodeCatalog catalog, Guid claimId, long? expectedVersion, string frequency,
        string? payerClaimNumber, string reason, string by, TimeProvider clock, CancellationToken ct)
    {
        var stream = expectedVersion is { } v
            ? await session.Events.FetchForWriting<ClaimView>(claimId, v, ct)
            : await session.Events.FetchForWriting<ClaimView>(claimId, ct);
        if (stream.Aggregate is not { } original) return null;
        if (reason.Trim().Length < 3)
            throw new UnprocessableInput(frequency == "7" ? "Say what the corrected claim corrects." : "Say why the claim is voided.",
                new Dictionary<string, string[]> { ["reason"] = ["At least 3 characters."] });
        var now = clock.GetUtcNow();
        List<object> first = [];
        if (payerClaimNumber is { Length: > 0 } given && given.Trim() != original.PayerClaimNumber)
        {
            var recorded = original.RecordPayerNumber(given, "Given with the " + (frequency == "7" ? "corrected" : "void") + " claim", by, now);
            first.Add(recorded);
            original = Copy(original);
            original.Apply(recorded);
        }
        original.EnsureReplaceable(frequency);

        var id = Guid.CreateVersion7();
        var pcn = ControlNumber(id);
        var created = new ClaimCreated(id, original.EncounterId, original.PatientId, original.PatientName, original.Mrn, pcn, original.Coverage,
            original.BillingProvider, original.RenderingProvider, original.ReferringProvider, original.DateOfService, original.PlaceOfService,
            original.PriorAuthorization, original.Diagnoses, original.Lines, frequency, original.Id, original.PayerClaimNumber,
            frequency == "7" ? "corrected claim" : "void claim", by, now, original.PrimaryClaimId, original.OtherPayers);
        var view = new ClaimView();
        view.Apply(created);
        var scrubbed = await Scrubbed(session, catalog, view, System, now, ct);
        view.Apply(scrubbed);
        session.Events.StartStream<ClaimView>(id, created, scrubbed);
        stream.AppendMany([.. first, original.Void(id, (frequency == "7" ? "Replaced by corrected claim " : "Voided by claim ") + pcn + ": " + reason.Trim(),
            by, now)]);
        session.Claim(ControlNumberKey, pcn, id, now);
        session.Claim(ReplacementKey, original.Id.ToString(), id, now);
        await session.SaveClaimingAsync(ReplacementKey, original.Id.ToString(), ct);
        view.Version = 2;
        return view;
    }

    /// <summary>
    /// The secondary claim of a paid primary: the same service billed to the patient's secondary coverage in force on the date of
    /// service, responsibility S, with what the primary paid and adjusted (its posted remittances) as the other payer (COB).
    /// </summary>
    public static async Task<ClaimView?> Secondary(IDocumentSession session, CodeCatalog catalog, Guid primaryId, string by, TimeProvider clock,
        CancellationToken ct)
    {
        var primary = await session.LoadAsync<ClaimView>(primaryId, ct);
        if (primary is null) return null;
        if (primary.Coverage.Responsibility != "P")
            throw new RuleViolation("Only a primary claim has a secondary claim.", "not-primary");
        if (primary.State is not (ClaimState.Paid or ClaimState.PartlyPaid or ClaimState.Denied))
            throw new RuleViolation($"The primary payer has not paid this claim yet ({ClaimStates.Label(primary.State).ToLowerInvariant()}); " +
                "the secondary claim needs the primary's remittance.", "primary-not-paid");
        var patient = await session.LoadAsync<Patient>(primary.PatientId, ct)
            ?? throw new RuleViolation("The claim's patient is missing.", "no-patient");
        var coverage = CoverageOn(patient, primary.DateOfService, CoveragePriority.Secondary)
            ?? throw new RuleViolation($"{patient.Name} has no secondary coverage in force on {primary.DateOfService:yyyy-MM-dd}.", "no-secondary-coverage");
        var payer = await session.LoadAsync<Payer>(coverage.PayerId, ct)
            ?? throw new RuleViolation($"Payer {coverage.PayerName} is not in the practice's payer list.", "no-payer");
        var postings = (await session.Events.FetchStreamAsync(primaryId, token: ct)).Select(e => e.Data).OfType<ClaimPaymentPosted>().ToArray();
        var other = new ClaimOtherPayer(primary.Id, primary.Coverage.PayerName, primary.Coverage.ClearinghousePayerId, primary.Coverage.MemberId,
            primary.Coverage.SubscriberName, primary.Coverage.Relationship, primary.Coverage.GroupNumber, "P", postings.Sum(p => p.Paid),
            [.. postings.SelectMany(p => p.Adjustments).GroupBy(a => (a.Group, a.Reason))
                .Select(g => new PostedAdjustment(g.Key.Group, g.Key.Reason, g.Sum(a => a.Amount))).Where(a => a.Amount != 0)],
            postings.LastOrDefault(p => !p.Reversal)?.Lines ?? [], postings.LastOrDefault()?.PaymentDate);

        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7();
        var pcn = ControlNumber(id);
        var created = new ClaimCreated(id, primary.EncounterId, primary.PatientId, primary.PatientName, primary.Mrn, pcn, Coverage(coverage, payer),
            primary.BillingProvider, primary.RenderingProvider, primary.ReferringProvider, primary.DateOfService, primary.PlaceOfService,
            primary.PriorAuthorization, primary.Diagnoses, primary.Lines, "1", null, null, "secondary claim", by, now, primary.Id, [other]);
        var view = new ClaimView();
        view.Apply(created);
        var scrubbed = await Scrubbed(session, catalog, view, System, now, ct);
        view.Apply(scrubbed);
        session.Events.StartStream<ClaimView>(id, created, scrubbed);
        session.Claim(ControlNumberKey, pcn, id, now);
        session.Claim(SecondaryKey, primary.Id.ToString(), id, now);
        await session.SaveClaimingAsync(SecondaryKey, primary.Id.ToString(), ct);
        view.Version = 2;
        return view;
    }

    /// <summary>A payer claim number as X12 carries it (REF*F8): 1–50 letters, digits and dashes.</summary>
    public static string PayerNumber(string value, string field)
    {
        var v = value.Trim();
        if (v.Length is 0 or > 50 || !v.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw new UnprocessableInput("The payer's claim number is 1 to 50 letters, digits or dashes.",
                new Dictionary<string, string[]> { [field] = ["1 to 50 letters, digits or dashes."] });
        return v;
    }
}

/// <summary>One service line as a biller or app sends it: code, up to 4 modifiers, units, charge (default: fee schedule × units), 1–4 pointers.</summary>
public sealed record ClaimLineInput(string? Code, string[]? Modifiers = null, decimal Units = 1, decimal? Charge = null, int[]? Pointers = null,
    string? PlaceOfService = null, string? Ndc11 = null, decimal? NdcQuantity = null, string? NdcUnit = null);

/// <summary>Replace the claim's diagnoses (in order: the first is first-listed) and lines; the claim is scrubbed again.</summary>
public sealed record ChangeClaimCodes(string[]? Diagnoses, ClaimLineInput[]? Lines, string? Reason = null);

/// <summary>Header fields fixed in place; a null member is left as it is.</summary>
public sealed record ChangeClaimDetails(string? PlaceOfService = null, string? PriorAuthorization = null, Guid? ReferringProviderId = null,
    string? Reason = null);

public static class ClaimInput
{
    public const int MaxDiagnoses = 12, MaxLines = 50;

    /// <summary>Shape checks (422 naming the field); the code edits themselves are the scrubber's findings on the claim.</summary>
    public static async Task<(ClaimDiagnosis[], ClaimLine[])> Codes(IQuerySession session, ClaimView claim, ChangeClaimCodes input, CancellationToken ct)
    {
        var dx = (input.Diagnoses ?? []).Select(c => Codes_.Normalize(c ?? "")).ToArray();
        var lines = input.Lines ?? [];
        var errors = new Platform.FieldErrors()
            .Check(dx.Length is > 0 and <= MaxDiagnoses, "diagnoses", $"Give 1 to {MaxDiagnoses} diagnosis codes.")
            .Check(dx.All(CodeLike), "diagnoses", "A diagnosis code is 3 to 7 letters and digits.")
            .Check(dx.Distinct().Count() == dx.Length, "diagnoses", "Each diagnosis may be listed once.")
            .Check(lines.Length is > 0 and <= MaxLines, "lines", $"Give 1 to {MaxLines} service lines.");
        var fees = await Settings.FeeScheduleEntry.ChargesFor(session, lines.Where(l => l?.Charge is null).Select(l => Codes_.Normalize(l?.Code ?? "")), ct);
        var result = new List<ClaimLine>();
        for (var i = 0; i < lines.Length; i++)
        {
            var l = lines[i];
            var at = $"lines[{i}]";
            if (l is null) { errors.Check(false, at, "A line is null."); continue; }
            var code = Codes_.Normalize(l.Code ?? "");
            string[] modifiers = [.. (l.Modifiers ?? []).Select(m => Codes_.Normalize(m ?? "")).Where(m => m.Length > 0)];
            var pointers = l.Pointers ?? [];
            errors.Check(CodeLike(code), $"{at}.code", "A procedure code is 5 letters and digits (CPT or HCPCS).")
                .Check(modifiers.Length <= 4 && modifiers.All(m => m.Length == 2 && m.All(char.IsAsciiLetterOrDigit)), $"{at}.modifiers",
                    "At most 4 modifiers of 2 letters or digits.")
                .Check(pointers.Length <= 4 && pointers.All(p => p is >= 1 and <= MaxDiagnoses), $"{at}.pointers",
                    "At most 4 pointers, each 1 to 12 (a diagnosis position).")
                .Check(l.Units is > 0 and <= 9999, $"{at}.units", "Units are more than 0 and at most 9999.")
                .Check(l.Charge is null or (>= 0 and <= 1_000_000), $"{at}.charge", "A charge is 0 to 1,000,000 dollars.")
                .Check(l.PlaceOfService is null || Intake.Identifiers.PlacesOfService.ContainsKey(l.PlaceOfService), $"{at}.placeOfService",
                    "Use a two-digit CMS place-of-service code.");
            decimal? fee = l.Charge is null && fees.TryGetValue(Settings.FeeScheduleEntry.Key(code), out var amount) ? amount * l.Units : null;
            errors.Check(l.Charge is not null || fee is not null || !CodeLike(code), $"{at}.charge",
                $"{code} has no fee in the practice's fee schedule; give the charge.");
            result.Add(new ClaimLine(i + 1, code, modifiers, l.Units, Math.Round(l.Charge ?? fee ?? 0m, 2), pointers,
                claim.Lines.ElementAtOrDefault(i)?.DateOfService ?? claim.DateOfService,
                l.PlaceOfService, l.Ndc11, l.NdcQuantity, l.NdcUnit));
        }
        errors.ThrowIfAny("The claim's codes are not valid input.");
        return ([.. dx.Select((c, i) => new ClaimDiagnosis(i + 1, c))], [.. result]);
    }

    static bool CodeLike(string code) => code.Length is >= 3 and <= 7 && code.All(char.IsAsciiLetterOrDigit);

    public static async Task<(string?, string?, ClaimProviderRef?)> Details(IQuerySession session, ChangeClaimDetails input, CancellationToken ct)
    {
        var pos = input.PlaceOfService?.Trim();
        var auth = input.PriorAuthorization?.Trim();
        Intake.Provider? referring = input.ReferringProviderId is { } rid ? await session.LoadAsync<Intake.Provider>(rid, ct) : null;
        new Platform.FieldErrors()
            .Check(pos is null || Intake.Identifiers.PlacesOfService.ContainsKey(pos), "placeOfService", "Use a two-digit CMS place-of-service code.")
            .Check(auth is null || auth.Length <= 50 && auth.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'), "priorAuthorization",
                "A prior-authorization number is up to 50 letters, digits or dashes.")
            .Check(input.ReferringProviderId is null || referring is not null, "referringProviderId", "Use the id of one of the practice's providers.")
            .ThrowIfAny("The claim's details are not valid input.");
        return (pos, auth, referring is null ? null : new ClaimProviderRef(referring.Id, referring.Name, referring.Npi, referring.TaxonomyCode));
    }
}
