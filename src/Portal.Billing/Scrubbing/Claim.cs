using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Billing.Scrubbing;

/// <summary>
/// A professional claim in the JSON shape of the claims API (issue 10, item 8): patient (DOB, sex), payer with its
/// timely-filing limit, coverage dates, billing and rendering provider (NPI, taxonomy), date of service, frequency
/// code, diagnoses in order (position 1 = first-listed, box 21 A), and lines with code, modifiers, units, charge,
/// diagnosis pointers (1-based positions, box 24E) and POS. Everything is optional so the scrubber can say what is missing.
/// </summary>
public sealed record Claim
{
    public string? Id { get; init; }
    public Patient? Patient { get; init; }
    public Payer? Payer { get; init; }
    public Coverage? Coverage { get; init; }
    public Provider? BillingProvider { get; init; }
    public Provider? RenderingProvider { get; init; }
    public DateOnly? DateOfService { get; init; }
    /// <summary>CLM05-3: 1 original, 7 replacement, 8 void.</summary>
    public string? FrequencyCode { get; init; }
    /// <summary>The payer's claim number (835 CLP07) that a replacement or void refers to (REF*F8, box 22).</summary>
    public string? OriginalClaimNumber { get; init; }
    public string? PlaceOfService { get; init; }
    public IReadOnlyList<string>? Diagnoses { get; init; }
    public IReadOnlyList<ServiceLine>? Lines { get; init; }
    /// <summary>For claims on file: a voided claim is no longer a duplicate of anything.</summary>
    public bool Voided { get; init; }

    /// <summary>Who rendered the service: the rendering provider, or the billing provider when they are the same.</summary>
    [JsonIgnore]
    public string? ProviderNpi => RenderingProvider?.Npi ?? BillingProvider?.Npi;
}

public sealed record Patient
{
    public string? Id { get; init; }
    public DateOnly? DateOfBirth { get; init; }
    /// <summary>F, M or U (unknown).</summary>
    public string? Sex { get; init; }
}

public sealed record Payer
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    /// <summary>Days from the date of service within which the payer must receive the claim (e.g. 90, 180).</summary>
    public int? TimelyFilingDays { get; init; }
    /// <summary>Calendar months instead of days: Medicare is 12 months from the DOS (42 CFR 424.44).</summary>
    public int? TimelyFilingMonths { get; init; }
}

public sealed record Coverage
{
    public DateOnly? EffectiveFrom { get; init; }
    public DateOnly? EffectiveTo { get; init; }
    public string? MemberId { get; init; }
}

public sealed record Provider
{
    public string? Npi { get; init; }
    public string? Taxonomy { get; init; }
}

public sealed record ServiceLine
{
    public string? Code { get; init; }
    public IReadOnlyList<string>? Modifiers { get; init; }
    public decimal? Units { get; init; }
    public decimal? Charge { get; init; }
    public IReadOnlyList<int>? Pointers { get; init; }
    public string? PlaceOfService { get; init; }
    /// <summary>Defaults to the claim's date of service.</summary>
    public DateOnly? DateOfService { get; init; }
}

/// <summary>The JSON options of the claim shape and of findings: camelCase, enums as strings, dates as YYYY-MM-DD.</summary>
public static class ClaimJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };
}
