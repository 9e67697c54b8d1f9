using Npgsql;
using Portal.Web.Platform;

namespace Portal.Web.Features.Payments;

/// <summary>
/// The claims half of the dashboard's roll-up (ADR 0028): per practice and day, what the submitted claims (not draft, ready or
/// voided) add up to, so the dashboard reads a few hundred rows instead of every claim snapshot of the practice.
/// <list type="bullet">
/// <item>basis <c>S</c> (date of service): claims, charge, and open = Σ max(charge − paid − adjusted − written off, 0): A/R,
/// aging and the gross charges of days in A/R;</item>
/// <item>basis <c>B</c> (submission day, UTC): claims submitted and how many of them carry a rejection: the clean-claim rate.</item>
/// </list>
/// Kept by statement-level triggers on the claim snapshot table (<c>mt_doc_claimview</c>), in the same statement and transaction as
/// every write of a snapshot, whoever writes it: Marten's inline projection, the set-based appends of submission and payments, a
/// migration. Each trigger adds the new rows' contributions and subtracts the old rows' (transition tables), so a bulk statement
/// of 10,000 claims is one aggregate, and a snapshot change that moves no figure (a scrub, a note) touches no roll-up row.
/// </summary>
public static class ClaimDailyRollup
{
    const string S = MartenSetup.Schema;
    public const string Table = S + ".payment_claim_daily";
    const string Claims = S + ".mt_doc_claimview";

    /// <summary>
    /// The rows one claim snapshot contributes, times <paramref name="sign"/>, from <paramref name="rows"/>: its date-of-service row
    /// and its submission-day row, when it left the practice (not draft, ready or voided: the A/R queries' test). The snapshot's
    /// fields are read in one pass (<c>jsonb_to_record</c>), so a large jsonb is decoded once per row, not once per field.
    /// </summary>
    public static string Contributions(string rows, int sign) => $"""
        select r.tenant_id, v.basis, v.day, {sign} as claims, {sign} * v.charge as charge, {sign} * v.open_amount as open_amount,
               {sign} * v.rejected as rejected
        from {rows} r
        cross join lateral jsonb_to_record(r.data) as x("State" text, "DateOfService" date, "TotalCharge" numeric, "Paid" numeric,
            "Adjusted" numeric, "WrittenOff" numeric, "SubmittedAt" timestamptz, "LastRejectionReasons" jsonb)
        cross join lateral (values
            ('S', x."DateOfService", coalesce(x."TotalCharge", 0),
             greatest(coalesce(x."TotalCharge", 0) - coalesce(x."Paid", 0) - coalesce(x."Adjusted", 0) - coalesce(x."WrittenOff", 0), 0), 0),
            ('B', (x."SubmittedAt" at time zone 'UTC')::date, 0, 0,
             case when jsonb_typeof(x."LastRejectionReasons") = 'array'
                  then (case when jsonb_array_length(x."LastRejectionReasons") > 0 then 1 else 0 end) else 0 end)
        ) as v(basis, day, charge, open_amount, rejected)
        where coalesce(x."State", '') not in ('Draft', 'Ready', 'Voided') and v.day is not null
        """;

    /// <summary>Adds the summed contributions to the roll-up; rows in key order so concurrent writers lock them in the same order.</summary>
    static string Upsert(string contributions) => $"""
        insert into {Table} as d (tenant_id, basis, day, claims, charge, open_amount, rejected)
        select tenant_id, basis, day, sum(claims), sum(charge), sum(open_amount), sum(rejected) from ({contributions}) x
        group by 1, 2, 3
        having sum(claims) <> 0 or sum(charge) <> 0 or sum(open_amount) <> 0 or sum(rejected) <> 0
        order by 1, 2, 3
        on conflict (tenant_id, basis, day) do update set claims = d.claims + excluded.claims, charge = d.charge + excluded.charge,
          open_amount = d.open_amount + excluded.open_amount, rejected = d.rejected + excluded.rejected
        """;

    public static readonly string Ddl = $"""
        create table if not exists {Table} (
          tenant_id text not null, basis char(1) not null, day date not null, claims int not null, charge numeric(16,2) not null,
          open_amount numeric(16,2) not null, rejected int not null,
          primary key (tenant_id, basis, day));
        create or replace function {S}.payment_claim_daily_apply() returns trigger language plpgsql as $fn$
        begin
          if tg_op = 'INSERT' then
            {Upsert(Contributions("new_rows", 1))};
          elsif tg_op = 'UPDATE' then
            {Upsert(Contributions("new_rows", 1) + "\nunion all\n" + Contributions("old_rows", -1))};
          else
            {Upsert(Contributions("old_rows", -1))};
          end if;
          return null;
        end
        $fn$;
        """;

    /// <summary>
    /// The triggers, created once the snapshot table exists (Marten creates it at startup). When they are new (a database from
    /// before the roll-up), the roll-up is built from the snapshots in the same transaction, the table locked against writers.
    /// </summary>
    static readonly string Triggers = $"""
        do $do$
        begin
          if to_regclass('{Claims}') is null then return; end if;
          if not exists (select 1 from pg_trigger where tgname = 'payment_claim_daily_upd' and tgrelid = '{Claims}'::regclass) then
            lock table {Claims} in share row exclusive mode;
            create trigger payment_claim_daily_ins after insert on {Claims} referencing new table as new_rows
              for each statement execute function {S}.payment_claim_daily_apply();
            create trigger payment_claim_daily_upd after update on {Claims} referencing old table as old_rows new table as new_rows
              for each statement execute function {S}.payment_claim_daily_apply();
            create trigger payment_claim_daily_del after delete on {Claims} referencing old table as old_rows
              for each statement execute function {S}.payment_claim_daily_apply();
            delete from {Table};
            {Upsert(Contributions(Claims, 1))};
          end if;
        end
        $do$;
        """;

    public static async Task EnsureCreatedAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // One installer at a time (several nodes start together).
        await using (var lockCmd = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('portal.payment_claim_daily'))", conn, tx))
            await lockCmd.ExecuteNonQueryAsync(ct);
        await using (var cmd = new NpgsqlCommand(Ddl + Triggers, conn, tx)) await cmd.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Rebuilds one practice's rows (or every practice's when <paramref name="tenant"/> is null) from the claim snapshots.</summary>
    public static async Task RebuildAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string? tenant, CancellationToken ct)
    {
        await using (var delete = new NpgsqlCommand($"delete from {Table}" + (tenant is null ? "" : " where tenant_id = $1"), conn, tx))
        {
            if (tenant is not null) delete.Parameters.AddWithValue(tenant);
            await delete.ExecuteNonQueryAsync(ct);
        }
        await using var insert = new NpgsqlCommand(
            Upsert(Contributions($"(select * from {Claims} c" + (tenant is null ? "" : " where c.tenant_id = $1") + ")", 1)), conn, tx);
        if (tenant is not null) insert.Parameters.AddWithValue(tenant);
        await insert.ExecuteNonQueryAsync(ct);
    }
}
