using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Coding;
using static Portal.Tests.Coding.CodingGiven;

namespace Portal.Tests.ScaleOut;

/// <summary>
/// Issue 15, item 10: how far reactions and the daemon are behind, as metrics (exported over OTLP when an endpoint is set;
/// Platform/LagMetrics.cs). Read here with a MeterListener on the fixture's own meter, as any reader would collect them.
/// </summary>
public class LagGauges(PortalApp app) : PortalTest(app)
{
    sealed record Reading(string Instrument, double Value, Dictionary<string, string?> Tags);

    List<Reading> Collect()
    {
        var readings = new List<Reading>();
        var factory = App.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener
        {
            // Only this app's meter: other Portal hosts in this test process (the two-node tests) have their own.
            InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == "Portal" && instrument.Meter.Scope == factory) l.EnableMeasurementEvents(instrument); },
        };
        void Record<T>(Instrument i, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? _) where T : struct =>
            readings.Add(new(i.Name, Convert.ToDouble(value), tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString())));
        listener.SetMeasurementEventCallback<long>(Record);
        listener.SetMeasurementEventCallback<int>(Record);
        listener.SetMeasurementEventCallback<double>(Record);
        listener.Start();
        listener.RecordObservableInstruments();
        return readings;
    }

    [Fact]
    public async Task reactions_and_daemon_shards_report_how_far_behind_they_are_and_this_node_reports_its_shards()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var coder = await App.ClientFor(Users.NorthCoder);
        await PracticeSettingsAre(admin, qaPercent: 0);
        var coded = await CodedChart(admin, coder);
        await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(coded.Encounter.Id, "/submit"), null, coded.Version));
        await App.WaitForReactionsAsync();

        var readings = Collect();
        Reading Of(string instrument, string tag, string name) =>
            readings.Single(r => r.Instrument == instrument && r.Tags.GetValueOrDefault(tag) == name);
        Assert.Equal(0, Of("portal.reactions.behind", "reaction", "claims.draft-on-approval").Value);
        Assert.Equal(0, Of("portal.reactions.oldest_unhandled_age", "reaction", "claims.draft-on-approval").Value);
        Assert.Equal(0, Of("portal.reactions.dead_letters", "reaction", "claims.draft-on-approval").Value);
        // The shard's position counts every event, also those of types it does not take (the claim's own events, appended by
        // the reaction): it reaches the newest event at the daemon's next poll, so it is a small number here, not always 0.
        Assert.InRange(Of("portal.daemon.behind", "shard", "claims.draft-on-approval:All").Value, 0, 100);
        Assert.Contains(readings, r => r.Instrument == "portal.daemon.behind" && r.Tags["shard"] == "PatientLedger:All");
        // The fixture runs the daemon Solo: every shard is this node's.
        Assert.True(readings.Single(r => r.Instrument == "portal.daemon.agents").Value >= 3);
        // Tags name reactions and shards, never a practice, a patient or an id.
        Assert.All(readings.SelectMany(r => r.Tags.Values), v => Assert.DoesNotMatch("[0-9a-f]{8}-[0-9a-f]{4}", v ?? ""));
    }
}
