using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using NpgsqlTypes;

namespace Portal.Web.Platform;

/// <summary>Endpoint metadata: this POST creates something, so it honours an <c>Idempotency-Key</c> header.</summary>
public sealed class IdempotentMetadata
{
    public static readonly IdempotentMetadata Instance = new();
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
}

public static class IdempotencyEndpointExtensions
{
    /// <summary>
    /// A retried request with the same <c>Idempotency-Key</c> (same caller, same route, same body) gets the stored answer
    /// for 24 hours instead of creating again (<see cref="IdempotencyMiddleware"/>, docs/api.md).
    /// </summary>
    public static TBuilder Idempotent<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(IdempotentMetadata.Instance);
}

/// <summary>
/// Runs after authentication and the practice check, for operations marked <see cref="IdempotencyEndpointExtensions.Idempotent{TBuilder}"/>
/// that carry an <c>Idempotency-Key</c>. The key is claimed in one INSERT, so of two concurrent requests exactly one runs;
/// the other gets 409 "in progress" (with Retry-After) rather than waiting, so no request thread is parked on another's
/// work. Only 2xx answers are stored (status, Location, ETag, Content-Type and the body) and replayed for 24 hours; any
/// other answer, or an exception, releases the key so the caller can correct the request and retry with it. The same key
/// with a different body or route answers 422. Keys are per caller: tenant, client id and subject together, so another
/// practice's or app's key never collides.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    static readonly string[] ReplayedHeaders = ["Location", "ETag", "Content-Type", "Content-Disposition"];
    const string Table = MartenSetup.Schema + ".idempotency_key";

    public async Task InvokeAsync(HttpContext context, NpgsqlDataSource db, TimeProvider clock)
    {
        if (!HttpMethods.IsPost(context.Request.Method)
            || context.GetEndpoint()?.Metadata.GetMetadata<IdempotentMetadata>() is null
            || !context.Request.Headers.TryGetValue(IdempotentMetadata.Header, out var raw)
            || context.User.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }

        var key = raw.ToString();
        if (raw.Count != 1 || key.Length is < 1 or > 255 || key.Any(c => c < 0x21 || c > 0x7e))
        {
            await Problem(context, 400, "Bad Idempotency-Key", "Idempotency-Key must be one value of 1 to 255 visible ASCII characters.");
            return;
        }

        var ct = context.RequestAborted;
        string bodyHash;
        try { bodyHash = await BodyHash(context.Request, ct); }
        catch (InvalidDataException)
        {
            // A malformed form is the endpoint's to refuse (400); nothing is created, so there is nothing to remember.
            await next(context);
            return;
        }
        var request = $"{context.Request.Method} {context.Request.Path}";
        var caller = Caller(context.User);
        var now = clock.GetUtcNow();

        if (!await Claim(db, caller, key, request, bodyHash, now, ct))
        {
            await AnswerFromStore(context, db, caller, key, request, bodyHash, ct);
            return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        var stored = false;
        try
        {
            await next(context);
            if (context.Response.StatusCode is >= 200 and < 300)
            {
                var headers = ReplayedHeaders
                    .Where(h => context.Response.Headers.ContainsKey(h))
                    .ToDictionary(h => h, h => context.Response.Headers[h].ToString());
                await Complete(db, caller, key, context.Response.StatusCode, headers, buffer.ToArray(), CancellationToken.None);
                stored = true;
            }
        }
        finally
        {
            context.Response.Body = original;
            if (!stored) await Release(db, caller, key);
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, ct);
    }

    /// <summary>
    /// A JSON or CSV body is hashed as sent. A form is hashed by its fields and files, because a client that retries a
    /// multipart upload usually picks a new boundary and the same document must still count as the same request.
    /// </summary>
    static async Task<string> BodyHash(HttpRequest request, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            foreach (var field in form.OrderBy(f => f.Key, StringComparer.Ordinal))
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{field.Key.Length}:{field.Key}={field.Value.Count}:{string.Join('\u001f', field.Value.ToArray())}\u001e"));
            foreach (var file in form.Files.OrderBy(f => f.Name, StringComparer.Ordinal).ThenBy(f => f.FileName, StringComparer.Ordinal))
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"file:{file.Name}:{file.FileName}:{file.ContentType}:{file.Length}\u001e"));
                await using var content = file.OpenReadStream();
                var chunk = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(chunk, ct)) > 0) hash.AppendData(chunk, 0, read);
            }
        }
        else
        {
            request.EnableBuffering();
            var chunk = new byte[81920];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0) hash.AppendData(chunk, 0, read);
            request.Body.Position = 0;
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>The caller a key belongs to: tenant, OAuth client and subject (a user, or the app itself).</summary>
    static string Caller(ClaimsPrincipal user) => string.Join('|',
        user.FindFirstValue(PortalClaims.Tenant) ?? "-",
        user.FindFirstValue("client_id") ?? user.FindFirstValue("azp") ?? "-",
        user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "-");

    static async Task<bool> Claim(NpgsqlDataSource db, string caller, string key, string request, string bodyHash, DateTimeOffset now, CancellationToken ct)
    {
        // An expired row is taken over in the same statement, so a key is reusable after 24 hours without waiting for cleanup.
        await using var cmd = db.CreateCommand($"""
            insert into {Table} (caller, key, request, body_hash, created_at, expires_at)
            values (@caller, @key, @request, @hash, @now, @expires)
            on conflict (caller, key) do update
              set request = excluded.request, body_hash = excluded.body_hash, created_at = excluded.created_at,
                  expires_at = excluded.expires_at, status = null, headers = null, body = null
              where {Table}.expires_at < @now
            returning true
            """);
        cmd.Parameters.AddWithValue("caller", caller);
        cmd.Parameters.AddWithValue("key", key);
        cmd.Parameters.AddWithValue("request", request);
        cmd.Parameters.AddWithValue("hash", bodyHash);
        cmd.Parameters.AddWithValue("now", now);
        cmd.Parameters.AddWithValue("expires", now + Lifetime);
        return await cmd.ExecuteScalarAsync(ct) is true;
    }

    static async Task AnswerFromStore(HttpContext context, NpgsqlDataSource db, string caller, string key, string request, string bodyHash, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"select request, body_hash, status, headers, body from {Table} where caller = @caller and key = @key");
        cmd.Parameters.AddWithValue("caller", caller);
        cmd.Parameters.AddWithValue("key", key);
        await using var row = await cmd.ExecuteReaderAsync(ct);
        if (!await row.ReadAsync(ct))
        {
            // Released between our insert and this read (the first request failed): the caller may simply retry.
            await Problem(context, 409, "Request in progress", "A request with this Idempotency-Key has not finished. Retry shortly.", retryAfter: true);
            return;
        }
        if (row.GetString(0) != request || row.GetString(1) != bodyHash)
        {
            await Problem(context, 422, "Idempotency-Key reused",
                "This Idempotency-Key was already used with a different request. Use a new key for a new request.");
            return;
        }
        if (row.IsDBNull(2))
        {
            await Problem(context, 409, "Request in progress", "A request with this Idempotency-Key has not finished. Retry shortly.", retryAfter: true);
            return;
        }

        context.Response.StatusCode = row.GetInt32(2);
        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(row.GetString(3)) ?? [])
            context.Response.Headers[name] = value;
        context.Response.Headers[IdempotentMetadata.ReplayedHeader] = "true";
        var body = (byte[])row.GetValue(4);
        await context.Response.Body.WriteAsync(body, ct);
    }

    static async Task Complete(NpgsqlDataSource db, string caller, string key, int status, Dictionary<string, string> headers, byte[] body, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"update {Table} set status = @status, headers = @headers, body = @body where caller = @caller and key = @key");
        cmd.Parameters.AddWithValue("status", status);
        cmd.Parameters.AddWithValue("headers", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(headers));
        cmd.Parameters.AddWithValue("body", body);
        cmd.Parameters.AddWithValue("caller", caller);
        cmd.Parameters.AddWithValue("key", key);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    static async Task Release(NpgsqlDataSource db, string caller, string key)
    {
        try
        {
            await using var cmd = db.CreateCommand($"delete from {Table} where caller = @caller and key = @key and status is null");
            cmd.Parameters.AddWithValue("caller", caller);
            cmd.Parameters.AddWithValue("key", key);
            await cmd.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // The database is gone (503 follows from the exception handler); the claim expires in 24 hours at worst.
        }
    }

    static async Task Problem(HttpContext context, int status, string title, string detail, bool retryAfter = false)
    {
        context.Response.StatusCode = status;
        if (retryAfter) context.Response.Headers.RetryAfter = "1";
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    public static async Task EnsureCreatedAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            create schema if not exists {MartenSetup.Schema};
            create table if not exists {Table} (
              caller text not null, key text not null, request text not null, body_hash text not null,
              created_at timestamptz not null, expires_at timestamptz not null,
              status int, headers jsonb, body bytea,
              primary key (caller, key));
            create index if not exists idempotency_key_expires on {Table} (expires_at);
            """);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<int> DeleteExpiredAsync(NpgsqlDataSource db, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"delete from {Table} where expires_at < @now");
        cmd.Parameters.AddWithValue("now", now);
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>Creates the key table at startup and deletes expired keys every hour.</summary>
sealed class IdempotencyKeyCleanup(NpgsqlDataSource db, TimeProvider clock, ILogger<IdempotencyKeyCleanup> log) : BackgroundService
{
    public override async Task StartAsync(CancellationToken ct)
    {
        await IdempotencyMiddleware.EnsureCreatedAsync(db, ct);
        await base.StartAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            try
            {
                var deleted = await IdempotencyMiddleware.DeleteExpiredAsync(db, clock.GetUtcNow(), stoppingToken);
                if (deleted > 0) log.LogInformation("Deleted {Count} expired idempotency keys", deleted);
            }
            catch (NpgsqlException e)
            {
                log.LogWarning("Idempotency key cleanup failed: {Reason}", SafeLog.Describe(e));
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
