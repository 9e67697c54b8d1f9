namespace Portal.Billing.Remittance;

/// <summary>A whole 835 file: the interchange and one payment (ST…SE transaction: one check or EFT) per transaction.</summary>
public sealed record Era(string SenderId, string ReceiverId, string InterchangeControlNumber, bool Production, IReadOnlyList<EraPayment> Payments);

/// <summary>
/// One 835 transaction set: the payment (BPR), its trace (TRN), payer and payee, the claims (2100, with their LX header
/// number) and the provider-level adjustments (PLB).
/// </summary>
public sealed record EraPayment(
    string ControlNumber,
    int Segment,
    string Handling,            // BPR01: I remittance + payment, H notification only, C payment accompanies remittance…
    decimal Amount,             // BPR02: total actual provider payment
    string CreditDebit,         // BPR03: C or D
    string Method,              // BPR04: ACH, CHK, BOP, FWT, NON
    string Format,              // BPR05: CCP, CTX… ("" for checks)
    DateOnly? EffectiveDate,    // BPR16: check issue or EFT effective date
    string TraceNumber,         // TRN02: check or EFT trace number (reassociation key)
    string TraceOriginator,     // TRN03: payer's originating company id
    DateOnly? ProductionDate,   // DTM*405
    EraParty Payer,
    EraParty Payee,
    IReadOnlyList<EraClaim> Claims,
    IReadOnlyList<ProviderAdjustment> ProviderAdjustments)
{
    /// <summary>The payer's id for idempotency and routing: REF*2U, else N1*PR04, else TRN03.</summary>
    public string PayerId => Payer.References.FirstOrDefault(r => r.Qualifier == "2U")?.Value
        ?? (Payer.Id.Length > 0 ? Payer.Id : TraceOriginator);
}

public sealed record EraReference(string Qualifier, string Value);

/// <summary>An N1 loop (payer PR or payee PE): name, id qualifier (XX NPI, FI TIN, XV plan id…), id and its REFs.</summary>
public sealed record EraParty(string Name, string IdQualifier, string Id, IReadOnlyList<EraReference> References);

/// <summary>An NM1 person or organisation in a claim: QC patient, IL insured, 74 corrected insured, 82 rendering, TT crossover, PR corrected payer.</summary>
public sealed record EraName(string Entity, string Last, string First, string Middle, string IdQualifier, string Id);

/// <summary>One CAS triplet: group (CO, PR, OA, PI, CR), CARC, amount (positive reduces payment) and quantity.</summary>
public sealed record Adjustment(string Group, string Reason, decimal Amount, decimal? Quantity);

/// <summary>A composite procedure: qualifier (HC, AD, ER, IV, N4…), code and up to four modifiers.</summary>
public sealed record Procedure(string Qualifier, string Code, IReadOnlyList<string> Modifiers)
{
    public override string ToString() => Modifiers.Count == 0 ? $"{Qualifier}:{Code}" : $"{Qualifier}:{Code}:{string.Join(':', Modifiers)}";
}

/// <summary>CLP and its loop 2100 (claim payment information) with its service lines (2110).</summary>
public sealed record EraClaim(
    int Segment,
    int HeaderNumber,                   // LX01 of the group it sits in
    string PatientControlNumber,        // CLP01 = the claim's CLM01
    string Status,                      // CLP02
    decimal Charge,                     // CLP03
    decimal Paid,                       // CLP04
    decimal? PatientResponsibility,     // CLP05
    string FilingIndicator,             // CLP06
    string PayerClaimNumber,            // CLP07
    string FacilityCode,                // CLP08
    string Frequency,                   // CLP09
    IReadOnlyList<Adjustment> Adjustments,
    IReadOnlyList<EraName> Names,
    IReadOnlyList<string> InpatientAdjudication,   // MIA elements as sent
    IReadOnlyList<string> OutpatientAdjudication,  // MOA elements as sent (MOA03..07 are RARCs)
    IReadOnlyList<EraReference> References,
    DateOnly? StatementFrom,            // DTM*232
    DateOnly? StatementTo,              // DTM*233
    DateOnly? Received,                 // DTM*050
    IReadOnlyDictionary<string, decimal> Amounts,   // AMT: AU coverage, I interest, D8 discount, F5 patient paid…
    IReadOnlyDictionary<string, decimal> Quantities,
    IReadOnlyList<EraServiceLine> Lines)
{
    public EraName? Patient => Names.FirstOrDefault(n => n.Entity == "QC");
    public EraName? Insured => Names.FirstOrDefault(n => n.Entity == "IL");
    public EraName? CorrectedInsured => Names.FirstOrDefault(n => n.Entity == "74");
    public EraName? Rendering => Names.FirstOrDefault(n => n.Entity == "82");
    public decimal Interest => Amounts.GetValueOrDefault("I");
    public bool IsReversal => Status == "22";
    public bool IsDenied => Status == "4";
    public bool IsForwarded => Status is "19" or "20" or "21" or "23";

    /// <summary>Remark codes of the claim (MOA03–MOA07).</summary>
    public IEnumerable<string> Remarks => OutpatientAdjudication.Skip(2).Take(5).Where(r => r.Length > 0);
}

/// <summary>SVC and its loop 2110.</summary>
public sealed record EraServiceLine(
    int Segment,
    Procedure Procedure,                // SVC01: what was paid
    decimal Charge,                     // SVC02
    decimal Paid,                       // SVC03
    string RevenueCode,                 // SVC04
    decimal? UnitsPaid,                 // SVC05 (1 when absent)
    Procedure? OriginalProcedure,       // SVC06: what was billed, when the payer recoded
    decimal? OriginalUnits,             // SVC07
    DateOnly? ServiceFrom,              // DTM*472 or DTM*150
    DateOnly? ServiceTo,                // DTM*472 or DTM*151
    IReadOnlyList<Adjustment> Adjustments,
    IReadOnlyList<EraReference> References,
    IReadOnlyDictionary<string, decimal> Amounts,
    IReadOnlyDictionary<string, decimal> Quantities,
    IReadOnlyList<string> Remarks)      // LQ*HE (RARC) codes
{
    /// <summary>REF*6R: the line item control number the claim sent (the best key to the claim line).</summary>
    public string? LineControlNumber => References.FirstOrDefault(r => r.Qualifier == "6R")?.Value;

    /// <summary>AMT*B6: allowed, when the payer sends it (informational, not part of balancing).</summary>
    public decimal? Allowed => Amounts.TryGetValue("B6", out var a) ? a : null;
}

/// <summary>One PLB adjustment (a PLB segment carries up to six): reason (WO, FB, L6, 72, J1…), its identifier, amount.
/// Positive amounts were withheld from this payment, negative ones added to it.</summary>
public sealed record ProviderAdjustment(int Segment, string ProviderId, DateOnly? FiscalPeriodEnd, string Reason, string Reference, decimal Amount);
