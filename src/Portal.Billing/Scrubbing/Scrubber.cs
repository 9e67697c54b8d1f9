using System.Globalization;
using Portal.Billing.CodeFiles;
using Portal.Billing.Codes;

namespace Portal.Billing.Scrubbing;

/// <summary>What the date-dependent edits need besides the claim: the day to judge timely filing by, and the claims on file.</summary>
public sealed record ScrubContext(DateOnly AsOf, ClaimsOnFile? OnFile = null);

/// <summary>
/// Runs every edit of <see cref="Edits"/> over a claim and returns all findings at once, claim-level first, then by
/// diagnosis position, then by line. Pure: the same claim, reference data and context give the same findings; nothing
/// is stored. The coding screen (as the coder types) and the claims API call the same function.
/// </summary>
public static class Scrubber
{
    // NCCI-associated modifiers (NCCI Policy Manual ch. I; domain brief §6): anatomic, global-surgery, distinct-service, repeat lab.
    static readonly HashSet<string> NcciModifiers =
    [
        "59", "XE", "XS", "XP", "XU", "24", "25", "57", "58", "78", "79", "91", "LT", "RT",
        "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "FA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "TA",
        "E1", "E2", "E3", "E4", "LC", "LD", "LM", "RC", "RI",
    ];

    static readonly HashSet<string> RepeatModifiers = ["76", "77", "91", "59", "XE", "XS", "XP", "XU"];

    public static IReadOnlyList<Finding> Scrub(Claim claim, IReferenceData data, ScrubContext context)
    {
        var run = new Run(claim, data, context);
        run.ClaimLevel();
        run.DiagnosisLevel();
        run.LineLevel();
        run.AcrossLines();
        return [.. run.Findings
            .Select((f, i) => (f, i))
            .OrderBy(x => x.f.Location.Place)
            .ThenBy(x => x.f.Location.Position ?? 0)
            .ThenBy(x => x.i)
            .Select(x => x.f)];
    }

    sealed class Run(Claim claim, IReferenceData data, ScrubContext context)
    {
        public readonly List<Finding> Findings = [];
        readonly HashSet<string> missingCodeSets = [];
        readonly List<string> dx = [.. (claim.Diagnoses ?? []).Select(CodeSystems.Normalize)];
        readonly DateOnly? dos = claim.DateOfService;
        Sourced<IcdTabular>? tabular;

        void Add(Edit edit, string message, Location location, Release? release = null) =>
            Findings.Add(new Finding(edit.Id, edit.Severity, message, edit.FixHint,
                release is null ? edit.Source : $"{edit.Source}, {release}", location, edit.Overridable));

        DateOnly LineDos(ServiceLine line) => line.DateOfService ?? dos!.Value;

