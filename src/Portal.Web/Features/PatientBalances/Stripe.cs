using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Stripe;

namespace Portal.Web.Features.PatientBalances;

/// <summary>
/// Portal:Stripe:* settings. SecretKey: the platform's secret key (sk_live_… or sk_test_…); ApiBase: where the Stripe API is
/// (tests point it at a local fake); WebhookSecrets: the signing secrets (whsec_…) of the webhook endpoints that deliver to
/// /webhooks/stripe (the platform's and the Connect endpoint's). No SecretKey: card payments are off and pay links say so.
/// </summary>
public sealed class StripeSettings
{
    public string? SecretKey { get; set; }
    public string? ApiBase { get; set; }
    public string[] WebhookSecrets { get; set; } = [];
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromSeconds(300);
    public bool Enabled => !string.IsNullOrWhiteSpace(SecretKey);
}

/// <summary>The one Stripe client of the process (Stripe.net's client is thread-safe and keeps its connections).</summary>
public sealed class PortalStripe(Microsoft.Extensions.Options.IOptions<StripeSettings> options)
{
    readonly Lazy<IStripeClient> client = new(() =>
    {
        var s = options.Value;
        if (!s.Enabled) throw new InvalidOperationException("Card payments are off: set Portal:Stripe:SecretKey.");
        var o = new StripeClientOptions { ApiKey = s.SecretKey };
        if (!string.IsNullOrWhiteSpace(s.ApiBase)) o.ApiBase = s.ApiBase.TrimEnd('/');
        return new StripeClient(o);
    });

    public StripeSettings Settings => options.Value;
    public IStripeClient Client => client.Value;
}

/// <summary>
/// Stripe's webhook signature: header <c>Stripe-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.payload" with the
/// endpoint's secret&gt;</c> (several v1 values while a secret rolls). Checked in constant time; a timestamp further than the
/// tolerance from now is refused too, so a captured request cannot be replayed later.
/// </summary>
public static class StripeSignature
{
    public static string? Problem(string? header, string payload, IEnumerable<string> secrets, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrWhiteSpace(header)) return "The Stripe-Signature header is missing.";
        long? t = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(','))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2) continue;
            if (kv[0].Trim() == "t" && long.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ts)) t = ts;
            else if (kv[0].Trim() == "v1")
            {
                try { signatures.Add(Convert.FromHexString(kv[1].Trim())); } catch (FormatException) { }
            }
        }
        if (t is null || signatures.Count == 0) return "The Stripe-Signature header has no timestamp or no v1 signature.";
        if (Math.Abs(now.ToUnixTimeSeconds() - t.Value) > tolerance.TotalSeconds) return "The signature's timestamp is outside the tolerance.";
        var signed = Encoding.UTF8.GetBytes($"{t.Value}.{payload}");
        foreach (var secret in secrets.Where(s => !string.IsNullOrEmpty(s)))
        {
            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
            if (signatures.Any(s => CryptographicOperations.FixedTimeEquals(s, expected))) return null;
        }
        return "No signature matches the payload.";
    }

    /// <summary>What Stripe sends (and the fake Stripe in tests): t=…,v1=….</summary>
    public static string Header(string payload, string secret, DateTimeOffset at)
    {
        var t = at.ToUnixTimeSeconds();
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{payload}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }
}
