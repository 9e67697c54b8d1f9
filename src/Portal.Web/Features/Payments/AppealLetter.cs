using PdfSharp.Drawing;
using PdfSharp.Drawing.Layout;
using PdfSharp.Pdf;
using Portal.Billing.Forms;
using Portal.Web.Features.Claims;

namespace Portal.Web.Features.Payments;

/// <summary>
/// The appeal letter of a denial work item (PDFsharp, DejaVu Sans as the CMS-1500 uses): a fixed template filled with the claim
/// and denial facts — payer, patient, claim and payer claim numbers, date of service, billed and denied amounts, each CARC/RARC in
/// plain words — and the biller's argument. Letter size, one or more pages.
/// </summary>
public static class AppealLetter
{
    public static IReadOnlyList<string> Paragraphs(DenialWorkItem item, ClaimView? claim, BillingProfile? profile, int level, string? argument, DateOnly today)
    {
        var from = profile is null ? "The practice" : $"{profile.OrganizationName}, NPI {profile.Npi}";
        var lines = new List<string>
        {
            today.ToString("MMMM d, yyyy", System.Globalization.CultureInfo.InvariantCulture),
            $"To: {item.PayerName} — Appeals / Provider Disputes",
            $"From: {from}",
            $"Re: Level {level} appeal — claim {item.PatientControlNumber}" + (item.PayerClaimNumber is { Length: > 0 } n ? $", payer claim number {n}" : ""),
            $"Patient: {item.PatientName}" + (claim is null ? "" : $" (member id {claim.Coverage.MemberId})") +
                $"; date of service {item.DateOfService:MM/dd/yyyy}; billed {item.Charge:0.00}; denied {item.DeniedAmount:0.00}.",
            "We ask you to reconsider the denial of this claim. The remittance gave these reasons:",
        };
        foreach (var r in item.Reasons)
        {
            lines.Add($"  • {ReasonText.Describe(r.Group, r.Carc)} ({r.Amount:0.00}{(r.Line is { Length: > 0 } l ? $", line {l}" : "")})");
            foreach (var rarc in r.Remarks) lines.Add($"      Remark {rarc}: {ReasonText.Rarc(rarc)}");
        }
        if (claim is not null)
            foreach (var l in claim.Lines)
                lines.Add($"  Line {l.Line}: {l.Code}{(l.Modifiers.Length > 0 ? "-" + string.Join("-", l.Modifiers) : "")} × {l.Units:0.##}, {l.Charge:0.00}");
        lines.Add(argument is { Length: > 0 }
            ? argument
            : $"The service was medically necessary, correctly coded and billed within your filing limits. {item.NextAction}");
        lines.Add("Enclosed are the records that support this appeal. Please reprocess the claim and pay it under the plan's terms.");
        lines.Add("Sincerely,");
        lines.Add(profile?.ContactName is { Length: > 0 } c ? $"{c}, {profile.ContactPhone}" : "Billing office");
        return lines;
    }

    public static byte[] Render(DenialWorkItem item, ClaimView? claim, BillingProfile? profile, int level, string? argument, DateOnly today)
    {
        FormFonts.Install();
        using var document = new PdfDocument();
        document.Info.Title = $"Appeal level {level}, claim {item.PatientControlNumber}";
        var font = new XFont(FormFonts.Family, 10.5);
        var bold = new XFont(FormFonts.Family, 14, XFontStyleEx.Bold);
        PdfPage page = null!;
        XGraphics g = null!;
        double y = 0;
        void NewPage()
        {
            g?.Dispose();
            page = document.AddPage();
            page.Width = XUnit.FromInch(8.5);
            page.Height = XUnit.FromInch(11);
            g = XGraphics.FromPdfPage(page);
            y = 72;
        }
        NewPage();
        g.DrawString("Request for reconsideration (appeal)", bold, XBrushes.Black, new XPoint(72, y));
        y += 30;
        var width = page.Width.Point - 144;
        foreach (var paragraph in Paragraphs(item, claim, profile, level, argument, today))
        {
            var height = Math.Ceiling(paragraph.Length * 5.6 / width + 1) * 14;
            if (y + height > page.Height.Point - 72) NewPage();
            new XTextFormatter(g).DrawString(paragraph, font, XBrushes.Black, new XRect(72, y, width, height));
            y += height + 6;
        }
        g.Dispose();
        using var stream = new MemoryStream();
        document.Save(stream, false);
        return stream.ToArray();
    }
}
