using Portal.Billing.CodeFiles;

namespace Portal.Billing.Codes;

/// <summary>A fact from reference data together with the release it came from (findings name their data source).</summary>
public readonly record struct Sourced<T>(T Value, Release Release);

/// <summary>
/// The reference data the scrubber reads, as of a date of service. Portal.Web implements it over PostgreSQL (loading
/// what a batch of claims needs, or keeping the tables in memory); <see cref="InMemoryReferenceData"/> serves tests,
/// benchmarks and that cache.
/// </summary>
public interface IReferenceData
{
    CodeLookup Lookup(string system, string code, DateOnly dos);
    IEnumerable<string> BillableUnder(string system, string header, DateOnly dos);
    Sourced<IcdTabular>? Tabular(DateOnly dos);
    Sourced<PtpEdit>? Ptp(string column1, string column2, DateOnly dos);
    Sourced<MueRecord>? Mue(string code, DateOnly dos);
    Sourced<IReadOnlyList<MceRecord>>? Mce(string code, DateOnly dos);
}

/// <summary>Reference data held in memory, filled from the readers' records.</summary>
public sealed class InMemoryReferenceData : IReferenceData
{
    readonly Dictionary<string, CodeSet> codeSets = new(StringComparer.Ordinal);
    readonly Versioned<IcdTabular> tabular = new();
    readonly Versioned<PtpTable> ptp = new();
    readonly Versioned<MueTable> mue = new();
    readonly Versioned<MceTable> mce = new();

    public InMemoryReferenceData AddCodes(Release release, IEnumerable<CodeRecord> records)
    {
        if (!codeSets.TryGetValue(release.System, out var set)) codeSets[release.System] = set = new CodeSet(release.System);
        set.Add(release, records.Select(CodeEntry.From));
        return this;
    }

    public InMemoryReferenceData AddTabular(Release release, IEnumerable<TabularEntry> entries) { tabular.Add(release, new IcdTabular(entries)); return this; }
    public InMemoryReferenceData AddPtp(Release release, PtpTable table) { ptp.Add(release, table); return this; }
    public InMemoryReferenceData AddPtp(Release release, IEnumerable<PtpRecord> records) => AddPtp(release, PtpTable.From(records));
    public InMemoryReferenceData AddMue(Release release, IEnumerable<MueRecord> records) { mue.Add(release, new MueTable(records)); return this; }
    public InMemoryReferenceData AddMce(Release release, IEnumerable<MceRecord> records) { mce.Add(release, new MceTable(records)); return this; }

    public CodeLookup Lookup(string system, string code, DateOnly dos) =>
        codeSets.TryGetValue(system, out var set) ? set.Lookup(code, dos) : new CodeLookup(CodeStatus.NoCodeSet, system, code, null);

    public IEnumerable<string> BillableUnder(string system, string header, DateOnly dos) =>
        codeSets.TryGetValue(system, out var set) ? set.BillableUnder(header, dos) : [];

    public Sourced<IcdTabular>? Tabular(DateOnly dos) => tabular.On(dos) is { } t ? new(t.Value, t.Release) : null;

    public Sourced<PtpEdit>? Ptp(string column1, string column2, DateOnly dos) =>
        ptp.On(dos) is { } t && t.Value.Find(column1, column2, dos) is { } e ? new(e, t.Release) : null;

    public Sourced<MueRecord>? Mue(string code, DateOnly dos) =>
        mue.On(dos) is { } t && t.Value.Find(code) is { } r ? new(r, t.Release) : null;

    public Sourced<IReadOnlyList<MceRecord>>? Mce(string code, DateOnly dos) =>
        mce.On(dos) is { } t ? new(t.Value.For(code), t.Release) : null;
}
