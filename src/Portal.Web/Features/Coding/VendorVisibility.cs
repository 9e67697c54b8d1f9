using System.Security.Claims;
using Marten;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;

namespace Portal.Web.Features.Coding;

/// <summary>
/// Which of a practice's records a vendor's staff may read (issue: "vendor staff see only what they were engaged for").
/// An encounter, its documents and history, and its patient: only while the chart waits unassigned in the practice's queue
/// (the shared queue the firm works from) or is held, or was coded, by one of the firm's coders (QA and rebuttals).
/// The practice's in-house charts, encounters never sent to coding and other firms' work are 404 to them. The engagement
/// itself (active, this coder assigned to the client) is checked before, on every request (PracticeAccess).
/// </summary>
public static class VendorVisibility
{
    /// <summary>The caller's firm when the caller is a vendor's staff; null for the practice's own users and its apps.</summary>
    public static Guid? FirmOf(ClaimsPrincipal user) =>
        user.FindFirstValue(PortalClaims.OrganizationKind) == nameof(OrganizationKind.Vendor) ? user.OrganizationId() : null;

    public static bool MaySee(Guid firm, EncounterStatus status, Guid? coderVendorId, bool assigned) =>
        coderVendorId == firm || (!assigned && status == EncounterStatus.Queued);

    public static bool MaySee(ClaimsPrincipal user, CodingChart chart) =>
        FirmOf(user) is not { } firm || MaySee(firm, chart.Status, chart.Coder?.VendorId, chart.Coder is not null);

    public static async Task<bool> MaySeeEncounter(IQuerySession query, ClaimsPrincipal user, Guid encounterId, CancellationToken ct)
    {
        if (FirmOf(user) is not { } firm) return true;
        var row = await query.LoadAsync<CodingQueueRow>(encounterId, ct);
        return row is not null && MaySee(firm, row.Status, row.VendorId, row.CoderId is not null);
    }

    public static async Task<bool> MaySeePatient(IQuerySession query, ClaimsPrincipal user, Guid patientId, CancellationToken ct)
    {
        if (FirmOf(user) is not { } firm) return true;
        return await query.Query<CodingQueueRow>().AnyAsync(r => r.PatientId == patientId
            && (r.VendorId == firm || (r.CoderId == null && r.Status == EncounterStatus.Queued)), ct);
    }
}
