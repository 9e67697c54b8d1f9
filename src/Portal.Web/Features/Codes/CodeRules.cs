using Npgsql;
using Portal.Web.Platform;

namespace Portal.Web.Features.Codes;

public enum FindingSeverity { Error, Warning }

/// <summary>One edit result: the coding workflow turns errors into ProblemDetails and warnings into override prompts.</summary>
public sealed record CodeFinding(string Code, string Rule, FindingSeverity Severity, string Message, IReadOnlyList<string>? Suggestions = null);

/// <summary>What the age and sex edits need to know about the patient. Sex is F, M or U (unknown).</summary>
public sealed record PatientFacts(string? Sex, DateOnly? BirthDate);

public sealed record ProcedureLine(string Code, string[]? Modifiers = null, int Units = 1);

/// <summary>
/// Code edits coding and claims call before a line is accepted (domain brief §1 and §6). Functions, not a service:
/// each takes the catalog and the date of service and returns findings; nothing here throws for a bad code.
/// </summary>
public static class CodeRules
{
    public const string NoCodeSet = "code-set-missing";
    public const string NotValid = "code-not-valid-on-dos";
    public const string NotBillable = "code-not-billable";
    public const string Manifestation = "manifestation-first-listed";
    public const string SexEdit = "dx-sex-edit";
    public const string AgeEdit = "dx-age-edit";
    public const string ModifierNotValid = "modifier-not-valid";
    public const string ModifierCount = "modifier-count";
    public const string ModifierForCode = "modifier-not-for-code";
    public const string ModifierCombination = "modifier-combination";
    public const string Ncci = "ncci-ptp";
    public const string Mue = "mue-units";

    /// <summary>Is <paramref name="code"/> a reportable code of <paramref name="system"/> on the date of service?</summary>
    public static async Task<IReadOnlyList<CodeFinding>> CheckCode(CodeCatalog catalog, string system, string code, DateOnly dos, CancellationToken ct = default)
    {
        var normalized = CodeSystems.Normalize(code);
        var index = await catalog.IndexOn(system, dos, ct);
        if (index is null)
            return [new(normalized, NoCodeSet, FindingSeverity.Error, $"No {system} code set is loaded for {dos:yyyy-MM-dd}.")];
        var entry = index.Find(normalized);
        if (entry is null)
            return [new(normalized, NotValid, FindingSeverity.Error, await NotValidMessage(catalog, system, normalized, dos, index, ct))];
        if (!entry.Billable)
            return [new(normalized, NotBillable, FindingSeverity.Error,
                $"{CodeSystems.Display(system, normalized)} is a header, not a billable code; choose a more specific code (and any required 7th character).",
                [.. index.BillableUnder(entry).Take(12).Select(e => CodeSystems.Display(system, e.Code))])];
        return [];
    }

    /// <summary>Diagnoses in claim order: validity, first-listed manifestation, and age/sex edits (overridable warnings).</summary>
    public static async Task<IReadOnlyList<CodeFinding>> CheckDiagnoses(CodeCatalog catalog, DateOnly dos, IReadOnlyList<string> codes,
        PatientFacts? patient, CancellationToken ct = default)
    {
        var findings = new List<CodeFinding>();
        var index = await catalog.IndexOn(CodeSystems.Icd10Cm, dos, ct);
        for (var i = 0; i < codes.Count; i++)
        {
            var code = CodeSystems.Normalize(codes[i]);
            var validity = await CheckCode(catalog, CodeSystems.Icd10Cm, code, dos, ct);
            findings.AddRange(validity);
            if (index?.Find(code) is not { } entry) continue;
            if (i == 0 && entry.IsManifestation)
                findings.Add(new(code, Manifestation, FindingSeverity.Error,
                    $"{CodeSystems.Display(CodeSystems.Icd10Cm, code)} is a manifestation code; it may not be first-listed. List the underlying condition first."));
            if (patient is not null) findings.AddRange(AgeAndSex(code, dos, patient));
        }
        return findings;
    }

    // Stand-in for the Medicare Code Editor lists (age and sex conflicts) until those files are imported: broad
    // categories from the MCE definitions. Age edits use whole years on the date of service.
    static readonly (string Prefix, string? Sex, int MinAge, int MaxAge, string Label)[] Edits =
    [
        ("O", "F", 9, 64, "a maternity code"), ("Z3A", "F", 9, 64, "a maternity code"),
        ("P", null, 0, 0, "a perinatal/newborn code"), ("Z0012", null, 0, 17, "a pediatric code"), ("Z0000", null, 15, 124, "an adult code"),
        ("Z0001", null, 15, 124, "an adult code"), ("N40", "M", 0, 124, "a male-only code"), ("N41", "M", 0, 124, "a male-only code"),
        ("N42", "M", 0, 124, "a male-only code"), ("C61", "M", 0, 124, "a male-only code"), ("Z125", "M", 0, 124, "a male-only code"),
        ("N7", "F", 0, 124, "a female-only code"), ("N8", "F", 0, 124, "a female-only code"), ("N9", "F", 0, 124, "a female-only code"),
        ("C53", "F", 0, 124, "a female-only code"), ("Z124", "F", 0, 124, "a female-only code"), ("Z0141", "F", 0, 124, "a female-only code"),
    ];

