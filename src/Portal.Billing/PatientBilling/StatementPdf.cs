using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Portal.Billing.Forms;

namespace Portal.Billing.PatientBilling;

/// <summary>The practice as its statements show it (its branding: name, remit-to address, phone for billing questions).</summary>
public sealed record StatementPractice(string Name, string[] AddressLines, string? Phone);

/// <summary>One visit on a statement: what was billed, what insurance paid and adjusted, and what is left for the patient.</summary>
public sealed record StatementVisit(DateOnly DateOfService, string Description, decimal Charges, decimal InsurancePaid,
    decimal Adjustments, decimal PatientPaid, decimal PatientOwes);

/// <summary>Everything one printed statement says, frozen when the run issued it.</summary>
public sealed record Statement(Guid Id, StatementPractice Practice, string PatientName, string[] MailingAddress, string AccountNumber,
    DateOnly StatementDate, Notice Notice, DateOnly DueDate, decimal AmountDue, IReadOnlyList<StatementVisit> Visits,
    decimal PaymentsSinceLastStatement, string? PayOnlineUrl, string? PlanNote = null);

/// <summary>
/// A patient statement on US Letter: practice header, patient and account box, amount due and due date, itemised visits with
/// insurance paid and adjusted, and the pay-online address. Visits beyond one page continue on further pages. DejaVu Sans,
/// the way the CMS-1500 form embeds it (<see cref="FormFonts"/>).
/// </summary>
public static class StatementPdf
{
    const int VisitsFirstPage = 18, VisitsPerPage = 34;

    public static byte[] Render(Statement statement)
    {
        using var stream = new MemoryStream();
        Write([statement], stream);
        return stream.ToArray();
    }

    /// <summary>Several statements in one PDF (a print batch): each starts on a new page.</summary>
    public static void Write(IEnumerable<Statement> statements, Stream output)
    {
        FormFonts.Install();
        using var document = new PdfDocument();
        document.Info.Creator = "Portal";
        document.Info.Title = "Patient statements";
        var fonts = new Fonts();
        var any = false;
        foreach (var s in statements)
        {
            any = true;
            Draw(document, fonts, s);
        }
        if (!any) document.AddPage();
        document.Save(output, false);
    }

    sealed class Fonts
    {
        public readonly XFont Title = new(FormFonts.Family, 16, XFontStyleEx.Bold);
        public readonly XFont Bold = new(FormFonts.Family, 9.5, XFontStyleEx.Bold);
        public readonly XFont Text = new(FormFonts.Family, 9.5);
        public readonly XFont Small = new(FormFonts.Family, 8);
        public readonly XFont Big = new(FormFonts.Family, 14, XFontStyleEx.Bold);
    }

    static string M(decimal m) => m.ToString("$#,##0.00;-$#,##0.00", CultureInfo.InvariantCulture);
    static string D(DateOnly d) => d.ToString("MM/dd/yyyy", CultureInfo.InvariantCulture);

    public static string NoticeTitle(Notice notice) => notice switch
    {
        Notice.First => "Statement",
        Notice.Second => "Second notice",
        _ => "Final notice",
    };

