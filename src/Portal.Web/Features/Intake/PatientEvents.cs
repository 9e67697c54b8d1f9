using System.Text.Json.Serialization;
namespace Portal.Web.Features.Intake;

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum Sex { Female, Male, Other, Unknown }

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum SubscriberRelationship { Self, Spouse, Child, Other }

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum CoveragePriority { Primary, Secondary, Tertiary }

public sealed record Address(string Line1, string? Line2, string City, string State, string PostalCode);

public sealed record Demographics(string FirstName, string LastName, DateOnly BirthDate, Sex Sex, Address? Address, string? Phone);

public sealed record Coverage(Guid Id, Guid PayerId, string PayerName, string MemberId, string SubscriberName,
    SubscriberRelationship Relationship, string? GroupNumber, CoveragePriority Priority, DateOnly EffectiveFrom, DateOnly? EffectiveTo)
{
    public bool Overlaps(Coverage other) =>
        EffectiveFrom <= (other.EffectiveTo ?? DateOnly.MaxValue) && other.EffectiveFrom <= (EffectiveTo ?? DateOnly.MaxValue);
}

// Patient streams live in the practice's tenant. Every event says who did it and when; corrections say why.
public sealed record PatientRegistered(Guid PatientId, string Mrn, Demographics Demographics, string By, DateTimeOffset At);

public sealed record PatientDemographicsCorrected(Guid PatientId, Demographics Demographics, string Reason, string By, DateTimeOffset At);

public sealed record CoverageAdded(Guid PatientId, Coverage Coverage, string By, DateTimeOffset At);