    static IEnumerable<CodeFinding> AgeAndSex(string code, DateOnly dos, PatientFacts patient)
    {
        // N9x beyond N94 are not sex-specific (N99 complications); keep the female range to N70–N98.
        foreach (var edit in Edits.Where(e => code.StartsWith(e.Prefix, StringComparison.Ordinal) && !(e.Prefix == "N9" && code.StartsWith("N99"))))
        {
            var display = CodeSystems.Display(CodeSystems.Icd10Cm, code);
            if (edit.Sex is not null && patient.Sex is "F" or "M" && patient.Sex != edit.Sex)
                yield return new(code, SexEdit, FindingSeverity.Warning,
                    $"{display} is {edit.Label} but the patient's sex is {patient.Sex}. Override with a reason if correct (e.g. KX on sex-specific procedures).");
            if (patient.BirthDate is { } born)
            {
                var age = dos.Year - born.Year - (dos < born.AddYears(dos.Year - born.Year) ? 1 : 0);
                if (age < edit.MinAge || age > edit.MaxAge)
                    yield return new(code, AgeEdit, FindingSeverity.Warning,
                        $"{display} is {edit.Label} (age {edit.MinAge}–{edit.MaxAge}) but the patient is {age} on the date of service. Override with a reason if correct.");
            }
        }
    }

    static readonly string[] NcciModifiers = ["59", "XE", "XS", "XP", "XU", "24", "25", "57", "58", "78", "79", "91", "LT", "RT",
        "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "FA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "TA",
        "E1", "E2", "E3", "E4", "LC", "LD", "LM", "RC", "RI"];

    /// <summary>Procedure lines of one patient, provider and date of service: code validity, modifiers, NCCI PTP and MUE.</summary>
    public static async Task<IReadOnlyList<CodeFinding>> CheckProcedures(CodeCatalog catalog, DateOnly dos, IReadOnlyList<ProcedureLine> lines,
        CancellationToken ct = default)
    {
        var findings = new List<CodeFinding>();
        var modifierIndex = await catalog.IndexOn(CodeSystems.Modifier, dos, ct);
        foreach (var line in lines)
        {
            var code = CodeSystems.Normalize(line.Code);
            var system = ProcedureSystem(code);
            findings.AddRange(await CheckCode(catalog, system, code, dos, ct));
            var entry = (await catalog.IndexOn(system, dos, ct))?.Find(code);
            findings.AddRange(Modifiers(code, entry, [.. (line.Modifiers ?? []).Select(CodeSystems.Normalize)], modifierIndex));
        }
        findings.AddRange(await PtpAndMue(catalog, dos, lines, ct));
        return findings;
    }

    public static string ProcedureSystem(string code) =>
        code.Length > 0 && char.IsAsciiLetter(code[0]) ? CodeSystems.Hcpcs : CodeSystems.Cpt;

    static IEnumerable<CodeFinding> Modifiers(string code, CodeEntry? entry, string[] modifiers, CodeIndex? known)
    {
        if (modifiers.Length > 4)
            yield return new(code, ModifierCount, FindingSeverity.Error, $"{code} has {modifiers.Length} modifiers; a claim line takes at most 4.");
        foreach (var m in modifiers.Where(m => known?.Find(m) is null))
            yield return new(code, ModifierNotValid, FindingSeverity.Error, $"Modifier {m} is not a valid modifier on the date of service.");
        bool Has(string m) => modifiers.Contains(m);
        if (Has("26") && Has("TC"))
            yield return new(code, ModifierCombination, FindingSeverity.Error, $"{code}: 26 (professional) and TC (technical) never go on the same line; bill two lines or neither.");
        if (modifiers.Count(m => m is "GA" or "GZ" or "GY") > 1)
            yield return new(code, ModifierCombination, FindingSeverity.Error, $"{code}: GA, GZ and GY are mutually exclusive.");
        if (Has("50") && (Has("LT") || Has("RT")))
            yield return new(code, ModifierCombination, FindingSeverity.Error, $"{code}: 50 (bilateral) already says both sides; drop LT/RT.");
        if (Has("59") && modifiers.Any(m => m is "XE" or "XS" or "XP" or "XU"))
            yield return new(code, ModifierCombination, FindingSeverity.Warning, $"{code}: 59 with an X modifier is usually redundant; most payers want the X modifier alone.");
        if (entry is not null && (Has("26") || Has("TC")) && !entry.HasFlag("pctc"))
            yield return new(code, ModifierForCode, FindingSeverity.Error, $"{code} has no professional/technical split; 26 and TC do not apply.");
        if (entry is not null && Has("50") && !entry.HasFlag("bilateral"))
            yield return new(code, ModifierForCode, FindingSeverity.Warning, $"{code} is not marked bilateral-eligible; check the payer's rules before using 50.");
    }

