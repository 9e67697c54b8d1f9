using System.Text.Json.Serialization;
using Marten;
using Npgsql;
using Portal.Billing.Kpi;
using Portal.Web.Platform;

namespace Portal.Web.Features.Payments;

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum AgingBasis { DateOfService, SubmissionDate }

/// <summary>Sums of one ledger account (a claim, a claim line, a patient or a payer), in dollars.</summary>
public sealed record LedgerBalance(string Account, decimal Charged, decimal Paid, decimal Contractual, decimal PatientResponsibility,
    decimal OtherAdjustments, decimal Interest, decimal ProviderAdjustments, decimal WrittenOff)
{
    /// <summary>What the payer still owes: charged − paid − contractual − patient responsibility − other adjustments − written off.</summary>
    public decimal Open => Charged - Paid - Contractual - PatientResponsibility - OtherAdjustments - WrittenOff;

    /// <summary>Cash from the payer: payments less what PLB withheld (Σ BPR02 of its checks).</summary>
    public decimal Cash => Paid - ProviderAdjustments;
}

public sealed record AgingRow(string Key, decimal Days0To30, decimal Days31To60, decimal Days61To90, decimal Days91To120, decimal Over120)
{
    public decimal Total => Days0To30 + Days31To60 + Days61To90 + Days91To120 + Over120;
    public static AgingRow From(string key, AgingBuckets b) => new(key, b.Days0To30, b.Days31To60, b.Days61To90, b.Days91To120, b.Over120);
}

/// <summary>A/R aging: insurance by payer and patient responsibility by patient, as of a day, by date of service or submission date.</summary>
public sealed record AgingReport(DateOnly AsOf, AgingBasis Basis, AgingRow Insurance, AgingRow Patient, AgingRow[] ByPayer, AgingRow[] ByPatient,
    decimal? PercentOver90, decimal? PercentOver120);

public sealed record MonthAmount(string Month, decimal Payments);
public sealed record CarcCount(string Carc, string Description, int Count, decimal Amount);

/// <summary>The collections dashboard's figures (domain brief §8); the period and basis are stated beside each.</summary>
public sealed record KpiReport(DateOnly From, DateOnly To, decimal ArTotal, decimal? DaysInAr, decimal GrossCharges90, decimal? CleanClaimRate,
    decimal? FirstPassResolutionRate, decimal? DenialRate, decimal? NetCollectionRate, decimal? GrossCollectionRate, decimal Payments,
    decimal Charges, decimal Contractual, int Submitted, int Adjudicated, int Denied, CarcCount[] TopCarcs, MonthAmount[] PaymentsByMonth,
    AgingRow Aging);

/// <summary>
/// Ledger balances, aging and KPIs as SQL aggregates over the ledger rows and the claim snapshots of the practice's tenant, so the
/// dashboard does not load documents. The formulas are the billing library's (<see cref="Kpis"/>).
/// </summary>
public static class PaymentQueries
{
    const string Ledger = LedgerTables.Ledger;
    const string Claims = MartenSetup.Schema + ".mt_doc_claimview";

    static readonly Dictionary<string, string> AccountKey = new()
    {
        ["claim"] = "claim_id::text",
        ["line"] = "claim_id::text || '#' || coalesce(line::text, line_code, '')",
        ["patient"] = "patient_id::text",
        ["payer"] = "coalesce(payer_id::text, payer_code)",
    };

    /// <summary>Balances per account of a kind (claim, line, patient, payer); <paramref name="id"/> narrows to one account.</summary>
    public static readonly Sorting<LedgerBalance> LedgerSorting = new Sorting<LedgerBalance>("account")
    {
        { "account", "account key (claim control number, line, patient or payer)", b => b.Account },
        { "open", "open balance", b => b.Open },
        { "charged", "charges", b => b.Charged },
        { "paid", "paid", b => b.Paid },
        { "writtenOff", "written off", b => b.WrittenOff },
    }.TieBreak(b => b.Account);

