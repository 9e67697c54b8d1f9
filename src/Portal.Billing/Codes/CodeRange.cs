using System.Text.RegularExpressions;

namespace Portal.Billing.Codes;

/// <summary>
/// A code, a code and everything under it, or a range of categories, as the ICD-10-CM Tabular writes them in notes:
/// "(E10.-)" is E10 and its children, "(P70.2)" that code (and any extension of it), "(E08-E13)" categories E08 to E13.
/// Codes are dotless; a code matches when it starts with <see cref="From"/>, or for a range when its first characters
/// fall between <see cref="From"/> and <see cref="To"/>.
/// </summary>
public sealed partial record CodeRange(string From, string? To = null)
{
    public bool Matches(string code)
    {
        if (To is null) return code.StartsWith(From, StringComparison.Ordinal);
        var low = code.Length > From.Length ? code[..From.Length] : code;
        var high = code.Length > To.Length ? code[..To.Length] : code;
        return string.CompareOrdinal(low, From) >= 0 && string.CompareOrdinal(high, To) <= 0;
    }

    /// <summary>The 3-character categories this range may touch, when it is a single prefix (null for a range).</summary>
    public string? Category => To is null && From.Length >= 3 ? From[..3] : null;

    public override string ToString() => To is null ? From : $"{From}-{To}";

    /// <summary>Code references inside the parentheses of a note's text, e.g. "type 1 diabetes mellitus (E10.-)".</summary>
    public static IEnumerable<CodeRange> InNote(string note)
    {
        foreach (Match group in Parenthesized().Matches(note))
            foreach (var token in group.Groups[1].Value.Split(','))
            {
                var m = Reference().Match(token.Trim());
                if (!m.Success) continue;
                var from = CodeSystems.Normalize(m.Groups[1].Value);
                var to = m.Groups[2].Success ? CodeSystems.Normalize(m.Groups[2].Value) : null;
                yield return new CodeRange(from, to);
            }
    }

    [GeneratedRegex(@"\(([^()]*)\)")]
    private static partial Regex Parenthesized();

    [GeneratedRegex(@"^([A-Z][0-9][A-Z0-9](?:\.[A-Z0-9]{1,4})?)(?:\.?-)?(?:\s*-\s*([A-Z][0-9][A-Z0-9](?:\.[A-Z0-9]{1,4})?)(?:\.?-)?)?$")]
    private static partial Regex Reference();
}
