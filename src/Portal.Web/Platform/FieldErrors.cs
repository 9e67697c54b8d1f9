namespace Portal.Web.Platform;

/// <summary>Collects field errors and throws them together as a 422, so a caller fixes everything in one go.</summary>
public sealed class FieldErrors
{
    readonly Dictionary<string, string[]> errors = new(StringComparer.OrdinalIgnoreCase);

    public FieldErrors Check(bool ok, string field, string message)
    {
        if (!ok) errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
        return this;
    }

    public IReadOnlyDictionary<string, string[]> All => errors;

    public void ThrowIfAny(string summary)
    {
        if (errors.Count > 0) throw new UnprocessableInput(summary, errors);
    }
}