    static async Task<IEnumerable<CodeFinding>> PtpAndMue(CodeCatalog catalog, DateOnly dos, IReadOnlyList<ProcedureLine> lines, CancellationToken ct)
    {
        var findings = new List<CodeFinding>();
        var codes = lines.Select(l => CodeSystems.Normalize(l.Code)).Distinct().ToArray();
        const string s = MartenSetup.Schema;
        // Both edits in one round trip.
        await using var batch = catalog.Database.CreateBatch();
        var ncci = codes.Length > 1 ? catalog.VersionOn(CodeSystems.Ncci, dos) : null;
        var mue = catalog.VersionOn(CodeSystems.Mue, dos);
        if (ncci is not null)
        {
            var ptp = new NpgsqlBatchCommand($"""
                select column1, column2, modifier_indicator from {s}.{CodeSetTables.Ptp}
                where version = $1 and column1 = any($2) and column2 = any($2) and column1 <> column2
                  and effective_from <= $3 and (deleted_on is null or deleted_on > $3) and modifier_indicator <> 9
                """);
            ptp.Parameters.Add(new NpgsqlParameter { Value = ncci.Version });
            ptp.Parameters.Add(new NpgsqlParameter { Value = codes });
            ptp.Parameters.Add(new NpgsqlParameter { Value = dos });
            batch.BatchCommands.Add(ptp);
        }
        if (mue is not null)
        {
            var limits = new NpgsqlBatchCommand($"select code, max_units, mai from {s}.{CodeSetTables.Mue} where version = $1 and code = any($2)");
            limits.Parameters.Add(new NpgsqlParameter { Value = mue.Version });
            limits.Parameters.Add(new NpgsqlParameter { Value = codes });
            batch.BatchCommands.Add(limits);
        }
        if (batch.BatchCommands.Count == 0) return findings;
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (ncci is not null)
        {
            while (await reader.ReadAsync(ct))
            {
                var (c1, c2, indicator) = (reader.GetString(0), reader.GetString(1), reader.GetInt16(2));
                var justified = lines.Where(l => CodeSystems.Normalize(l.Code) == c2)
                    .Any(l => (l.Modifiers ?? []).Select(CodeSystems.Normalize).Any(NcciModifiers.Contains));
                if (indicator == 0)
                    findings.Add(new(c2, Ncci, FindingSeverity.Error, $"NCCI: {c2} is bundled into {c1} on the same day and no modifier can unbundle it (indicator 0)."));
                else if (!justified)
                    findings.Add(new(c2, Ncci, FindingSeverity.Warning,
                        $"NCCI: {c2} is bundled into {c1} unless a distinct-service modifier (59, XE/XS/XP/XU, 25, LT/RT…) applies and the record supports it."));
            }
            await reader.NextResultAsync(ct);
        }
        if (mue is not null)
        {
            while (await reader.ReadAsync(ct))
            {
                var (code, max, mai) = (reader.GetString(0), reader.GetInt32(1), reader.GetInt16(2));
                var forCode = lines.Where(l => CodeSystems.Normalize(l.Code) == code).Select(l => l.Units).ToList();
                // MAI 1 is a line edit (more units may go on another line with a modifier); 2 and 3 limit the whole day.
                var units = mai == 1 ? forCode.Max() : forCode.Sum();
                if (units > max)
                    findings.Add(new(code, Mue, mai == 2 ? FindingSeverity.Error : FindingSeverity.Warning,
                        $"MUE: {units} units of {code} exceed the limit of {max} per {(mai == 1 ? "line" : "day")} (MAI {mai})."));
            }
        }
        return findings;
    }

    static async Task<string> NotValidMessage(CodeCatalog catalog, string system, string code, DateOnly dos, CodeIndex current, CancellationToken ct)
    {
        var display = CodeSystems.Display(system, code);
        if (!CodeSystems.HasValidSyntax(system, code)) return $"'{code}' is not a {system} code.";
        foreach (var v in catalog.Versions(system).OrderByDescending(v => v.EffectiveFrom))
        {
            if (v.Version == current.Version) continue;
            if ((await catalog.Index(v, ct)).Find(code) is not null)
                return v.EffectiveFrom > dos
                    ? $"{display} is not valid on {dos:yyyy-MM-dd}; it takes effect on {v.EffectiveFrom:yyyy-MM-dd} (version {v.Version})."
                    : $"{display} is not valid on {dos:yyyy-MM-dd}; it was valid until {v.EffectiveTo:yyyy-MM-dd} (version {v.Version}).";
        }
        return $"{display} is not a {system} code in version {current.Version}, in force on {dos:yyyy-MM-dd}.";
    }
}
