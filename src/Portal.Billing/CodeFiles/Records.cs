namespace Portal.Billing.CodeFiles;

public enum CodeKind { Code, Modifier }

/// <summary>
/// A code of a code set as a file states it. <see cref="Billable"/> is false for ICD-10-CM headers. HCPCS carries its
/// added / action-effective / termination dates and action code; CPT files carry optional indicators
/// (<c>pctc</c>: has professional and technical components; <c>bilateral</c>: modifier 50 applies).
/// </summary>
public sealed record CodeRecord(
    string Code,
    bool Billable,
    string ShortDescription,
    string LongDescription,
    int Order,
    CodeKind Kind = CodeKind.Code,
    DateOnly? AddedOn = null,
    DateOnly? ActionEffectiveOn = null,
    DateOnly? TerminatedOn = null,
    string? ActionCode = null,
    string? Flags = null);

/// <summary>One NCCI procedure-to-procedure edit: column 2 is not paid with column 1 for the same patient, provider and date.</summary>
public sealed record PtpRecord(
    string Column1,
    string Column2,
    bool InExistencePrior1996,
    DateOnly EffectiveFrom,
    DateOnly? DeletedOn,
    byte ModifierIndicator,
    string Rationale);

/// <summary>A medically unlikely edit: the most units of a code per line (MAI 1) or per date of service (MAI 2, 3).</summary>
public sealed record MueRecord(string Code, int MaxUnits, byte Mai, string MaiText, string Rationale);

public enum MceCategory { Newborn, Pediatric, Maternity, Adult, Male, Female }

/// <summary>
/// A Medicare Code Editor style age or sex list entry (docs/code-files.md, "MCE lists"): <see cref="Code"/> is a
/// dotless ICD-10-CM code, or with <see cref="IncludesChildren"/> the code and every code under it.
/// </summary>
public sealed record MceRecord(string Code, bool IncludesChildren, MceCategory Category, int MinAge, int MaxAge);
