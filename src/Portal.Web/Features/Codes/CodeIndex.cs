using System.Buffers;
using System.Text;

namespace Portal.Web.Features.Codes;

public sealed record CodeEntry(string Code, bool Billable, string ShortDescription, string LongDescription, string Flags, int Order)
{
    public int Parent { get; internal set; } = -1;
    public List<int> Children { get; } = [];
    public bool HasFlag(string flag) => Flags.Split(',', StringSplitOptions.TrimEntries).Contains(flag);

    /// <summary>Manifestation codes are titled "... in diseases classified elsewhere" and are never first-listed.</summary>
    public bool IsManifestation => LongDescription.Contains("classified elsewhere", StringComparison.OrdinalIgnoreCase)
        && LongDescription.Contains(" in ", StringComparison.OrdinalIgnoreCase);
}

public sealed record CodeHit(CodeEntry Entry, bool ExactCode, bool Preferred, int Score);

/// <summary>
/// One immutable code-set version in memory: codes sorted dotless, an inverted index of description words, and the
/// header/child hierarchy. Built once per version, read without locks.
/// </summary>
public sealed class CodeIndex
{
    readonly CodeEntry[] entries;
    readonly Dictionary<string, int> byCode;
    readonly string[] words;
    readonly int[][] postings;

    public string System { get; }
    public string Version { get; }
    public DateOnly EffectiveFrom { get; }
    public int Count => entries.Length;

