using Portal.Web.Platform;

using System.Text.RegularExpressions;

namespace Portal.Web.Features.Intake;

/// <summary>Format checks for the identifiers intake accepts (domain brief §2 and §1.5).</summary>
public static partial class Identifiers
{
    /// <summary>
    /// NPI: 10 digits whose last is a Luhn check digit computed as if the prefix 80840 (80 = health, 840 = USA)
    /// preceded the first nine. A valid checksum does not prove the provider exists; NPPES does.
    /// </summary>
    public static bool IsValidNpi(string? npi)
    {
        if (npi is not { Length: 10 } || !npi.All(char.IsAsciiDigit)) return false;
        var digits = "80840" + npi;
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
        }
        return sum % 10 == 0;
    }

    /// <summary>NUCC taxonomy: 10 characters, three digits then six letters or digits, ending in X (207Q00000X).</summary>
    public static bool IsValidTaxonomy(string? code) => code is not null && Taxonomy().IsMatch(code);

    public static bool IsValidMrn(string? mrn) => mrn is not null && Mrn().IsMatch(mrn);

    /// <summary>Clearinghouse payer ids are usually 5 alphanumerics but differ between clearinghouses; accept 2–15.</summary>
    public static bool IsValidPayerId(string? id) => id is not null && PayerId().IsMatch(id);

    /// <summary>CMS place-of-service codes the practice may record (brief §1.5); box 24B, CLM05-1.</summary>
    public static readonly IReadOnlyDictionary<string, string> PlacesOfService = new Dictionary<string, string>
    {
        ["02"] = "Telehealth, patient not at home", ["10"] = "Telehealth, patient at home", ["11"] = "Office",
        ["12"] = "Home", ["19"] = "Off-campus outpatient hospital", ["20"] = "Urgent care", ["21"] = "Inpatient hospital",
        ["22"] = "On-campus outpatient hospital", ["23"] = "Emergency room", ["24"] = "Ambulatory surgical center",
        ["31"] = "Skilled nursing facility", ["32"] = "Nursing facility", ["49"] = "Independent clinic", ["50"] = "FQHC",
        ["72"] = "Rural health clinic", ["81"] = "Independent lab", ["99"] = "Other",
    };

    [GeneratedRegex("^[0-9]{3}[0-9A-Z]{6}X$")]
    private static partial Regex Taxonomy();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")]
    private static partial Regex Mrn();

    [GeneratedRegex("^[A-Za-z0-9]{2,15}$")]
    private static partial Regex PayerId();
}
