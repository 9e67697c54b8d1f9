using System.Text.RegularExpressions;
using R4 = Hl7.Fhir.Model;

namespace Portal.Web.Features.Fhir;

/// <summary>
/// The code systems and identifier systems Portal reads and writes in FHIR R4 (docs/fhir.md has the table). The URIs are the
/// ones HL7 Terminology and US Core name; the identifier types are HL7 v2 table 0203.
/// </summary>
public static partial class FhirSystems
{
    public const string Icd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
    public const string Cpt = "http://www.ama-assn.org/go/cpt";
    public const string Hcpcs = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
    public const string HcpcsHttp = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
    public const string Npi = "http://hl7.org/fhir/sid/us-npi";
    public const string PlaceOfService = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set";
    public const string Nucc = "http://nucc.org/provider-taxonomy";
    public const string IdentifierType = "http://terminology.hl7.org/CodeSystem/v2-0203";
    public const string SubscriberRelationship = "http://terminology.hl7.org/CodeSystem/subscriber-relationship";
    public const string CoverageClass = "http://terminology.hl7.org/CodeSystem/coverage-class";
    public const string ActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    public const string ClaimType = "http://terminology.hl7.org/CodeSystem/claim-type";
    public const string ProcessPriority = "http://terminology.hl7.org/CodeSystem/processpriority";
    public const string Adjudication = "http://terminology.hl7.org/CodeSystem/adjudication";
    public const string CareTeamRole = "http://terminology.hl7.org/CodeSystem/claimcareteamrole";
    public const string PayeeType = "http://terminology.hl7.org/CodeSystem/payeetype";
    public const string Carc = "https://x12.org/codes/claim-adjustment-reason-codes";
    public const string Rarc = "https://x12.org/codes/remittance-advice-remark-codes";
    public const string CasGroup = "https://x12.org/codes/claim-adjustment-group-codes";
    public const string ClaimFrequency = "https://www.nubc.org/CodeSystem/TypeOfBill";

    /// <summary>The MRN: a Patient identifier typed MR (any system: each EHR has its own).</summary>
    public const string MedicalRecordNumber = "MR";
    /// <summary>The payer id the practice's clearinghouse assigns: an Organization (or Coverage.payor) identifier typed NIIP.</summary>
    public const string PayerIdType = "NIIP";
    /// <summary>A Coverage member id may also come as an identifier typed MB when subscriberId is absent.</summary>
    public const string MemberIdType = "MB";

    public static bool IsHcpcsSystem(string? system) => system is Hcpcs or HcpcsHttp;

    public static bool HasType(this R4.Identifier identifier, string code) =>
        identifier.Type?.Coding.Any(c => c.Code == code && (c.System is null or IdentifierType)) == true;

    public static R4.CodeableConcept Concept(string system, string code, string? display = null) =>
        new() { Coding = [new R4.Coding(system, code, display)] };

    public static R4.CodeableConcept IdentifierTypeOf(string code) => Concept(IdentifierType, code);

    [GeneratedRegex("^[A-TV-Z][0-9][0-9A-Z](\\.?[0-9A-Z]{1,4})?$")]
    public static partial Regex Icd10CmCode();

    [GeneratedRegex("^[0-9]{4}[0-9A-Z]$")]
    public static partial Regex CptCode();

    [GeneratedRegex("^[A-V][0-9]{4}$")]
    public static partial Regex HcpcsCode();
}
