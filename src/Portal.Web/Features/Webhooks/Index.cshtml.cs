using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Portal.Web.Platform;

namespace Portal.Web.Features.Webhooks;

public class IndexModel(IQuerySession query, IOptions<WebhookOptions> options) : PageModel
{
    public IReadOnlyList<WebhookSubscriptionView> Subscriptions { get; private set; } = [];
    public CursorPage<WebhookDeliveryRow> Deliveries { get; private set; } = new([], null);
    public WebhookSubscriptionCreated? Issued { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!TryStatus(out _)) Status = null;
        await Load(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync(string? url, string[]? events, string? description, [FromServices] IDocumentSession session,
        [FromServices] IDataProtectionProvider protection, [FromServices] TimeProvider clock, CancellationToken ct)
    {
        try
        {
            Issued = await WebhookWrites.Create(session, protection.Protector(), options.Value,
                new CreateWebhookSubscription(url ?? "", events ?? [], description), User.Actor(), clock, ct);
        }
        catch (UnprocessableInput e) { Error = string.Join(" ", e.Errors.SelectMany(x => x.Value)); }
        await Load(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRotateAsync(Guid id, long version, [FromServices] IDocumentSession session,
        [FromServices] IDataProtectionProvider protection, [FromServices] TimeProvider clock, CancellationToken ct) =>
        await Act(async () => Issued = await WebhookWrites.RotateSecret(session, protection.Protector(), options.Value, id, version, User.Actor(), clock, ct), ct);

    public async Task<IActionResult> OnPostToggleAsync(Guid id, long version, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct) =>
        await Act(async () =>
        {
            var current = await session.LoadAsync<WebhookSubscription>(id, ct);
            if (current is null) return null;
            var updated = await WebhookWrites.Update(session, options.Value, id, version,
                new UpdateWebhookSubscription(current.Url, current.Events, current.Description, !current.Active), User.Actor(), clock, ct);
            Message = updated!.Active ? "The subscription is on again." : "The subscription is off: nothing is sent to it until you turn it on.";
            return updated;
        }, ct);

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, long version, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct) =>
        await Act(async () =>
        {
            var deleted = await WebhookWrites.Delete(session, id, version, clock, ct);
            Message = "The subscription is deleted; its pending deliveries are cancelled.";
            return deleted ? (object)true : null;
        }, ct);

    public async Task<IActionResult> OnPostPingAsync(Guid id, [FromServices] IDocumentSession session, [FromServices] TimeProvider clock,
        [FromServices] WebhookSender sender, CancellationToken ct) =>
        await Act(async () =>
        {
            var delivery = await WebhookWrites.Ping(session, HttpContext.RequiredPractice().PracticeId, id, clock, ct);
            sender.Nudge();
            Message = "A ping is on its way; it shows in the deliveries below.";
            return delivery;
        }, ct);

    public async Task<IActionResult> OnPostReplayAsync(Guid id, long version, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, [FromServices] WebhookSender sender, CancellationToken ct) =>
        await Act(async () =>
        {
            var delivery = await WebhookWrites.Replay(session, id, version, clock, ct);
            sender.Nudge();
            Message = "The delivery is queued to be sent again.";
            return delivery;
        }, ct);

    async Task<IActionResult> Act(Func<Task<object?>> action, CancellationToken ct)
    {
        try
        {
            if (await action() is null) return NotFound();
        }
        catch (Exception e) when (e is RuleViolation || e.IsStaleWrite())
        {
            Message = null;
            Error = e is RuleViolation ? e.Message : "Someone changed this meanwhile; the page below is current. Try again.";
        }
        if (!TryStatus(out _)) Status = null;
        await Load(ct);
        return Page();
    }

    bool TryStatus(out DeliveryStatus? status)
    {
        try { status = WebhookEndpoints.ParseStatus(Status); return true; }
        catch (InvalidInput) { status = null; return false; }
    }

    async Task Load(CancellationToken ct)
    {
        Subscriptions = [.. (await query.Query<WebhookSubscription>().OrderBy(s => s.CreatedAt).ToListAsync(ct)).Select(WebhookSubscriptionView.Of)];
        TryStatus(out var status);
        CursorRequest page;
        try { page = CursorPaging.Parse(Cursor, 25); }
        catch (InvalidInput) { page = CursorPaging.Parse(null, 25); Cursor = null; }
        Deliveries = await WebhookQueries.Deliveries(query, status, null, null, page, ct);
    }
}
