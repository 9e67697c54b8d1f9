namespace Portal.Billing.Scrubbing;

public enum Severity { Error, Warning, Info }

public enum Place { Claim, Diagnosis, Line }

/// <summary>Where a finding points: the claim, diagnosis position n (box 21, 1-based), or service line n (1-based); <see cref="Field"/> names the data.</summary>
public sealed record Location(Place Place, int? Position = null, string? Field = null)
{
    public static Location ClaimField(string field) => new(Place.Claim, null, field);
    public static Location Diagnosis(int position) => new(Place.Diagnosis, position);
    public static Location Line(int line, string? field = null) => new(Place.Line, line, field);
}

/// <summary>
/// One result of an edit: its stable id and severity from the catalogue, a plain message about this claim, the fix
/// hint, the data source (and release, when reference data decided it), where it points, and whether a user may
/// override it with a reason (errors block; overridable warnings need a reason that Portal.Web audits).
/// </summary>
public sealed record Finding(string Edit, Severity Severity, string Message, string FixHint, string Source, Location Location, bool Overridable);
