using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Payments;
using static Portal.Tests.Payments.PaymentsGiven;

namespace Portal.Tests.Payments;

/// <summary>
/// Property test through the web and the database: random balanced remittances (payments, partial payments, denials, reversals
/// with and without re-adjudication, PLBs) are imported over HTTP; the ledger's claim and payer balances must equal what the
/// generated remittances say, the sum of the claim streams' events, and the claim snapshots, to the cent.
/// </summary>
public class LedgerReconciles(PortalApp app) : PortalTest(app)
{
    static readonly string[] Codes = ["99213", "99214", "17110", "36415", "73721"];

    sealed record Expected
    {
        public decimal Paid, Contractual, Patient, Other;
    }

    [Theory]
    [InlineData(11)]
    [InlineData(2026)]
    public async Task random_remittances_with_reversals_and_plbs_reconcile_with_the_sum_of_events(int seed)
    {
        var random = new Random(seed);
        var biller = await App.ClientFor(Users.NorthBiller);
        decimal M(decimal max) => Math.Round((decimal)random.NextDouble() * max, 2);

        var claims = new List<(Guid Id, string Pcn, (string Code, decimal Charge)[] Lines)>();
        for (var i = 0; i < 10; i++)
        {
            var lines = Enumerable.Range(0, random.Next(1, 4)).Select(n => (Codes[(i + n) % Codes.Length], 20 + M(400))).ToArray();
            var pcn = $"R{seed}-{i}";
            claims.Add((await SubmittedClaim(App, pcn, lines), pcn, lines));
        }
        var expected = claims.ToDictionary(c => c.Id, _ => new Expected());
        var posted = new Dictionary<Guid, Clp>();
        decimal plbTotal = 0, cash = 0;

        void Count(Guid claim, Clp clp, int sign)
        {
            var e = expected[claim];
            foreach (var a in clp.Lines.SelectMany(l => l.Adjustments))
            {
                if (a.Group == "CO") e.Contractual += sign * a.Amount;
                else if (a.Group == "PR") e.Patient += sign * a.Amount;
                else e.Other += sign * a.Amount;
            }
            e.Paid += sign * clp.Lines.Sum(l => l.Paid);
        }

        Clp Adjudicate((Guid Id, string Pcn, (string Code, decimal Charge)[] Lines) c, string payerClaim)
        {
            var denied = random.Next(5) == 0;
            var svcs = c.Lines.Select(l =>
            {
                if (denied) return new Svc(l.Code, l.Charge, [new Cas("CO", "197", l.Charge)]);
                var left = l.Charge;
                decimal Take(decimal max) { var t = Math.Min(left, M(max)); left -= t; return t; }
                var cas = new List<Cas> { new("CO", "45", Take(l.Charge / 2)) };
                if (random.Next(2) == 0) cas.Add(new Cas("PR", "1", Take(60)));
                if (random.Next(3) == 0) cas.Add(new Cas("PR", "2", Take(30)));
                if (random.Next(5) == 0) cas.Add(new Cas("OA", "23", Take(10)));
                if (random.Next(6) == 0) cas.Add(new Cas("PI", "253", Take(5)));
                return new Svc(l.Code, l.Charge, [.. cas.Where(x => x.Amount != 0)]);
            }).ToArray();
            return new Clp(c.Pcn, denied ? "4" : "1", svcs, payerClaim);
        }

        for (var file = 0; file < 4; file++)
        {
            var clps = new List<Clp>();
            foreach (var c in claims.Where(_ => random.Next(3) == 0 || file == 0))
            {
                if (posted.TryGetValue(c.Id, out var earlier))
                {
                    // A reversal of the earlier payment, then (usually) a new adjudication: reversing entries, never edits.
                    clps.Add(earlier with { Status = "22" });
                    Count(c.Id, earlier, -1);
                    posted.Remove(c.Id);
                    if (random.Next(3) == 0) continue;
                }
                var clp = Adjudicate(c, $"P{seed}-{c.Pcn}-{file}");
                clps.Add(clp);
                Count(c.Id, clp, 1);
                posted[c.Id] = clp;
            }
            if (clps.Count == 0) continue;
            var plb = Enumerable.Range(0, random.Next(3)).Select(n => random.Next(3) == 0 ? ("L6", $"INT{file}{n}", -M(15)) : ("WO", $"REC{file}{n}", M(40))).ToArray();
            plbTotal += plb.Sum(p => p.Item3);
            var remit = new Remit($"EFT{seed}-{file}", [.. clps], plb, Date: new DateOnly(2026, 3, 10 + file));
            cash += remit.Total;
            var result = await Import(biller, remit);
            Assert.Equal(clps.Count, result.Posted);
        }

        var balances = (await biller.GetItemsAsync<LedgerBalance>(Api("ar/ledger?account=claim"), Json))!.ToDictionary(b => Guid.Parse(b.Account));
        await using var session = App.Services.GetRequiredService<IDocumentStore>().QuerySession(DemoData.NorthClinic.ToString());
        foreach (var (id, pcn, lines) in claims)
        {
            var b = balances[id];
            var e = expected[id];
            Assert.Equal((e.Paid, e.Contractual, e.Patient, e.Other), (b.Paid, b.Contractual, b.PatientResponsibility, b.OtherAdjustments));
            Assert.Equal(lines.Sum(l => l.Charge), b.Charged);

            var events = (await session.Events.FetchStreamAsync(id)).Select(x => x.Data).OfType<ClaimPaymentPosted>().ToList();
            Assert.Equal(events.Sum(x => x.Paid), b.Paid);
            Assert.Equal(events.Sum(x => x.PatientResponsibility), b.PatientResponsibility);
            var view = (await session.LoadAsync<ClaimView>(id))!;
            Assert.Equal(view.Paid, b.Paid);
            Assert.Equal(view.PayerBalance, b.Open);
            // The money identity: an adjudicated claim has nothing open with the payer; a reversed one is back to its charge.
            Assert.Equal(posted.ContainsKey(id) ? 0m : lines.Sum(l => l.Charge), b.Open);
        }
        var payer = (await biller.GetItemsAsync<LedgerBalance>(Api($"ar/ledger?account=payer&id={AcmePayer}"), Json))!.Single();
        Assert.Equal(expected.Values.Sum(e => e.Paid), payer.Paid);
        Assert.Equal(plbTotal, payer.ProviderAdjustments);
        Assert.Equal(cash, payer.Cash); // Σ BPR02 of the checks

        // The dashboard's roll-up (kept by the ledger projection in the same transactions) equals the rows it summarises, and its
        // denial rows equal the work items' reasons.
        var db = App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        async Task<List<string>> Rows(string sql)
        {
            var list = new List<string>();
            await using var cmd = db.CreateCommand(sql);
            cmd.Parameters.AddWithValue(DemoData.NorthClinic.ToString());
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) list.Add(string.Join("|", Enumerable.Range(0, r.FieldCount).Select(i => Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            return list;
        }
        var rolled = await Rows($"select day, payer, kind, carc, amount, entries from {LedgerTables.Daily} where tenant_id = $1 and kind <> 'Denial' order by 1, 2, 3, 4");
        var summed = await Rows($"select posted_on, coalesce(payer_id::text, payer_code), kind, reason, sum(amount), count(*) from {LedgerTables.Ledger} where tenant_id = $1 group by 1, 2, 3, 4 order by 1, 2, 3, 4");
        Assert.NotEmpty(rolled);
        Assert.Equal(summed, rolled);
        var items = await session.Query<DenialWorkItem>().ToListAsync();
        var denials = await Rows($"select carc, sum(amount), sum(entries) from {LedgerTables.Daily} where tenant_id = $1 and kind = 'Denial' group by 1 order by 1");
        Assert.Equal(items.SelectMany(i => i.Reasons).GroupBy(r => r.Carc).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}|{g.Sum(r => r.Amount).ToString(System.Globalization.CultureInfo.InvariantCulture)}|{g.Count()}"), denials);
    }
}

/// <summary>
/// The ledger replay (<c>payments replay-ledger</c>, ADR 0028): after random remittances (reversals, PLBs, denials) and a write-off,
/// truncating the payments read tables and replaying the posting events gives exactly the rows the live projection and the claims'
/// roll-up trigger wrote; replaying again changes nothing; one practice's replay leaves another's rows alone.
/// </summary>
public class LedgerReplayRebuilds(PortalApp app) : PortalTest(app)
{
    static readonly string[] Tables = [LedgerTables.Ledger, LedgerTables.Daily, LedgerTables.ClaimOutcome, ClaimDailyRollup.Table];

    async Task<List<string>> Snapshot()
    {
        var db = App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        var all = new List<string>();
        foreach (var table in Tables)
        {
            await using var cmd = db.CreateCommand($"select t.* from {table} t order by t::text");
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
                all.Add(table + ": " + string.Join("|", Enumerable.Range(0, r.FieldCount)
                    .Select(i => Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }
        return all;
    }

    async Task Truncate()
    {
        await using var cmd = App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand($"truncate {string.Join(", ", Tables)}");
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task replaying_the_posting_events_after_truncating_the_tables_gives_exactly_the_same_rows()
    {
        await new LedgerReconciles(App).random_remittances_with_reversals_and_plbs_reconcile_with_the_sum_of_events(7);
        var biller = await App.ClientFor(Users.NorthBiller);
        var denial = await SubmittedClaim(App, "REPLAY-1", ("99213", 80));
        await Import(biller, new Remit("EFT-REPLAY", [new Clp("REPLAY-1", "4", [new Svc("99213", 80, [new Cas("CO", "197", 80)])])]));
        await using (var session = App.Services.GetRequiredService<IDocumentStore>().QuerySession(DemoData.NorthClinic.ToString()))
        {
            var item = await session.Query<DenialWorkItem>().SingleAsync(i => i.ClaimId == denial);
            (await biller.PostAsJsonAsync(Api($"denials/{item.Id}/write-off"), new WriteOffDenial(80, "Below the cost of an appeal"))).EnsureSuccessStatusCode();
        }
        var live = await Snapshot();
        Assert.Contains(live, r => r.StartsWith(LedgerTables.Ledger + ": ", StringComparison.Ordinal) && r.Contains("|WriteOff|"));
        Assert.Contains(live, r => r.StartsWith(ClaimDailyRollup.Table + ": ", StringComparison.Ordinal));

        await Truncate();
        Assert.Empty(await Snapshot());
        var output = new StringWriter();
        Assert.Equal(0, await PaymentsCommand.RunAsync(App.Services, ["payments", "replay-ledger", "--practice", DemoData.NorthClinic.ToString()], output));
        Assert.Contains("posting events replayed", output.ToString());
        Assert.Equal(live, await Snapshot());

        // Idempotent: again, and for every practice, the same rows.
        Assert.Equal(0, await PaymentsCommand.RunAsync(App.Services, ["payments", "replay-ledger", "--practice", DemoData.NorthClinic.ToString()], new StringWriter()));
        Assert.Equal(live, await Snapshot());
        Assert.Equal(0, await PaymentsCommand.RunAsync(App.Services, ["payments", "replay-ledger"], new StringWriter()));
        Assert.Equal(live, await Snapshot());

        // Another practice's replay leaves North Clinic's rows alone; a bad practice id is refused.
        Assert.Equal(0, await PaymentsCommand.RunAsync(App.Services, ["payments", "replay-ledger", "--practice", DemoData.RiversidePediatrics.ToString()], new StringWriter()));
        Assert.Equal(live, await Snapshot());
        Assert.Equal(1, await PaymentsCommand.RunAsync(App.Services, ["payments", "replay-ledger", "--practice", "not-a-guid"], new StringWriter()));
    }

    [Fact]
    public async Task the_claims_roll_up_equals_the_aggregate_of_the_claim_snapshots_it_replaces()
    {
        await new LedgerReconciles(App).random_remittances_with_reversals_and_plbs_reconcile_with_the_sum_of_events(3);
        var db = App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        async Task<List<string>> Rows(string sql)
        {
            var list = new List<string>();
            await using var cmd = db.CreateCommand(sql);
            cmd.Parameters.AddWithValue(DemoData.NorthClinic.ToString());
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
                list.Add(string.Join("|", Enumerable.Range(0, r.FieldCount).Select(i => Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            return list;
        }
        // What the dashboard computed per request before ADR 0028, from every submitted claim's snapshot.
        var direct = await Rows("""
            select dos, count(*), sum(charge), coalesce(sum(open) filter (where open > 0), 0) from (
              select (data->>'DateOfService')::date as dos, (data->>'TotalCharge')::numeric as charge,
                     (data->>'TotalCharge')::numeric - (data->>'Paid')::numeric - (data->>'Adjusted')::numeric - (data->>'WrittenOff')::numeric as open
              from portal.mt_doc_claimview where tenant_id = $1 and data->>'State' not in ('Draft', 'Ready', 'Voided')) c
            group by 1 order by 1
            """);
        var rolled = await Rows($"select day, claims, charge, open_amount from {ClaimDailyRollup.Table} where tenant_id = $1 and basis = 'S' and claims <> 0 order by 1");
        Assert.NotEmpty(direct);
        Assert.Equal(direct, rolled);
        var submitted = await Rows("""
            select ((data->>'SubmittedAt')::timestamptz at time zone 'UTC')::date, count(*), count(*) filter (where jsonb_array_length(data->'LastRejectionReasons') > 0)
            from portal.mt_doc_claimview where tenant_id = $1 and data->>'State' not in ('Draft', 'Ready', 'Voided') group by 1 order by 1
            """);
        Assert.Equal(submitted, await Rows($"select day, claims, rejected from {ClaimDailyRollup.Table} where tenant_id = $1 and basis = 'B' and claims <> 0 order by 1"));
    }
}
