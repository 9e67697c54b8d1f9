using Portal.Billing.CodeFiles;

namespace Portal.Billing.Codes;

/// <summary>An NCCI PTP edit in force on a date of service.</summary>
public readonly record struct PtpEdit(string Column1, string Column2, byte ModifierIndicator, DateOnly EffectiveFrom, DateOnly? DeletedOn, string Rationale);

/// <summary>
/// The NCCI practitioner PTP table in memory, compact enough for the full ~2 M pairs: each 5-character code packs into
/// an int (base 36), a pair into a long key, and the rows into parallel arrays; rationales are shared strings.
/// About 40 bytes per edit instead of several hundred for records with strings.
/// </summary>
public sealed class PtpTable
{
    readonly Dictionary<long, int> first;
    int[] next;
    int[] from;
    int[] to;
    byte[] indicator;
    ushort[] rationale;
    readonly List<string> rationales = [];
    readonly Dictionary<string, ushort> rationaleIndex = new(StringComparer.Ordinal);
    int count;

    public PtpTable(int capacity = 1024)
    {
        first = new Dictionary<long, int>(capacity);
        next = new int[capacity];
        from = new int[capacity];
        to = new int[capacity];
        indicator = new byte[capacity];
        rationale = new ushort[capacity];
    }

    public int Count => count;

    public static PtpTable From(IEnumerable<PtpRecord> records, int capacity = 1024)
    {
        var table = new PtpTable(capacity);
        foreach (var r in records) table.Add(r);
        return table;
    }

    public void Add(PtpRecord r)
    {
        if (count == next.Length)
        {
            var size = count * 2;
            Array.Resize(ref next, size); Array.Resize(ref from, size); Array.Resize(ref to, size);
            Array.Resize(ref indicator, size); Array.Resize(ref rationale, size);
        }
        var key = Key(Pack(r.Column1), Pack(r.Column2));
        next[count] = first.TryGetValue(key, out var head) ? head : -1;
        first[key] = count;
        from[count] = r.EffectiveFrom.DayNumber;
        to[count] = r.DeletedOn?.DayNumber ?? int.MaxValue;
        indicator[count] = r.ModifierIndicator;
        if (!rationaleIndex.TryGetValue(r.Rationale, out var ri))
        {
            ri = (ushort)rationales.Count;
            rationales.Add(r.Rationale);
            rationaleIndex[r.Rationale] = ri;
        }
        rationale[count] = ri;
        count++;
    }

    /// <summary>The edit for column 1 / column 2 in force on <paramref name="dos"/>: effective on or before it and not deleted by then.</summary>
    public PtpEdit? Find(string column1, string column2, DateOnly dos)
    {
        int a = Pack(column1), b = Pack(column2);
        if (a < 0 || b < 0 || !first.TryGetValue(Key(a, b), out var i)) return null;
        var day = dos.DayNumber;
        for (; i >= 0; i = next[i])
            if (from[i] <= day && day < to[i])
                return new PtpEdit(column1, column2, indicator[i], DateOnly.FromDayNumber(from[i]),
                    to[i] == int.MaxValue ? null : DateOnly.FromDayNumber(to[i]), rationales[rationale[i]]);
        return null;
    }

    static long Key(int a, int b) => ((long)a << 32) | (uint)b;

    /// <summary>A 5-character code as a base-36 number, or -1 if it is not 5 letters/digits.</summary>
    internal static int Pack(string code)
    {
        if (code.Length != 5) return -1;
        var v = 0;
        foreach (var c in code)
        {
            int d = c is >= '0' and <= '9' ? c - '0' : c is >= 'A' and <= 'Z' ? c - 'A' + 10 : -1;
            if (d < 0) return -1;
            v = v * 36 + d;
        }
        return v;
    }
}

/// <summary>MUE values by code.</summary>
public sealed class MueTable(IEnumerable<MueRecord> records)
{
    readonly Dictionary<string, MueRecord> byCode = records.ToDictionary(r => r.Code, StringComparer.Ordinal);
    public MueRecord? Find(string code) => byCode.GetValueOrDefault(code);
}

/// <summary>MCE age and sex lists: exact codes, and code prefixes (list entries ending in *) indexed by category.</summary>
public sealed class MceTable
{
    readonly Dictionary<string, List<MceRecord>> exact = new(StringComparer.Ordinal);
    readonly Dictionary<string, List<MceRecord>> prefixes = new(StringComparer.Ordinal);

    public MceTable(IEnumerable<MceRecord> records)
    {
        foreach (var r in records)
        {
            var index = r.IncludesChildren ? prefixes : exact;
            var key = r.IncludesChildren ? r.Code[..Math.Min(3, r.Code.Length)] : r.Code;
            if (!index.TryGetValue(key, out var list)) index[key] = list = [];
            list.Add(r);
        }
    }

    public IReadOnlyList<MceRecord> For(string code)
    {
        List<MceRecord>? found = null;
        if (exact.TryGetValue(code, out var e)) (found ??= []).AddRange(e);
        for (var k = 1; k <= Math.Min(3, code.Length); k++)
            if (prefixes.TryGetValue(code[..k], out var p))
                foreach (var r in p)
                    if (code.StartsWith(r.Code, StringComparison.Ordinal)) (found ??= []).Add(r);
        return found ?? (IReadOnlyList<MceRecord>)[];
    }
}

/// <summary>Releases of one table by effective date; the one in force on a date is the latest that started on or before it.</summary>
public sealed class Versioned<T> where T : class
{
    readonly List<(Release Release, T Value)> releases = [];

    public Versioned<T> Add(Release release, T value)
    {
        releases.RemoveAll(r => r.Release.Version == release.Version);
        releases.Add((release, value));
        releases.Sort((a, b) => a.Release.EffectiveFrom.CompareTo(b.Release.EffectiveFrom));
        return this;
    }

    public (Release Release, T Value)? On(DateOnly dos)
    {
        for (var i = releases.Count - 1; i >= 0; i--)
            if (releases[i].Release.EffectiveFrom <= dos) return releases[i];
        return null;
    }
}
