using Marten;
using Portal.Billing.Forms;
using Portal.Web.Features.Intake;
using Portal.Web.Platform;

namespace Portal.Web.Features.Claims;

/// <summary>The billing profile as a practice admin or biller sends it (PUT /billing-profile and the billing profile page).</summary>
public sealed record BillingProfileInput(string? OrganizationName, string? Npi, string? TaxId, string? Taxonomy, string? AddressLine1,
    string? AddressLine2, string? City, string? State, string? PostalCode, string? ContactName, string? ContactPhone,
    string? PayToLine1 = null, string? PayToCity = null, string? PayToState = null, string? PayToPostalCode = null)
{
    public static BillingProfileInput From(BillingProfile? p) => p is null
        ? new(null, null, null, null, null, null, null, null, null, null, null)
        : new(p.OrganizationName, p.Npi, p.TaxId, p.Taxonomy, p.AddressLine1, p.AddressLine2, p.City, p.State, p.PostalCode, p.ContactName,
            p.ContactPhone, p.PayToLine1, p.PayToCity, p.PayToState, p.PayToPostalCode);
}

public static class BillingProfiles
{
    public static long VersionOf(BillingProfile profile) => Math.Max(1, profile.Revision);

    /// <summary>Checks every field (422 naming each), then stores the profile with the next revision; a stale If-Match gives 412.</summary>
    public static async Task<BillingProfile> Save(IDocumentSession session, Guid practiceId, BillingProfileInput input, long? expected, string by,
        TimeProvider clock, CancellationToken ct)
    {
        var current = await BillingProfile.For(session, practiceId, ct);
        if (expected is { } v && (current is null || VersionOf(current) != v))
            throw new RefusedContent(412, "The resource has changed since you read it",
                "Someone else saved a newer billing profile. Reload it, then apply your change again.");
        static string? T(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
        var zip = T(input.PostalCode)?.Replace("-", "");
        var phone = new string((T(input.ContactPhone) ?? "").Where(char.IsAsciiDigit).ToArray());
        var taxId = T(input.TaxId)?.Replace("-", "");
        var line1 = T(input.AddressLine1);
        var payToZip = T(input.PayToPostalCode)?.Replace("-", "");
        var payTo = T(input.PayToLine1) is not null || T(input.PayToCity) is not null || T(input.PayToState) is not null || payToZip is not null;
        new FieldErrors()
            .Check(T(input.OrganizationName) is { Length: <= 60 }, "organizationName", "The billing organization's name (at most 60 characters).")
            .Check(Identifiers.IsValidNpi(T(input.Npi)), "npi", "A 10-digit NPI with a valid check digit.")
            .Check(taxId is { Length: 9 } && taxId.All(char.IsAsciiDigit), "taxId", "The EIN: 9 digits (12-3456789).")
            .Check(Identifiers.IsValidTaxonomy(T(input.Taxonomy)), "taxonomy", "A 10-character provider taxonomy code, e.g. 207Q00000X.")
            .Check(line1 is { Length: <= 55 } && !PoBox(line1), "addressLine1", "The street address (no PO box: 2010AA must be a physical address).")
            .Check(T(input.City) is { Length: <= 30 }, "city", "The city (at most 30 characters).")
            .Check(T(input.State) is { Length: 2 } st && st.All(char.IsAsciiLetterUpper), "state", "The two-letter state code, e.g. IL.")
            .Check(zip is { Length: 9 } && zip.All(char.IsAsciiDigit), "postalCode", "The ZIP+4 (9 digits): the 837P needs all nine for the billing provider.")
            .Check(T(input.ContactName) is { Length: <= 60 }, "contactName", "Who payers call about claims.")
            .Check(phone.Length == 10, "contactPhone", "A 10-digit phone number.")
            .Check(!payTo || T(input.PayToLine1) is not null && T(input.PayToCity) is not null && T(input.PayToState) is { Length: 2 }
                && payToZip is { Length: 5 or 9 } && payToZip.All(char.IsAsciiDigit), "payToLine1",
                "A pay-to address needs street, city, state and ZIP, or leave all four empty.")
            .ThrowIfAny("The billing profile is incomplete.");
        var profile = new BillingProfile(practiceId, T(input.OrganizationName)!, T(input.Npi)!, taxId!, T(input.Taxonomy)!, line1!,
            T(input.AddressLine2), T(input.City)!, T(input.State)!, zip!, T(input.ContactName)!, phone,
            payTo ? T(input.PayToLine1) : null, payTo ? T(input.PayToCity) : null, payTo ? T(input.PayToState) : null, payTo ? payToZip : null,
            by, clock.GetUtcNow(), (current is null ? 0 : VersionOf(current)) + 1);
        session.Store(profile);
        await session.SaveChangesAsync(ct);
        return profile;
    }

    static bool PoBox(string line) =>
        System.Text.RegularExpressions.Regex.IsMatch(line, @"\bP\.?\s*O\.?\s*BOX\b|\bPOST\s+OFFICE\s+BOX\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
}

/// <summary>The claim on paper: ClaimOutput's claim (the same one the 837P gets) drawn by the billing core's CMS-1500.</summary>
public static class ClaimForms
{
    public static async Task<byte[]> Cms1500Pdf(IQuerySession session, ClaimView claim, Guid practiceId, Cms1500Mode mode, DateOnly today,
        CancellationToken ct)
    {
        var x12 = await ClaimOutput.ToX12Async(session, claim, practiceId, ct)
            ?? throw new RuleViolation("Fill in the practice's billing profile (boxes 25 and 33) before printing claims.", "no-billing-profile");
        var profile = await BillingProfile.For(session, practiceId, ct);
        using var pdf = new MemoryStream();
        Cms1500.Write(x12, new Cms1500Options(mode, today)
        {
            AmountPaid = claim.OtherPayers.Sum(o => o.Paid),
            BillingPhone = profile?.ContactPhone,
        }, pdf);
        return pdf.ToArray();
    }
}
