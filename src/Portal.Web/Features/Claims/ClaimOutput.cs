using Marten;
using Portal.Web.Features.Intake;
using X12 = Portal.Billing.X12;

namespace Portal.Web.Features.Claims;

/// <summary>
/// Who bills: the practice's billing organization (CMS-1500 boxes 25 and 33; 837P loop 2010AA). One document per practice,
/// id = the practice id, in the practice's tenant. PayTo* only when payments go elsewhere (a lockbox).
/// </summary>
public sealed record BillingProfile(Guid Id, string OrganizationName, string Npi, string TaxId, string Taxonomy,
    string AddressLine1, string? AddressLine2, string City, string State, string PostalCode, string ContactName, string ContactPhone,
    string? PayToLine1 = null, string? PayToCity = null, string? PayToState = null, string? PayToPostalCode = null,
    string? UpdatedBy = null, DateTimeOffset? UpdatedAt = null, long Revision = 0)
{
    public static Task<BillingProfile?> For(IQuerySession session, Guid practiceId, CancellationToken ct) =>
        session.LoadAsync<BillingProfile>(practiceId, ct);
}

/// <summary>
/// A claim as it goes out: the billing core's <see cref="X12.Claim"/> from the claim snapshot, the practice's billing profile and
/// the patient. The one mapping for the 837P and the CMS-1500, so the paper and the electronic claim say the same thing.
/// </summary>
public static class ClaimOutput
{
    /// <summary>Loads the patient and the billing profile; null when either is missing (no profile yet: the caller says so).</summary>
    public static async Task<X12.Claim?> ToX12Async(IQuerySession session, ClaimView claim, Guid practiceId, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var patient = batch.Load<Patient>(claim.PatientId);
        var profile = batch.Load<BillingProfile>(practiceId);
        await batch.Execute(ct);
        return await patient is { } p && await profile is { } b ? ToX12(claim, b, p) : null;
    }

    public static X12.Claim ToX12(ClaimView claim, BillingProfile profile, Patient patient)
    {
        var d = patient.Demographics;
        var patientPerson = new X12.Person(new X12.PartyName(d.LastName, d.FirstName), Address(d.Address), d.BirthDate, Sex(d.Sex));
        var self = claim.Coverage.Relationship is "Self" or "18";
        var subscriberPerson = self ? patientPerson : new X12.Person(Name(claim.Coverage.SubscriberName), null, null, null);
        var subscriber = new X12.Subscriber(subscriberPerson, claim.Coverage.MemberId)
        {
            PayerResponsibility = claim.Coverage.Responsibility,
            GroupNumber = claim.Coverage.GroupNumber,
        };
        var billing = new X12.BillingProvider(new X12.PartyName(profile.OrganizationName), profile.Npi, profile.TaxId, profile.Taxonomy,
            new X12.Address(profile.AddressLine1, profile.City, profile.State, profile.PostalCode, profile.AddressLine2),
            profile.ContactName, profile.ContactPhone)
        {
            PayTo = profile.PayToLine1 is { } pay && profile.PayToCity is { } city && profile.PayToState is { } st && profile.PayToPostalCode is { } zip
                ? new X12.Address(pay, city, st, zip) : null,
        };
        var lines = claim.Lines.Select(l => new X12.ServiceLine(l.Code, l.Charge, l.Units, l.DateOfService, l.Pointers)
        {
            Modifiers = l.Modifiers,
            PlaceOfService = l.PlaceOfService is { } pos && pos != claim.PlaceOfService ? pos : null,
            LineId = $"{claim.PatientControlNumber}-{l.Line}",
            Drug = l.Ndc11 is { } ndc && l.NdcQuantity is { } qty ? new X12.DrugIdentification(ndc, qty, l.NdcUnit ?? "UN") : null,
            OtherPayerAdjudications = LineAdjudications(claim, l),
        }).ToArray();
        return new X12.Claim(billing, subscriber, new X12.ClaimPayer(claim.Coverage.PayerName, claim.Coverage.ClearinghousePayerId),
            claim.PatientControlNumber, claim.PlaceOfService, [.. claim.Diagnoses.OrderBy(x => x.Sequence).Select(x => x.Code)], lines)
        {
            Patient = self ? null : patientPerson,
            PatientRelationship = self ? null : Relationship(claim.Coverage.Relationship),
            FrequencyCode = claim.FrequencyCode,
            PayerClaimControlNumber = claim.PayerClaimControlNumber,
            PriorAuthorization = claim.PriorAuthorization,
            Referring = claim.ReferringProvider is { } r ? Provider(r) : null,
            Rendering = claim.RenderingProvider.Npi == profile.Npi ? null : Provider(claim.RenderingProvider),
            OtherCoverages = [.. claim.OtherPayers.Select(o => OtherCoverage(o, patientPerson))],
        };
    }

