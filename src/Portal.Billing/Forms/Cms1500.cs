using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Portal.Billing.X12;

namespace Portal.Billing.Forms;

public enum Cms1500Mode
{
    /// <summary>The form's boxes, numbers and captions drawn with the data (plain paper).</summary>
    FullForm,
    /// <summary>Only the data, at the NUCC box positions, for the pre-printed red OCR form.</summary>
    DataOnly,
}

/// <summary>What the 837P claim does not carry but the paper form asks for.</summary>
public sealed record Cms1500Options(Cms1500Mode Mode, DateOnly SignedOn)
{
    public string InsuranceType { get; init; } = "Group";
    public bool EmploymentRelated { get; init; }
    public string? AutoAccidentState { get; init; }
    public bool OtherAccident { get; init; }
    public decimal AmountPaid { get; init; }
    public string? BillingPhone { get; init; }
}

/// <summary>
/// The CMS-1500 (02/12) claim form as PDF. Positions follow the NUCC form's print grid (10 characters per inch, 6 lines
/// per inch; 1500 Health Insurance Claim Form Reference Instruction Manual): data lands in the same place in both modes,
/// so a data-only page prints onto the red form. Six service lines per page (box 24); more lines continue on more
/// pages, each with the claim's header boxes, and box 28 (total) only on the last page (NUCC: "continued" pages leave
/// the total blank). The drawn form is our own box layout with the box numbers and short captions, not NUCC artwork.
/// </summary>
public static class Cms1500
{
    public const int LinesPerPage = 6;
    const double Left = 14, Top = 18, Col = 7.2, Row = 12;
    static readonly XColor Red = XColor.FromArgb(200, 30, 30);

    public static void Write(Claim claim, Cms1500Options options, Stream output)
    {
        FormFonts.Install();
        using var document = new PdfDocument();
        document.Info.Title = $"CMS-1500 {claim.PatientControlNumber}";
        document.Info.Creator = "Portal";
        var data = new XFont(FormFonts.Family, 9);
        var pages = Math.Max(1, (claim.Lines.Count + LinesPerPage - 1) / LinesPerPage);
        for (var p = 0; p < pages; p++)
        {
            var page = document.AddPage();
            page.Width = XUnit.FromInch(8.5);
            page.Height = XUnit.FromInch(11);
            using var g = XGraphics.FromPdfPage(page);
            if (options.Mode == Cms1500Mode.FullForm) DrawForm(g);
            var lines = claim.Lines.Skip(p * LinesPerPage).Take(LinesPerPage).ToList();
            Fill(g, data, claim, options, lines, last: p == pages - 1, page: p + 1, pages);
        }
        document.Save(output, false);
    }

    static double X(double col) => Left + (col - 1) * Col;
    static double Y(double line) => Top + (line - 1) * Row;

    static void Text(XGraphics g, XFont font, string? text, double col, double line)
    {
        if (string.IsNullOrEmpty(text)) return;
        g.DrawString(text, font, XBrushes.Black, X(col), Y(line) + 2, XStringFormats.TopLeft);
    }

    static string Date(DateOnly d) => d.ToString("MM dd yy", CultureInfo.InvariantCulture);
    static string Date8(DateOnly d) => d.ToString("MM dd yyyy", CultureInfo.InvariantCulture);
    static string Money(decimal m) => m.ToString("0.00", CultureInfo.InvariantCulture).Replace('.', ' ');
    static string Name(PartyName n) => n.IsOrganization ? n.LastOrOrganization : $"{n.LastOrOrganization}, {n.First}{(n.Middle is { Length: > 0 } m ? ", " + m[..1] : "")}";
    static string Letter(int pointer) => ((char)('A' + pointer - 1)).ToString();

