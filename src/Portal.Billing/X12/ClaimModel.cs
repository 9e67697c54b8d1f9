namespace Portal.Billing.X12;

// The claim as it goes out: everything an 837P 005010X222A1 (and the CMS-1500) needs. The scrubber's input
// (Portal.Billing.Scrubbing.Claim) is the smaller, all-optional shape that is checked before a claim gets here.

public sealed record Address(string Line1, string City, string State, string PostalCode, string? Line2 = null);

/// <summary>A person or organization in an NM1: last name (or organization name), first, middle, suffix.</summary>
public sealed record PartyName(string LastOrOrganization, string? First = null, string? Middle = null, string? Suffix = null)
{
    public bool IsOrganization => First is null;
}

/// <summary>2010AA / box 33: the organization paid for the claim (Type 2 NPI, EIN, taxonomy, street address).</summary>
public sealed record BillingProvider(PartyName Name, string Npi, string TaxId, string Taxonomy, Address Address,
    string? ContactName = null, string? Phone = null)
{
    /// <summary>2010AB: where payment goes when not the billing address (a PO box, for instance).</summary>
    public Address? PayTo { get; init; }
}

/// <summary>A provider on the claim (referring 2310A / box 17, rendering 2310B / box 24J).</summary>
public sealed record ClaimProvider(PartyName Name, string Npi, string? Taxonomy = null);

public sealed record Person(PartyName Name, Address? Address, DateOnly? DateOfBirth, string? Sex);

/// <summary>2000B / 2010BA: the policy holder of the payer billed on this claim.</summary>
public sealed record Subscriber(Person Person, string MemberId)
{
    /// <summary>SBR01: P primary, S secondary, T tertiary (this payer's place in the order).</summary>
    public string PayerResponsibility { get; init; } = "P";
    public string? GroupNumber { get; init; }
    public string? GroupName { get; init; }
    /// <summary>SBR09: MB Medicare B, MC Medicaid, 12 PPO, HM HMO, 16 MA HMO, CI commercial, BL BCBS, WC…</summary>
    public string ClaimFilingIndicator { get; init; } = "CI";
}

public sealed record ClaimPayer(string Name, string PayerId, Address? Address = null);

/// <summary>A CAS triplet: group (CO, PR, OA, PI), CARC, amount, optional quantity.</summary>
public sealed record Adjustment(string Group, string Reason, decimal Amount, decimal? Quantity = null);

/// <summary>2320/2330A/2330B: another payer on a secondary (or tertiary) claim, with its adjudication.</summary>
public sealed record OtherCoverage(Subscriber Subscriber, ClaimPayer Payer)
{
    /// <summary>2320 SBR02: the patient's relationship to the other subscriber (18 self, 01 spouse, 19 child, G8 other).</summary>
    public string RelationshipCode { get; init; } = "18";
    /// <summary>AMT*D: what that payer paid on the claim (835 CLP04).</summary>
    public decimal? PaidAmount { get; init; }
    /// <summary>Claim-level CAS from that payer's remittance.</summary>
    public IReadOnlyList<Adjustment> Adjustments { get; init; } = [];
    /// <summary>DTP*573: when that payer adjudicated the claim.</summary>
    public DateOnly? AdjudicatedOn { get; init; }
}

/// <summary>2430: another payer's adjudication of one line (835 SVC + CAS).</summary>
public sealed record LineAdjudication(string PayerId, decimal PaidAmount, string Code, decimal Units, DateOnly AdjudicatedOn)
{
    public IReadOnlyList<string> Modifiers { get; init; } = [];
    public IReadOnlyList<Adjustment> Adjustments { get; init; } = [];
}

/// <summary>2410: the drug on a line, NDC in the 11-digit 5-4-2 form (LIN*N4, CTP quantity and unit F2/GR/ME/ML/UN).</summary>
public sealed record DrugIdentification(string Ndc11, decimal Quantity, string UnitCode);