        public void ClaimLevel()
        {
            void Require(bool present, string field, string what)
            {
                if (!present) Add(Edits.RequiredData, $"The claim has no {what}.", Location.ClaimField(field));
            }
            Require(claim.Patient is not null, "patient", "patient");
            Require(claim.Payer?.Id is { Length: > 0 }, "payer", "payer");
            Require(claim.BillingProvider?.Npi is { Length: > 0 }, "billingProvider.npi", "billing provider NPI (box 33a)");
            Require(dos is not null, "dateOfService", "date of service");
            Require(claim.FrequencyCode is { Length: > 0 }, "frequencyCode", "frequency code (1 original, 7 replacement, 8 void)");
            Require(claim.PlaceOfService is { Length: > 0 }, "placeOfService", "place of service");
            Require(dx.Count > 0, "diagnoses", "diagnosis (box 21 needs at least one)");
            Require(claim.Lines is { Count: > 0 }, "lines", "service line");

            foreach (var (provider, field, box) in new[] { (claim.BillingProvider, "billingProvider", "billing"), (claim.RenderingProvider, "renderingProvider", "rendering") })
            {
                if (provider?.Npi is { Length: > 0 } npi && !Identifiers.IsValidNpi(npi))
                    Add(Edits.NpiCheckDigit, $"The {box} provider NPI {npi} is not a valid NPI (10 digits with a Luhn check digit).", Location.ClaimField(field + ".npi"));
                if (provider?.Taxonomy is { Length: > 0 } taxonomy && !Identifiers.IsValidTaxonomy(taxonomy))
                    Add(Edits.TaxonomyFormat, $"The {box} provider taxonomy '{taxonomy}' is not in the NUCC format (10 characters ending in X).", Location.ClaimField(field + ".taxonomy"));
            }

            if (claim.FrequencyCode is { Length: > 0 } frequency)
            {
                if (frequency is not ("1" or "7" or "8"))
                    Add(Edits.Frequency, $"The frequency code is '{frequency}'; it must be 1 (original), 7 (replacement) or 8 (void).", Location.ClaimField("frequencyCode"));
                else if (frequency is "7" or "8" && claim.OriginalClaimNumber is not { Length: > 0 })
                    Add(Edits.Frequency, $"A {(frequency == "7" ? "replacement" : "void")} (frequency {frequency}) needs the payer's claim number of the claim it {(frequency == "7" ? "replaces" : "voids")}.", Location.ClaimField("originalClaimNumber"));
            }

            if (dos is not { } day) return;

            if (claim.PlaceOfService is { Length: > 0 } pos) CheckPos(pos, day, Location.ClaimField("placeOfService"));

            if (claim.Payer is { } payer && (payer.TimelyFilingDays is not null || payer.TimelyFilingMonths is not null))
            {
                // Medicare counts 12 calendar months from the DOS (a 29 Feb DOS ends on 28 Feb); others count days.
                var deadline = payer.TimelyFilingMonths is { } months ? day.AddMonths(months) : day.AddDays(payer.TimelyFilingDays!.Value);
                var left = deadline.DayNumber - context.AsOf.DayNumber;
                var who = payer.Name ?? payer.Id ?? "the payer";
                if (left < 0)
                    Add(Edits.TimelyFilingExpired, $"{who}'s timely-filing limit for a {day:yyyy-MM-dd} date of service ended on {deadline:yyyy-MM-dd}, {-left} day(s) before {context.AsOf:yyyy-MM-dd}.", Location.ClaimField("dateOfService"));
                else if (left <= 30)
                {
                    var tier = left <= 7 ? 7 : left <= 14 ? 14 : 30;
                    Add(Edits.TimelyFilingNear, $"{left} day(s) left (within {tier}) to file with {who}: the limit is {deadline:yyyy-MM-dd}.", Location.ClaimField("dateOfService"));
                }
            }

            if (claim.Coverage is { } coverage && (coverage.EffectiveFrom is { } from && day < from || coverage.EffectiveTo is { } to && day > to))
                Add(Edits.CoverageNotActive,
                    $"Coverage runs {coverage.EffectiveFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "…"} to {coverage.EffectiveTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "open"}; the date of service {day:yyyy-MM-dd} is outside it.",
                    Location.ClaimField("coverage"));
        }

        void CheckPos(string pos, DateOnly day, Location where)
        {
            var lookup = data.Lookup(CodeSystems.Pos, pos.Trim(), day);
            if (lookup.Status is CodeStatus.Unknown or CodeStatus.NotValidOnDos)
                Add(Edits.PosNotValid, $"Place of service '{pos}' is not in the POS list in force on {day:yyyy-MM-dd}.", where, lookup.Release);
        }

        /// <summary>Code exists / billable / valid on the DOS; true when the code is reportable.</summary>
        bool CheckCode(string system, string code, string raw, DateOnly day, Location where, string label)
        {
            var lookup = data.Lookup(system, code, day);
            var display = CodeSystems.Display(system, code);
            switch (lookup.Status)
            {
                case CodeStatus.Valid:
                    return true;
                case CodeStatus.NoCodeSet:
                    if (missingCodeSets.Add(system))
                        Add(Edits.CodeSetMissing, $"No {Name(system)} release is loaded for {day:yyyy-MM-dd}, so {label.ToLowerInvariant()} {display} cannot be checked.", where);
                    return false;
                case CodeStatus.Unknown:
                    Add(Edits.CodeUnknown, CodeSystems.HasValidSyntax(system, code)
                        ? $"{label} {display} is not {Article(Name(system))} code."
                        : $"{label} '{raw.Trim()}' is not {Article(Name(system))} code (wrong format).", where, lookup.Release);
                    return false;
                case CodeStatus.Header:
                    var under = data.BillableUnder(system, code, day).Take(5).Select(c => CodeSystems.Display(system, c)).ToList();
                    Add(Edits.CodeNotBillable, $"{label} {display} is a header, not a billable code" +
                        (under.Count > 0 ? $"; billable codes under it include {string.Join(", ", under)}." : "."), where, lookup.Release);
                    return false;
                default:
                    var when = lookup.ValidFrom is { } f && f > day ? $"it takes effect on {f:yyyy-MM-dd}"
                        : lookup.ValidTo is { } t ? $"it was valid until {t:yyyy-MM-dd}"
                        : "it is not in the release in force";
                    Add(Edits.CodeNotValidOnDos, $"{label} {display} is not valid on {day:yyyy-MM-dd}: {when}.", where, lookup.Release);
                    return false;
            }
        }