    public CodeIndex(string system, string version, DateOnly effectiveFrom, IEnumerable<CodeEntry> rows)
    {
        System = system;
        Version = version;
        EffectiveFrom = effectiveFrom;
        entries = [.. rows.OrderBy(e => e.Code, StringComparer.Ordinal)];
        byCode = new Dictionary<string, int>(entries.Length, StringComparer.Ordinal);
        for (var i = 0; i < entries.Length; i++) byCode[entries[i].Code] = i;

        var index = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Length; i++)
        {
            var e = entries[i];
            for (var len = e.Code.Length - 1; len >= 3; len--)
                if (byCode.TryGetValue(e.Code[..len], out var parent)) { e.Parent = parent; entries[parent].Children.Add(i); break; }
            foreach (var word in Tokens(e.ShortDescription + " " + e.LongDescription).Distinct())
            {
                if (!index.TryGetValue(word, out var list)) index[word] = list = [];
                list.Add(i);
            }
        }
        words = [.. index.Keys.Order(StringComparer.Ordinal)];
        postings = [.. words.Select(w => index[w].ToArray())];
    }

    public CodeEntry? Find(string code) => byCode.TryGetValue(CodeSystems.Normalize(code), out var i) ? entries[i] : null;
    public CodeEntry? ParentOf(CodeEntry e) => e.Parent >= 0 ? entries[e.Parent] : null;
    public IEnumerable<CodeEntry> ChildrenOf(CodeEntry e) => e.Children.Select(i => entries[i]);

    /// <summary>Billable codes under a header (what to suggest when a header is refused), in tabular order.</summary>
    public IEnumerable<CodeEntry> BillableUnder(CodeEntry header) =>
        CodeRange(header.Code).Select(i => entries[i]).Where(e => e.Billable && e.Code != header.Code).OrderBy(e => e.Order);

    IEnumerable<int> CodeRange(string prefix)
    {
        var lo = LowerBound(entries, prefix, e => e.Code);
        for (var i = lo; i < entries.Length && entries[i].Code.StartsWith(prefix, StringComparison.Ordinal); i++) yield return i;
    }

    /// <summary>
    /// Code prefix (dot optional) or words in any order; each word matches exactly, as a prefix, or within one or two
    /// typos, after expanding clinical abbreviations. Every word must match. Exact code first, then an abbreviation's
    /// usual code, billable codes, better word matches, shorter (less specific) codes.
    /// </summary>
    public (IReadOnlyList<CodeHit> Hits, int Total) Search(string query, bool billableOnly, int limit, int offset)
    {
        // Flat arrays instead of dictionaries: a common word ("unspecified") matches tens of thousands of codes.
        // Pooled: fresh arrays this size would land on the large-object heap on every keystroke.
        var score = Rent(entries.Length);
        var wordScore = Rent(entries.Length);
        var best = Rent(entries.Length);
        var matchedTerms = Rent(entries.Length);
        try
        {
            return Search(query, billableOnly, limit, offset, score, wordScore, best, matchedTerms);
        }
        finally
        {
            foreach (var a in (int[][])[score, wordScore, best, matchedTerms]) ArrayPool<int>.Shared.Return(a);
        }
    }

    static int[] Rent(int length)
    {
        var a = ArrayPool<int>.Shared.Rent(length);
        Array.Clear(a, 0, length);
        return a;
    }

    (IReadOnlyList<CodeHit> Hits, int Total) Search(string query, bool billableOnly, int limit, int offset,
        int[] score, int[] wordScore, int[] best, int[] matchedTerms)
    {
        var candidates = new List<int>();
        var exact = -1;
        var compact = CodeSystems.Normalize(query);
        if (compact.Length is > 0 and <= 7 && compact.All(char.IsAsciiLetterOrDigit) && compact.Any(char.IsAsciiDigit))
        {
            foreach (var i in CodeRange(compact))
            {
                score[i] = 1000 - (entries[i].Code.Length - compact.Length);
                candidates.Add(i);
                if (entries[i].Code == compact) exact = i;
            }
        }

        var (terms, preferred) = ClinicalAbbreviations.Expand(Tokens(query).Where(t => !StopWords.Contains(t)).ToList());
        if (terms.Count > 0)
        {
            List<int> survivors = [];
            for (var t = 0; t < terms.Count; t++)
            {
                var touched = new List<int>();
                foreach (var (wordIndex, weight) in Candidates(terms[t]))
                    foreach (var i in postings[wordIndex])
                    {
                        if (matchedTerms[i] != t) continue;
                        if (best[i] == 0) touched.Add(i);
                        if (weight > best[i]) best[i] = weight;
                    }
                foreach (var i in touched)
                {
                    matchedTerms[i]++;
                    wordScore[i] += best[i];
                    best[i] = 0;
                }
                survivors = touched;
                if (survivors.Count == 0) break;
            }
            foreach (var i in survivors)
            {
                if (score[i] == 0) candidates.Add(i);
                score[i] = Math.Max(score[i], wordScore[i]);
            }
        }

        // One sortable key per hit (smaller is better): exact code, the abbreviation's usual code, billable, score,
        // shorter code, tabular order.
        var keys = new List<long>(candidates.Count);
        foreach (var i in candidates)
        {
            var e = entries[i];
            if (billableOnly && !e.Billable) continue;
            keys.Add(((i == exact ? 0L : 1L) << 62) | ((preferred.Contains(e.Code) ? 0L : 1L) << 61) | ((e.Billable ? 0L : 1L) << 60)
                | ((long)(65535 - Math.Min(score[i], 65535)) << 44) | ((long)e.Code.Length << 40) | ((long)Math.Min(e.Order, 0xFFFFF) << 20) | (long)i);
        }
        var top = keys.Count > 4 * (offset + limit) ? SmallestSorted(keys, offset + limit) : [.. keys.Order()];
        var hits = top.Skip(offset).Take(limit).Select(k => (int)(k & 0xFFFFF))
            .Select(i => new CodeHit(entries[i], i == exact, preferred.Contains(entries[i].Code), score[i])).ToList();
        return (hits, keys.Count);
    }

    static List<long> SmallestSorted(List<long> keys, int k)
    {
        var heap = new PriorityQueue<long, long>(k + 1, Comparer<long>.Create((a, b) => b.CompareTo(a)));
        foreach (var key in keys)
        {
            if (heap.Count < k) heap.Enqueue(key, key);
            else if (key < heap.Peek()) heap.DequeueEnqueue(key, key);
        }
        var list = new List<long>(heap.Count);
        while (heap.Count > 0) list.Add(heap.Dequeue());
        list.Reverse();
        return list;
    }

    static readonly HashSet<string> StopWords = ["of", "and", "the", "or", "in", "on", "to", "a", "an", "for", "with", "by"];

    IEnumerable<(int Word, int Weight)> Candidates(string term)
    {
        var lo = LowerBound(words, term, w => w);
        var prefixes = 0;
        for (var i = lo; i < words.Length && words[i].StartsWith(term, StringComparison.Ordinal); i++)
        {
            if (words[i].Length == term.Length) { yield return (i, 4); continue; }
            if (term.Length >= 2 && prefixes++ < 300) yield return (i, 3);
        }
        if (term.Length < 4) yield break;
        // Typos: one edit for short words, two for long ones; words of a very different length cannot be that close.
        var maxEdits = term.Length >= 8 ? 2 : 1;
        for (var i = 0; i < words.Length; i++)
        {
            var w = words[i];
            if (Math.Abs(w.Length - term.Length) > maxEdits || w.StartsWith(term, StringComparison.Ordinal)) continue;
            if (w[0] != term[0] && maxEdits == 1) continue;
            if (EditDistance(term, w, maxEdits) <= maxEdits) yield return (i, 1);
        }
    }

    /// <summary>Optimal string alignment distance (transpositions count once), abandoned past <paramref name="max"/>.</summary>
    static int EditDistance(string a, string b, int max)
    {
        Span<int> prev2 = stackalloc int[b.Length + 1];
        Span<int> prev = stackalloc int[b.Length + 1];
        Span<int> cur = stackalloc int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            var rowMin = cur[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var v = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = Math.Min(v, prev2[j - 2] + 1);
                cur[j] = v;
                rowMin = Math.Min(rowMin, v);
            }
            if (rowMin > max) return max + 1;
            var t = prev2; prev2 = prev; prev = cur; cur = t;
        }
        return prev[b.Length];
    }

    static int LowerBound<T>(T[] array, string key, Func<T, string> by)
    {
        int lo = 0, hi = array.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(by(array[mid]), key) < 0) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>Lower-case words and numbers; "gastro-esophageal" gives "gastro" and "esophageal".</summary>
    public static IEnumerable<string> Tokens(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c)) { sb.Append(char.ToLowerInvariant(c)); continue; }
            if (sb.Length > 0) { yield return sb.ToString(); sb.Clear(); }
        }
        if (sb.Length > 0) yield return sb.ToString();
    }
}

