using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Features.Users;
using Portal.Web.Platform;

namespace Portal.Web.Features.Tenancy;

/// <summary>The platform operator's organisations: onboard a practice or vendor with its first admin, suspend, reactivate.</summary>
public class PlatformOrganizationsModel(Onboarding onboarding, PracticeMoves moves) : PageModel
{
    public IReadOnlyList<OrganizationSummary> Organizations { get; private set; } = [];
    public string? Notice { get; private set; }
    public string? Error { get; private set; }
    public Guid? ErrorFor { get; private set; }

    /// <summary>The practice moves, newest first (only read when there are several databases).</summary>
    public IReadOnlyList<PracticeMoveJob> Moves { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Notice = Request.Query["done"].ToString() is { Length: > 0 } done ? done : null;
        await Load(ct);
    }

    async Task Load(CancellationToken ct)
    {
        Organizations = await onboarding.List(ct);
        if (Databases.Count > 1) Moves = await moves.List(ct);
    }

    /// <summary>The moves table alone: the page asks for it every two seconds while a move runs.</summary>
    public async Task<IActionResult> OnGetMovesAsync(CancellationToken ct)
    {
        Moves = await moves.List(ct);
        return Partial("_PracticeMoves", this);
    }

    public Task<IActionResult> OnPostMoveAsync(Guid organizationId, string? database, CancellationToken ct) =>
        Act(organizationId, async () =>
        {
            var job = await moves.Start(organizationId, database, Actor.Of(User).Name, ct) ?? throw new UnprocessableInput("No organisation with this id.");
            return $"{job.PracticeName} is moving from '{job.From}' to '{job.To}'; it is read-only until the move ends (see Database moves below).";
        }, () => string.IsNullOrWhiteSpace(database) ? "Choose the database to move the practice to." : null, ct);

    /// <summary>The databases a practice can be placed in; the page offers the choice only when there is more than one (ADR 0031).</summary>
    public IReadOnlyList<string> Databases => onboarding.Databases;

    public Task<IActionResult> OnPostCreateAsync(string? name, OrganizationKind kind, string? npi, string? adminEmail, string? adminName,
        string? database, CancellationToken ct) =>
        Act(null, async () =>
        {
            var created = await onboarding.Create(new OnboardOrganization(name?.Trim() ?? "", kind, string.IsNullOrWhiteSpace(npi) ? null : npi.Trim(),
                adminEmail?.Trim() ?? "", adminName?.Trim() ?? "", string.IsNullOrWhiteSpace(database) ? null : database.Trim()), Actor.Of(User), Request, ct);
            return $"{created.Organization.Name} is created; an invitation went to {created.Invitation.Email}.";
        }, () => Validate(name, adminEmail, adminName), ct);

    public Task<IActionResult> OnPostSuspendAsync(Guid organizationId, string? reason, CancellationToken ct) =>
        Act(organizationId, async () => (await onboarding.Suspend(organizationId, reason ?? "", ct))?.Name + " is suspended.",
            () => (reason?.Trim().Length ?? 0) < 3 ? "Say why (at least 3 characters)." : null, ct);

    public Task<IActionResult> OnPostReactivateAsync(Guid organizationId, CancellationToken ct) =>
        Act(organizationId, async () => (await onboarding.Reactivate(organizationId, ct))?.Name + " is active again.", () => null, ct);

    static string? Validate(string? name, string? email, string? adminName) =>
        (name?.Trim().Length ?? 0) < 2 ? "Enter the organisation's name."
        : !new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(email?.Trim()) || string.IsNullOrWhiteSpace(email) ? "Enter the first admin's e-mail address."
        : (adminName?.Trim().Length ?? 0) < 2 ? "Enter the first admin's name."
        : null;

    async Task<IActionResult> Act(Guid? target, Func<Task<string>> write, Func<string?> validate, CancellationToken ct)
    {
        Error = validate();
        if (Error is null)
        {
            try
            {
                var done = await write();
                return Redirect($"/platform/organizations?done={Uri.EscapeDataString(done)}");
            }
            catch (Exception e) when (e is RuleViolation or UnprocessableInput)
            {
                Error = e.Message + (e is UnprocessableInput u ? " " + string.Join(" ", u.Errors.Values.SelectMany(m => m)) : "");
            }
        }
        ErrorFor = target;
        await Load(ct);
        return Page();
    }
}
