using System.Security.Claims;
using Marten;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

/// <summary>
/// One read (or export) of PHI: who, which record, when, from where. Security Rule audit controls (45 CFR 164.312(b))
/// want reads logged as well as writes; writes are already in the event streams. Tenanted: a practice reviews its own.
/// </summary>
public sealed record AuditEntry(Guid Id, string Action, string RecordType, Guid? RecordId, Guid? PatientId,
    string Actor, string? UserId, string? ClientId, string? IpAddress, string Path, DateTimeOffset At);

public static class PhiAudit
{
    public const string View = "view", Download = "download", Export = "export";

    /// <summary>Records the access and saves it with whatever else the session holds.</summary>
    public static async Task Record(IDocumentSession session, HttpContext http, string action, string recordType, Guid? recordId,
        Guid? patientId, CancellationToken ct)
    {
        var user = http.User;
        var isUser = user.HasClaim(c => c.Type == PortalClaims.Organization);
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        session.Store(new AuditEntry(Guid.CreateVersion7(), action, recordType, recordId, patientId, user.Actor(),
            isUser ? user.UserId()?.ToString() : null,
            isUser ? null : user.FindFirstValue("client_id") ?? user.FindFirstValue("sub"),
            http.Connection.RemoteIpAddress?.ToString(), http.Request.Path, clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
    }
}
