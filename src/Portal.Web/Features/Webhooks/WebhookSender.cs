using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Web.Platform;

namespace Portal.Web.Features.Webhooks;

/// <summary>A due delivery this node claimed (leased), with its subscription as it is now (null when deleted).</summary>
public sealed record ClaimedDelivery(string TenantId, WebhookDelivery Delivery, WebhookSubscription? Subscription);

/// <summary>
/// The outbox's SQL: claim due deliveries across practices with a lease (an UPDATE that re-checks the due time, so two nodes never
/// claim the same one), and record a try's outcome without resurrecting a delivery that was deleted or replayed meanwhile.
/// Raw SQL because one statement per step keeps 10,000 deliveries a minute cheap; the documents stay Marten's.
/// </summary>
public sealed class WebhookOutbox(IDocumentStore store, TenantDatabases databases)
{
    static readonly string Deliveries = $"{MartenSetup.Schema}.mt_doc_{nameof(WebhookDelivery).ToLowerInvariant()}";
    static readonly string Subscriptions = $"{MartenSetup.Schema}.mt_doc_{nameof(WebhookSubscription).ToLowerInvariant()}";

    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(int count, int perSubscription, Guid[] busy, DateTimeOffset now,
        DateTimeOffset leaseUntil, CancellationToken ct)
    {
        // Practices over several databases (ADR 0031): each database's outbox in turn, until the round is full.
        var claimed = new List<ClaimedDelivery>();
        foreach (var (_, source) in databases.All)
        {
            if (claimed.Count >= count) break;
            claimed.AddRange(await ClaimAsync(source, count - claimed.Count, perSubscription, busy, now, leaseUntil, ct));
        }
        return claimed;
    }

