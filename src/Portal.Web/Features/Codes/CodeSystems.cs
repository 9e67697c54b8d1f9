using System.Text.RegularExpressions;

namespace Portal.Web.Features.Codes;

/// <summary>
/// The code sets Portal knows. Reference data is global (not per practice) and versioned: a version is in force from
/// its effective date until the next version of the same system starts, so a code dropped by a new release stops
/// being valid on the day that release takes effect.
/// </summary>
public static partial class CodeSystems
{
    public const string Icd10Cm = "icd10cm";
    public const string Hcpcs = "hcpcs";
    public const string Cpt = "cpt";
    public const string Modifier = "modifier";
    public const string Pos = "pos";
    public const string Ncci = "ncci";
    public const string Mue = "mue";
    /// <summary>The ICD-10-CM Tabular XML of a release (Excludes1, code first, 7th characters); its version is the ICD-10-CM year.</summary>
    public const string IcdTabular = "icd10cm-tabular";
    /// <summary>Age and sex lists in Portal's MCE table format (docs/code-files.md).</summary>
    public const string Mce = "mce";

    /// <summary>Systems whose rows are codes (searchable), as opposed to edit tables (NCCI, MUE).</summary>
    public static readonly string[] Searchable = [Icd10Cm, Hcpcs, Cpt, Modifier, Pos];
    public static readonly string[] All = [.. Searchable, Ncci, Mue, IcdTabular, Mce];

    /// <summary>Systems stored as the validated file itself (parsed into memory per version when the edits need them).</summary>
    public static readonly string[] Files = [IcdTabular, Mce];

    public static bool IsKnown(string? system) => system is not null && All.Contains(system);

    /// <summary>
    /// When a version takes effect, from its label (the library's rule, <see cref="Billing.Codes.CodeSystems.EffectiveFrom"/>):
    /// the Tabular XML and the MCE lists follow the ICD-10-CM fiscal year they belong to.
    /// </summary>
    public static DateOnly? EffectiveFrom(string system, string version) =>
        Billing.Codes.CodeSystems.EffectiveFrom(system is IcdTabular or Mce ? Icd10Cm : system, version);

    public static bool IsVersionLabel(string version) => VersionLabel().IsMatch(version);

    // Syntax, normal form and display are the billing library's: one definition for the readers, the edits and the web.
    public static string Normalize(string code) => Billing.Codes.CodeSystems.Normalize(code);

    public static string Display(string system, string code) => Billing.Codes.CodeSystems.Display(system, code);

    public static bool HasValidSyntax(string system, string code) => Billing.Codes.CodeSystems.HasValidSyntax(system, code);

    [GeneratedRegex(@"^(\d{4})(?:Q([1-4]))?$")]
    private static partial Regex VersionLabel();
}
