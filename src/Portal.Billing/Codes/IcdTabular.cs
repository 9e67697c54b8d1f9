using Portal.Billing.CodeFiles;

namespace Portal.Billing.Codes;

/// <summary>Excludes1 ("not coded here"): a code in <see cref="Owner"/> is not reported with a code in <see cref="Excluded"/>.</summary>
public sealed record Excludes1Pair(CodeRange Owner, CodeRange Excluded, string Note);

/// <summary>A "code first" note: the underlying condition (one of <see cref="Targets"/>) is listed before codes in <see cref="Scope"/>.</summary>
public sealed record CodeFirstRule(CodeRange Scope, IReadOnlyList<CodeRange> Targets, string Note);

/// <summary>The 7th characters defined for the codes in <see cref="Scope"/> (a category or subcategory).</summary>
public sealed record SeventhCharacterRule(CodeRange Scope, IReadOnlyDictionary<string, string> Values);

/// <summary>
/// What the edits need from the Tabular, indexed by category. A code is a manifestation when a codeFirst note sits on
/// it or on a code above it (e.g. F02 "Dementia in other diseases classified elsewhere": "Code first the underlying
/// physiological condition, such as: Alzheimer's (G30.-)"). That is how the Tabular marks manifestation codes
/// (italic, bracketed in the book); titles are not read.
/// </summary>
public sealed class IcdTabular
{
    readonly Dictionary<string, List<Excludes1Pair>> excludesByCategory = new(StringComparer.Ordinal);
    readonly List<Excludes1Pair> excludesByRange = [];
    readonly Dictionary<string, List<CodeFirstRule>> codeFirstByCategory = new(StringComparer.Ordinal);
    readonly Dictionary<string, List<SeventhCharacterRule>> sevenByCategory = new(StringComparer.Ordinal);

    public IReadOnlyList<Excludes1Pair> Excludes1Pairs { get; }
    public IReadOnlyList<CodeFirstRule> CodeFirstRules { get; }
    public IReadOnlyList<SeventhCharacterRule> SeventhCharacterRules { get; }

    public IcdTabular(IEnumerable<TabularEntry> entries)
    {
        var excludes = new List<Excludes1Pair>();
        var codeFirst = new List<CodeFirstRule>();
        var seven = new List<SeventhCharacterRule>();
        foreach (var e in entries)
        {
            foreach (var note in e.Excludes1)
                foreach (var target in CodeRange.InNote(note))
                    excludes.Add(new Excludes1Pair(e.Scope, target, note));
            if (e.Level == TabularLevel.Diagnosis && e.CodeFirst.Count > 0)
                codeFirst.Add(new CodeFirstRule(e.Scope, [.. e.CodeFirst.SelectMany(CodeRange.InNote)], string.Join(" ", e.CodeFirst)));
            if (e.SevenCharacters is { Count: > 0 } values)
                seven.Add(new SeventhCharacterRule(e.Scope, values));
        }
        Excludes1Pairs = excludes;
        CodeFirstRules = codeFirst;
        SeventhCharacterRules = seven;
        foreach (var p in excludes)
        {
            if (p.Owner.Category is { } c) Add(excludesByCategory, c, p);
            else excludesByRange.Add(p);
        }
        foreach (var r in codeFirst) Add(codeFirstByCategory, r.Scope.From[..3], r);
        foreach (var r in seven) Add(sevenByCategory, r.Scope.From[..Math.Min(3, r.Scope.From.Length)], r);
    }

    static void Add<T>(Dictionary<string, List<T>> index, string key, T value)
    {
        if (!index.TryGetValue(key, out var list)) index[key] = list = [];
        list.Add(value);
    }

    static string Category(string code) => code.Length >= 3 ? code[..3] : code;

    /// <summary>The Excludes1 note under which <paramref name="code"/> excludes <paramref name="other"/>, if any.</summary>
    public Excludes1Pair? Excludes(string code, string other)
    {
        if (excludesByCategory.TryGetValue(Category(code), out var list))
            foreach (var p in list)
                if (p.Owner.Matches(code) && p.Excluded.Matches(other)) return p;
        foreach (var p in excludesByRange)
            if (p.Owner.Matches(code) && p.Excluded.Matches(other)) return p;
        return null;
    }

    public bool IsManifestation(string code) => CodeFirst(code) is not null;

    /// <summary>The most specific code-first rule over <paramref name="code"/>.</summary>
    public CodeFirstRule? CodeFirst(string code) =>
        codeFirstByCategory.TryGetValue(Category(code), out var list)
            ? list.Where(r => r.Scope.Matches(code)).MaxBy(r => r.Scope.From.Length)
            : null;

    /// <summary>The 7th-character values that apply to <paramref name="code"/> (the most specific definition wins).</summary>
    public SeventhCharacterRule? SeventhCharacter(string code) =>
        sevenByCategory.TryGetValue(Category(code), out var list)
            ? list.Where(r => code.StartsWith(r.Scope.From, StringComparison.Ordinal))
                  .MaxBy(r => r.Scope.From.Length)
            : null;
}
