using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

/// <summary>A patient of the practice: inline snapshot of the patient stream, also what the patient screens read.</summary>
public sealed record Patient(Guid Id, string Mrn, Demographics Demographics, Coverage[] Coverages,
    string RegisteredBy, DateTimeOffset RegisteredAt, long Version)
{
    public string Name => $"{Demographics.LastName}, {Demographics.FirstName}";

    public static Patient Create(PatientRegistered e) => new(e.PatientId, e.Mrn, e.Demographics, [], e.By, e.At, 1);

    public Patient Apply(PatientDemographicsCorrected e) => this with { Demographics = e.Demographics };

    public Patient Apply(CoverageAdded e) => this with { Coverages = [.. Coverages, e.Coverage] };

    public PatientDemographicsCorrected Correct(Demographics demographics, string reason, string by, DateTimeOffset now) =>
        demographics == Demographics
            ? throw new RuleViolation("These demographics are what the patient already has; nothing to correct.", "no-change")
            : new(Id, demographics, reason, by, now);

    // Two coverages of the same rank for the same dates would leave the claim without a clear primary payer.
    public CoverageAdded AddCoverage(Coverage coverage, string by, DateTimeOffset now) =>
        Coverages.FirstOrDefault(c => c.Priority == coverage.Priority && c.Overlaps(coverage)) is { } clash
            ? throw new RuleViolation(
                $"The patient already has {coverage.Priority.ToString().ToLowerInvariant()} coverage with {clash.PayerName} for these dates.",
                "coverage-overlap")
            : new(Id, coverage, by, now);
}