    static void Draw(PdfDocument document, Fonts f, Statement s)
    {
        var pages = 1 + Math.Max(0, (s.Visits.Count - VisitsFirstPage + VisitsPerPage - 1) / VisitsPerPage);
        var visit = 0;
        for (var p = 0; p < pages; p++)
        {
            var page = document.AddPage();
            page.Width = XUnit.FromInch(8.5);
            page.Height = XUnit.FromInch(11);
            using var g = XGraphics.FromPdfPage(page);
            double y = 40;
            g.DrawString(s.Practice.Name, f.Title, XBrushes.Black, 40, y, XStringFormats.TopLeft);
            y += 22;
            foreach (var line in s.Practice.AddressLines.Where(l => l.Length > 0))
            {
                g.DrawString(line, f.Text, XBrushes.Black, 40, y, XStringFormats.TopLeft);
                y += 12;
            }
            if (s.Practice.Phone is { Length: > 0 } phone)
                g.DrawString($"Billing questions: {phone}", f.Text, XBrushes.Black, 40, y, XStringFormats.TopLeft);
            g.DrawString(NoticeTitle(s.Notice), f.Big, XBrushes.Black, 572, 40, XStringFormats.TopRight);
            g.DrawString($"Page {p + 1} of {pages}", f.Small, XBrushes.Black, 572, 60, XStringFormats.TopRight);

            if (p == 0)
            {
                y = 130;
                g.DrawString(s.PatientName, f.Bold, XBrushes.Black, 40, y, XStringFormats.TopLeft);
                var ay = y + 13;
                foreach (var line in s.MailingAddress.Where(l => l.Length > 0))
                {
                    g.DrawString(line, f.Text, XBrushes.Black, 40, ay, XStringFormats.TopLeft);
                    ay += 12;
                }
                var box = new XRect(330, y - 6, 242, 92);
                g.DrawRectangle(new XPen(XColors.Black, 0.8), box);
                Row(g, f, "Account", s.AccountNumber, y);
                Row(g, f, "Statement date", D(s.StatementDate), y + 14);
                Row(g, f, "Payments since last statement", M(s.PaymentsSinceLastStatement), y + 28);
                g.DrawString("Amount due", f.Bold, XBrushes.Black, 338, y + 46, XStringFormats.TopLeft);
                g.DrawString(M(s.AmountDue), f.Big, XBrushes.Black, 564, y + 43, XStringFormats.TopRight);
                Row(g, f, "Please pay by", D(s.DueDate), y + 66);
                y = 240;
                if (s.PayOnlineUrl is { Length: > 0 } url)
                {
                    g.DrawString("Pay online (card):", f.Bold, XBrushes.Black, 40, y, XStringFormats.TopLeft);
                    g.DrawString(url, f.Small, XBrushes.Black, 40, y + 13, XStringFormats.TopLeft);
                    y += 30;
                }
                if (s.PlanNote is { Length: > 0 } note)
                {
                    g.DrawString(note, f.Text, XBrushes.Black, 40, y, XStringFormats.TopLeft);
                    y += 16;
                }
                y += 8;
            }
            else y = 100;

            string[] heads = ["Date", "Service", "Charges", "Insurance paid", "Adjusted", "You paid", "You owe"];
            double[] xs = [40, 100, 330, 400, 460, 515, 572];
            for (var i = 0; i < heads.Length; i++)
                g.DrawString(heads[i], f.Bold, XBrushes.Black, xs[i], y, i < 2 ? XStringFormats.TopLeft : XStringFormats.TopRight);
            y += 14;
            g.DrawLine(new XPen(XColors.Gray, 0.5), 40, y, 572, y);
            y += 4;
            var take = p == 0 ? VisitsFirstPage : VisitsPerPage;
            foreach (var v in s.Visits.Skip(visit).Take(take))
            {
                string[] cells = [D(v.DateOfService), Clip(v.Description, 38), M(v.Charges), M(v.InsurancePaid), M(v.Adjustments), M(v.PatientPaid), M(v.PatientOwes)];
                for (var i = 0; i < cells.Length; i++)
                    g.DrawString(cells[i], f.Text, XBrushes.Black, xs[i], y, i < 2 ? XStringFormats.TopLeft : XStringFormats.TopRight);
                y += 14;
            }
            visit += take;
            if (p == pages - 1)
            {
                y += 6;
                g.DrawLine(new XPen(XColors.Gray, 0.5), 40, y, 572, y);
                g.DrawString("Amount due", f.Bold, XBrushes.Black, 515, y + 6, XStringFormats.TopRight);
                g.DrawString(M(s.AmountDue), f.Bold, XBrushes.Black, 572, y + 6, XStringFormats.TopRight);
                g.DrawString("Only amounts your insurance assigned to you (deductible, coinsurance, copay, non-covered) are billed to you.",
                    f.Small, XBrushes.Black, 40, 740, XStringFormats.TopLeft);
            }
        }
    }

    static void Row(XGraphics g, Fonts f, string label, string value, double y)
    {
        g.DrawString(label, f.Text, XBrushes.Black, 338, y, XStringFormats.TopLeft);
        g.DrawString(value, f.Text, XBrushes.Black, 564, y, XStringFormats.TopRight);
    }

    static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