        static string Article(string word) => ("aeiouAEIOU".Contains(word[0]) ? "an " : "a ") + word;

        static string Name(string system) => system switch
        {
            CodeSystems.Icd10Cm => "ICD-10-CM", CodeSystems.Cpt => "CPT", CodeSystems.Hcpcs => "HCPCS Level II",
            CodeSystems.Modifier => "modifier", CodeSystems.Pos => "place-of-service", _ => system,
        };

        public void DiagnosisLevel()
        {
            if (dos is not { } day) return;
            tabular = data.Tabular(day);
            var t = tabular?.Value;
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            bool dobWarned = false, sexWarned = false;
            for (var i = 0; i < dx.Count; i++)
            {
                var position = i + 1;
                var code = dx[i];
                var where = Location.Diagnosis(position);
                var display = CodeSystems.Display(CodeSystems.Icd10Cm, code);
                if (code.Length == 0) { Add(Edits.RequiredData, $"Diagnosis {position} is blank.", where); continue; }
                if (seen.TryGetValue(code, out var earlier))
                {
                    Add(Edits.DuplicateDiagnosis, $"{display} is listed at positions {earlier} and {position}.", where);
                    continue;
                }
                seen[code] = position;

                if (t?.SeventhCharacter(code) is { } seventh && (code.Length < 7 || !seventh.Values.ContainsKey(code[6..7])))
                {
                    var values = string.Join(", ", seventh.Values.Select(v => $"{v.Key} {v.Value}"));
                    Add(Edits.SeventhCharacter, code.Length < 7
                        ? $"{display} needs a 7th character (category {CodeSystems.Display(CodeSystems.Icd10Cm, seventh.Scope.From)}: {values}); fill empty positions with X."
                        : $"{display} has 7th character '{code[6]}', which category {CodeSystems.Display(CodeSystems.Icd10Cm, seventh.Scope.From)} does not define ({values}).",
                        where, tabular!.Value.Release);
                }
                else CheckCode(CodeSystems.Icd10Cm, code, claim.Diagnoses![i], day, where, "Diagnosis");

                if (t is not null)
                {
                    if (position == 1 && t.IsManifestation(code))
                        Add(Edits.ManifestationFirst, $"{display} is a manifestation code (the Tabular says to code the underlying condition first); it cannot be first-listed.", where, tabular!.Value.Release);
                    else if (position > 1 && t.CodeFirst(code) is { Targets.Count: > 0 } rule
                             && !dx.Take(i).Any(prior => rule.Targets.Any(target => target.Matches(prior))))
                        Add(Edits.CodeFirst, $"{display}: code first {string.Join(", ", rule.Targets.Select(r => CodeSystems.Display(CodeSystems.Icd10Cm, r.From) + (r.To is null ? "" : "–" + CodeSystems.Display(CodeSystems.Icd10Cm, r.To))))}; none is listed before it.", where, tabular!.Value.Release);
                    for (var j = 0; j < i; j++)
                        if ((t.Excludes(dx[j], code) ?? t.Excludes(code, dx[j])) is { } pair)
                            Add(Edits.Excludes1, $"{CodeSystems.Display(CodeSystems.Icd10Cm, dx[j])} (position {j + 1}) and {display} are an Excludes1 pair: \"{pair.Note}\".", where, tabular!.Value.Release);
                }

                if (data.Mce(code, day) is not { Value.Count: > 0 } mce) continue;
                foreach (var rule in mce.Value)
                {
                    var label = rule.Category.ToString().ToLowerInvariant();
                    if (rule.Category is MceCategory.Male or MceCategory.Female)
                    {
                        var required = rule.Category == MceCategory.Male ? "M" : "F";
                        var sex = claim.Patient?.Sex?.Trim().ToUpperInvariant();
                        if (sex is not ("M" or "F"))
                        {
                            if (!sexWarned) Add(Edits.SexUnknown, $"{display} is a {label}-only diagnosis and the patient's sex is {(string.IsNullOrEmpty(sex) ? "not recorded" : $"'{sex}'")}.", where, mce.Release);
                            sexWarned = true;
                        }
                        else if (sex != required)
                            Add(Edits.SexConflict, $"{display} is a {label}-only diagnosis but the patient's sex is {sex}.", where, mce.Release);
                        continue;
                    }
                    if (claim.Patient?.DateOfBirth is not { } born)
                    {
                        if (!dobWarned) Add(Edits.BirthDateMissing, $"{display} is {Article(label)} diagnosis (age {rule.MinAge}–{rule.MaxAge}) and the patient's date of birth is missing.", where, mce.Release);
                        dobWarned = true;
                        continue;
                    }
                    var age = day.Year - born.Year - (day < born.AddYears(day.Year - born.Year) ? 1 : 0);
                    if (age < rule.MinAge || age > rule.MaxAge)
                        Add(Edits.AgeConflict, $"{display} is {Article(label)} diagnosis (age {rule.MinAge}–{rule.MaxAge}) but the patient is {age} on {day:yyyy-MM-dd}.", where, mce.Release);
                }
            }
        }

