using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Web.Features.PatientBalances;

/// <summary>What a pay link names: the practice, the patient and the statement it came with.</summary>
public sealed record PayLinkTarget(Guid PracticeId, Guid PatientId, Guid? StatementId);

/// <summary>
/// The pay-online link printed on statements and mailed: /pay/{token}, no login. The token is ASP.NET Core Data Protection's
/// authenticated encryption with an expiry (Portal:PatientBilling:PayLinkLifetime, default 60 days), so it cannot be forged,
/// altered or read, and stops working when it expires. The page behind it shows the practice, the patient's first name and the
/// amount due, nothing else.
/// </summary>
public sealed class PayLinks(IDataProtectionProvider provider, IConfiguration config, TimeProvider clock)
{
    readonly ITimeLimitedDataProtector protector = provider.CreateProtector("Portal.PatientBalances.PayLink").ToTimeLimitedDataProtector();

    public TimeSpan Lifetime => config.GetValue("Portal:PatientBilling:PayLinkLifetime", TimeSpan.FromDays(60));

    public string Token(PayLinkTarget target) =>
        protector.Protect(JsonSerializer.Serialize(target), clock.GetUtcNow() + Lifetime);

    /// <summary>The link under <paramref name="root"/> (Portal:PublicUrl, or the address the run was started from; <see cref="PortalLinks"/>).</summary>
    public string Url(string root, PayLinkTarget target) => $"{root.TrimEnd('/')}/pay/{Token(target)}";

    public PayLinkTarget? Read(string token)
    {
        try
        {
            var json = protector.Unprotect(token, out var expires);
            return expires < clock.GetUtcNow() ? null : JsonSerializer.Deserialize<PayLinkTarget>(json);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }
}
