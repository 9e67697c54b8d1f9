using Portal.Billing.Remittance;

namespace Portal.Billing.Tests.Remittance;

/// <summary>
/// Property test (issue 12 item 4) over random remittances: files of paid, partly paid and denied claims, reversals with
/// and without re-adjudication, PLBs. Every generated file balances; after posting, every line and claim keeps the
/// money identity, every balance equals the sum of its events, and reversing everything returns the pre-posting balances.
/// </summary>
public class LedgerProperties
{
    [Theory]
    [InlineData(1), InlineData(2), InlineData(3), InlineData(4), InlineData(5), InlineData(6), InlineData(7), InlineData(8)]
    public void balances_reconcile_with_the_sum_of_events(int seed)
    {
        for (var run = 0; run < 25; run++) Check(seed * 1000 + run);
    }

    static void Check(int seed)
    {
        var gen = new RemittanceGenerator(seed);
        var rules = DenialRules.Default();
        var entries = new List<PostingEntry>();
        var history = new List<(RemittanceGenerator.GeneratedClaim, List<decimal[]>, string)>();
        var cash = new Dictionary<string, decimal>();
        var rnd = new Random(seed);
        for (var fileNo = 1; fileNo <= 4; fileNo++)
        {
            var reverse = history.Where(_ => rnd.Next(4) == 0).ToList();
            foreach (var r in reverse) history.Remove(r);
            var text = gen.File(fileNo, rnd.Next(1, 12), reverse.Select(r => (r.Item1, r.Item2, r.Item3)).ToList(), out var posted);
            history.AddRange(posted);
            var era = EraReader.Read(new StringReader(text));
            Assert.DoesNotContain(Balancing.Check(era), i => i.Refuses);
            var candidates = gen.Claims.Select(c => new ClaimCandidate(c.Pcn, "P" + c.Pcn[..2], c.Pcn, null, c.Charge, null)).ToList();
            foreach (var c in gen.Claims.Where(c => !entries.Any(e => e.Kind == EntryKind.Charge && e.ClaimId == c.Pcn)))
                entries.AddRange(Posting.Charges(candidates.Single(x => x.Id == c.Pcn), era.Payments[0].PayerId, c.Lines.Select(l => (l.Key, l.Charge))));
            var posting = Posting.Post(era, RemittanceKeys.FileHash(System.Text.Encoding.ASCII.GetBytes(text)), candidates, rules);
            Assert.Empty(posting.Unmatched);
            entries.AddRange(posting.Entries);
            foreach (var p in era.Payments) cash[p.PayerId] = cash.GetValueOrDefault(p.PayerId) + (p.CreditDebit == "D" ? -p.Amount : p.Amount);
        }

        var ledger = Ledger.Fold(entries);
        var adjudicated = history.Select(h => h.Item1.Pcn).ToHashSet();
        foreach (var c in gen.Claims)
        {
            var claim = ledger.Claims[c.Pcn];
            // Adjudicated once (net of reversals): charge = paid + contractual + PR + other; reversed only: nothing but the charge.
            Assert.Equal(adjudicated.Contains(c.Pcn) ? 0 : c.Charge, claim.Open);
            foreach (var l in c.Lines) Assert.Equal(adjudicated.Contains(c.Pcn) ? 0 : l.Charge, ledger.Lines[(c.Pcn, l.Key)].Open);
            var events = entries.Where(e => e.ClaimId == c.Pcn).Aggregate(Balance.Zero, (b, e) => b.Add(e));
            Assert.Equal(events, claim);
            Assert.Equal(claim.Charged, claim.Paid + claim.Contractual + claim.PatientResponsibility + claim.OtherAdjustments + claim.Open);
            Assert.Equal(c.Lines.Sum(l => ledger.Lines[(c.Pcn, l.Key)].Paid), claim.Paid);
        }
        foreach (var (patient, balance) in ledger.Patients)
            Assert.Equal(entries.Where(e => e.PatientId == patient).Aggregate(Balance.Zero, (b, e) => b.Add(e)), balance);
        foreach (var (payer, balance) in ledger.Payers) Assert.Equal(cash[payer], balance.Cash);

        // Reverse everything the remittances posted: every account is back to its pre-posting value (the charges).
        var reversed = Ledger.Fold(entries.Concat(Posting.Reverse(entries.Where(e => e.Kind != EntryKind.Charge), "reverse-all")));
        var before = Ledger.Fold(entries.Where(e => e.Kind == EntryKind.Charge));
        foreach (var (claim, balance) in reversed.Claims) Assert.Equal(before.Claims[claim], balance);
        foreach (var (line, balance) in reversed.Lines) Assert.Equal(before.Lines[line], balance);
        foreach (var (patient, balance) in reversed.Patients) Assert.Equal(before.Patients[patient], balance);
        foreach (var (_, balance) in reversed.Payers) { Assert.Equal(0, balance.Cash); Assert.Equal(0, balance.ProviderAdjustments); }
    }
}