public sealed record ServiceLine(string Code, decimal Charge, decimal Units, DateOnly DateOfService, IReadOnlyList<int> Pointers)
{
    public IReadOnlyList<string> Modifiers { get; init; } = [];
    /// <summary>SV103: UN units or MJ anesthesia minutes.</summary>
    public string UnitType { get; init; } = "UN";
    /// <summary>SV105: only when different from the claim's.</summary>
    public string? PlaceOfService { get; init; }
    public DateOnly? DateOfServiceTo { get; init; }
    /// <summary>REF*6R: the line id payers echo in the 835.</summary>
    public string? LineId { get; init; }
    public DrugIdentification? Drug { get; init; }
    public IReadOnlyList<LineAdjudication> OtherPayerAdjudications { get; init; } = [];
    /// <summary>HCPCS (HC) codes in SV101-1; the 837P uses HC for CPT and HCPCS alike.</summary>
    public string ProcedureQualifier { get; init; } = "HC";
}

public sealed record Claim(
    BillingProvider BillingProvider,
    Subscriber Subscriber,
    ClaimPayer Payer,
    string PatientControlNumber,
    string PlaceOfService,
    IReadOnlyList<string> Diagnoses,
    IReadOnlyList<ServiceLine> Lines)
{
    /// <summary>Null when the patient is the subscriber; otherwise the patient (2000C/2010CA).</summary>
    public Person? Patient { get; init; }
    /// <summary>PAT01 when the patient is not the subscriber: 01 spouse, 19 child, 20 employee, 21 unknown, 39 organ donor, 40 cadaver donor, 53 life partner, G8 other.</summary>
    public string? PatientRelationship { get; init; }
    /// <summary>CLM05-3: 1 original, 7 replacement, 8 void.</summary>
    public string FrequencyCode { get; init; } = "1";
    /// <summary>REF*F8 / box 22: the payer's claim number (835 CLP07) of the claim a 7 or 8 replaces.</summary>
    public string? PayerClaimControlNumber { get; init; }
    public string? PriorAuthorization { get; init; }
    public ClaimProvider? Referring { get; init; }
    /// <summary>Only when the rendering provider is not the billing provider.</summary>
    public ClaimProvider? Rendering { get; init; }
    public IReadOnlyList<OtherCoverage> OtherCoverages { get; init; } = [];
    /// <summary>CLM06, CLM07, CLM08, CLM09.</summary>
    public bool ProviderSignatureOnFile { get; init; } = true;
    public string AssignmentCode { get; init; } = "A";
    public string BenefitsAssigned { get; init; } = "Y";
    public string ReleaseOfInformation { get; init; } = "Y";

    /// <summary>CLM02 = Σ SV102 (box 28).</summary>
    public decimal TotalCharge
    {
        get { var t = 0m; foreach (var l in Lines) t += l.Charge; return t; }
    }

    public bool PatientIsSubscriber => Patient is null;
}

/// <summary>Who sends the interchange (1000A, ISA06, GS02) and who receives it (1000B, ISA08, GS03).</summary>
public sealed record TradingPartners(string SubmitterName, string SubmitterId, string ContactName, string ContactPhone,
    string ReceiverName, string ReceiverId)
{
    public string SenderQualifier { get; init; } = "ZZ";
    public string ReceiverQualifier { get; init; } = "ZZ";
    /// <summary>ISA15: T test, P production.</summary>
    public char Usage { get; init; } = 'P';
    /// <summary>ISA14: ask for a TA1.</summary>
    public bool RequestTa1 { get; init; } = true;
}

/// <summary>The control numbers the caller persists: ISA13 (1–999999999), GS06, ST02.</summary>
public sealed record ControlNumbers(long Interchange, long Group, string TransactionSet = "0001");

public sealed record ClaimBatch(TradingPartners Partners, ControlNumbers Control, DateTimeOffset CreatedAt, string BatchId,
    IReadOnlyList<Claim> Claims);

/// <summary>Delimiters; the defaults are the common ones (element *, component :, repetition ^, segment ~).</summary>
public sealed record Separators(char Element = '*', char Component = ':', char Repetition = '^', char Segment = '~')
{
    public static readonly Separators Default = new();
}