        public void LineLevel()
        {
            var lines = claim.Lines ?? [];
            for (var i = 0; i < lines.Count; i++)
            {
                var n = i + 1;
                var line = lines[i];
                var code = CodeSystems.Normalize(line.Code);
                var modifiers = (line.Modifiers ?? []).Select(CodeSystems.Normalize).Where(m => m.Length > 0).ToList();
                DateOnly? day = line.DateOfService ?? dos;

                if (code.Length == 0) Add(Edits.RequiredData, $"Line {n} has no procedure code.", Location.Line(n, "code"));
                CodeEntry? entry = null;
                if (code.Length > 0 && day is { } d1)
                {
                    var system = CodeSystems.ProcedureSystem(code);
                    if (CheckCode(system, code, line.Code!, d1, Location.Line(n, "code"), "Procedure")) entry = data.Lookup(system, code, d1).Entry;
                }

                if (line.Units is not { } units || units < 1)
                    Add(Edits.Units, line.Units is null ? $"Line {n} ({code}) has no units." : $"Line {n} ({code}) has {line.Units} units; at least 1 is needed.", Location.Line(n, "units"));
                if (line.Charge is not { } charge)
                    Add(Edits.RequiredData, $"Line {n} ({code}) has no charge.", Location.Line(n, "charge"));
                else if (charge < 0 || charge == 0 && !CodeSystems.IsCategoryTwo(code))
                    Add(Edits.Charge, $"Line {n} ({code}) is charged {charge.ToString("0.00", CultureInfo.InvariantCulture)}; a charge must be above zero.", Location.Line(n, "charge"));

                var pointers = line.Pointers ?? [];
                if (pointers.Count == 0)
                    Add(Edits.PointerMissing, $"Line {n} ({code}) points to no diagnosis.", Location.Line(n, "pointers"));
                else
                {
                    var problems = new List<string>();
                    if (pointers.Count > 4) problems.Add($"{pointers.Count} pointers (at most 4)");
                    foreach (var p in pointers.Where(p => p < 1 || p > dx.Count).Distinct())
                        problems.Add($"pointer {p} but the claim has {dx.Count} diagnos{(dx.Count == 1 ? "is" : "es")}");
                    foreach (var p in pointers.GroupBy(p => p).Where(g => g.Count() > 1))
                        problems.Add($"pointer {p.Key} repeated");
                    if (problems.Count > 0)
                        Add(Edits.PointerInvalid, $"Line {n} ({code}): {string.Join("; ", problems)}.", Location.Line(n, "pointers"));
                }

                if (line.PlaceOfService is { Length: > 0 } pos && day is { } d2) CheckPos(pos, d2, Location.Line(n, "placeOfService"));
                Modifiers(n, code, modifiers, entry, day);
            }
        }