    /// <summary>
    /// A payer that paid before this claim (COB, loops 2320/2330A/2330B) with its claim-level amounts; its line adjudications
    /// (loop 2430) go on the lines they concern, matched by our line number (the 835 echoes REF*6R) or else by code.
    /// </summary>
    static X12.OtherCoverage OtherCoverage(ClaimOtherPayer o, X12.Person patient)
    {
        var self = o.Relationship is "Self" or "18";
        var subscriber = new X12.Subscriber(self ? patient : new X12.Person(Name(o.SubscriberName), null, null, null), o.MemberId)
        {
            PayerResponsibility = o.Responsibility,
            GroupNumber = o.GroupNumber,
        };
        return new X12.OtherCoverage(subscriber, new X12.ClaimPayer(o.PayerName, o.ClearinghousePayerId))
        {
            RelationshipCode = self ? "18" : Relationship(o.Relationship),
            PaidAmount = o.Paid,
            AdjudicatedOn = o.AdjudicatedOn,
            // Line-level adjustments travel in 2430; only what the payer adjusted on the claim as a whole stays here.
            Adjustments = o.Lines.Length > 0 ? [] : [.. o.Adjustments.Select(a => new X12.Adjustment(a.Group, a.Reason, a.Amount, a.Quantity))],
        };
    }

    static X12.LineAdjudication[] LineAdjudications(ClaimView claim, ClaimLine line) =>
        [.. claim.OtherPayers.SelectMany(o => o.Lines
            .Where(p => p.Line == line.Line || p.Line is null && p.Code == line.Code)
            .Select(p => new X12.LineAdjudication(o.ClearinghousePayerId, p.Paid, p.Code, p.Units, o.AdjudicatedOn ?? line.DateOfService)
            {
                Modifiers = line.Modifiers,
                Adjustments = [.. p.Adjustments.Select(a => new X12.Adjustment(a.Group, a.Reason, a.Amount, a.Quantity))],
            }))];

    static X12.ClaimProvider Provider(ClaimProviderRef p) => new(Name(p.Name), p.Npi, p.Taxonomy);

    /// <summary>"Last, First Middle" or "First Middle Last" → a person's name parts; a single word is an organization.</summary>
    static X12.PartyName Name(string name)
    {
        var n = name.Trim();
        var comma = n.IndexOf(',');
        if (comma > 0)
        {
            var rest = n[(comma + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return new X12.PartyName(n[..comma].Trim(), rest.FirstOrDefault() ?? "", rest.Length > 1 ? rest[1] : null);
        }
        var parts = n.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 0 && parts[0].EndsWith('.')) parts = parts[1..]; // "Dr. Noah Park"
        return parts.Length switch
        {
            0 => new X12.PartyName(n),
            1 => new X12.PartyName(parts[0]),
            2 => new X12.PartyName(parts[1], parts[0]),
            _ => new X12.PartyName(parts[^1], parts[0], parts[1]),
        };
    }

    static X12.Address? Address(Intake.Address? a) =>
        a is null ? null : new X12.Address(a.Line1, a.City, a.State, a.PostalCode, a.Line2);

    static string Sex(Sex sex) => sex switch { Intake.Sex.Female => "F", Intake.Sex.Male => "M", _ => "U" };

    /// <summary>PAT01 / SBR02 individual relationship codes.</summary>
    static string Relationship(string relationship) => relationship switch
    {
        "Spouse" => "01",
        "Child" => "19",
        _ => "G8",
    };
}
