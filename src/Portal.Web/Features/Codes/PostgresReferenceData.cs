using Npgsql;
using Portal.Billing.CodeFiles;
using Portal.Billing.Codes;
using Portal.Billing.Scrubbing;
using Portal.Web.Platform;
using LibEntry = Portal.Billing.Codes.CodeEntry;

namespace Portal.Web.Features.Codes;

/// <summary>
/// The billing core's <see cref="IReferenceData"/> over PostgreSQL, for one claim (or a few). The scrubber is synchronous,
/// so <see cref="LoadAsync"/> fetches first what the claim needs: the code indexes of the versions in force (held in
/// memory by <see cref="CodeCatalog"/>), the NCCI PTP pairs among the claim's codes only, the MUE rows of its codes, and
/// the Tabular and MCE facts of the ICD-10-CM release (parsed once per version). Nothing reads a whole edit table per request.
/// </summary>
public sealed class PostgresReferenceData : IReferenceData
{
    readonly CodeCatalog catalog;
    readonly Dictionary<(string System, string Version), CodeIndex> indexes = [];
    readonly Dictionary<(string Version, string C1, string C2), PtpEdit> ptp = [];
    readonly Dictionary<(string Version, string Code), MueRecord> mue = [];
    readonly Dictionary<string, IcdTabular> tabular = [];
    readonly Dictionary<string, MceTable> mce = [];

    PostgresReferenceData(CodeCatalog catalog) => this.catalog = catalog;

    /// <summary>Loads what scrubbing <paramref name="claims"/> needs, in a handful of queries.</summary>
    public static async Task<PostgresReferenceData> LoadAsync(CodeCatalog catalog, IReadOnlyCollection<Claim> claims, CancellationToken ct)
    {
        var data = new PostgresReferenceData(catalog);
        var dates = claims.SelectMany(c => (c.Lines ?? []).Select(l => l.DateOfService ?? c.DateOfService).Append(c.DateOfService))
            .OfType<DateOnly>().Distinct().ToList();
        foreach (var system in CodeSystems.Searchable)
            foreach (var v in catalog.Versions(system))
                data.indexes[(system, v.Version)] = await catalog.Index(v, ct);
        foreach (var day in dates)
        {
            if (catalog.VersionOn(CodeSystems.IcdTabular, day) is { } t && !data.tabular.ContainsKey(t.Version)
                && await catalog.TabularAsync(t, ct) is { } tab) data.tabular[t.Version] = tab;
            if (catalog.VersionOn(CodeSystems.Mce, day) is { } m && !data.mce.ContainsKey(m.Version)
                && await catalog.MceAsync(m, ct) is { } table) data.mce[m.Version] = table;
        }
        var codes = claims.SelectMany(c => c.Lines ?? []).Select(l => Billing.Codes.CodeSystems.Normalize(l.Code ?? ""))
            .Where(c => c.Length is > 0 and <= 7).Distinct().ToArray();
        var ncci = dates.Select(d => catalog.VersionOn(CodeSystems.Ncci, d)?.Version).OfType<string>().Distinct().ToArray();
        var mues = dates.Select(d => catalog.VersionOn(CodeSystems.Mue, d)?.Version).OfType<string>().Distinct().ToArray();
        if (codes.Length == 0 || ncci.Length + mues.Length == 0) return data;
        // The NCCI pairs and MUE rows of these codes come from the catalog's cache of edit lookups (the tables of a version
        // never change under it); a miss is one batch of two indexed queries.
        var edits = await catalog.EditsFor(ncci, mues, codes, ct);
        foreach (var (version, edit) in edits.Ptp) data.ptp[(version, edit.Column1, edit.Column2)] = edit;
        foreach (var (version, limit) in edits.Mue) data.mue[(version, limit.Code)] = limit;
        return data;
    }

    static Release ReleaseOf(CodeSetVersion v) => new(v.System, v.Version, v.EffectiveFrom);

    static LibEntry ToLibrary(string system, CodeEntry e) =>
        new(e.Code, e.Billable, e.ShortDescription, e.LongDescription, Flags: system == CodeSystems.Cpt ? e.Flags : null);

    public CodeLookup Lookup(string system, string code, DateOnly dos)
    {
        if (catalog.VersionOn(system, dos) is not { } v || !indexes.TryGetValue((system, v.Version), out var index))
            return new CodeLookup(CodeStatus.NoCodeSet, system, code, null);
        var release = ReleaseOf(v);
        if (index.Find(code) is { } entry)
            return new CodeLookup(entry.Billable ? CodeStatus.Valid : CodeStatus.Header, system, code, release, ToLibrary(system, entry));
        foreach (var other in catalog.Versions(system).OrderByDescending(o => o.EffectiveFrom))
            if (other.Version != v.Version && indexes.TryGetValue((system, other.Version), out var o) && o.Find(code) is not null)
                return new CodeLookup(CodeStatus.NotValidOnDos, system, code, release, null, other.EffectiveFrom, other.EffectiveTo);
        return new CodeLookup(CodeStatus.Unknown, system, code, release);
    }

    public IEnumerable<string> BillableUnder(string system, string header, DateOnly dos) =>
        catalog.VersionOn(system, dos) is { } v && indexes.TryGetValue((system, v.Version), out var index) && index.Find(header) is { } entry
            ? index.BillableUnder(entry).Select(e => e.Code) : [];

    public Sourced<IcdTabular>? Tabular(DateOnly dos) =>
        catalog.VersionOn(CodeSystems.IcdTabular, dos) is { } v && tabular.TryGetValue(v.Version, out var t)
            ? new Sourced<IcdTabular>(t, new Release(CodeSystems.Icd10Cm, v.Version, v.EffectiveFrom)) : null;

    public Sourced<PtpEdit>? Ptp(string column1, string column2, DateOnly dos)
    {
        if (catalog.VersionOn(CodeSystems.Ncci, dos) is not { } v || !ptp.TryGetValue((v.Version, column1, column2), out var edit)) return null;
        if (edit.EffectiveFrom > dos || edit.DeletedOn is { } deleted && deleted <= dos) return null;
        return new Sourced<PtpEdit>(edit, ReleaseOf(v));
    }

    public Sourced<MueRecord>? Mue(string code, DateOnly dos) =>
        catalog.VersionOn(CodeSystems.Mue, dos) is { } v && mue.TryGetValue((v.Version, code), out var r) ? new Sourced<MueRecord>(r, ReleaseOf(v)) : null;

    public Sourced<IReadOnlyList<MceRecord>>? Mce(string code, DateOnly dos) =>
        catalog.VersionOn(CodeSystems.Mce, dos) is { } v && mce.TryGetValue(v.Version, out var t)
            ? new Sourced<IReadOnlyList<MceRecord>>(t.For(code), ReleaseOf(v)) : null;
}
