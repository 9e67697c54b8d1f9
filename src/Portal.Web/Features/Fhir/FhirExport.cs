using Portal.Web.Features.Claims;
using R4 = Hl7.Fhir.Model;

namespace Portal.Web.Features.Fhir;

/// <summary>
/// A claim as FHIR R4 Claim (professional, what the 837P said) and ExplanationOfBenefit (what the payer's 835s posted to it). Built from
/// the claim stream's snapshot (<see cref="ClaimView"/>) and its <see cref="ClaimPaymentPosted"/> events; reversals are posted with
/// negative amounts, so sums over the events are the adjudication as it stands. Mapping table: docs/fhir.md.
/// </summary>
public static class FhirExport
{
    public static R4.Claim Claim(ClaimView c)
    {
        var claim = new R4.Claim
        {
            Id = c.Id.ToString(),
            Identifier = [new R4.Identifier { Type = FhirSystems.Concept(FhirSystems.IdentifierType, "FILL", "Filler Identifier"), Value = c.PatientControlNumber }],
            Status = c.State == ClaimState.Voided ? R4.FinancialResourceStatusCodes.Cancelled
                : c.State is ClaimState.Draft or ClaimState.Ready ? R4.FinancialResourceStatusCodes.Draft
                : R4.FinancialResourceStatusCodes.Active,
            Type = FhirSystems.Concept(FhirSystems.ClaimType, "professional", "Professional"),
            Use = R4.ClaimUseCode.Claim,
            Patient = Patient(c),
            BillablePeriod = new R4.Period { Start = Date(c.DateOfService), End = Date(c.DateOfService) },
            Created = c.CreatedAt.ToString("yyyy-MM-ddTHH:mm:sszzz"),
            Insurer = Insurer(c),
            Provider = ProviderRef(c.BillingProvider),
            Priority = FhirSystems.Concept(FhirSystems.ProcessPriority, "normal", "Normal"),
            CareTeam = [new R4.Claim.CareTeamComponent
            {
                Sequence = 1, Provider = ProviderRef(c.RenderingProvider),
                Role = FhirSystems.Concept(FhirSystems.CareTeamRole, "primary", "Primary provider"),
            }],
            Diagnosis = [.. c.Diagnoses.Select(d => new R4.Claim.DiagnosisComponent
            {
                Sequence = d.Sequence, Diagnosis = FhirSystems.Concept(FhirSystems.Icd10Cm, d.Code),
            })],
            Insurance = [new R4.Claim.InsuranceComponent { Sequence = 1, Focal = true, Coverage = CoverageRef(c) }],
            Item = [.. c.Lines.Select(l => new R4.Claim.ItemComponent
            {
                Sequence = l.Line,
                CareTeamSequence = [1],
                DiagnosisSequence = [.. l.Pointers.Select(p => (int?)p)],
                ProductOrService = Service(l.Code),
                Modifier = [.. l.Modifiers.Select(m => FhirSystems.Concept(FhirSystems.Cpt, m))],
                Serviced = new R4.Date(Date(l.DateOfService)),
                Location = FhirSystems.Concept(FhirSystems.PlaceOfService, l.PlaceOfService ?? c.PlaceOfService),
                Quantity = new R4.Quantity { Value = l.Units },
                UnitPrice = Money(l.Units == 0 ? l.Charge : Math.Round(l.Charge / l.Units, 2)),
                Net = Money(l.Charge),
            })],
            Total = Money(c.TotalCharge),
        };
        if (c.OriginalClaimId is { } original)
            claim.Related = [new R4.Claim.RelatedClaimComponent
            {
                Claim = new R4.ResourceReference($"Claim/{original}"),
                Relationship = FhirSystems.Concept("http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship", "prior", "Prior Claim"),
                Reference = c.PayerClaimControlNumber is { } icn ? new R4.Identifier { Value = icn } : null,
            }];
        return claim;
    }

