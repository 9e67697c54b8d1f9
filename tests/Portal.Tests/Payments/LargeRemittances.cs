using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Payments;
using static Portal.Tests.Payments.PaymentsGiven;

namespace Portal.Tests.Payments;

/// <summary>
/// An 835 of at least <see cref="ClaimPostingAppend.Threshold"/> claims posts set-based (ADR 0028): the claims' events, versions
/// (ETags), snapshots and ledger rows must be exactly what Marten's own append and inline projections make for a small file.
/// </summary>
public class LargeRemittances(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task a_large_835_posts_set_based_with_the_same_events_snapshots_and_ledger_as_marten_would()
    {
        const int n = ClaimPostingAppend.Threshold + 10;
        var ids = new List<Guid>();
        for (var i = 0; i < n; i++) ids.Add(await SubmittedClaim(App, $"L-{i}", ("99213", 150), ("36415", 20)));
        Clp Paid(int i) => i % 10 == 0
            ? new Clp($"L-{i}", "4", [new Svc("99213", 150, [new Cas("CO", "197", 150)], ["M62"]), new Svc("36415", 20, [new Cas("CO", "197", 20)])])
            : new Clp($"L-{i}", "1", [Svc.Of("99213", 150, new Cas("CO", "45", 50), new Cas("PR", "3", 20)), Svc.Of("36415", 20, new Cas("CO", "45", 5))]);
        var biller = await App.ClientFor(Users.NorthBiller);

        var first = await Import(biller, new Remit("EFT-LARGE-1", [.. Enumerable.Range(0, n).Select(Paid)], [("WO", "R1", 25)]));
        Assert.Equal((n, n / 10), (first.Posted, first.Denied));
        // A second file reverses every paid claim and re-adjudicates it: two events on each stream in one statement.
        var again = Enumerable.Range(0, n).Where(i => i % 10 != 0)
            .SelectMany(i => new[] { Paid(i) with { Status = "22" }, new Clp($"L-{i}", "1", [Svc.Of("99213", 150, new Cas("CO", "45", 40)), Svc.Of("36415", 20)], "PCNL-" + i + "-B") })
            .ToArray();
        var second = await Import(biller, new Remit("EFT-LARGE-2", again, Date: new DateOnly(2026, 3, 20)));
        Assert.Equal(again.Length, second.Posted);
        // Exactly once: the same file again posts nothing.
        Assert.Equal(EraOutcome.AlreadyPosted, (await Import(biller, new Remit("EFT-LARGE-2", again, Date: new DateOnly(2026, 3, 20)), System.Net.HttpStatusCode.OK)).Outcome);

        var store = App.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession(DemoData.NorthClinic.ToString());
        var json = store.Options.Serializer();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var stored = (await session.LoadAsync<ClaimView>(id))!;
            var state = (await session.Events.FetchStreamStateAsync(id))!;
            var events = await session.Events.FetchStreamAsync(id);
            // Version (the ETag) = the stream's version; events numbered 1..n without gaps; the snapshot = a fold of the events.
            Assert.Equal(state.Version, stored.Version);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.Version));
            var folded = (await session.Events.AggregateStreamAsync<ClaimView>(id))!;
            Assert.Equal(json.ToJson(folded), json.ToJson(stored));
            var expected = i % 10 == 0 ? (ClaimState.Denied, 0m) : (ClaimState.Paid, 130m);
            Assert.Equal(expected, (stored.State, stored.Paid));
            Assert.Equal(stored.PayerBalance, (await ClaimBalance(biller, id)).Open);
        }
        var etag = (await biller.GetAsync($"/api/v1/practices/{DemoData.NorthClinic}/claims/{ids[1]}")).Headers.ETag?.Tag;
        Assert.Equal($"\"{(await session.Events.FetchStreamStateAsync(ids[1]))!.Version}\"", etag);

        // The work items and the roll-ups, as the inline projections keep them.
        Assert.Equal(n / 10, await session.Query<DenialWorkItem>().CountAsync());
        var kpi = (await biller.GetFromJsonAsync<KpiReport>(Api("kpis?from=2026-03-01&to=2026-03-31"), Json))!;
        Assert.Equal((n - n / 10) * 130m, kpi.Payments);
        Assert.Equal(n, kpi.Adjudicated);
        Assert.Equal(n / 10, kpi.Denied);
    }
}
