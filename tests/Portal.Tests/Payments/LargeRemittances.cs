using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Payments;
using Portal.Web.Platform;
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
        // Started set-based (ADR 0032): each work item's stream, event and snapshot are what Marten's StartStream and inline snapshot make.
        foreach (var item in await session.Query<DenialWorkItem>().ToListAsync())
        {
            var state = (await session.Events.FetchStreamStateAsync(item.Id))!;
            Assert.Equal((1L, typeof(DenialWorkItem)), (state.Version, state.AggregateType));
            var opened = Assert.Single(await session.Events.FetchStreamAsync(item.Id));
            Assert.Equal(item.ClaimId, Assert.IsType<DenialWorkItemOpened>(opened.Data).ClaimId);
            Assert.Equal(json.ToJson((await session.Events.AggregateStreamAsync<DenialWorkItem>(item.Id))!), json.ToJson(item));
            Assert.Equal(1, item.Version);
            Assert.Equal(WorkItemState.Open, item.State);
        }
        var kpi = (await biller.GetFromJsonAsync<KpiReport>(Api("kpis?from=2026-03-01&to=2026-03-31"), Json))!;
        Assert.Equal((n - n / 10) * 130m, kpi.Payments);
        Assert.Equal(n, kpi.Adjudicated);
        Assert.Equal(n / 10, kpi.Denied);
    }

    [Fact]
    public async Task the_claim_payment_keys_of_a_large_file_are_one_insert_per_practice_and_a_key_held_meanwhile_fails_the_whole_save()
    {
        var store = App.Services.GetRequiredService<IDocumentStore>();
        var at = new DateTimeOffset(2026, 3, 4, 9, 0, 0, TimeSpan.Zero);
        var values = Enumerable.Range(0, ClaimPostingAppend.Threshold + 10).Select(i => $"ACME01|EFT-KEYS|20260304|K-{i}|PCN-{i}|1").ToArray();
        var owner = Guid.CreateVersion7();
        await using (var north = store.LightweightSession(DemoData.NorthClinic.ToString()))
        {
            north.ClaimAll(EraImport.ClaimKey, values, owner, at, ClaimPostingAppend.Threshold);
            await north.SaveChangesAsync();
        }
        // Read back as the documents Marten would have written: the import's "already posted" check loads them.
        await using (var read = store.QuerySession(DemoData.NorthClinic.ToString()))
        {
            var keys = await read.LoadManyAsync<UniqueKey>(values.Select(EraImport.ClaimKey.IdFor).ToArray());
            Assert.Equal(values.Length, keys.Count);
            Assert.All(keys, k => Assert.Equal((owner, at), (k.OwnerId, k.At)));
        }
        // Another practice (its own tenant, possibly its own database) may hold the same values.
        await using (var riverside = store.LightweightSession(DemoData.RiversidePediatrics.ToString()))
        {
            riverside.ClaimAll(EraImport.ClaimKey, values, Guid.CreateVersion7(), at, ClaimPostingAppend.Threshold);
            await riverside.SaveChangesAsync();
        }
        // A second writer in North whose keys overlap by one: the save fails as a unique violation (the import's 409) and none of
        // its other keys, nor anything else of its transaction, is written.
        var fresh = Enumerable.Range(100, ClaimPostingAppend.Threshold).Select(i => $"ACME01|EFT-KEYS|20260304|K-{i}|PCN-{i}|1").Append(values[7]).ToArray();
        await using (var racing = store.LightweightSession(DemoData.NorthClinic.ToString()))
        {
            racing.Store(new UnmatchedClaimPayment(Guid.CreateVersion7(), Guid.CreateVersion7(), 0, 0, "ACME01", "Acme", "EFT-KEYS", "X", "", "", "1", 1, 1,
                null, "k", "test", UnmatchedState.Open, at));
            racing.ClaimAll(EraImport.ClaimKey, fresh, Guid.CreateVersion7(), at, ClaimPostingAppend.Threshold);
            var failed = await Assert.ThrowsAnyAsync<Exception>(() => racing.SaveChangesAsync());
            Assert.True(failed.IsUniqueViolation());
        }
        await using (var read = store.QuerySession(DemoData.NorthClinic.ToString()))
        {
            Assert.Empty(await read.LoadManyAsync<UniqueKey>(fresh.Take(ClaimPostingAppend.Threshold).Select(EraImport.ClaimKey.IdFor).ToArray()));
            Assert.Equal(owner, (await read.LoadAsync<UniqueKey>(EraImport.ClaimKey.IdFor(values[7])))!.OwnerId);
            Assert.Equal(0, await read.Query<UnmatchedClaimPayment>().CountAsync());
        }
    }
}