/// <summary>Abbreviations coders type, with the words they stand for and the code they usually mean.</summary>
public static class ClinicalAbbreviations
{
    static readonly Dictionary<string, (string Words, string[] Preferred)> Map = new(StringComparer.Ordinal)
    {
        ["htn"] = ("hypertension", ["I10"]),
        ["dm"] = ("diabetes mellitus", ["E119"]),
        ["dm2"] = ("type 2 diabetes", ["E119"]),
        ["t2dm"] = ("type 2 diabetes", ["E119"]),
        ["dm1"] = ("type 1 diabetes", ["E109"]),
        ["t1dm"] = ("type 1 diabetes", ["E109"]),
        ["copd"] = ("chronic obstructive pulmonary", ["J449"]),
        ["uri"] = ("upper respiratory infection", ["J069"]),
        ["chf"] = ("heart failure", ["I509"]),
        ["afib"] = ("atrial fibrillation", ["I4891"]),
        ["af"] = ("atrial fibrillation", ["I4891"]),
        ["cad"] = ("atherosclerotic heart disease", ["I2510"]),
        ["ckd"] = ("chronic kidney disease", ["N189"]),
        ["gerd"] = ("gastro esophageal reflux", ["K219"]),
        ["uti"] = ("urinary tract infection", ["N390"]),
        ["mi"] = ("myocardial infarction", ["I219"]),
        ["hld"] = ("hyperlipidemia", ["E785"]),
        ["bph"] = ("benign prostatic hyperplasia", ["N400"]),
        ["oa"] = ("osteoarthritis", ["M1990"]),
        ["ra"] = ("rheumatoid arthritis", ["M069"]),
        ["sob"] = ("shortness breath", ["R0602"]),
        ["cp"] = ("chest pain", ["R079"]),
        ["lbp"] = ("low back pain", ["M545"]),
        ["dvt"] = ("deep vein thrombosis", []),
        ["pe"] = ("pulmonary embolism", []),
        ["tia"] = ("transient ischemic", ["G459"]),
        ["cva"] = ("cerebral infarction", ["I639"]),
        ["pna"] = ("pneumonia", ["J189"]),
        ["osa"] = ("obstructive sleep apnea", ["G4733"]),
        ["mdd"] = ("major depressive disorder", ["F329"]),
        ["gad"] = ("generalized anxiety disorder", ["F411"]),
        ["adhd"] = ("attention deficit hyperactivity", ["F909"]),
        ["hypothyroid"] = ("hypothyroidism", ["E039"]),
        ["wcc"] = ("child health examination", ["Z00129"]),
        ["awv"] = ("general adult medical examination", ["Z0000"]),
    };

    public static (List<string> Terms, HashSet<string> Preferred) Expand(List<string> tokens)
    {
        var terms = new List<string>();
        var preferred = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tokens)
        {
            if (Map.TryGetValue(t, out var a))
            {
                terms.AddRange(CodeIndex.Tokens(a.Words));
                preferred.UnionWith(a.Preferred);
            }
            else terms.Add(t);
        }
        return (terms, preferred);
    }
}
