using System.Security.Cryptography;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Npgsql;
using Portal.Billing.Remittance;
using Portal.Web.Features.Claims;
using Portal.Web.Platform;

namespace Portal.Web.Features.Payments;

/// <summary>
/// One ledger entry (the library's <see cref="PostingEntry"/> as a row): what a posting event moved on a claim line or claim,
/// its patient and its payer. Entries are only added: a reversal is a new entry with the opposite sign. Kind is the library's
/// <see cref="EntryKind"/> name, plus WriteOff for a claim written off from follow-up. Stored as a row of
/// <see cref="LedgerTables.Ledger"/> (ADR 0020), not as a document.
/// </summary>
public sealed record LedgerEntry(Guid Id, Guid? ClaimId, int? Line, string? LineCode, Guid? PatientId, Guid? PayerId, string PayerCode,
    Guid? RemittanceId, string PaymentKey, string Kind, decimal Amount, string Group, string Reason, bool Reversal, DateOnly PostedOn,
    DateOnly? DateOfService, DateTimeOffset At)
{
    public const string WriteOff = "WriteOff";
    /// <summary>Roll-up kind for a denial reason of a work item (amount = the reason's amount, entries = 1 per reason).</summary>
    public const string Denial = "Denial";
}

/// <summary>
/// The payments read tables (ADR 0020), plain PostgreSQL tables beside Marten's in the <c>portal</c> schema, every row carrying
/// the practice's tenant id:
/// <list type="bullet">
/// <item><c>payment_ledger</c>: one row per ledger entry (balances per claim, line, patient, payer are sums of these rows);</item>
/// <item><c>payment_daily</c>: the roll-up the dashboard reads, per practice, day, payer, kind and CARC (amount and entry count);</item>
/// <item><c>payment_claim</c>: per claim, the day it was first adjudicated (a non-reversal claim payment), first denied, and its charge.</item>
/// </list>
/// All three are written by <see cref="LedgerProjection"/> inside the posting's transaction.
/// </summary>
public static class LedgerTables
{
    const string S = MartenSetup.Schema;
    public const string Ledger = S + ".payment_ledger";
    public const string Daily = S + ".payment_daily";
    public const string ClaimOutcome = S + ".payment_claim";

    public const string Ddl = $"""
        create schema if not exists {S};
        create table if not exists {Ledger} (
          tenant_id text not null, id uuid not null, claim_id uuid, line int, line_code text, patient_id uuid, payer_id uuid,
          payer_code text not null, remittance_id uuid, payment_key text not null, kind text not null, amount numeric(14,2) not null,
          grp text not null, reason text not null, reversal boolean not null, posted_on date not null, at timestamptz not null,
          primary key (tenant_id, id));
        create index if not exists payment_ledger_claim on {Ledger} (tenant_id, claim_id);
        create index if not exists payment_ledger_patient on {Ledger} (tenant_id, patient_id);
        create index if not exists payment_ledger_posted on {Ledger} (tenant_id, posted_on);
        create table if not exists {Daily} (
          tenant_id text not null, day date not null, payer text not null, kind text not null, carc text not null,
          amount numeric(16,2) not null, entries int not null,
          primary key (tenant_id, day, payer, kind, carc));
        create table if not exists {ClaimOutcome} (
          tenant_id text not null, claim_id uuid not null, adjudicated_on date, denied_on date, charge numeric(14,2) not null,
          primary key (tenant_id, claim_id));
        create index if not exists payment_claim_adjudicated on {ClaimOutcome} (tenant_id, adjudicated_on);
        create index if not exists payment_claim_denied on {ClaimOutcome} (tenant_id, denied_on);
        """;

