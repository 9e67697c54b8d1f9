using System.Collections.Concurrent;
using JasperFx.Events;
using Portal.Web.Features.ApiClients;
using Portal.Web.Platform.Reactions;

namespace Portal.Tests.Reactions;

/// <summary>How often the probe reaction ran its effect for one app (deliberately not idempotent: only the receipt keeps it at 1).</summary>
public sealed record ProbeEffect(Guid Id, int Count);

/// <summary>
/// A test-only reaction (registered by the fixture) on <see cref="ApiClientRevoked"/>: what it does depends on the app's name.
/// "probe:count" adds 1 to a <see cref="ProbeEffect"/>; "probe:fail-N" fails the first N tries; "probe:fail-always" fails
/// until <see cref="Healed"/>. Other apps are left alone. The failure message quotes made-up patient data, which must never
/// reach a dead letter.
/// </summary>
public sealed class ProbeReaction : Reaction<ApiClientRevoked>
{
    public const string ReactionName = "tests.probe";
    public static readonly ConcurrentDictionary<Guid, int> Tries = new();
    public static volatile bool Healed;

    public override string Name => ReactionName;

    public override async Task HandleAsync(ReactionContext context, IEvent<ApiClientRevoked> e, CancellationToken ct)
    {
        var app = await context.Session.LoadAsync<ApiClient>(e.StreamId, ct);
        if (app is null || !app.Name.StartsWith("probe:")) return;
        var tries = Tries.AddOrUpdate(e.StreamId, 1, (_, n) => n + 1);
        var fail = app.Name["probe:".Length..] switch
        {
            "fail-always" => !Healed,
            var s when s.StartsWith("fail-") => tries <= int.Parse(s["fail-".Length..]),
            _ => false,
        };
        if (fail) throw new InvalidOperationException("Could not react for patient Jane Q. Sample, DOB 1961-04-02.");
        var effect = await context.Session.LoadAsync<ProbeEffect>(e.StreamId, ct);
        context.Session.Store(new ProbeEffect(e.StreamId, (effect?.Count ?? 0) + 1));
    }
}
