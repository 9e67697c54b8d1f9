using System.Security.Claims;
using Marten;

namespace Portal.Web.Platform;

/// <summary>
/// One read (or export) of PHI: who, for which organization, which operation and record, when, from where, and the purpose.
/// Security Rule audit controls (45 CFR 164.312(b)) want reads logged as well as writes; writes are already in the event
/// streams. Tenanted: a practice reviews its own. Purpose is "payment" for every read Portal serves: coding and billing are
/// payment activities under HIPAA's treatment/payment/operations.
/// </summary>
public sealed record AuditEntry(Guid Id, string Action, string RecordType, Guid? RecordId, Guid? PatientId,
    string Actor, string? UserId, string? ClientId, string? IpAddress, string Path, DateTimeOffset At,
    string? Operation = null, Guid? OrganizationId = null, string? Purpose = null);

public static class PhiAudit
{
    public const string View = "view", Download = "download", Export = "export", List = "list";
    public const string Payment = "payment";
    const string Recorded = "portal.phi-audited", Practices = "portal.phi-practices";

    /// <summary>Records the access and saves it with whatever else the session holds.</summary>
    public static async Task Record(IDocumentSession session, HttpContext http, string action, string recordType, Guid? recordId,
        Guid? patientId, CancellationToken ct)
    {
        session.Store(Entry(http, action, recordType, recordId, patientId));
        await session.SaveChangesAsync(ct);
        http.Items[Recorded] = true;
    }

    static AuditEntry Entry(HttpContext http, string action, string recordType, Guid? recordId, Guid? patientId)
    {
        var user = http.User;
        var isUser = !user.IsApp();
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        var operation = http.GetEndpoint()?.Metadata.GetMetadata<Permission>()?.Name ?? http.Items["portal.permission"] as string;
        return new AuditEntry(Guid.CreateVersion7(), action, recordType, recordId, patientId, user.Actor(),
            isUser ? user.UserId()?.ToString() : null,
            isUser ? null : user.FindFirstValue("client_id") ?? user.FindFirstValue("sub"),
            http.Connection.RemoteIpAddress?.ToString(), http.Request.Path, clock.GetUtcNow(),
            operation, isUser ? user.OrganizationId() : null, Payment);
    }

    /// <summary>
    /// Every operation the permission table marks as reading PHI is audited when it answers 2xx, before the response leaves:
    /// lists, queues, exports, pages and their htmx partials, not only single-record reads. A handler that recorded a more
    /// specific entry (record and patient ids) is not recorded twice.
    /// </summary>
    public static void AuditOnSuccess(HttpContext http, Permission permission)
    {
        http.Items["portal.permission"] = permission.Name;
        http.Response.OnStarting(async () =>
        {
            if (http.Items.ContainsKey(Recorded) || http.Response.StatusCode is < 200 or > 299) return;
            IEnumerable<Guid> practices = http.Features.Get<CurrentPractice>() is { } practice ? [practice.PracticeId]
                : http.Items[Practices] as IEnumerable<Guid> ?? [];
            var ids = http.Request.RouteValues
                .Where(v => v.Key is not "practiceId" && Guid.TryParse(v.Value as string, out _))
                .Select(v => (v.Key, Id: Guid.Parse((string)v.Value!))).ToList();
            var patientId = ids.Where(i => i.Key == "patientId").Select(i => (Guid?)i.Id).FirstOrDefault();
            var recordId = ids.Count > 0 ? ids[^1].Id : (Guid?)null;
            var csv = http.Request.Path.Value?.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) == true
                || http.Request.Query["format"] == "csv" || http.Response.ContentType?.StartsWith("text/csv") == true;
            var action = csv ? Export : recordId is null ? List : View;
            var store = http.RequestServices.GetRequiredService<IDocumentStore>();
            foreach (var id in practices.Distinct())
            {
                await using var session = store.LightweightSession(id.ToString());
                session.Store(Entry(http, action, permission.Name, recordId, patientId));
                await session.SaveChangesAsync(http.RequestAborted);
            }
        });
    }

    /// <summary>A read across practices (a vendor's combined queue): each practice whose rows it shows gets the audit entry.</summary>
    public static void AcrossPractices(HttpContext http, IEnumerable<Guid> practiceIds) => http.Items[Practices] = practiceIds.ToList();
}
