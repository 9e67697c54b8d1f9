using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Features.Intake;

/// <summary>Demographics as requests carry them, flat, so JSON bodies, forms and CSV rows share one shape.</summary>
public interface IDemographicsInput
{
    string FirstName { get; }
    string LastName { get; }
    DateOnly? BirthDate { get; }
    Sex Sex { get; }
    string? AddressLine1 { get; }
    string? AddressLine2 { get; }
    string? City { get; }
    string? State { get; }
    string? PostalCode { get; }
    string? Phone { get; }
}

/// <summary>Register a patient. The MRN must be unique in the practice.</summary>
public sealed record RegisterPatient(
    [Required, StringLength(20)] string Mrn,
    [Required, StringLength(100)] string FirstName,
    [Required, StringLength(100)] string LastName,
    [Required] DateOnly? BirthDate,
    Sex Sex = Sex.Unknown,
    [StringLength(200)] string? AddressLine1 = null,
    [StringLength(200)] string? AddressLine2 = null,
    [StringLength(100)] string? City = null,
    [StringLength(2)] string? State = null,
    [StringLength(10)] string? PostalCode = null,
    [StringLength(30)] string? Phone = null) : IDemographicsInput;

/// <summary>Correct a patient's demographics (all of them, as they should be now), saying why.</summary>
public sealed record CorrectDemographics(
    [Required, StringLength(100)] string FirstName,
    [Required, StringLength(100)] string LastName,
    [Required] DateOnly? BirthDate,
    [Required, StringLength(500, MinimumLength = 3)] string Reason,
    Sex Sex = Sex.Unknown,
    [StringLength(200)] string? AddressLine1 = null,
    [StringLength(200)] string? AddressLine2 = null,
    [StringLength(100)] string? City = null,
    [StringLength(2)] string? State = null,
    [StringLength(10)] string? PostalCode = null,
    [StringLength(30)] string? Phone = null) : IDemographicsInput;

/// <summary>Add an insurance coverage to a patient.</summary>
public sealed record AddCoverage(
    [Required] Guid? PayerId,
    [Required, StringLength(40)] string MemberId,
    [Required, StringLength(200)] string SubscriberName,
    [Required] DateOnly? EffectiveFrom,
    SubscriberRelationship Relationship = SubscriberRelationship.Self,
    CoveragePriority Priority = CoveragePriority.Primary,
    [StringLength(40)] string? GroupNumber = null,
    DateOnly? EffectiveTo = null);

/// <summary>Enrol a rendering or billing provider. The NPI's check digit is verified (422 if wrong).</summary>
public sealed record EnrollProvider(
    [Required, StringLength(200)] string Name,
    [Required, StringLength(10)] string Npi,
    [Required, StringLength(10)] string TaxonomyCode,
    ProviderType Type = ProviderType.Individual);

/// <summary>Add a payer. Timely filing defaults to 365 days (Medicare); set the contract's limit for others.</summary>
public sealed record AddPayer(
    [Required, StringLength(200)] string Name,
    [Required, StringLength(50)] string ClearinghousePayerId,
    [Range(1, 3650)] int? TimelyFilingDays = null);

/// <summary>Open an encounter for a patient seen on a date of service. The billing provider defaults to the rendering one.</summary>
public sealed record OpenEncounter(
    [Required] Guid? PatientId,
    [Required] Guid? RenderingProviderId,
    [Required] DateOnly? DateOfService,
    [Required, StringLength(2)] string PlaceOfService,
    Guid? BillingProviderId = null,
    Guid? CoverageId = null,
    [StringLength(20000)] string? VisitNotes = null);

/// <summary>Replace the visit notes of an encounter, saying why (kept in its history).</summary>
public sealed record ReviseVisitNotes(
    [Required, StringLength(20000)] string VisitNotes,
    [Required, StringLength(500, MinimumLength = 3)] string Reason);