    public static async Task<IReadOnlyList<LedgerBalance>> Balances(NpgsqlDataSource db, Guid practice, string kind, string? id, CancellationToken ct)
    {
        if (!AccountKey.TryGetValue(kind, out var key)) throw new InvalidInput("account", "account must be claim, line, patient or payer.");
        var sums = new Dictionary<string, Dictionary<string, decimal>>();
        await using (var cmd = db.CreateCommand(
            $"select {key} as account, kind, sum(amount) from {Ledger} where tenant_id = $1 " +
            (id is null ? "" : $"and {key} = $2 ") + "group by 1, 2"))
        {
            cmd.Parameters.AddWithValue(practice.ToString());
            if (id is not null) cmd.Parameters.AddWithValue(id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                if (r.IsDBNull(0)) continue;
                var account = r.GetString(0);
                if (!sums.TryGetValue(account, out var bag)) sums[account] = bag = [];
                bag[r.GetString(1)] = r.GetDecimal(2);
            }
        }
        var charges = await Charges(db, practice, kind, id, ct);
        foreach (var account in charges.Keys) if (!sums.ContainsKey(account)) sums[account] = [];
        return [.. sums.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s =>
        {
            decimal G(params string[] kinds) => kinds.Sum(k => s.Value.GetValueOrDefault(k));
            return new LedgerBalance(s.Key, charges.GetValueOrDefault(s.Key), G("Payment"), G("Contractual"),
                G("Deductible", "Coinsurance", "Copay", "PatientOther"), G("OtherAdjustment", "PayerReduction", "Correction"), G("Interest"),
                G("ProviderAdjustment"), G(LedgerEntry.WriteOff));
        })];
    }

    /// <summary>Charges come from the claims themselves (the claim snapshot's lines): the ledger's starting point.</summary>
    static async Task<Dictionary<string, decimal>> Charges(NpgsqlDataSource db, Guid practice, string kind, string? id, CancellationToken ct)
    {
        var result = new Dictionary<string, decimal>();
        var sql = kind switch
        {
            "claim" => $"select id::text, (data->>'TotalCharge')::numeric from {Claims} where tenant_id = $1 and {Submitted}",
            "patient" => $"select data->>'PatientId', sum((data->>'TotalCharge')::numeric) from {Claims} where tenant_id = $1 and {Submitted} group by 1",
            "payer" => $"select data->'Coverage'->>'PayerId', sum((data->>'TotalCharge')::numeric) from {Claims} where tenant_id = $1 and {Submitted} group by 1",
            _ => $"select c.id::text || '#' || (l->>'Line'), (l->>'Charge')::numeric from {Claims} c, jsonb_array_elements(c.data->'Lines') l where c.tenant_id = $1 and {Submitted.Replace("data", "c.data")}",
        };
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.AddWithValue(practice.ToString());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            if (!r.IsDBNull(0) && (id is null || r.GetString(0) == id)) result[r.GetString(0)] = r.GetDecimal(1);
        return result;
    }

    /// <summary>Claims that left the practice (batched or later, not voided): they are receivables.</summary>
    const string Submitted = "data->>'State' not in ('Draft', 'Ready', 'Voided')";

    sealed record ArClaim(Guid Id, DateOnly Dos, DateOnly? SubmittedOn, string Payer, string Patient, decimal Charge, decimal InsuranceOpen,
        decimal PatientOpen, string State, bool Rejected);

    static async Task<List<ArClaim>> ArClaims(NpgsqlDataSource db, Guid practice, CancellationToken ct)
    {
        var list = new List<ArClaim>();
        await using var cmd = db.CreateCommand(
            $"""
             select id, (data->>'DateOfService')::date, (data->>'SubmittedAt')::timestamptz, coalesce(data->'Coverage'->>'PayerName', ''),
                    coalesce(data->>'PatientName', ''), (data->>'TotalCharge')::numeric,
                    (data->>'TotalCharge')::numeric - (data->>'Paid')::numeric - (data->>'Adjusted')::numeric
                      - (data->>'PatientResponsibility')::numeric - (data->>'WrittenOff')::numeric,
                    (data->>'PatientResponsibility')::numeric, data->>'State', jsonb_array_length(coalesce(data->'LastRejectionReasons', '[]'::jsonb)) > 0
             from {Claims} where tenant_id = $1 and {Submitted}
             """);
        cmd.Parameters.AddWithValue(practice.ToString());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new ArClaim(r.GetGuid(0), DateOnly.FromDateTime(r.GetDateTime(1)),
                r.IsDBNull(2) ? null : DateOnly.FromDateTime(r.GetFieldValue<DateTimeOffset>(2).UtcDateTime), r.GetString(3), r.GetString(4),
                r.GetDecimal(5), r.GetDecimal(6), r.GetDecimal(7), r.GetString(8), r.GetBoolean(9)));
        return list;
    }

    public static async Task<AgingReport> Aging(NpgsqlDataSource db, Guid practice, DateOnly asOf, AgingBasis basis, CancellationToken ct)
    {
        var claims = await ArClaims(db, practice, ct);
        DateOnly Day(ArClaim c) => basis == AgingBasis.SubmissionDate ? c.SubmittedOn ?? c.Dos : c.Dos;
        var insurance = claims.Select(c => new OpenItem(Day(c), c.InsuranceOpen, c.Payer, "insurance")).ToList();
        var patient = claims.Select(c => new OpenItem(Day(c), c.PatientOpen, c.Patient, "patient")).ToList();
        var total = Kpis.Aging(insurance, asOf);
        return new AgingReport(asOf, basis, AgingRow.From("Insurance", total), AgingRow.From("Patient", Kpis.Aging(patient, asOf)),
            [.. Kpis.AgingBy(insurance.Where(i => i.Open > 0), asOf, i => i.Payer).Select(kv => AgingRow.From(kv.Key, kv.Value))],
            [.. Kpis.AgingBy(patient.Where(i => i.Open > 0), asOf, i => i.Payer).Select(kv => AgingRow.From(kv.Key, kv.Value))],
            total.PercentOver90, total.PercentOver120);
    }

    /// <summary>
    /// The dashboard's figures without reading raw postings (ADR 0020): payments, contractual adjustments, payments by month and the
    /// top denial CARCs from the daily roll-up (<see cref="LedgerTables.Daily"/>, a few rows per day); the adjudicated and denied cohort
    /// from <see cref="LedgerTables.ClaimOutcome"/> (indexed by day); A/R, days in A/R and the clean-claim rate from the claims' daily
    /// roll-up (<see cref="ClaimDailyRollup"/>, ADR 0028): rows per day, not per claim, are read.
    /// </summary>
    public static async Task<KpiReport> Kpi(NpgsqlDataSource db, Guid practice, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var tenant = practice.ToString();
        var asOf = to;
        var sums = new Dictionary<string, decimal>();
        var months = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        var carcs = new List<(string Carc, int Count, decimal Amount)>();
        int adjudicated = 0, denied = 0, submitted = 0, rejected = 0;
        decimal charges = 0, gross90 = 0;
        var openByDay = new List<OpenItem>();
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(Command($"""
            select kind, to_char(day, 'YYYY-MM'), carc, sum(amount), sum(entries)::int from {LedgerTables.Daily}
            where tenant_id = $1 and day between $2 and $3 and kind in ('Payment', 'Contractual', '{LedgerEntry.Denial}') group by 1, 2, 3
            """, tenant, from, to));
        batch.BatchCommands.Add(Command($"""
            select count(*)::int, count(*) filter (where denied_on between $2 and $3)::int, coalesce(sum(charge), 0) from {LedgerTables.ClaimOutcome}
            where tenant_id = $1 and (adjudicated_on between $2 and $3 or denied_on between $2 and $3)
            """, tenant, from, to));
        // The claims' side from their daily roll-up (ADR 0028): every date of service (aging needs them all) and the submission days
        // of the period.
        batch.BatchCommands.Add(Command($"""
            select basis, day, open_amount, charge, claims, rejected from {ClaimDailyRollup.Table}
            where tenant_id = $1 and (basis = 'S' or (basis = 'B' and day between $2 and $3))
            """, tenant, from, to));
        await using (var r = await batch.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var kind = r.GetString(0);
                var amount = r.GetDecimal(3);
                if (kind == LedgerEntry.Denial) { carcs.Add((r.GetString(2), r.GetInt32(4), amount)); continue; }
                sums[kind] = sums.GetValueOrDefault(kind) + amount;
                if (kind == "Payment") months[r.GetString(1)] = months.GetValueOrDefault(r.GetString(1)) + amount;
            }
            await r.NextResultAsync(ct);
            if (await r.ReadAsync(ct)) { adjudicated = r.GetInt32(0); denied = r.GetInt32(1); charges = r.GetDecimal(2); }
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var day = r.GetFieldValue<DateOnly>(1);
                if (r.GetString(0) == "B")
                {
                    submitted += r.GetInt32(4);
                    rejected += r.GetInt32(5);
                    continue;
                }
                openByDay.Add(new OpenItem(day, r.GetDecimal(2)));
                if (day > asOf.AddDays(-90) && day <= asOf) gross90 += r.GetDecimal(3);
            }
        }
        var aging = Kpis.Aging(openByDay, asOf);
        var payments = sums.GetValueOrDefault("Payment");
        var contractual = sums.GetValueOrDefault("Contractual");
        var top = carcs.GroupBy(c => c.Carc).Select(g => (Carc: g.Key, Count: g.Sum(c => c.Count), Amount: g.Sum(c => c.Amount)))
            .OrderByDescending(t => t.Count).ThenByDescending(t => t.Amount).ThenBy(t => t.Carc, StringComparer.Ordinal).Take(5)
            .Select(t => new CarcCount(t.Carc, ReasonText.Carc(t.Carc), t.Count, t.Amount)).ToArray();
        return new KpiReport(from, to, aging.Total, Kpis.DaysInAr(aging.Total, gross90), gross90, Kpis.Ratio(submitted - rejected, submitted),
            Kpis.Ratio(adjudicated - denied, adjudicated), Kpis.Ratio(denied, adjudicated), Kpis.NetCollectionRate(payments, charges, contractual),
            Kpis.GrossCollectionRate(payments, charges), payments, charges, contractual, submitted, adjudicated, denied, top,
            [.. months.Select(m => new MonthAmount(m.Key, m.Value))], AgingRow.From("All", aging));
    }

    static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var c = new NpgsqlBatchCommand(sql);
        foreach (var v in values) c.Parameters.Add(new NpgsqlParameter { Value = v });
        return c;
    }

    /// <summary>The denial work queue's sort keys (docs/api.md, "Sorting").</summary>
    public static readonly Sorting<DenialWorkItem> WorkItemSorting = new Sorting<DenialWorkItem>("due")
    {
        { "due", "appeal due date", i => i.DueDate },
        { "amount", "denied amount", i => i.DeniedAmount },
        { "payer", "payer name", i => i.PayerName },
        { "category", "denial category", i => i.Category },
        { "patient", "patient name", i => i.PatientName },
        { "dos", "date of service", i => i.DateOfService },
        { "state", "work item state", i => i.State },
        { "owner", "owner", i => i.Owner },
        { "opened", "when the denial was posted", i => i.OpenedAt },
    }.TieBreak(i => i.Id);

    /// <summary>Work queue filters (API and page alike), in the sort asked for (default: soonest due first).</summary>
    public static IQueryable<DenialWorkItem> WorkItems(IQuerySession query, string? state, string? category, string? owner, Guid? payerId,
        bool? overdue, DateOnly today, string? sort = null) => WorkItemSorting.Parse(sort).Apply(FilteredWorkItems(query, state, category, owner, payerId, overdue, today));

    public static IQueryable<DenialWorkItem> FilteredWorkItems(IQuerySession query, string? state, string? category, string? owner, Guid? payerId,
        bool? overdue, DateOnly today)
    {
        var q = query.Query<DenialWorkItem>().AsQueryable();
        if (state is { Length: > 0 })
        {
            if (!Enum.TryParse<WorkItemState>(state, true, out var s)) throw new InvalidInput("state", "state must be open, appealed, resolved or writtenoff.");
            q = q.Where(i => i.State == s);
        }
        if (category is { Length: > 0 }) q = q.Where(i => i.Category == category);
        if (owner is { Length: > 0 }) q = owner == "-" ? q.Where(i => i.Owner == null) : q.Where(i => i.Owner == owner);
        if (payerId is { } p) q = q.Where(i => i.PayerId == p);
        if (overdue == true) q = q.Where(i => i.DueDate < today && (i.State == WorkItemState.Open || i.State == WorkItemState.Appealed));
        return q;
    }
}
