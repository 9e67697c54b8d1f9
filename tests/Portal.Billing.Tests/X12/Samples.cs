using Portal.Billing.X12;

namespace Portal.Billing.Tests.X12;

/// <summary>Invented claims for the 837P tests (the domain brief's §3.3 example and the edge cases of issue 11 item 6).</summary>
public static class Samples
{
    public static readonly DateOnly Dos = new(2025, 1, 15);

    public static readonly BillingProvider Maple = new(new PartyName("MAPLE MEDICAL GROUP PC"), "1987654328", "99-1234567",
        "193200000X", new Address("100 MAIN STREET", "SPRINGFIELD", "IL", "627011234"));

    public static readonly BillingProvider Oak = new(new PartyName("OAK FAMILY PRACTICE LLC"), "1234567893", "981234567",
        "207Q00000X", new Address("5 ELM ROAD", "PEORIA", "IL", "616021234")) { PayTo = new Address("PO BOX 77", "PEORIA", "IL", "616020077") };

    public static readonly Subscriber Jane = new(new Person(new PartyName("DOE", "JANE", "Q"),
        new Address("742 OAK AVENUE", "SPRINGFIELD", "IL", "62704"), new DateOnly(1958, 3, 14), "F"), "XJK123456789")
    { GroupNumber = "GRP55501", ClaimFilingIndicator = "12" };

    public static readonly Subscriber John = new(new Person(new PartyName("ROE", "JOHN", Suffix: "JR"),
        new Address("9 PINE STREET", "SPRINGFIELD", "IL", "62704"), new DateOnly(1980, 6, 1), "M"), "XJK555000111")
    { ClaimFilingIndicator = "CI" };

    public static readonly ClaimPayer Acme = new("ACME HEALTH PLAN", "99999");
    public static readonly ClaimPayer Medigap = new("GAP MUTUAL", "88888");

    public static readonly ClaimProvider Rivera = new(new PartyName("RIVERA", "ANA"), "1555123458", "207Q00000X");

    public static Claim BriefExample() => new(Maple, Jane, Acme, "MFM-000123", "11", ["E11.9", "I10", "B07.8"],
    [
        new ServiceLine("99213", 150m, 1, Dos, [1, 2]) { Modifiers = ["25"], LineId = "MFM123L1" },
        new ServiceLine("17110", 200m, 1, Dos, [3]) { LineId = "MFM123L2" },
    ]) { Rendering = Rivera };

    public static ClaimBatch Batch(params Claim[] claims) => new(
        new TradingPartners("SUNRISE CODING AND BILLING", "SUNRISEBILL", "CLAIMS DESK", "555-555-0100", "CLEARHOUSE ONE", "CLEARHOUSE01"),
        new ControlNumbers(101, 101), new DateTimeOffset(2025, 1, 16, 14, 30, 0, TimeSpan.Zero), "BATCH0000101", claims);

    static ServiceLine Line(string code, decimal charge, params int[] pointers) => new(code, charge, 1, Dos, pointers);

    public static Claim PatientNotSubscriber() => new(Maple, John, Acme, "MFM-000200", "11", ["J06.9"], [Line("99213", 120.5m, 1)])
    {
        Patient = new Person(new PartyName("ROE", "EMMA"), new Address("9 PINE STREET", "SPRINGFIELD", "IL", "62704"), new DateOnly(2015, 2, 3), "F"),
        PatientRelationship = "19",
    };

    public static Claim Secondary() => BriefExample() with
    {
        PatientControlNumber = "MFM-000123S",
        Subscriber = Jane with { PayerResponsibility = "S", ClaimFilingIndicator = "CI", GroupNumber = null },
        Payer = Medigap,
        OtherCoverages =
        [
            new OtherCoverage(Jane, Acme)
            {
                PaidAmount = 136m, AdjudicatedOn = new DateOnly(2025, 2, 10),
                Adjustments = [],
            },
        ],
        Lines =
        [
            new ServiceLine("99213", 150m, 1, Dos, [1, 2]) { Modifiers = ["25"], LineId = "MFM123L1",
                OtherPayerAdjudications = [new LineAdjudication("99999", 80m, "99213", 1, new DateOnly(2025, 2, 10))
                    { Modifiers = ["25"], Adjustments = [new Adjustment("CO", "45", 50m), new Adjustment("PR", "3", 20m)] }] },
            new ServiceLine("17110", 200m, 1, Dos, [3]) { LineId = "MFM123L2",
                OtherPayerAdjudications = [new LineAdjudication("99999", 56m, "17110", 1, new DateOnly(2025, 2, 10))
                    { Adjustments = [new Adjustment("CO", "45", 80m), new Adjustment("PR", "1", 50m), new Adjustment("PR", "2", 14m)] }] },
        ],
    };

    public static Claim TwelveDiagnosesFourModifiersNdcReferringAuth() => new(Oak, John, Acme, "OAK-7", "11",
        ["M54.50", "M25.561", "M25.562", "M79.604", "M79.605", "G89.29", "E11.9", "I10", "E78.5", "Z79.4", "R53.83", "K21.9"],
        [
            new ServiceLine("20610", 310.55m, 1, Dos, [1, 2, 3, 4]) { Modifiers = ["50", "59", "XU", "GA"] },
            new ServiceLine("J1100", 12m, 10, Dos, [5, 6, 7, 8]) { Drug = new DrugIdentification("00999123456", 2.5m, "ML"), PlaceOfService = "22" },
            new ServiceLine("99214", 180m, 1, Dos, [9, 10, 11, 12]) { Modifiers = ["25"], DateOfServiceTo = Dos.AddDays(1) },
            new ServiceLine("00400", 450m, 45, Dos, [1]) { UnitType = "MJ" },
        ]) { Referring = new ClaimProvider(new PartyName("SMITH", "PAT"), "1245319599"), PriorAuthorization = "AUTH-778899", Rendering = Rivera };

    public static Claim Corrected() => BriefExample() with { PatientControlNumber = "MFM-000123R", FrequencyCode = "7", PayerClaimControlNumber = "ACME25020100001" };
    public static Claim Void() => BriefExample() with { PatientControlNumber = "MFM-000123V", FrequencyCode = "8", PayerClaimControlNumber = "ACME25020100001" };

    /// <summary>60 lines over 16 diagnoses: the splitter makes claims of ≤ 50 lines and ≤ 12 diagnoses.</summary>
    public static Claim Long()
    {
        var dx = Enumerable.Range(0, 16).Select(i => $"S{60 + i / 10}.{i % 10}12A").ToList();
        var lines = Enumerable.Range(0, 60).Select(i => new ServiceLine("97110", 40m + i, 1, Dos.AddDays(i % 3), [i % 16 + 1, (i + 1) % 16 + 1]) { LineId = $"L{i + 1}" }).ToList();
        return new Claim(Oak, Jane, Acme, "OAK-LONG-000000001", "11", dx, lines);
    }
}
