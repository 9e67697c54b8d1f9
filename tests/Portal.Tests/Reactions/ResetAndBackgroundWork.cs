using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Webhooks;
using Portal.Web.Features.Webhooks;
using Portal.Web.Platform;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Reactions;

/// <summary>
/// The fixture's reset and the app's background work (reaction handlers, the webhook sender, statement runs) never run at once:
/// Respawn's TRUNCATE of every table and a worker's transaction over two of them deadlocked the full suite (issue 15).
/// </summary>
public class ResetAndBackgroundWork(PortalApp app) : PortalTest(app)
{
    BackgroundWork Work => App.Services.GetRequiredService<BackgroundWork>();

    async Task<bool> ProbeExists(Guid id)
    {
        await using var query = App.Services.GetRequiredService<IDocumentStore>().QuerySession(Portal.Web.Features.Demo.DemoData.NorthClinic.ToString());
        return await query.LoadAsync<ProbeEffect>(id) is not null;
    }

    [Fact]
    public async Task the_reset_waits_for_background_work_in_progress_and_keeps_new_work_out_until_it_is_done()
    {
        var id = Guid.NewGuid();
        await using (var session = App.Services.GetRequiredService<IDocumentStore>().LightweightSession(Portal.Web.Features.Demo.DemoData.NorthClinic.ToString()))
        {
            session.Store(new ProbeEffect(id, 1));
            await session.SaveChangesAsync();
        }

        var working = await Work.EnterAsync(TestContext.Current.CancellationToken);
        var reset = App.ResetAsync();
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.False(reset.IsCompleted, "The reset ran while background work was in progress.");
        Assert.True(await ProbeExists(id));

        working.Dispose();
        await reset.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.False(await ProbeExists(id));
    }

    [Fact]
    public async Task work_waits_at_the_gate_while_paused_and_goes_on_after()
    {
        var pause = await Work.PauseAsync(TestContext.Current.CancellationToken);
        var entering = Work.EnterAsync(TestContext.Current.CancellationToken).AsTask();
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.False(entering.IsCompleted);

        await pause.DisposeAsync();
        using var lease = await entering.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        // A second pause waits for that lease.
        var second = Work.PauseAsync(TestContext.Current.CancellationToken);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.False(second.IsCompleted);
        lease.Dispose();
        await (await second.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).DisposeAsync();
    }

    [Fact]
    public async Task resetting_again_and_again_while_the_webhook_sender_retries_against_a_slow_receiver_never_deadlocks()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        for (var round = 0; round < 8; round++)
        {
            receiver.Answers(500, WebhookReceiver.Hang, 503, 500);
            var admin = await App.ClientFor(Users.NorthAdmin);
            var created = await admin.PostAsJsonAsync(North("webhooks"), new CreateWebhookSubscription(receiver.Url, [WebhookCatalog.ClaimStateChanged]));
            created.EnsureSuccessStatusCode();
            var subscription = (await created.Content.ReadFromJsonAsync<WebhookSubscriptionCreated>())!.Subscription.Id;
            for (var i = 0; i < 5; i++)
                Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync(North($"webhooks/{subscription}/ping"), null)).StatusCode);
            await Task.Delay(Random.Shared.Next(0, 120), TestContext.Current.CancellationToken);
            await App.ResetAsync().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }
        // Nothing from before the last reset is left to send.
        var after = await (await App.ClientFor(Users.NorthAdmin)).GetStringAsync(North("webhook-deliveries"));
        Assert.Contains("\"items\":[]", after);
    }
}
