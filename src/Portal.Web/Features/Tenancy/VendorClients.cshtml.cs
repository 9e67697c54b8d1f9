using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Features.Identity;
using Portal.Web.Platform;

namespace Portal.Web.Features.Tenancy;

/// <summary>The practices that engage the firm; its admin chooses which coders work each one (domain brief §9: coders see only assigned clients).</summary>
public class VendorClientsModel(IQuerySession query, OrganizationDirectory organizations, UserManager<PortalUser> users) : PageModel
{
    public IReadOnlyList<VendorClient> Clients { get; private set; } = [];
    public IReadOnlyList<PortalUser> FirmCoders { get; private set; } = [];
    public bool IsAdmin => User.Allows(Permissions.VendorClientsAssign);
    public string? Notice { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Request.Query["saved"].ToString() is { Length: > 0 } saved) Notice = $"Saved: {saved}'s coders are updated.";
        await Load(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid engagementId, string? mode, Guid[]? coderIds, [FromServices] IDocumentStore store,
        [FromServices] TimeProvider clock, CancellationToken ct)
    {
        try
        {
            var client = await EngagementWrites.AssignCoders(store, users, organizations, User.OrganizationId()!.Value, engagementId,
                mode == "all" ? null : coderIds ?? [], User.Actor(), clock, ct);
            if (client is null) return NotFound();
            return Redirect($"/vendor/clients?saved={Uri.EscapeDataString(client.PracticeName)}");
        }
        catch (Exception e) when (e is UnprocessableInput or RuleViolation)
        {
            Error = e.Message;
        }
        await Load(ct);
        return Page();
    }

    async Task Load(CancellationToken ct)
    {
        var firm = User.OrganizationId()!.Value;
        Clients = await VendorClient.For(query, organizations, firm, User.UserId(), IsAdmin, ct);
        if (IsAdmin)
            FirmCoders = [.. (await users.GetUsersInRoleAsync(Roles.VendorCoder)).Where(u => u.OrganizationId == firm).OrderBy(u => u.DisplayName)];
    }
}