        void Modifiers(int n, string code, List<string> modifiers, CodeEntry? entry, DateOnly? day)
        {
            var where = Location.Line(n, "modifiers");
            if (modifiers.Count > 4) Add(Edits.ModifierCount, $"Line {n} ({code}) has {modifiers.Count} modifiers; a line takes at most 4.", where);
            if (day is { } d)
                foreach (var m in modifiers.Distinct())
                {
                    var lookup = data.Lookup(CodeSystems.Modifier, m, d);
                    if (lookup.Status is CodeStatus.Unknown or CodeStatus.NotValidOnDos)
                        Add(Edits.ModifierNotValid, $"Line {n} ({code}): modifier '{m}' is not in the modifier list in force on {d:yyyy-MM-dd}.", where, lookup.Release);
                }
            bool Has(string m) => modifiers.Contains(m);
            if (Has("26") && Has("TC")) Add(Edits.Modifier26Tc, $"Line {n} ({code}) has both 26 and TC.", where);
            else if ((Has("26") || Has("TC")) && entry?.Flags is not null && !entry.HasFlag("pctc"))
                Add(Edits.ModifierPcTcNotSplit, $"Line {n}: {code} has no professional/technical split, so {(Has("26") ? "26" : "TC")} does not apply.", where);
            if (Has("50") && (Has("LT") || Has("RT"))) Add(Edits.Modifier50LtRt, $"Line {n} ({code}) has 50 with {(Has("LT") ? "LT" : "RT")}.", where);
            else if (Has("50") && entry?.Flags is not null && !entry.HasFlag("bilateral"))
                Add(Edits.Modifier50NotBilateral, $"Line {n}: {code} is not marked bilateral-eligible.", where);
            var liability = modifiers.Where(m => m is "GA" or "GZ" or "GY").Distinct().ToList();
            if (liability.Count > 1) Add(Edits.ModifierLiability, $"Line {n} ({code}) has {string.Join(" and ", liability)}.", where);
            var x = modifiers.FirstOrDefault(m => m is "XE" or "XS" or "XP" or "XU");
            if (Has("59") && x is not null) Add(Edits.Modifier59WithX, $"Line {n} ({code}) has 59 and {x}.", where);
        }

        record struct Item(int? Line, Claim Claim, string Code, IReadOnlyList<string> Modifiers, decimal Units, DateOnly Dos);

        /// <summary>NCCI PTP, MUE and duplicates: over this claim's lines and the lines on file for the same patient, provider and date.</summary>
        public void AcrossLines()
        {
            if (claim.Lines is not { Count: > 0 } lines || dos is null) return;
            var onFile = context.OnFile ?? ClaimsOnFile.None;
            var patient = claim.Patient?.Id;
            var npi = claim.ProviderNpi;
            var mine = lines.Select((l, i) => new Item(i + 1, claim, CodeSystems.Normalize(l.Code),
                    (l.Modifiers ?? []).Select(CodeSystems.Normalize).ToList(), l.Units ?? 0, LineDos(l)))
                .Where(x => x.Code.Length == 5).ToList();

            foreach (var group in mine.GroupBy(x => x.Dos))
            {
                var day = group.Key;
                var others = onFile.LinesFor(patient, npi, day, claim)
                    .Where(o => !IsReplacedBy(o.Claim))
                    .Select(o => new Item(null, o.Claim, CodeSystems.Normalize(o.Claim.Lines![o.Line].Code),
                        (o.Claim.Lines![o.Line].Modifiers ?? []).Select(CodeSystems.Normalize).ToList(), o.Claim.Lines![o.Line].Units ?? 0, day) { Line = o.Line + 1 })
                    .ToList();
                var here = group.ToList();
                Ptp(here, others, day);
                Mue(here, others, day);
                Duplicates(here, others);
            }
        }

        /// <summary>A replacement (7) or void (8) of a claim on file is not compared with the claim it replaces.</summary>
        bool IsReplacedBy(Claim other) =>
            claim.FrequencyCode is "7" or "8" && other.Id is not null && other.Id == claim.Id;

        void Ptp(List<Item> here, List<Item> others, DateOnly day)
        {
            foreach (var x in here)
            {
                // x as column 2 against every other line that day (this claim or on file)
                foreach (var y in here.Concat(others))
                {
                    if (y.Line == x.Line && ReferenceEquals(y.Claim, claim) || y.Code == x.Code) continue;
                    if (data.Ptp(y.Code, x.Code, day) is { } hit && hit.Value.ModifierIndicator != 9)
                        PtpFinding(hit, column2: x, column1: y, reportedAt: x);
                }
                // x as column 1 against a column 2 line already on file: that line is the one a payer would deny.
                foreach (var y in others)
                {
                    if (y.Code == x.Code) continue;
                    if (data.Ptp(x.Code, y.Code, day) is { } hit && hit.Value.ModifierIndicator != 9)
                        PtpFinding(hit, column2: y, column1: x, reportedAt: x);
                }
            }
        }

