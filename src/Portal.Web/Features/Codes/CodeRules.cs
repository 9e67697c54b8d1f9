using Portal.Billing.Codes;
using Portal.Billing.Scrubbing;
using Claim = Portal.Billing.Scrubbing.Claim;

namespace Portal.Web.Features.Codes;

public enum FindingSeverity { Error, Warning, Info }

/// <summary>
/// One finding of the billing core's scrubber as Portal stores and shows it: <see cref="Rule"/> is the edit's stable id
/// (docs/edits.md), <see cref="Code"/> the code it concerns (empty for claim-level data), <see cref="Location"/> where it
/// points ("claim", "diagnosis 2", "line 1") with <see cref="Position"/> the diagnosis position or line number.
/// Errors refuse the write; warnings are recorded, and an <see cref="Overridable"/> diagnosis warning needs a reason.
/// </summary>
public sealed record CodeFinding(string Code, string Rule, FindingSeverity Severity, string Message, IReadOnlyList<string>? Suggestions = null,
    string? FixHint = null, string? Location = null, int? Position = null, string? Field = null, bool Overridable = false, string? Source = null)
{
    public bool AtDiagnosis => Location?.StartsWith("diagnosis", StringComparison.Ordinal) == true;
    public bool AtLine => Location?.StartsWith("line", StringComparison.Ordinal) == true;
}

/// <summary>What the age and sex edits need to know about the patient. Sex is F, M or U (unknown).</summary>
public sealed record PatientFacts(string? Sex, DateOnly? BirthDate);

public sealed record ProcedureLine(string Code, string[]? Modifiers = null, int Units = 1, decimal? Charge = null, int[]? DiagnosisPointers = null);

/// <summary>
/// The one engine: every check of codes in Portal (coding screen as the coder types, coding writes, /codes/check, the
/// claims dry run) runs <see cref="Scrubber.Scrub"/> of Portal.Billing over <see cref="PostgresReferenceData"/>.
/// </summary>
public static class CodeRules
{
    public static async Task<IReadOnlyList<CodeFinding>> Scrub(CodeCatalog catalog, Claim claim, DateOnly asOf, IReadOnlyList<Claim>? onFile,
        CancellationToken ct)
    {
        var data = await PostgresReferenceData.LoadAsync(catalog, [claim, .. onFile ?? []], ct);
        var findings = Scrubber.Scrub(claim, data, new ScrubContext(asOf, onFile is null ? null : new ClaimsOnFile(onFile)));
        return [.. findings.Select(f => From(f, claim, data))];
    }

    public static CodeFinding From(Finding f, Claim claim, IReferenceData data)
    {
        var (code, location) = f.Location.Place switch
        {
            Place.Diagnosis when f.Location.Position is { } n => (n <= (claim.Diagnoses?.Count ?? 0) ? Billing.Codes.CodeSystems.Normalize(claim.Diagnoses![n - 1] ?? "") : "", $"diagnosis {n}"),
            Place.Line when f.Location.Position is { } n => (n <= (claim.Lines?.Count ?? 0) ? Billing.Codes.CodeSystems.Normalize(claim.Lines![n - 1].Code ?? "") : "", $"line {n}"),
            _ => ("", "claim"),
        };
        IReadOnlyList<string>? suggestions = null;
        if ((f.Edit == Edits.CodeNotBillable.Id || f.Edit == Edits.SeventhCharacter.Id) && code.Length > 0 && claim.DateOfService is { } dos)
        {
            var system = f.Location.Place == Place.Diagnosis ? CodeSystems.Icd10Cm : Billing.Codes.CodeSystems.ProcedureSystem(code);
            suggestions = [.. data.BillableUnder(system, code, dos).Take(12).Select(c => CodeSystems.Display(system, c))];
        }
        return new CodeFinding(code, f.Edit, f.Severity switch { Severity.Error => FindingSeverity.Error, Severity.Warning => FindingSeverity.Warning, _ => FindingSeverity.Info },
            f.Message, suggestions, f.FixHint, location, f.Location.Position, f.Location.Field, f.Overridable, f.Source);
    }

    /// <summary>One code on its own as of a date of service (the code details page and GET /codes/{system}/{code}).</summary>
    public static async Task<IReadOnlyList<CodeFinding>> CheckCode(CodeCatalog catalog, string system, string code, DateOnly dos, CancellationToken ct = default)
    {
        var normalized = CodeSystems.Normalize(code);
        var claim = system == CodeSystems.Icd10Cm
            ? new Claim { DateOfService = dos, Diagnoses = [normalized] }
            : new Claim { DateOfService = dos, Lines = [new Billing.Scrubbing.ServiceLine { Code = normalized, Units = 1, Charge = 1, Pointers = [1] }] };
        var findings = await Scrub(catalog, claim, dos, null, ct);
        return [.. findings.Where(f => f.Code == normalized && f.Rule is "code-set-missing" or "code-unknown" or "code-not-billable" or "code-not-valid-on-dos")];
    }

    /// <summary>A claim of the codes of <see cref="CheckCodes"/> (no payer or providers: only code findings are kept).</summary>
    public static Claim ClaimOf(DateOnly dos, string[]? diagnoses, ProcedureLine[]? lines, PatientFacts? patient) => new()
    {
        DateOfService = dos,
        Patient = patient is null ? null : new Billing.Scrubbing.Patient { DateOfBirth = patient.BirthDate, Sex = patient.Sex },
        Diagnoses = diagnoses,
        Lines = lines is null ? null : [.. lines.Select(l => new Billing.Scrubbing.ServiceLine
        {
            Code = l.Code, Modifiers = l.Modifiers, Units = l.Units, Charge = l.Charge,
            Pointers = l.DiagnosisPointers,
        })],
    };
}