    /// <summary>The payer's adjudication of the claim: every posted claim payment summed (claim and lines), with CAS groups and CARCs.</summary>
    public static R4.ExplanationOfBenefit ExplanationOfBenefit(ClaimView c, IReadOnlyList<ClaimPaymentPosted> payments)
    {
        var lines = payments.SelectMany(p => p.Lines).ToList();
        var eob = new R4.ExplanationOfBenefit
        {
            Id = c.Id.ToString(),
            Identifier = [.. new[] { c.PayerClaimNumber }.OfType<string>().Select(n => new R4.Identifier
            {
                Type = FhirSystems.Concept("http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType", "payerid", "Payer ID"), Value = n,
            })],
            Status = R4.ExplanationOfBenefit.ExplanationOfBenefitStatus.Active,
            Type = FhirSystems.Concept(FhirSystems.ClaimType, "professional", "Professional"),
            Use = R4.ClaimUseCode.Claim,
            Patient = Patient(c),
            BillablePeriod = new R4.Period { Start = Date(c.DateOfService), End = Date(c.DateOfService) },
            Created = payments.Max(p => p.At).ToString("yyyy-MM-ddTHH:mm:sszzz"),
            Insurer = Insurer(c),
            Provider = ProviderRef(c.BillingProvider),
            Claim = new R4.ResourceReference($"Claim/{c.Id}"),
            Outcome = R4.ClaimProcessingCodes.Complete,
            Disposition = Labels.Of(c.State),
            CareTeam = [new R4.ExplanationOfBenefit.CareTeamComponent
            {
                Sequence = 1, Provider = ProviderRef(c.RenderingProvider),
                Role = FhirSystems.Concept(FhirSystems.CareTeamRole, "primary", "Primary provider"),
            }],
            Diagnosis = [.. c.Diagnoses.Select(d => new R4.ExplanationOfBenefit.DiagnosisComponent
            {
                Sequence = d.Sequence, Diagnosis = FhirSystems.Concept(FhirSystems.Icd10Cm, d.Code),
            })],
            Insurance = [new R4.ExplanationOfBenefit.InsuranceComponent { Focal = true, Coverage = CoverageRef(c) }],
            Item = [.. c.Lines.Select(l =>
            {
                // 835 SVC lines name the claim line (REF*6R) or, failing that, its code.
                var posted = lines.Where(p => p.Line == l.Line || (p.Line is null && p.Code == l.Code)).ToList();
                return new R4.ExplanationOfBenefit.ItemComponent
                {
                    Sequence = l.Line,
                    CareTeamSequence = [1],
                    DiagnosisSequence = [.. l.Pointers.Select(p => (int?)p)],
                    ProductOrService = Service(l.Code),
                    Modifier = [.. l.Modifiers.Select(m => FhirSystems.Concept(FhirSystems.Cpt, m))],
                    Serviced = new R4.Date(Date(l.DateOfService)),
                    Location = FhirSystems.Concept(FhirSystems.PlaceOfService, l.PlaceOfService ?? c.PlaceOfService),
                    Quantity = new R4.Quantity { Value = l.Units },
                    Net = Money(l.Charge),
                    Adjudication = Adjudication(l.Charge, posted.Sum(p => p.Paid),
                        posted.Any(p => p.Allowed is not null) ? posted.Sum(p => p.Allowed ?? 0m) : null,
                        posted.SelectMany(p => p.Adjustments)),
                };
            })],
            Payment = new R4.ExplanationOfBenefit.PaymentComponent
            {
                Date = Date(payments.Where(p => !p.Reversal).Select(p => p.PaymentDate).DefaultIfEmpty(payments[^1].PaymentDate).Max()),
                Amount = Money(payments.Sum(p => p.Paid)),
            },
        };
        var adjustments = payments.SelectMany(p => p.Adjustments).ToList();
        eob.Total =
        [
            Total(FhirSystems.Adjudication, "submitted", "Submitted Amount", c.TotalCharge),
            Total(FhirSystems.Adjudication, "benefit", "Benefit Amount", payments.Sum(p => p.Paid)),
            .. adjustments.GroupBy(a => a.Group).OrderBy(g => g.Key)
                .Select(g => Total(FhirSystems.CasGroup, g.Key, GroupName(g.Key), g.Sum(a => a.Amount))),
        ];
        var remarks = lines.SelectMany(l => l.RemarkCodes).Distinct().ToList();
        if (remarks.Count > 0)
            eob.ProcessNote = [.. remarks.Select((r, i) => new R4.ExplanationOfBenefit.NoteComponent { Number = i + 1, Text = $"RARC {r}" })];
        return eob;
    }

