namespace Portal.Billing.Scrubbing;

/// <summary>
/// An edit of the catalogue. Ids are stable: a finding's id never changes meaning once shipped (add a new edit
/// instead). <see cref="Overridable"/>: a warning that may go out once a user records a reason (Portal.Web audits it);
/// errors never are.
/// </summary>
public sealed record Edit(string Id, Severity Severity, bool Overridable, string Title, string FixHint, string Source);

/// <summary>Every edit the scrubber runs (docs/edits.md lists them for people; a test keeps the two in step).</summary>
public static class Edits
{
    const string ClaimData = "The claim (CMS-1500 / 837P)";
    const string CodeTables = "Code tables (ICD-10-CM order file, CPT, HCPCS Level II)";
    const string Tabular = "ICD-10-CM Tabular XML";

    public static readonly Edit RequiredData = new("required-data", Severity.Error, false,
        "A field the claim needs is missing.", "Fill in the field named in the message.", ClaimData);
    public static readonly Edit CodeSetMissing = new("code-set-missing", Severity.Error, false,
        "No release of the code set covers the date of service.", "A platform admin imports the release in force on that date.", CodeTables);
    public static readonly Edit CodeUnknown = new("code-unknown", Severity.Error, false,
        "The code does not exist in any release of its code set.", "Check for a typo and pick the code from code lookup.", CodeTables);
    public static readonly Edit CodeNotBillable = new("code-not-billable", Severity.Error, false,
        "The code is a header, not a billable (reportable) code.", "Choose a more specific code under it; the message lists some.", CodeTables);
    public static readonly Edit CodeNotValidOnDos = new("code-not-valid-on-dos", Severity.Error, false,
        "The code exists but is not in force on the date of service.", "Use the code valid on the date of service; the message says when this one was valid.", CodeTables);
    public static readonly Edit SeventhCharacter = new("dx-7th-character", Severity.Error, false,
        "The diagnosis needs a 7th character from its category's list.", "Add the 7th character (with X placeholders up to position 6) from the values the message lists.", Tabular);
    public static readonly Edit Excludes1 = new("dx-excludes1", Severity.Warning, true,
        "Two diagnoses are an Excludes1 pair: not coded together for the same condition.", "Remove one; override with a reason only when the two conditions are unrelated.", Tabular);
    public static readonly Edit ManifestationFirst = new("dx-manifestation-first", Severity.Error, false,
        "A manifestation code is first-listed; it may never be.", "List the underlying condition first and the manifestation after it.", Tabular);
    public static readonly Edit CodeFirst = new("dx-code-first", Severity.Warning, true,
        "The Tabular says to code the underlying condition first, and no such code is listed before this one.", "Add the underlying condition before this code, or move it up.", Tabular);
    public static readonly Edit DuplicateDiagnosis = new("dx-duplicate", Severity.Error, false,
        "The same diagnosis is listed twice.", "Remove the repeated diagnosis and fix the pointers that used it.", ClaimData);
    public static readonly Edit PointerMissing = new("line-pointer-missing", Severity.Error, false,
        "A service line points to no diagnosis.", "Point the line to the diagnoses (1–4) that justify it, primary first. Portal never guesses a pointer.", ClaimData);
    public static readonly Edit PointerInvalid = new("line-pointer-invalid", Severity.Error, false,
        "A service line's diagnosis pointers are wrong: more than 4, repeated, or pointing past the diagnoses listed.", "Point to 1–4 different diagnoses that are on the claim.", ClaimData);
    public static readonly Edit AgeConflict = new("dx-age", Severity.Warning, true,
        "The diagnosis is restricted to an age band the patient is outside on the date of service.", "Check the code and the date of birth; override with a reason if both are right.", "MCE age lists");
    public static readonly Edit SexConflict = new("dx-sex", Severity.Warning, true,
        "The diagnosis is restricted to the other sex.", "Check the code and the patient's sex; override with a reason if both are right (e.g. KX on sex-specific procedures).", "MCE sex lists");
    public static readonly Edit SexUnknown = new("patient-sex-unknown", Severity.Warning, true,
        "The patient's sex is unknown, so the sex edits could not run for a sex-specific diagnosis.", "Record the patient's sex, or override with a reason.", "MCE sex lists");
    public static readonly Edit BirthDateMissing = new("patient-dob-missing", Severity.Warning, true,
        "The patient's date of birth is missing, so the age edits could not run for an age-specific diagnosis.", "Record the date of birth (the 837P needs it too), or override with a reason.", "MCE age lists");
    public static readonly Edit PtpNotAllowed = new("ncci-ptp-not-allowed", Severity.Error, false,
        "Two procedures of the same patient, provider and date are an NCCI pair that no modifier can unbundle (indicator 0).", "Bill only the column 1 code.", "CMS NCCI practitioner PTP edits");
    public static readonly Edit PtpModifierNeeded = new("ncci-ptp-modifier-needed", Severity.Warning, true,
        "Two procedures of the same patient, provider and date are an NCCI pair (indicator 1) and the column 2 line has no NCCI-associated modifier.", "If the record supports a distinct service, add the modifier (XE/XS/XP/XU, 59, 25, LT/RT…) to the column 2 line; otherwise drop it.", "CMS NCCI practitioner PTP edits");
    public static readonly Edit MueLine = new("mue-line-units", Severity.Warning, true,
        "A line has more units than the MUE for the code (MAI 1, a line edit).", "Check the units; extra units may go on another line with a distinct-service modifier when documented.", "CMS MUE practitioner table");
    public static readonly Edit MueDayPolicy = new("mue-day-policy", Severity.Error, false,
        "More units of the code on this date than the MUE allows (MAI 2, an absolute limit from policy).", "Correct the units; MAI 2 limits are not payable above the value.", "CMS MUE practitioner table");
    public static readonly Edit MueDayClinical = new("mue-day-clinical", Severity.Warning, true,
        "More units of the code on this date than the MUE allows (MAI 3, a clinical limit).", "Check the units; above the value the line is denied and payable only on appeal with records.", "CMS MUE practitioner table");
    public static readonly Edit Units = new("line-units", Severity.Error, false,
        "A line has no units, or fewer than 1.", "Enter the units the descriptor counts (at least 1).", ClaimData);
    public static readonly Edit Charge = new("line-charge", Severity.Error, false,
        "A line's charge is zero or negative.", "Enter the practice's fee for the line (only CPT Category II codes are billed at $0.00).", ClaimData);
    public static readonly Edit ModifierNotValid = new("modifier-not-valid", Severity.Error, false,
        "A modifier is not in the modifier list in force on the date of service.", "Use a valid two-character modifier.", "Modifier list (HCPCS file, modifier records)");
    public static readonly Edit ModifierCount = new("modifier-count", Severity.Error, false,
        "A line has more than 4 modifiers.", "Keep the 4 that matter, payment modifiers first.", ClaimData);
    public static readonly Edit Modifier26Tc = new("modifier-26-tc", Severity.Error, false,
        "26 (professional) and TC (technical) are on the same line.", "Bill the global service without either, or two lines, one with 26 and one with TC.", "Modifier rules (domain brief §1.4)");
    public static readonly Edit ModifierPcTcNotSplit = new("modifier-pctc-not-split", Severity.Error, false,
        "26 or TC is on a code that has no professional/technical split.", "Remove 26/TC.", "CPT indicators (pctc)");
    public static readonly Edit Modifier50LtRt = new("modifier-50-lt-rt", Severity.Error, false,
        "50 (bilateral) is on the same line as LT or RT.", "Use 50 alone, or two lines with LT and RT if the payer wants them.", "Modifier rules (domain brief §1.4)");
    public static readonly Edit Modifier50NotBilateral = new("modifier-50-not-bilateral", Severity.Warning, true,
        "50 (bilateral) is on a code not marked bilateral-eligible.", "Check the payer's bilateral rules before using 50.", "CPT indicators (bilateral)");
    public static readonly Edit ModifierLiability = new("modifier-liability-exclusive", Severity.Error, false,
        "More than one of GA, GZ and GY is on the same line; they are mutually exclusive.", "Keep the one that matches the ABN situation.", "Modifier rules (domain brief §1.4)");
    public static readonly Edit Modifier59WithX = new("modifier-59-with-x", Severity.Warning, true,
        "59 and an X modifier (XE/XS/XP/XU) are on the same line; most payers want the X modifier alone.", "Drop 59 and keep the more specific X modifier.", "Modifier rules (domain brief §1.4)");
    public static readonly Edit PosNotValid = new("pos-not-valid", Severity.Error, false,
        "The place of service is not in the POS list in force on the date of service.", "Use a two-digit CMS place-of-service code (11 office, 02/10 telehealth…).", "CMS place of service list");
    public static readonly Edit NpiCheckDigit = new("npi-check-digit", Severity.Error, false,
        "An NPI is not 10 digits or fails its check digit (Luhn with the 80840 prefix).", "Copy the NPI again from NPPES.", "CMS NPI check-digit standard");
    public static readonly Edit TaxonomyFormat = new("taxonomy-format", Severity.Error, false,
        "A taxonomy code is not 10 characters ending in X (NUCC format).", "Use the provider's NUCC taxonomy, e.g. 207Q00000X.", "NUCC provider taxonomy");
    public static readonly Edit TimelyFilingNear = new("timely-filing-near", Severity.Warning, false,
        "The payer's timely-filing limit is 30 days or fewer away.", "Submit the claim now; the message says how many days are left.", "Payer timely-filing limit");
    public static readonly Edit TimelyFilingExpired = new("timely-filing-expired", Severity.Error, false,
        "The payer's timely-filing limit has passed.", "Submit only with proof of timely filing (e.g. an earlier rejection); otherwise write off per policy.", "Payer timely-filing limit");
    public static readonly Edit DuplicateClaim = new("duplicate-claim", Severity.Error, false,
        "A claim on file has the same patient, provider, date of service and lines.", "Do not send it again; use frequency 7 to replace the claim on file.", "Claims on file");
    public static readonly Edit DuplicateLine = new("duplicate-line", Severity.Warning, true,
        "The same code and modifiers were already billed for this patient, provider and date on another claim.", "If it is a real repeat, add 76, 77, 91 or a distinct-service modifier; otherwise remove the line.", "Claims on file");
    public static readonly Edit CoverageNotActive = new("coverage-not-active", Severity.Warning, true,
        "The patient's coverage is not active on the date of service.", "Check eligibility; bill the right payer or the patient.", "Coverage on file (270/271)");
    public static readonly Edit Frequency = new("claim-frequency", Severity.Error, false,
        "The frequency code is not 1, 7 or 8, or a replacement/void lacks the payer's claim number.", "Use 1 for a new claim (also after a rejection); 7 or 8 with the payer claim number from the 835.", ClaimData);

    public static readonly IReadOnlyList<Edit> All =
    [
        RequiredData, CodeSetMissing, CodeUnknown, CodeNotBillable, CodeNotValidOnDos, SeventhCharacter, Excludes1,
        ManifestationFirst, CodeFirst, DuplicateDiagnosis, PointerMissing, PointerInvalid, AgeConflict, SexConflict, SexUnknown,
        BirthDateMissing, PtpNotAllowed, PtpModifierNeeded, MueLine, MueDayPolicy, MueDayClinical, Units, Charge,
        ModifierNotValid, ModifierCount, Modifier26Tc, ModifierPcTcNotSplit, Modifier50LtRt, Modifier50NotBilateral,
        ModifierLiability, Modifier59WithX, PosNotValid, NpiCheckDigit, TaxonomyFormat, TimelyFilingNear,
        TimelyFilingExpired, DuplicateClaim, DuplicateLine, CoverageNotActive, Frequency,
    ];

    public static Edit? Find(string id) => All.FirstOrDefault(e => e.Id == id);
}