    static void Fill(XGraphics g, XFont f, Claim c, Cms1500Options o, List<ServiceLine> lines, bool last, int page, int pages)
    {
        var sub = c.Subscriber;
        var patient = c.Patient ?? sub.Person;
        // Carrier block (top right): the payer billed.
        Text(g, f, c.Payer.Name, 50, 2);
        if (c.Payer.Address is { } pa) { Text(g, f, pa.Line1, 50, 3); Text(g, f, $"{pa.City} {pa.State} {pa.PostalCode}", 50, 4); }
        if (pages > 1) Text(g, f, $"PAGE {page} OF {pages}", 50, 5);

        // 1 insurance type, 1a insured's id
        var typeCol = o.InsuranceType switch { "Medicare" => 1, "Medicaid" => 8, "Tricare" => 15, "Champva" => 23, "Group" => 30, "Feca" => 38, _ => 44 };
        Text(g, f, "X", typeCol, 8);
        Text(g, f, sub.MemberId, 50, 8);
        // 2 patient name, 3 birth date and sex, 4 insured's name
        Text(g, f, Name(patient.Name), 1, 10);
        if (patient.DateOfBirth is { } dob) Text(g, f, Date8(dob), 31, 10);
        Text(g, f, "X", patient.Sex == "F" ? 47 : 43, 10);
        Text(g, f, Name(sub.Person.Name), 50, 10);
        // 5 patient address, 6 relationship, 7 insured's address
        if (patient.Address is { } a) { Text(g, f, a.Line1, 1, 12); Text(g, f, a.City, 1, 14); Text(g, f, a.State, 26, 14); Text(g, f, a.PostalCode, 1, 16); }
        var rel = c.PatientIsSubscriber ? 31 : c.PatientRelationship switch { "01" => 36, "19" => 40, _ => 45 };
        Text(g, f, "X", rel, 12);
        if (sub.Person.Address is { } sa) { Text(g, f, sa.Line1, 50, 12); Text(g, f, sa.City, 50, 14); Text(g, f, sa.State, 74, 14); Text(g, f, sa.PostalCode, 50, 16); }
        // 9, 9a, 9d other insured; 11d another plan
        var other = c.OtherCoverages.FirstOrDefault();
        if (other is not null)
        {
            Text(g, f, Name(other.Subscriber.Person.Name), 1, 18);
            Text(g, f, other.Subscriber.GroupNumber ?? other.Subscriber.MemberId, 1, 20);
            Text(g, f, other.Payer.Name, 1, 26);
        }
        Text(g, f, "X", other is not null ? 52 : 57, 26);
        // 10a-c condition related to
        Text(g, f, "X", o.EmploymentRelated ? 35 : 41, 20);
        Text(g, f, "X", o.AutoAccidentState is not null ? 35 : 41, 22);
        Text(g, f, o.AutoAccidentState, 46, 22);
        Text(g, f, "X", o.OtherAccident ? 35 : 41, 24);
        // 11 group number, 11a insured's DOB and sex, 11b-c plan
        Text(g, f, sub.GroupNumber ?? "NONE", 50, 18);
        if (sub.Person.DateOfBirth is { } sdob) { Text(g, f, Date8(sdob), 53, 20); Text(g, f, "X", sub.Person.Sex == "F" ? 75 : 68, 20); }
        Text(g, f, sub.GroupName ?? c.Payer.Name, 50, 24);
        // 12, 13 signatures on file
        Text(g, f, "SIGNATURE ON FILE", 6, 29);
        Text(g, f, Date(o.SignedOn), 38, 29);
        Text(g, f, "SIGNATURE ON FILE", 56, 29);
        // 17 referring (qualifier DN), 17b NPI
        if (c.Referring is { } r) { Text(g, f, "DN " + Name(r.Name), 1, 34); Text(g, f, r.Npi, 34, 34); }
        // 21 ICD indicator 0 (ICD-10-CM) and diagnoses A-L, four per row
        Text(g, f, "0", 37, 37);
        for (var i = 0; i < c.Diagnoses.Count && i < 12; i++)
            Text(g, f, $"{Letter(i + 1)}. {c.Diagnoses[i].Replace(".", "", StringComparison.Ordinal)}", 2 + i % 4 * 12, 38 + i / 4);
        // 22 resubmission code and original reference, 23 prior authorization
        if (c.FrequencyCode is "7" or "8") { Text(g, f, c.FrequencyCode, 50, 38); Text(g, f, c.PayerClaimControlNumber, 62, 38); }
        Text(g, f, c.PriorAuthorization, 50, 40);
        // 24 service lines: the shaded row above each line carries the NDC (N4 + 11 digits, unit, quantity).
        for (var i = 0; i < lines.Count; i++)
        {
            var l = lines[i];
            var y = 45 + i * 2;
            if (l.Drug is { } d) Text(g, f, $"N4{d.Ndc11} {d.UnitCode}{d.Quantity.ToString("0.###", CultureInfo.InvariantCulture)}", 1, y - 1);
            Text(g, f, Date(l.DateOfService), 1, y);
            Text(g, f, Date(l.DateOfServiceTo ?? l.DateOfService), 10, y);
            Text(g, f, l.PlaceOfService ?? c.PlaceOfService, 19, y);
            Text(g, f, l.Code, 25, y);
            for (var m = 0; m < l.Modifiers.Count && m < 4; m++) Text(g, f, l.Modifiers[m], 32 + m * 3, y);
            Text(g, f, string.Concat(l.Pointers.Take(4).Select(Letter)), 45, y);
            Text(g, f, Money(l.Charge), 50, y);
            Text(g, f, l.Units.ToString("0.###", CultureInfo.InvariantCulture), 59, y);
            Text(g, f, (c.Rendering ?? new ClaimProvider(c.BillingProvider.Name, c.BillingProvider.Npi)).Npi, 68, y);
        }
        // 25 federal tax id (EIN), 26 patient account, 27 accept assignment, 28 total (last page only), 29 amount paid
        var bp = c.BillingProvider;
        Text(g, f, new string(bp.TaxId.Where(char.IsAsciiDigit).ToArray()), 1, 57);
        Text(g, f, "X", 19, 57);
        Text(g, f, c.PatientControlNumber, 23, 57);
        Text(g, f, "X", c.AssignmentCode == "A" ? 37 : 42, 57);
        if (last) Text(g, f, Money(c.TotalCharge), 51, 57);
        if (last && o.AmountPaid > 0) Text(g, f, Money(o.AmountPaid), 62, 57);
        // 31 signature of physician, 32 service facility (the billing address), 33 billing provider, 33a NPI
        Text(g, f, "SIGNATURE ON FILE", 1, 60);
        Text(g, f, Date(o.SignedOn), 1, 61);
        Text(g, f, bp.Name.LastOrOrganization, 23, 59);
        Text(g, f, bp.Address.Line1, 23, 60);
        Text(g, f, $"{bp.Address.City} {bp.Address.State} {bp.Address.PostalCode}", 23, 61);
        Text(g, f, bp.Npi, 23, 62);
        Text(g, f, o.BillingPhone, 68, 58);
        Text(g, f, bp.Name.LastOrOrganization, 50, 59);
        Text(g, f, bp.Address.Line1, 50, 60);
        Text(g, f, $"{bp.Address.City} {bp.Address.State} {bp.Address.PostalCode}", 50, 61);
        Text(g, f, bp.Npi, 50, 62);
    }

    // Boxes: (caption, column, first line, width in columns, height in lines).
    static readonly (string Caption, double Col, double Line, double Width, double Height)[] Boxes =
    [
        ("1. MEDICARE   MEDICAID   TRICARE   CHAMPVA   GROUP HEALTH PLAN   FECA BLK LUNG   OTHER", 1, 7, 49, 2),
        ("1a. INSURED'S I.D. NUMBER", 50, 7, 31, 2),
        ("2. PATIENT'S NAME (Last Name, First Name, Middle Initial)", 1, 9, 29, 2),
        ("3. PATIENT'S BIRTH DATE        SEX  M    F", 30, 9, 20, 2),
        ("4. INSURED'S NAME (Last Name, First Name, Middle Initial)", 50, 9, 31, 2),
        ("5. PATIENT'S ADDRESS (No., Street)", 1, 11, 29, 2),
        ("6. PATIENT RELATIONSHIP TO INSURED  Self Spouse Child Other", 30, 11, 20, 2),
        ("7. INSURED'S ADDRESS (No., Street)", 50, 11, 31, 2),
        ("CITY                                    STATE", 1, 13, 29, 2),
        ("8. RESERVED FOR NUCC USE", 30, 13, 20, 4),
        ("CITY                                              STATE", 50, 13, 31, 2),
        ("ZIP CODE            TELEPHONE", 1, 15, 29, 2),
        ("ZIP CODE                  TELEPHONE", 50, 15, 31, 2),
        ("9. OTHER INSURED'S NAME", 1, 17, 29, 2),
        ("10. IS PATIENT'S CONDITION RELATED TO:", 30, 17, 20, 2),
        ("11. INSURED'S POLICY GROUP OR FECA NUMBER", 50, 17, 31, 2),
        ("a. OTHER INSURED'S POLICY OR GROUP NUMBER", 1, 19, 29, 2),
        ("a. EMPLOYMENT? (Current or Previous)  YES  NO", 30, 19, 20, 2),
        ("a. INSURED'S DATE OF BIRTH         SEX  M    F", 50, 19, 31, 2),
        ("b. RESERVED FOR NUCC USE", 1, 21, 29, 2),
        ("b. AUTO ACCIDENT?  YES  NO  PLACE (State)", 30, 21, 20, 2),
        ("b. OTHER CLAIM ID (Designated by NUCC)", 50, 21, 31, 2),
        ("c. RESERVED FOR NUCC USE", 1, 23, 29, 2),
        ("c. OTHER ACCIDENT?  YES  NO", 30, 23, 20, 2),
        ("c. INSURANCE PLAN NAME OR PROGRAM NAME", 50, 23, 31, 2),
        ("d. INSURANCE PLAN NAME OR PROGRAM NAME", 1, 25, 29, 2),
        ("10d. CLAIM CODES (Designated by NUCC)", 30, 25, 20, 2),
        ("d. IS THERE ANOTHER HEALTH BENEFIT PLAN?  YES  NO", 50, 25, 31, 2),
        ("12. PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE", 1, 27, 49, 3),
        ("13. INSURED'S OR AUTHORIZED PERSON'S SIGNATURE", 50, 27, 31, 3),
        ("14. DATE OF CURRENT ILLNESS, INJURY, or PREGNANCY (LMP)", 1, 31, 22, 2),
        ("15. OTHER DATE", 23, 31, 27, 2),
        ("16. DATES PATIENT UNABLE TO WORK IN CURRENT OCCUPATION", 50, 31, 31, 2),
        ("17. NAME OF REFERRING PROVIDER OR OTHER SOURCE", 1, 33, 29, 2),
        ("17a.        17b. NPI", 30, 33, 20, 2),
        ("18. HOSPITALIZATION DATES RELATED TO CURRENT SERVICES", 50, 33, 31, 2),
        ("19. ADDITIONAL CLAIM INFORMATION (Designated by NUCC)", 1, 35, 49, 2),
        ("20. OUTSIDE LAB?  $ CHARGES", 50, 35, 31, 2),
        ("21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  Relate A-L to service line below (24E)   ICD Ind.", 1, 37, 49, 5),
        ("22. RESUBMISSION CODE     ORIGINAL REF. NO.", 50, 37, 31, 2),
        ("23. PRIOR AUTHORIZATION NUMBER", 50, 39, 31, 3),
        ("24. A. DATE(S) OF SERVICE From / To     B. POS  C. EMG  D. PROCEDURES, SERVICES, OR SUPPLIES (CPT/HCPCS  MODIFIER)  E. DIAGNOSIS POINTER  F. $ CHARGES  G. DAYS OR UNITS  H.  I. ID QUAL  J. RENDERING PROVIDER ID. #", 1, 42, 80, 2),
        ("25. FEDERAL TAX I.D. NUMBER   SSN EIN", 1, 56, 21, 2),
        ("26. PATIENT'S ACCOUNT NO.", 22, 56, 14, 2),
        ("27. ACCEPT ASSIGNMENT?  YES NO", 36, 56, 14, 2),
        ("28. TOTAL CHARGE", 50, 56, 11, 2),
        ("29. AMOUNT PAID", 61, 56, 10, 2),
        ("30. Rsvd for NUCC Use", 71, 56, 10, 2),
        ("31. SIGNATURE OF PHYSICIAN OR SUPPLIER INCLUDING DEGREES OR CREDENTIALS", 1, 58, 21, 5),
        ("32. SERVICE FACILITY LOCATION INFORMATION          32a. NPI", 22, 58, 28, 5),
        ("33. BILLING PROVIDER INFO & PH #          33a. NPI", 50, 58, 31, 5),
    ];

    static void DrawForm(XGraphics g)
    {
        var pen = new XPen(Red, 0.6);
        var thin = new XPen(Red, 0.3);
        var caption = new XFont(FormFonts.Family, 4.6);
        var title = new XFont(FormFonts.Family, 13, XFontStyleEx.Bold);
        var brush = new XSolidBrush(Red);
        g.DrawString("HEALTH INSURANCE CLAIM FORM", title, brush, X(1), Y(5) - 4, XStringFormats.TopLeft);
        g.DrawString("APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12", caption, brush, X(1), Y(6) + 2, XStringFormats.TopLeft);
        foreach (var (text, col, line, width, height) in Boxes)
        {
            g.DrawRectangle(pen, X(col), Y(line) + 1, width * Col, height * Row);
            g.DrawString(text, caption, brush, X(col) + 1.5, Y(line) + 2, XStringFormats.TopLeft);
        }
        // Box 24: six lines, each a shaded supplemental row over the service row, with the column rules.
        var shade = new XSolidBrush(XColor.FromArgb(40, 200, 30, 30));
        for (var i = 0; i < LinesPerPage; i++)
        {
            var top = Y(44 + i * 2) + 1;
            g.DrawRectangle(shade, X(1), top, 80 * Col, Row);
            g.DrawRectangle(pen, X(1), top, 80 * Col, 2 * Row);
            g.DrawString((i + 1).ToString(CultureInfo.InvariantCulture), caption, brush, X(81) + 2, top + Row, XStringFormats.TopLeft);
        }
        foreach (var col in new double[] { 10, 19, 22, 25, 32, 35, 38, 41, 45, 50, 59, 63, 65, 68 })
            g.DrawLine(thin, X(col) - 2, Y(44) + 1, X(col) - 2, Y(56) + 1);
    }
}