    static List<R4.ExplanationOfBenefit.AdjudicationComponent> Adjudication(decimal charge, decimal paid, decimal? allowed,
        IEnumerable<PostedAdjustment> adjustments)
    {
        var list = new List<R4.ExplanationOfBenefit.AdjudicationComponent>
        {
            new() { Category = FhirSystems.Concept(FhirSystems.Adjudication, "submitted", "Submitted Amount"), Amount = Money(charge) },
        };
        if (allowed is { } a)
            list.Add(new() { Category = FhirSystems.Concept(FhirSystems.Adjudication, "eligible", "Eligible Amount"), Amount = Money(a) });
        list.Add(new() { Category = FhirSystems.Concept(FhirSystems.Adjudication, "benefit", "Benefit Amount"), Amount = Money(paid) });
        foreach (var g in adjustments.GroupBy(x => (x.Group, x.Reason)).Where(g => g.Sum(x => x.Amount) != 0m))
            list.Add(new()
            {
                Category = FhirSystems.Concept(FhirSystems.CasGroup, g.Key.Group, GroupName(g.Key.Group)),
                Reason = FhirSystems.Concept(FhirSystems.Carc, g.Key.Reason),
                Amount = Money(g.Sum(x => x.Amount)),
            });
        return list;
    }

    static R4.ExplanationOfBenefit.TotalComponent Total(string system, string code, string display, decimal amount) =>
        new() { Category = FhirSystems.Concept(system, code, display), Amount = Money(amount) };

    static string GroupName(string group) => group switch
    {
        "CO" => "Contractual Obligations", "PR" => "Patient Responsibility", "OA" => "Other Adjustments",
        "PI" => "Payor Initiated Reductions", "CR" => "Corrections and Reversals", _ => group,
    };

    static R4.ResourceReference Patient(ClaimView c) => new()
    {
        Identifier = new R4.Identifier { Type = FhirSystems.IdentifierTypeOf(FhirSystems.MedicalRecordNumber), Value = c.Mrn },
        Display = c.PatientName,
    };

    static R4.ResourceReference Insurer(ClaimView c) => new()
    {
        Identifier = new R4.Identifier { Type = FhirSystems.IdentifierTypeOf(FhirSystems.PayerIdType), Value = c.Coverage.ClearinghousePayerId },
        Display = c.Coverage.PayerName,
    };

    static R4.ResourceReference CoverageRef(ClaimView c) => new()
    {
        Identifier = new R4.Identifier { Type = FhirSystems.IdentifierTypeOf(FhirSystems.MemberIdType), Value = c.Coverage.MemberId },
        Display = $"{c.Coverage.PayerName} {c.Coverage.MemberId}",
    };

    static R4.ResourceReference ProviderRef(ClaimProviderRef p) => new()
    {
        Identifier = new R4.Identifier(FhirSystems.Npi, p.Npi),
        Display = p.Name,
    };

    /// <summary>CPT codes are five digits or four digits and a letter (Category II/III); HCPCS Level II a letter and four digits.</summary>
    static R4.CodeableConcept Service(string code) =>
        FhirSystems.Concept(FhirSystems.CptCode().IsMatch(code) ? FhirSystems.Cpt : FhirSystems.Hcpcs, code);

    static R4.Money Money(decimal amount) => new() { Value = amount, Currency = R4.Money.Currencies.USD };

    static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