        void PtpFinding(Sourced<PtpEdit> hit, Item column2, Item column1, Item reportedAt)
        {
            var edit = hit.Value;
            string Describe(Item i) => ReferenceEquals(i.Claim, claim) ? $"line {i.Line}" : $"claim {i.Claim.Id ?? "on file"} line {i.Line}";
            var pair = $"{edit.Column2} ({Describe(column2)}) is column 2 to {edit.Column1} ({Describe(column1)}) on {column1.Dos:yyyy-MM-dd}";
            var where = Location.Line(reportedAt.Line!.Value, "code");
            if (edit.ModifierIndicator == 0)
                Add(Edits.PtpNotAllowed, $"NCCI: {pair}, indicator 0 (no modifier allowed). {edit.Rationale}.", where, hit.Release);
            else if (!column2.Modifiers.Any(NcciModifiers.Contains))
                Add(Edits.PtpModifierNeeded, $"NCCI: {pair}, indicator 1, and the column 2 line has no NCCI-associated modifier. {edit.Rationale}.", where, hit.Release);
        }

        void Mue(List<Item> here, List<Item> others, DateOnly day)
        {
            foreach (var byCode in here.GroupBy(x => x.Code))
            {
                if (data.Mue(byCode.Key, day) is not { } hit) continue;
                var mue = hit.Value;
                if (mue.Mai == 1)
                {
                    foreach (var x in byCode.Where(x => x.Units > mue.MaxUnits))
                        Add(Edits.MueLine, $"MUE: line {x.Line} has {x.Units} units of {x.Code}; the limit is {mue.MaxUnits} per line ({mue.MaiText}).", Location.Line(x.Line!.Value, "units"), hit.Release);
                    continue;
                }
                var onFile = others.Where(o => o.Code == byCode.Key).Sum(o => o.Units);
                var total = byCode.Sum(x => x.Units) + onFile;
                if (total <= mue.MaxUnits) continue;
                var last = byCode.Last();
                var message = $"MUE: {total} units of {byCode.Key} on {day:yyyy-MM-dd}" + (onFile > 0 ? $" ({onFile} on other claims)" : "") +
                              $"; the limit is {mue.MaxUnits} per day ({mue.MaiText}).";
                Add(mue.Mai == 2 ? Edits.MueDayPolicy : Edits.MueDayClinical, message, Location.Line(last.Line!.Value, "units"), hit.Release);
            }
        }

        void Duplicates(List<Item> here, List<Item> others)
        {
            if (others.Count == 0 || claim.FrequencyCode is "7" or "8") return;
            static string Key(Item i) => $"{i.Code}|{string.Join(',', i.Modifiers.Order(StringComparer.Ordinal))}";
            var allMine = (claim.Lines ?? []).Count == here.Count;
            foreach (var other in others.GroupBy(o => o.Claim))
            {
                if (other.Key.Payer?.Id is { } a && claim.Payer?.Id is { } b && a != b) continue;
                var theirs = other.Select(o => Key(o) + "|" + o.Units.ToString(CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal);
                var ours = here.Select(o => Key(o) + "|" + o.Units.ToString(CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal);
                if (allMine && theirs.SequenceEqual(ours))
                {
                    Add(Edits.DuplicateClaim, $"Claim {other.Key.Id ?? "on file"} has the same patient, provider, date of service and lines.", Location.ClaimField("lines"));
                    return;
                }
            }
            var billed = others.Select(Key).ToHashSet(StringComparer.Ordinal);
            foreach (var x in here.Where(x => billed.Contains(Key(x)) && !x.Modifiers.Any(RepeatModifiers.Contains)))
            {
                var other = others.First(o => Key(o) == Key(x));
                Add(Edits.DuplicateLine, $"Line {x.Line}: {x.Code}{(x.Modifiers.Count > 0 ? "-" + string.Join("-", x.Modifiers) : "")} was already billed on claim {other.Claim.Id ?? "on file"} for this patient, provider and date.", Location.Line(x.Line!.Value, "code"));
            }
        }
    }
}