    public static async Task EnsureCreatedAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(Ddl);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>Creates the payments read tables at startup (before any posting can happen).</summary>
sealed class LedgerTablesStartup(TenantDatabases databases, IDocumentStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        // The claims' roll-up triggers need the snapshot table: Marten creates it at startup, but not necessarily before this runs.
        foreach (var database in await store.Storage.AllDatabases()) await database.EnsureStorageExistsAsync(typeof(ClaimView), ct);
        foreach (var (_, source) in databases.All)
        {
            await LedgerTables.EnsureCreatedAsync(source, ct);
            await ClaimDailyRollup.EnsureCreatedAsync(source, ct);
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// The ledger projection (inline, ADR 0015 and 0020). Marten hands it every event of a SaveChanges at once; it turns the posting
/// events into ledger rows and adds them, the daily roll-up deltas and the claims' first adjudication/denial days with three
/// statements (arrays through <c>unnest</c>), queued in the same transaction as the events. An 835 of 5,000 claims (~40,000
/// entries) therefore costs three statements, not 40,000 document upserts. Balances are sums of the rows, so they reconcile with
/// the events by construction; the property test checks it, and another test checks the roll-up against the rows.
/// </summary>
public sealed class LedgerProjection : IProjection
{
    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var (sql, args) in Commands(events.Select(e => (e.Id, e.TenantId, e.Data))))
            operations.QueueSqlCommand(sql, args);
        return Task.CompletedTask;
    }

    /// <summary>The event types this projection reads (the ledger replay reads these from <c>mt_events</c>).</summary>
    public static readonly Type[] EventTypes = [typeof(ClaimPaymentPosted), typeof(ProviderAdjustmentPosted), typeof(ClaimWrittenOff), typeof(DenialWorkItemOpened)];

    /// <summary>
    /// The statements (with <c>?</c> placeholders, as Marten queues them) that add these events to the three tables: the live
    /// projection queues them in the posting's transaction, the ledger replay (<see cref="LedgerReplay"/>) runs them itself.
    /// </summary>
    public static List<(string Sql, object[] Args)> Commands(IEnumerable<(Guid Id, string Tenant, object Data)> events)
    {
        var commands = new List<(string, object[])>();
        var rows = new List<(string Tenant, LedgerEntry Entry)>();
        var denials = new List<(string Tenant, DateOnly Day, string Payer, DeniedReason Reason)>();
        var outcomes = new Dictionary<(string, Guid), (DateOnly? Adjudicated, DateOnly? Denied, decimal Charge)>();
        foreach (var e in events)
            {
                var tenant = e.Tenant;
                switch (e.Data)
                {
                    case ClaimPaymentPosted p:
                        rows.AddRange(Entries(e.Id, p).Select(x => (tenant, x)));
                        if (!p.Reversal) Outcome(outcomes, tenant, p.ClaimId, p.PaymentDate, null, p.Charge);
                        break;
                    case ProviderAdjustmentPosted d:
                        rows.Add((tenant, new LedgerEntry(Id(e.Id, 0), null, null, null, null, d.PortalPayerId, d.PayerId, d.RemittanceId, d.Key,
                            nameof(EntryKind.ProviderAdjustment), d.Amount, "", d.Reason, false, DateOnly.FromDateTime(d.At.UtcDateTime), null, d.At)));
                        break;
                    case ClaimWrittenOff w:
                        rows.Add((tenant, new LedgerEntry(Id(e.Id, 0), w.ClaimId, null, null, w.PatientId, null, "", null, $"writeoff|{e.Id}",
                            LedgerEntry.WriteOff, w.Amount, "", w.Reason, false, DateOnly.FromDateTime(w.At.UtcDateTime), null, w.At)));
                        break;
                    case DenialWorkItemOpened o:
                        var day = o.DueDate.AddDays(-o.AppealWindowDays);
                        denials.AddRange(o.Reasons.Select(r => (tenant, day, o.PayerId.ToString(), r)));
                        Outcome(outcomes, tenant, o.ClaimId, null, day, o.Charge);
                        break;
                }
            }
        if (rows.Count > 0) commands.Add(RowsCommand(rows));
        var daily = rows.GroupBy(r => (r.Tenant, r.Entry.PostedOn, Payer: PayerKey(r.Entry), r.Entry.Kind, Carc: r.Entry.Reason))
            .Select(g => (g.Key.Tenant, Day: g.Key.PostedOn, g.Key.Payer, Kind: g.Key.Kind, g.Key.Carc, Amount: g.Sum(r => r.Entry.Amount), Entries: g.Count()))
            .Concat(denials.GroupBy(d => (d.Tenant, d.Day, d.Payer, d.Reason.Carc))
                .Select(g => (g.Key.Tenant, Day: g.Key.Day, g.Key.Payer, Kind: LedgerEntry.Denial, g.Key.Carc, Amount: g.Sum(d => d.Reason.Amount), Entries: g.Count())))
            .ToList();
        if (daily.Count > 0)
            commands.Add((
                $"""
                 insert into {LedgerTables.Daily} as d (tenant_id, day, payer, kind, carc, amount, entries)
                 select * from unnest(?::text[], ?::date[], ?::text[], ?::text[], ?::text[], ?::numeric[], ?::int[])
                 on conflict (tenant_id, day, payer, kind, carc) do update set amount = d.amount + excluded.amount, entries = d.entries + excluded.entries
                 """,
                [daily.Select(d => d.Tenant).ToArray(), daily.Select(d => d.Day).ToArray(), daily.Select(d => d.Payer).ToArray(),
                daily.Select(d => d.Kind).ToArray(), daily.Select(d => d.Carc).ToArray(), daily.Select(d => d.Amount).ToArray(),
                daily.Select(d => d.Entries).ToArray()]));
        if (outcomes.Count > 0)
        {
            var o = outcomes.ToList();
            commands.Add((
                $"""
                 insert into {LedgerTables.ClaimOutcome} as c (tenant_id, claim_id, adjudicated_on, denied_on, charge)
                 select * from unnest(?::text[], ?::uuid[], ?::date[], ?::date[], ?::numeric[])
                 on conflict (tenant_id, claim_id) do update set
                   adjudicated_on = coalesce(least(c.adjudicated_on, excluded.adjudicated_on), c.adjudicated_on, excluded.adjudicated_on),
                   denied_on = coalesce(least(c.denied_on, excluded.denied_on), c.denied_on, excluded.denied_on)
                 """,
                [o.Select(x => x.Key.Item1).ToArray(), o.Select(x => x.Key.Item2).ToArray(), o.Select(x => x.Value.Adjudicated).ToArray(),
                o.Select(x => x.Value.Denied).ToArray(), o.Select(x => x.Value.Charge).ToArray()]));
        }
        return commands;
    }

    /// <summary>The roll-up's payer: the portal payer's id when known, else the 835 payer id.</summary>
    public static string PayerKey(LedgerEntry e) => e.PayerId?.ToString() ?? e.PayerCode;

    static void Outcome(Dictionary<(string, Guid), (DateOnly?, DateOnly?, decimal)> outcomes, string tenant, Guid claim, DateOnly? adjudicated,
        DateOnly? denied, decimal charge)
    {
        var (a, d, c) = outcomes.TryGetValue((tenant, claim), out var was) ? was : (null, null, charge);
        outcomes[(tenant, claim)] = (Min(a, adjudicated), Min(d, denied), c);
        static DateOnly? Min(DateOnly? x, DateOnly? y) => x is null ? y : y is null ? x : x < y ? x : y;
    }

    static (string, object[]) RowsCommand(List<(string Tenant, LedgerEntry Entry)> rows)
    {
        T[] A<T>(Func<LedgerEntry, T> f) => [.. rows.Select(r => f(r.Entry))];
        return (
            $"""
             insert into {LedgerTables.Ledger} (tenant_id, id, claim_id, line, line_code, patient_id, payer_id, payer_code, remittance_id, payment_key,
               kind, amount, grp, reason, reversal, posted_on, at)
             select * from unnest(?::text[], ?::uuid[], ?::uuid[], ?::int[], ?::text[], ?::uuid[], ?::uuid[], ?::text[], ?::uuid[], ?::text[],
               ?::text[], ?::numeric[], ?::text[], ?::text[], ?::boolean[], ?::date[], ?::timestamptz[])
             on conflict do nothing
             """,
            [rows.Select(r => r.Tenant).ToArray(), A(e => e.Id), A(e => e.ClaimId), A(e => e.Line), A(e => e.LineCode), A(e => e.PatientId),
            A(e => e.PayerId), A(e => e.PayerCode), A(e => e.RemittanceId), A(e => e.PaymentKey), A(e => e.Kind), A(e => e.Amount), A(e => e.Group),
            A(e => e.Reason), A(e => e.Reversal), A(e => e.PostedOn), A(e => e.At.ToUniversalTime())]);
    }

    /// <summary>
    /// The entries of one claim payment, as <see cref="Posting.Claim"/> makes them: per line the paid amount and each CAS by kind;
    /// at claim level the paid amount not on a line and the claim CAS. The event's Adjustments hold every CAS of the claim (claim
    /// level and lines, so the claim snapshot's Adjusted is complete); the claim-level ones are those not repeated on a line.
    /// </summary>
    public static IEnumerable<LedgerEntry> Entries(Guid eventId, ClaimPaymentPosted d)
    {
        var n = 0;
        LedgerEntry E(int? line, string? code, string kind, decimal amount, string group = "", string reason = "") =>
            new(Id(eventId, n++), d.ClaimId, line, code, d.PatientId, d.PayerId, "", d.RemittanceId, d.PaymentKey, kind, amount, group, reason,
                d.Reversal, d.PaymentDate, null, d.At);

        var claimLevel = d.Adjustments.ToList();
        foreach (var l in d.Lines)
        {
            if (l.Paid != 0) yield return E(l.Line, l.Code, nameof(EntryKind.Payment), l.Paid);
            foreach (var a in l.Adjustments)
            {
                var i = claimLevel.FindIndex(c => c.Group == a.Group && c.Reason == a.Reason && c.Amount == a.Amount);
                if (i >= 0) claimLevel.RemoveAt(i);
                yield return E(l.Line, l.Code, Kind(a).ToString(), a.Amount, a.Group, a.Reason);
            }
        }
        var claimPaid = d.Paid - d.Lines.Sum(l => l.Paid);
        if (claimPaid != 0) yield return E(null, null, nameof(EntryKind.Payment), claimPaid);
        foreach (var a in claimLevel) yield return E(null, null, Kind(a).ToString(), a.Amount, a.Group, a.Reason);
    }

    static EntryKind Kind(PostedAdjustment a) => Posting.Kind(new Adjustment(a.Group, a.Reason, a.Amount, a.Quantity));

    static Guid Id(Guid eventId, int n)
    {
        Span<byte> input = stackalloc byte[20];
        eventId.TryWriteBytes(input);
        BitConverter.TryWriteBytes(input[16..], n);
        return new Guid(MD5.HashData(input));
    }
}
