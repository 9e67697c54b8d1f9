using Portal.Billing.CodeFiles;

namespace Portal.Billing.Codes;

/// <summary>A release of a code system or edit table: in force from <see cref="EffectiveFrom"/> until the next release of the same kind starts.</summary>
public sealed record Release(string System, string Version, DateOnly EffectiveFrom)
{
    public override string ToString() => $"{System} {Version}";
}

/// <summary>
/// A code as the edits see it. <see cref="ValidFrom"/>/<see cref="ValidTo"/> narrow the release's dates for one code
/// (HCPCS added and termination dates). <see cref="Flags"/>: CPT indicators (<c>pctc</c>, <c>bilateral</c>), or null
/// when the file carries none (then the modifier-for-code edits are not run).
/// </summary>
public sealed record CodeEntry(string Code, bool Billable, string ShortDescription, string LongDescription,
    DateOnly? ValidFrom = null, DateOnly? ValidTo = null, string? Flags = null)
{
    public bool HasFlag(string flag) => Flags is not null && Flags.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries).Contains(flag, StringComparer.OrdinalIgnoreCase);

    public static CodeEntry From(CodeRecord r) => new(r.Code, r.Billable, r.ShortDescription, r.LongDescription,
        r.AddedOn, r.TerminatedOn, r.Flags);
}

public enum CodeStatus { Valid, Header, NotValidOnDos, Unknown, NoCodeSet }

/// <summary>
/// The answer to "is this code reportable on this date of service": a code in force and billable, a header, a code of
/// the system that is not in force that day (with when it was), a code no release has, or no release for that day.
/// </summary>
public sealed record CodeLookup(CodeStatus Status, string System, string Code, Release? Release, CodeEntry? Entry = null,
    DateOnly? ValidFrom = null, DateOnly? ValidTo = null);

/// <summary>Every release of one code system, each a table of codes; answers a lookup as of a date of service.</summary>
public sealed class CodeSet(string system)
{
    readonly List<(Release Release, Dictionary<string, CodeEntry> Codes)> releases = [];

    public string System { get; } = system;

    public IEnumerable<Release> Releases => releases.Select(r => r.Release);

    public CodeSet Add(Release release, IEnumerable<CodeEntry> entries)
    {
        var table = new Dictionary<string, CodeEntry>(StringComparer.Ordinal);
        foreach (var e in entries) table[e.Code] = e;
        releases.RemoveAll(r => r.Release.Version == release.Version);
        releases.Add((release, table));
        releases.Sort((a, b) => a.Release.EffectiveFrom.CompareTo(b.Release.EffectiveFrom));
        return this;
    }

    int IndexOn(DateOnly dos)
    {
        for (var i = releases.Count - 1; i >= 0; i--)
            if (releases[i].Release.EffectiveFrom <= dos) return i;
        return -1;
    }

    public Release? ReleaseOn(DateOnly dos) => IndexOn(dos) is var i and >= 0 ? releases[i].Release : null;

    public CodeLookup Lookup(string code, DateOnly dos)
    {
        var i = IndexOn(dos);
        if (i < 0) return new CodeLookup(CodeStatus.NoCodeSet, System, code, null);
        var (release, table) = releases[i];
        if (table.TryGetValue(code, out var entry))
        {
            if (entry.ValidFrom is { } from && dos < from || entry.ValidTo is { } to && dos > to)
                return new CodeLookup(CodeStatus.NotValidOnDos, System, code, release, entry, entry.ValidFrom, entry.ValidTo);
            return new CodeLookup(entry.Billable ? CodeStatus.Valid : CodeStatus.Header, System, code, release, entry);
        }
        // Not in the release in force: is it in an earlier or later one? Then it is a real code, just not on this day.
        for (var j = 0; j < releases.Count; j++)
        {
            if (j == i || !releases[j].Codes.ContainsKey(code)) continue;
            var from = releases[j].Release.EffectiveFrom;
            DateOnly? to = j + 1 < releases.Count ? releases[j + 1].Release.EffectiveFrom.AddDays(-1) : null;
            return new CodeLookup(CodeStatus.NotValidOnDos, System, code, release, null, from, to);
        }
        return new CodeLookup(CodeStatus.Unknown, System, code, release);
    }

    /// <summary>Billable codes under a header in the release in force (for "choose a more specific code").</summary>
    public IEnumerable<string> BillableUnder(string header, DateOnly dos)
    {
        var i = IndexOn(dos);
        if (i < 0) return [];
        return releases[i].Codes.Values.Where(e => e.Billable && e.Code.Length > header.Length && e.Code.StartsWith(header, StringComparison.Ordinal))
            .Select(e => e.Code).Order(StringComparer.Ordinal);
    }
}
