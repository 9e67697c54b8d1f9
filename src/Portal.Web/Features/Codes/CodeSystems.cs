using System.Globalization;
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
    /// When a version takes effect, from its label: ICD-10-CM "2026" is federal fiscal year 2026 (1 Oct 2025);
    /// "2026Q3" is the quarterly release of 1 Jul 2026 (HCPCS, NCCI, MUE); any other "2026" is 1 Jan 2026.
    /// Off-cycle releases (the ICD-10-CM April update) pass an explicit effective date instead.
    /// </summary>
    public static DateOnly? EffectiveFrom(string system, string version)
    {
        var m = VersionLabel().Match(version);
        if (!m.Success) return null;
        var year = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        if (m.Groups[2].Success) return new DateOnly(year, (int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) - 1) * 3 + 1, 1);
        return system is Icd10Cm or IcdTabular or Mce ? new DateOnly(year - 1, 10, 1) : new DateOnly(year, 1, 1);
    }

    public static bool IsVersionLabel(string version) => VersionLabel().IsMatch(version);

    /// <summary>Dotless upper case, as X12 and the CMS files carry codes; the dot is display only.</summary>
    public static string Normalize(string code) => code.Trim().Replace(".", "").Replace(" ", "").ToUpperInvariant();

    public static string Display(string system, string code) =>
        system == Icd10Cm && code.Length > 3 ? $"{code[..3]}.{code[3..]}" : code;

    public static bool HasValidSyntax(string system, string code) => system switch
    {
        Icd10Cm => IcdSyntax().IsMatch(code),
        Hcpcs => HcpcsSyntax().IsMatch(code),
        Cpt => CptSyntax().IsMatch(code),
        Modifier or Pos => ShortCodeSyntax().IsMatch(code),
        _ => false,
    };

    [GeneratedRegex(@"^(\d{4})(?:Q([1-4]))?$")]
    private static partial Regex VersionLabel();

    [GeneratedRegex("^[A-Z][0-9][A-Z0-9]{1,5}$")]
    private static partial Regex IcdSyntax();

    [GeneratedRegex("^[A-Z][0-9]{4}$")]
    private static partial Regex HcpcsSyntax();

    [GeneratedRegex("^([0-9]{5}|[0-9]{4}[FTUM])$")]
    private static partial Regex CptSyntax();

    [GeneratedRegex("^[A-Z0-9]{2}$")]
    private static partial Regex ShortCodeSyntax();
}
