using System.Globalization;

namespace Portal.Billing.X12;

/// <summary>
/// Writes a claim batch as one 837P 005010X222A1 interchange (ISA/GS/ST … SE/GE/IEA) straight to a TextWriter,
/// segment by segment: nothing but the segment being written is held as text. Claims are grouped under one 2000A
/// per billing provider, one 2000B per subscriber and payer, and one 2000C per patient who is not the subscriber, in
/// the order they first appear. Claims of more than 50 lines or 12 diagnoses must be split first (ClaimSplitter).
/// </summary>
public static class Edi837Writer
{
    public const string Version = "005010X222A1";

    public static void Write(ClaimBatch batch, Stream output, Separators? separators = null)
    {
        using var writer = new StreamWriter(output, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        Write(batch, writer, separators);
    }

    public static void Write(ClaimBatch batch, TextWriter output, Separators? separators = null)
    {
        var s = new SegmentWriter(output, separators ?? Separators.Default);
        foreach (var claim in batch.Claims) Check(claim);
        var p = batch.Partners;
        var at = batch.CreatedAt;

        s.Begin("ISA").E("00").E("          ").E("00").E("          ").E(p.SenderQualifier).E(Pad(p.SubmitterId, 15))
            .E(p.ReceiverQualifier).E(Pad(p.ReceiverId, 15)).E(at.ToString("yyMMdd", CultureInfo.InvariantCulture))
            .E(at.ToString("HHmm", CultureInfo.InvariantCulture)).Raw(s.Sep.Repetition).E("00501")
            .E(batch.Control.Interchange.ToString("D9", CultureInfo.InvariantCulture)).E(p.RequestTa1 ? "1" : "0")
            .E(p.Usage.ToString()).Raw(s.Sep.Component).EndFixed();
        s.Begin("GS").E("HC").E(p.SubmitterId).E(p.ReceiverId).E(at.ToString("yyyyMMdd", CultureInfo.InvariantCulture))
            .E(at.ToString("HHmm", CultureInfo.InvariantCulture)).E(batch.Control.Group.ToString(CultureInfo.InvariantCulture))
            .E("X").E(Version).End();

        s.Counting = true;
        s.Begin("ST").E("837").E(batch.Control.TransactionSet).E(Version).End();
        s.Begin("BHT").E("0019").E("00").E(batch.BatchId).E(at.ToString("yyyyMMdd", CultureInfo.InvariantCulture))
            .E(at.ToString("HHmm", CultureInfo.InvariantCulture)).E("CH").End();
        s.Begin("NM1").E("41").E("2").T(p.SubmitterName).E().E().E().E().E("46").E(p.SubmitterId).End();
        s.Begin("PER").E("IC").T(p.ContactName).E("TE").E(Digits(p.ContactPhone)).End();
        s.Begin("NM1").E("40").E("2").T(p.ReceiverName).E().E().E().E().E("46").E(p.ReceiverId).End();

        var hl = 0;
        foreach (var byProvider in batch.Claims.GroupBy(c => c.BillingProvider))
        {
            var providerHl = ++hl;
            var bp = byProvider.Key;
            s.Begin("HL").E(providerHl).E().E("20").E("1").End();
            s.Begin("PRV").E("BI").E("PXC").E(bp.Taxonomy).End();
            Name(s, "85", bp.Name, "XX", bp.Npi);
            Addr(s, bp.Address);
            s.Begin("REF").E("EI").E(Digits(bp.TaxId)).End();
            if (bp.PayTo is { } payTo)
            {
                s.Begin("NM1").E("87").E("2").End();
                Addr(s, payTo);
            }
            // A subscriber who is the patient has no child HL; dependants' claims hang under 2000C patient levels, so
            // one subscriber can appear twice (own claims, then dependants').
            foreach (var bySubscriber in byProvider.GroupBy(c => (c.Subscriber, c.Payer, Self: c.PatientIsSubscriber)))
            {
                var subscriberHl = ++hl;
                var (sub, payer, self) = bySubscriber.Key;
                s.Begin("HL").E(subscriberHl).E(providerHl).E("22").E(self ? "0" : "1").End();
                s.Begin("SBR").E(sub.PayerResponsibility).E(self ? "18" : "").T(sub.GroupNumber).T(sub.GroupName)
                    .E().E().E().E().E(sub.ClaimFilingIndicator).End();
                Name(s, "IL", sub.Person.Name, "MI", sub.MemberId);
                if (sub.Person.Address is { } subAddress) Addr(s, subAddress);
                if (self || sub.Person.DateOfBirth is not null) Demographics(s, sub.Person);
                Name(s, "PR", new PartyName(payer.Name), "PI", payer.PayerId);
                if (payer.Address is { } payerAddress) Addr(s, payerAddress);
                if (self)
                {
                    foreach (var claim in bySubscriber) ClaimLoop(s, claim);
                    continue;
                }
                foreach (var byPatient in bySubscriber.GroupBy(c => (c.Patient!, c.PatientRelationship!)))
                {
                    var (patient, relationship) = byPatient.Key;
                    s.Begin("HL").E(++hl).E(subscriberHl).E("23").E("0").End();
                    s.Begin("PAT").E(relationship).End();
                    Name(s, "QC", patient.Name, null, null);
                    if (patient.Address is { } patientAddress) Addr(s, patientAddress);
                    Demographics(s, patient);
                    foreach (var claim in byPatient) ClaimLoop(s, claim);
                }
            }
        }

        s.Begin("SE").E(s.Count + 1).E(batch.Control.TransactionSet).End();
        s.Counting = false;
        s.Begin("GE").E("1").E(batch.Control.Group.ToString(CultureInfo.InvariantCulture)).End();
        s.Begin("IEA").E("1").E(batch.Control.Interchange.ToString("D9", CultureInfo.InvariantCulture)).End();
        output.Flush();
    }

    static void ClaimLoop(SegmentWriter s, Claim c)
    {
        s.Begin("CLM").T(c.PatientControlNumber).M(c.TotalCharge).E().E()
            .C(c.PlaceOfService, "B", c.FrequencyCode).E(c.ProviderSignatureOnFile ? "Y" : "N").E(c.AssignmentCode)
            .E(c.BenefitsAssigned).E(c.ReleaseOfInformation).End();
        if (c.PriorAuthorization is { Length: > 0 } auth) s.Begin("REF").E("G1").T(auth).End();
        if (c.FrequencyCode is "7" or "8") s.Begin("REF").E("F8").T(c.PayerClaimControlNumber).End();

        s.Begin("HI");
        for (var i = 0; i < c.Diagnoses.Count; i++) s.C(i == 0 ? "ABK" : "ABF", Dotless(c.Diagnoses[i]));
        s.End();

        if (c.Referring is { } referring) Name(s, "DN", referring.Name, "XX", referring.Npi);
        if (c.Rendering is { } rendering)
        {
            Name(s, "82", rendering.Name, "XX", rendering.Npi);
            if (rendering.Taxonomy is { } taxonomy) s.Begin("PRV").E("PE").E("PXC").E(taxonomy).End();
        }

        foreach (var other in c.OtherCoverages)
        {
            var os = other.Subscriber;
            s.Begin("SBR").E(os.PayerResponsibility).E(other.RelationshipCode).T(os.GroupNumber).T(os.GroupName)
                .E().E().E().E().E(os.ClaimFilingIndicator).End();
            foreach (var group in other.Adjustments.GroupBy(a => a.Group)) Cas(s, group.Key, group);
            if (other.PaidAmount is { } paid) s.Begin("AMT").E("D").M(paid).End();
            s.Begin("OI").E().E().E(c.BenefitsAssigned).E().E().E(c.ReleaseOfInformation).End();
            Name(s, "IL", os.Person.Name, "MI", os.MemberId);
            if (os.Person.Address is { } a) Addr(s, a);
            Name(s, "PR", new PartyName(other.Payer.Name), "PI", other.Payer.PayerId);
            if (other.AdjudicatedOn is { } on) s.Begin("DTP").E("573").E("D8").D(on).End();
        }

        for (var i = 0; i < c.Lines.Count; i++)
        {
            var line = c.Lines[i];
            s.Begin("LX").E(i + 1).End();
            s.Begin("SV1").Procedure(line.ProcedureQualifier, line.Code, line.Modifiers).M(line.Charge).E(line.UnitType).Q(line.Units)
                .E(line.PlaceOfService is { } pos && pos != c.PlaceOfService ? pos : "").E().Pointers(line.Pointers).End();
            s.Begin("DTP").E("472");
            if (line.DateOfServiceTo is { } to && to != line.DateOfService) s.E("RD8").Span(line.DateOfService, to);
            else s.E("D8").D(line.DateOfService);
            s.End();
            if (line.LineId is { Length: > 0 } lineId) s.Begin("REF").E("6R").T(lineId).End();
            if (line.Drug is { } drug)
            {
                s.Begin("LIN").E().E("N4").E(drug.Ndc11).End();
                s.Begin("CTP").E().E().E().Q(drug.Quantity).C(drug.UnitCode).End();
            }
            foreach (var adj in line.OtherPayerAdjudications)
            {
                s.Begin("SVD").E(adj.PayerId).M(adj.PaidAmount).Procedure(line.ProcedureQualifier, adj.Code, adj.Modifiers).E().Q(adj.Units).End();
                foreach (var group in adj.Adjustments.GroupBy(a => a.Group)) Cas(s, group.Key, group);
                s.Begin("DTP").E("573").E("D8").D(adj.AdjudicatedOn).End();
            }
        }
    }

    // A CAS segment holds six reason/amount/quantity triplets; more reasons of one group start another CAS.
    static void Cas(SegmentWriter s, string group, IEnumerable<Adjustment> adjustments)
    {
        var n = 0;
        foreach (var a in adjustments)
        {
            if (n % 6 == 0)
            {
                if (n > 0) s.End();
                s.Begin("CAS").E(group);
            }
            s.E(a.Reason).M(a.Amount);
            if (a.Quantity is { } q) s.Q(q); else s.E();
            n++;
        }
        if (n > 0) s.End();
    }

    static void Name(SegmentWriter s, string entity, PartyName name, string? idQualifier, string? id)
    {
        s.Begin("NM1").E(entity).E(name.IsOrganization ? "2" : "1").T(name.LastOrOrganization).T(name.First).T(name.Middle).E().T(name.Suffix);
        if (idQualifier is not null) s.E(idQualifier).T(id);
        s.End();
    }

    static void Addr(SegmentWriter s, Address a)
    {
        s.Begin("N3").T(a.Line1).T(a.Line2).End();
        s.Begin("N4").T(a.City).E(a.State).E(Digits(a.PostalCode)).End();
    }

    static void Demographics(SegmentWriter s, Person p)
    {
        if (p.DateOfBirth is not { } dob) return;
        s.Begin("DMG").E("D8").D(dob).E(p.Sex is "F" or "M" ? p.Sex : "U").End();
    }

    static void Check(Claim c)
    {
        if (c.Lines.Count is 0 or > 50) throw new ArgumentException($"Claim {c.PatientControlNumber}: an 837P claim has 1 to 50 service lines (has {c.Lines.Count}); split it with ClaimSplitter.");
        if (c.Diagnoses.Count is 0 or > 12) throw new ArgumentException($"Claim {c.PatientControlNumber}: an 837P claim has 1 to 12 diagnoses (has {c.Diagnoses.Count}); split it with ClaimSplitter.");
        if (c.FrequencyCode is "7" or "8" && string.IsNullOrEmpty(c.PayerClaimControlNumber))
            throw new ArgumentException($"Claim {c.PatientControlNumber}: frequency {c.FrequencyCode} needs the payer's claim number (REF*F8).");
        if (!c.PatientIsSubscriber && string.IsNullOrEmpty(c.PatientRelationship))
            throw new ArgumentException($"Claim {c.PatientControlNumber}: a patient who is not the subscriber needs the relationship code (PAT01).");
    }

    static string Pad(string value, int width) => value.Length >= width ? value[..width] : value.PadRight(width);

    static string Digits(string value)
    {
        Span<char> buffer = stackalloc char[value.Length];
        var n = 0;
        foreach (var ch in value) if (char.IsAsciiDigit(ch)) buffer[n++] = ch;
        return n == value.Length ? value : new string(buffer[..n]);
    }

    static string Dotless(string code) => code.Contains('.') ? code.Replace(".", "", StringComparison.Ordinal).ToUpperInvariant() : code.ToUpperInvariant();
}
