using System.Text.RegularExpressions;

namespace Portal.Billing.Codes;

/// <summary>The code systems the readers and edits know, with their syntax (necessary, never sufficient: only the table in force on the date of service is authoritative).</summary>
public static partial class CodeSystems
{
    public const string Icd10Cm = "icd10cm";
    public const string Hcpcs = "hcpcs";
    public const string Cpt = "cpt";
    public const string Modifier = "modifier";
    public const string Pos = "pos";

    /// <summary>Dotless upper case, as X12 and the CMS files carry codes; the dot is display only.</summary>
    public static string Normalize(string? code) =>
        code is null ? "" : code.Trim().Replace(".", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();

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

    /// <summary>A procedure code's system: HCPCS Level II starts with a letter, CPT with a digit.</summary>
    public static string ProcedureSystem(string code) =>
        code.Length > 0 && char.IsAsciiLetter(code[0]) ? Hcpcs : Cpt;

    /// <summary>CPT Category II (4 digits + F): quality tracking, billed at $0.00.</summary>
    public static bool IsCategoryTwo(string code) => code.Length == 5 && code[4] == 'F' && code.AsSpan(0, 4).ContainsAnyExceptInRange('0', '9') == false;

    /// <summary>Both CPT and HCPCS Level II codes: what NCCI and MUE tables key on.</summary>
    public static bool IsProcedureSyntax(string code) => CptSyntax().IsMatch(code) || HcpcsSyntax().IsMatch(code);

    /// <summary>
    /// When a release takes effect, from its label: ICD-10-CM "2026" is federal fiscal year 2026 (1 Oct 2025);
    /// "2026Q3" a quarterly release (1 Jul 2026: HCPCS, NCCI, MUE); any other "2026" is 1 Jan 2026. Off-cycle releases
    /// (the ICD-10-CM April update) give their date explicitly.
    /// </summary>
    public static DateOnly? EffectiveFrom(string system, string version)
    {
        var m = VersionLabel().Match(version);
        if (!m.Success) return null;
        var year = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        if (m.Groups[2].Success) return new DateOnly(year, (m.Groups[2].Value[0] - '1') * 3 + 1, 1);
        return system == Icd10Cm ? new DateOnly(year - 1, 10, 1) : new DateOnly(year, 1, 1);
    }

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
