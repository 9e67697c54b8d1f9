using System.ComponentModel.DataAnnotations;
using Marten;
using Marten.Schema;
using Portal.Web.Platform;

namespace Portal.Web.Features.Settings;

/// <summary>
/// How a practice wants its charts worked: the turnaround SLA that sets each chart's due time, and the QA sample.
/// One document per practice (tenant), id = the practice id. Defaults follow common vendor contracts (domain brief §9).
/// </summary>
public sealed record PracticeSettings(
    Guid Id,
    [Range(1, 720)] int TurnaroundHours = 48,
    [Range(0, 100)] int QaSamplePercent = 10,
    [Range(0, 1000)] int NewCoderChartCount = 50,
    [Range(1, 720)] int QueryEscalationHours = 72,
    string? UpdatedBy = null,
    DateTimeOffset? UpdatedAt = null,
    bool QaTargeted = true) : Platform.IHasRevision
{
    /// <summary>Marten's revision of the stored settings (0: never saved, the defaults); the ETag.</summary>
    public long Version { get; set; }

    /// <summary>Coders with fewer approved charts than NewCoderChartCount have every chart reviewed.</summary>
    public static PracticeSettings Default(Guid practiceId) => new(practiceId);

    /// <summary>The settings after <paramref name="input"/>: omitted values keep their current setting.</summary>
    public PracticeSettings With(UpdatePracticeSettings input, string actor, DateTimeOffset now) => this with
    {
        TurnaroundHours = input.TurnaroundHours ?? TurnaroundHours,
        QaSamplePercent = input.QaSamplePercent ?? QaSamplePercent,
        NewCoderChartCount = input.NewCoderChartCount ?? NewCoderChartCount,
        QueryEscalationHours = input.QueryEscalationHours ?? QueryEscalationHours,
        QaTargeted = input.QaTargeted ?? QaTargeted,
        UpdatedBy = actor,
        UpdatedAt = now,
    };

    public static async Task<PracticeSettings> For(IQuerySession session, Guid practiceId, CancellationToken ct) =>
        await session.LoadAsync<PracticeSettings>(practiceId, ct) ?? Default(practiceId);

    /// <summary>Saves a change over the settings read (the defaults when never saved), refusing a stale If-Match (412).</summary>
    public static async Task<PracticeSettings> Change(IDocumentSession session, Guid practiceId, UpdatePracticeSettings input, long? expected,
        string actor, DateTimeOffset now, CancellationToken ct)
    {
        var stored = await session.LoadAsync<PracticeSettings>(practiceId, ct);
        var updated = session.StoreChecked(stored, (stored ?? Default(practiceId)).With(input, actor, now), expected);
        await session.SaveChangesAsync(ct);
        return updated;
    }
}

/// <summary>
/// Change the practice's coding settings. Omitted values keep their current setting. QaTargeted: also send to QA every chart
/// with a high-level E/M visit or modifier 25, 59 or X{EPSU} (targeted samples, domain brief §9).
/// </summary>
public sealed record UpdatePracticeSettings(
    [Range(1, 720)] int? TurnaroundHours,
    [Range(0, 100)] int? QaSamplePercent,
    [Range(0, 1000)] int? NewCoderChartCount,
    [Range(1, 720)] int? QueryEscalationHours,
    bool? QaTargeted = null);

/// <summary>The practice's charge for a procedure code (HCPCS/CPT), in dollars; one row per code.</summary>
public sealed record FeeScheduleEntry(string Id, string Code, decimal Amount, string UpdatedBy, DateTimeOffset UpdatedAt) : Platform.IHasRevision
{
    /// <summary>Marten's revision of this entry; the ETag SetFee checks against If-Match.</summary>
    public long Version { get; set; }

    public static string Key(string code) => code.Trim().ToUpperInvariant();

    /// <summary>The practice's charges for <paramref name="codes"/> in one query, by <see cref="Key"/>; codes without a fee are absent.</summary>
    public static async Task<IReadOnlyDictionary<string, decimal>> ChargesFor(IQuerySession session, IEnumerable<string> codes,
        CancellationToken ct)
    {
        string[] keys = [.. codes.Select(Key).Where(k => k.Length > 0).Distinct()];
        return keys.Length == 0
            ? new Dictionary<string, decimal>()
            : (await session.LoadManyAsync<FeeScheduleEntry>(ct, keys)).ToDictionary(f => f.Id, f => f.Amount);
    }

    /// <summary>Sets one code's charge, refusing a stale If-Match (412).</summary>
    public static async Task<FeeScheduleEntry> Set(IDocumentSession session, string code, decimal amount, long? expected, string actor,
        DateTimeOffset now, CancellationToken ct)
    {
        var key = Key(code);
        var stored = await session.LoadAsync<FeeScheduleEntry>(key, ct);
        var entry = session.StoreChecked(stored, new FeeScheduleEntry(key, key, decimal.Round(amount, 2, MidpointRounding.AwayFromZero), actor, now),
            expected);
        await session.SaveChangesAsync(ct);
        return entry;
    }

    public static async Task<IReadOnlyList<FeeScheduleEntry>> All(IQuerySession session, CancellationToken ct) =>
        await session.Query<FeeScheduleEntry>().OrderBy(f => f.Code).ToListAsync(ct);

    static readonly Platform.Csv.CsvColumn<FeeScheduleEntry>[] CsvColumns = [new("code", f => f.Code), new("amount", f => f.Amount, "0.00")];

    public static Platform.Csv.CsvDownload<FeeScheduleEntry> Csv(IEnumerable<FeeScheduleEntry> fees) => new("fee-schedule.csv", CsvColumns, fees);
}

/// <summary>Set one code's charge.</summary>
public sealed record SetFee([Required, RegularExpression("^[A-Za-z0-9]{5}$", ErrorMessage = "A CPT or HCPCS code has 5 characters.")] string Code,
    [Range(typeof(decimal), "0", "99999.99")] decimal Amount);