    async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(NpgsqlDataSource db, int count, int perSubscription, Guid[] busy, DateTimeOffset now,
        DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            with due as (
                select d.tenant_id, d.id, row_number() over (partition by d.subscription_id order by d.next_attempt_at) as rn
                from {Deliveries} d
                where d.status = 'Pending' and d.next_attempt_at <= $1 and not (d.subscription_id = any($2))
                order by d.next_attempt_at limit $3 * 4),
            picked as (select tenant_id, id from due where rn <= $4 limit $3)
            update {Deliveries} d set next_attempt_at = $5
            from picked p
            where d.tenant_id = p.tenant_id and d.id = p.id and d.status = 'Pending' and d.next_attempt_at <= $1
            returning d.tenant_id, d.data::text
            """);
        cmd.Parameters.Add(new() { Value = now });
        cmd.Parameters.Add(new() { Value = busy });
        cmd.Parameters.Add(new() { Value = count });
        cmd.Parameters.Add(new() { Value = perSubscription });
        cmd.Parameters.Add(new() { Value = leaseUntil });
        var serializer = store.Options.Serializer();
        var rows = new List<(string Tenant, WebhookDelivery Delivery)>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                rows.Add((reader.GetString(0), serializer.FromJson<WebhookDelivery>(new MemoryStream(Encoding.UTF8.GetBytes(reader.GetString(1))))));
        if (rows.Count == 0) return [];
        // The subscriptions in a second statement: one statement touching both tables could deadlock with DDL or TRUNCATE that
        // locks them in the other order (seen with the test fixture's reset).
        await using var subs = db.CreateCommand($"select tenant_id, data::text, mt_version from {Subscriptions} where id = any($1)");
        subs.Parameters.Add(new() { Value = rows.Select(r => r.Delivery.SubscriptionId).Distinct().ToArray() });
        var found = new Dictionary<(string, Guid), WebhookSubscription>();
        await using (var reader = await subs.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                var subscription = serializer.FromJson<WebhookSubscription>(new MemoryStream(Encoding.UTF8.GetBytes(reader.GetString(1))));
                if (!reader.IsDBNull(2)) subscription.Version = Convert.ToInt64(reader.GetValue(2));
                found[(reader.GetString(0), subscription.Id)] = subscription;
            }
        var claimed = rows.Select(r => new ClaimedDelivery(r.Tenant, r.Delivery, found.GetValueOrDefault((r.Tenant, r.Delivery.SubscriptionId)))).ToList();
        return claimed;
    }

    /// <summary>Writes the delivery after a try, only if nobody replayed it meanwhile (same Version); returns false otherwise.</summary>
    public async Task<bool> CompleteAsync(string tenantId, WebhookDelivery before, WebhookDelivery after, CancellationToken ct)
    {
        await using var cmd = databases.For(tenantId).CreateCommand($"""
            update {Deliveries} set data = $1::jsonb, status = $2, next_attempt_at = $3, mt_last_modified = now()
            where tenant_id = $4 and id = $5 and (data ->> 'Version')::bigint = $6
            """);
        cmd.Parameters.Add(new() { Value = store.Options.Serializer().ToJson(after) });
        cmd.Parameters.Add(new() { Value = after.Status.ToString() });
        cmd.Parameters.Add(new() { Value = after.NextAttemptAt });
        cmd.Parameters.Add(new() { Value = tenantId });
        cmd.Parameters.Add(new() { Value = before.Id });
        cmd.Parameters.Add(new() { Value = before.Version });
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// When the next pending delivery falls due (its next try, or the end of a lease taken by a node that died), over every
    /// database; null when none is pending.
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        DateTimeOffset? next = null;
        foreach (var (_, source) in databases.All)
        {
            await using var cmd = source.CreateCommand($"select min(next_attempt_at) from {Deliveries} where status = 'Pending'");
            if (await cmd.ExecuteScalarAsync(ct) is DateTime at)
            {
                var due = new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc));
                if (next is null || due < next) next = due;
            }
        }
        return next;
    }

    /// <summary>Hands a claimed delivery back at once (its subscription already has as many sends in flight as allowed).</summary>
    public async Task ReleaseAsync(string tenantId, Guid id, DateTimeOffset dueAt, CancellationToken ct)
    {
        await using var cmd = databases.For(tenantId).CreateCommand($"update {Deliveries} set next_attempt_at = $1 where tenant_id = $2 and id = $3 and status = 'Pending'");
        cmd.Parameters.Add(new() { Value = dueAt });
        cmd.Parameters.Add(new() { Value = tenantId });
        cmd.Parameters.Add(new() { Value = id });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>
/// Posts due deliveries: at most <see cref="WebhookOptions.MaxConcurrency"/> in flight on this node and
/// <see cref="WebhookOptions.MaxPerSubscription"/> per subscription, each with a short timeout, on its own task; nothing waits on a
/// receiver but that send. A failed try is retried with doubling backoff (with jitter) until 24 hours after the delivery was
/// created or replayed, then it is Failed. Every try is logged on the delivery (status code, time, error kind; never a body).
/// </summary>
public sealed class WebhookSender(WebhookOutbox outbox, IHttpClientFactory http, IDataProtectionProvider protection, IOptions<WebhookOptions> settings,
    TimeProvider clock, BackgroundWork work, ILogger<WebhookSender> log) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    const int KeptAttempts = 20;
    readonly WebhookOptions options = settings.Value;
    readonly IDataProtector protector = protection.Protector();
    readonly ConcurrentDictionary<Guid, int> inFlightPerSubscription = new();
    readonly Wakeup wake = new();
    int inFlight;

    /// <summary>Look for due deliveries now rather than at the next poll.</summary>
    public void Nudge() => wake.Set();

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (!options.SenderEnabled) return;
        await Task.Yield();
        var running = new ConcurrentDictionary<Task, bool>();
        while (!stopping.IsCancellationRequested)
        {
            var claimedCount = 0;
            var failed = false;
            var free = options.MaxConcurrency - Volatile.Read(ref inFlight);
            try
            {
                if (free > 0)
                {
                    // Each claim round and each send passes the background-work gate (the test fixture pauses it while it resets the database).
                    using var round = await work.EnterAsync(stopping);
                    var now = clock.GetUtcNow();
                    var busy = inFlightPerSubscription.Where(kv => kv.Value >= options.MaxPerSubscription).Select(kv => kv.Key).ToArray();
                    var claimed = await outbox.ClaimAsync(free, options.MaxPerSubscription, busy, now, now + options.Timeout + TimeSpan.FromSeconds(30), stopping);
                    claimedCount = claimed.Count;
                    foreach (var c in claimed)
                    {
                        var perSubscription = inFlightPerSubscription.AddOrUpdate(c.Delivery.SubscriptionId, 1, (_, n) => n + 1);
                        if (perSubscription > options.MaxPerSubscription)
                        {
                            Done(c.Delivery.SubscriptionId);
                            await outbox.ReleaseAsync(c.TenantId, c.Delivery.Id, now, stopping);
                            continue;
                        }
                        Interlocked.Increment(ref inFlight);
                        var task = SendAsync(c, work.Join(), stopping);
                        running[task] = true;
                        _ = task.ContinueWith(t => running.TryRemove(t, out _), TaskScheduler.Default);
                    }
                }
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                failed = true;
                log.LogError("Webhook sender could not claim deliveries: {Error}", Platform.Reactions.ReactionRunner.Describe(ex));
            }
            // A full batch means more may be due: claim again at once (while slots are free); otherwise wait for a nudge (a
            // delivery created or replayed on this node, a send finished), the next pending delivery's time, or the poll.
            if (claimedCount > 0 && claimedCount >= free) continue;
            var wait = free > 0 && !failed ? await UntilNextDue(stopping) : options.PollInterval;
            // Due now: it fell due since the claim (claim it), or the round left it because its subscription is at its limit (a
            // finished send nudges) or the claim failed; then the poll, so the loop never spins.
            if (wait <= TimeSpan.Zero)
            {
                if (claimedCount > 0) continue;
                wait = TimeSpan.FromMilliseconds(Math.Min(options.PollInterval.TotalMilliseconds, 50));
            }
            try { await wake.WaitAsync(wait, stopping); }
            catch (OperationCanceledException) { }
        }
        // Sends in flight end within their timeout; their leases make another node (or the next start) retry what did not finish.
        await Task.WhenAny(Task.WhenAll(running.Keys), Task.Delay(options.Timeout, CancellationToken.None));
    }

    /// <summary>
    /// How long to sleep: until the next pending delivery is due, at most <see cref="WebhookOptions.PollInterval"/> (deliveries
    /// written by another node wake nobody here). A due delivery the round just left (its subscription at its limit) waits
    /// for the send that frees a slot, which nudges.
    /// </summary>
    async Task<TimeSpan> UntilNextDue(CancellationToken stopping)
    {
        try
        {
            using var round = await work.EnterAsync(stopping);
            if (await outbox.NextDueAsync(stopping) is not { } due) return options.PollInterval;
            var wait = due - clock.GetUtcNow();
            if (wait <= TimeSpan.Zero) return inFlightPerSubscription.Any(kv => kv.Value >= options.MaxPerSubscription) ? options.PollInterval : TimeSpan.Zero;
            return wait < options.PollInterval ? wait + TimeSpan.FromMilliseconds(1) : options.PollInterval;
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            log.LogError("Webhook sender could not read the next due delivery: {Error}", Platform.Reactions.ReactionRunner.Describe(ex));
            return options.PollInterval;
        }
    }

    void Done(Guid subscriptionId) => inFlightPerSubscription.AddOrUpdate(subscriptionId, 0, (_, n) => Math.Max(0, n - 1));

    async Task SendAsync(ClaimedDelivery claimed, BackgroundWork.Lease lease, CancellationToken stopping)
    {
        var delivery = claimed.Delivery;
        try
        {
            await Task.Yield();
            var (statusCode, error, elapsed) = claimed.Subscription is { Active: true } subscription
                ? await PostAsync(delivery, subscription, stopping)
                : (null, "cancelled", TimeSpan.Zero);
            var now = clock.GetUtcNow();
            var attempt = new WebhookAttempt(delivery.Attempts + 1, now - elapsed, statusCode, (int)elapsed.TotalMilliseconds, error);
            var after = Next(delivery, attempt, claimed.Subscription is { Active: true }, now);
            Telemetry.WebhookSends.Add(1, new KeyValuePair<string, object?>("outcome", Outcome(after)));
            if (error != "cancelled") Telemetry.WebhookSendDuration.Record(elapsed.TotalSeconds);
            if (!await outbox.CompleteAsync(claimed.TenantId, delivery, after, CancellationToken.None))
                log.LogDebug("Webhook delivery {Delivery} changed while it was sent (replayed or removed); its new state stands", delivery.Id);
            else if (after.Status == DeliveryStatus.Failed)
                log.LogWarning("Webhook delivery {Delivery} (subscription {Subscription}) failed for {Hours} hours and is given up; replay it once the receiver works",
                    delivery.Id, delivery.SubscriptionId, options.GiveUpAfter.TotalHours);
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            // Nothing recorded: the lease runs out and the delivery is tried again.
            log.LogError("Webhook delivery {Delivery} could not be recorded: {Error}", delivery.Id, Platform.Reactions.ReactionRunner.Describe(ex));
        }
        catch (OperationCanceledException) { }
        finally
        {
            lease.Dispose();
            Done(delivery.SubscriptionId);
            Interlocked.Decrement(ref inFlight);
            Nudge();
        }
    }

    static string Outcome(WebhookDelivery d) => d.Status switch
    {
        DeliveryStatus.Delivered => "delivered",
        DeliveryStatus.Pending => "retry",
        DeliveryStatus.Failed => "failed",
        _ => "cancelled",
    };

    async Task<(int? Status, string? Error, TimeSpan Elapsed)> PostAsync(WebhookDelivery delivery, WebhookSubscription subscription, CancellationToken stopping)
    {
        var now = clock.GetUtcNow();
        var secrets = new List<string> { protector.Unprotect(subscription.ProtectedSecret) };
        if (subscription.PreviousProtectedSecret is { } previous && subscription.PreviousSecretUntil > now) secrets.Add(protector.Unprotect(previous));
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(WebhookSignature.Header,
            WebhookSignature.HeaderValue(now.ToUnixTimeSeconds(), delivery.Body, [.. secrets]));
        request.Headers.TryAddWithoutValidation("Portal-Delivery", delivery.Id.ToString());
        request.Headers.TryAddWithoutValidation("Portal-Event", delivery.Type);
        request.Headers.TryAddWithoutValidation("Portal-Attempt", (delivery.Attempts + 1).ToString());
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(options.Timeout);
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            return (code, code is >= 200 and < 300 ? null : $"HTTP {code}", watch.Elapsed);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return (null, "timeout", watch.Elapsed);
        }
        catch (HttpRequestException ex)
        {
            return (null, ex.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "name not resolved",
                HttpRequestError.ConnectionError when ex.Message.StartsWith(PrivateNetworkRefusal, StringComparison.Ordinal) => "refused: private network address",
                HttpRequestError.ConnectionError => "connection failed",
                HttpRequestError.SecureConnectionError => "TLS failed",
                _ => "request failed",
            }, watch.Elapsed);
        }
    }

    WebhookDelivery Next(WebhookDelivery d, WebhookAttempt attempt, bool active, DateTimeOffset now)
    {
        var log = d.Log.Append(attempt).TakeLast(KeptAttempts).ToArray();
        var tried = d with
        {
            Attempts = d.Attempts + 1, Log = log, LastStatusCode = attempt.StatusCode, LastError = attempt.Error, Version = d.Version + 1,
        };
        if (!active) return tried with { Status = DeliveryStatus.Cancelled, Attempts = d.Attempts, Log = d.Log };
        if (attempt.Error is null) return tried with { Status = DeliveryStatus.Delivered, DeliveredAt = now, LastError = null };
        var delay = RetryDelay(tried.Attempts);
        return now + delay > d.WindowStart + options.GiveUpAfter
            ? tried with { Status = DeliveryStatus.Failed }
            : tried with { Status = DeliveryStatus.Pending, NextAttemptAt = now + delay };
    }

    /// <summary>First retry after FirstRetryDelay, doubled per failure up to MaxRetryDelay, plus up to 10% jitter so retries spread out.</summary>
    public TimeSpan RetryDelay(int failures)
    {
        var doubled = options.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
        var capped = Math.Min(doubled, options.MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (1 + Random.Shared.NextDouble() * 0.1));
    }

    public const string PrivateNetworkRefusal = "Webhook receiver address refused";

    /// <summary>
    /// The sender's HTTP handler: no redirects (a 3xx is a failure; a redirect could lead anywhere), no cookies, pooled connections
    /// renewed every 2 minutes (DNS changes), and, unless allowed, no connections to loopback, private or link-local addresses,
    /// checked on the address actually connected to, so a DNS name cannot point a subscription at our own network.
    /// </summary>
    public static SocketsHttpHandler Handler(WebhookOptions options) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        MaxConnectionsPerServer = Math.Max(options.MaxPerSubscription, 16),
        ConnectCallback = async (context, ct) =>
        {
            var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
            var allowed = options.AllowPrivateNetworks ? addresses : [.. addresses.Where(a => !IsPrivate(a))];
            if (allowed.Length == 0)
                throw new HttpRequestException(HttpRequestError.ConnectionError, PrivateNetworkRefusal);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
        var b = address.GetAddressBytes();
        return b[0] is 10 or 0 or 127 || b[0] >= 224
            || (b[0] == 172 && b[1] is >= 16 and <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] is >= 64 and <= 127);
    }
}
