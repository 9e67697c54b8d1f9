using Portal.Billing.Remittance;

namespace Portal.Web.Features.Payments;

/// <summary>
/// CARCs, RARCs and group codes in plain words, shown next to the code everywhere (issue 12 item 5). The lists are the billing
/// library's (published lists imported as CSV; the shipped sample has our own short wording).
/// </summary>
public static class ReasonText
{
    static readonly ReasonCodes Codes = ReasonCodes.Sample();
    public static readonly DenialRules Denials = DenialRules.Default();

    public static string Group(string group) => group switch
    {
        "CO" => "contractual obligation (the provider absorbs it; the patient may not be billed)",
        "PR" => "patient responsibility",
        "OA" => "other adjustment",
        "PI" => "payer-initiated reduction",
        "CR" => "correction",
        _ => "adjustment",
    };

    /// <summary>The CARC's description as of <paramref name="asOf"/> (today when null), or a plain note that it is not on the list.</summary>
    public static string Carc(string code, DateOnly? asOf = null) =>
        Codes.Carc(code, asOf ?? DateOnly.FromDateTime(DateTime.UtcNow))?.Description ?? "not on the reason-code list loaded in Portal";

    public static string Rarc(string code, DateOnly? asOf = null) =>
        Codes.Rarc(code, asOf ?? DateOnly.FromDateTime(DateTime.UtcNow))?.Description ?? "not on the remark-code list loaded in Portal";

    /// <summary>"CO-197: Precertification or authorization was absent."</summary>
    public static string Describe(string group, string carc, DateOnly? asOf = null) => $"{group}-{carc}: {Carc(carc, asOf)}";

    public static string Category(string category) => category switch
    {
        DenialCategory.Eligibility => "Eligibility",
        DenialCategory.Authorization => "Authorization",
        DenialCategory.CodingBundling => "Coding / bundling",
        DenialCategory.MedicalNecessity => "Medical necessity",
        DenialCategory.TimelyFiling => "Timely filing",
        DenialCategory.Duplicate => "Duplicate",
        DenialCategory.Cob => "Coordination of benefits",
        DenialCategory.Credentialing => "Credentialing",
        DenialCategory.MissingInformation => "Missing information",
        DenialCategory.NonCovered => "Non-covered",
        _ => "Other",
    };

    public static string ClaimStatus(string clp02) => clp02 switch
    {
        "1" => "processed as primary", "2" => "processed as secondary", "3" => "processed as tertiary", "4" => "denied",
        "19" => "processed as primary, forwarded", "20" => "processed as secondary, forwarded", "21" => "processed as tertiary, forwarded",
        "22" => "reversal of a previous payment", "23" => "not our claim, forwarded", "25" => "predetermination only",
        _ => "status " + clp02,
    };

    public static string ProviderAdjustment(string reason) => reason switch
    {
        "WO" => "overpayment recovery", "FB" => "forward balance", "L6" => "interest owed", "72" => "authorized return",
        "J1" => "non-reimbursable", "CS" => "adjustment", "50" => "late charge", "IR" => "internal revenue service withholding",
        "AP" => "acceleration of benefits", "B2" => "rebate", "C5" => "temporary allowance", "E3" => "withholding", _ => "provider-level adjustment",
    };
}
