using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Portal.Web.Features.Identity;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

public class ProvidersModel(IQuerySession query, UserManager<PortalUser> users) : ReferenceListPageModel<Provider, EnrollProvider>(query)
{
    protected override string ListPath => "providers";
    protected override Task<IReadOnlyList<Provider>> List(IQuerySession q, CancellationToken ct) => IntakeQueries.Providers(q, ct);

    public bool IsAdmin => User.IsInRole(Roles.PracticeAdmin);

    /// <summary>The practice's users with the provider role: who may be linked to a provider record to answer its queries.</summary>
    public IReadOnlyList<PortalUser> ProviderUsers { get; private set; } = [];

    /// <summary>Why the last link was refused, shown above the table (the enrol form keeps its own errors).</summary>
    public string? LinkError { get; private set; }

    public override async Task OnPageHandlerExecutionAsync(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutingContext context,
        Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutionDelegate next)
    {
        if (IsAdmin)
            ProviderUsers = [.. (await users.GetUsersInRoleAsync(Roles.Provider))
                .Where(u => u.OrganizationId == Practice.PracticeId).OrderBy(u => u.DisplayName)];
        await base.OnPageHandlerExecutionAsync(context, next);
    }

    public Task<IActionResult> OnPostEnrollAsync(EnrollProvider input, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct) =>
        Add(input, () => ProviderWrites.Enroll(session, input, User.Actor(), clock, ct), ct);

    /// <summary>Practice admins: link the portal user who answers this provider's coding queries (or nobody).</summary>
    public async Task<IActionResult> OnPostLinkUserAsync(Guid providerId, Guid? userId, long version, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct)
    {
        Provider? linked = null;
        var ok = await TryWrite(async () => linked = await ProviderWrites.LinkUser(session, users, Practice.PracticeId, providerId, version,
            new LinkProviderUser(userId), User.Actor(), clock, ct));
        if (ok && linked is null) return NotFound();
        if (ok) return Redirect($"{Root}/providers?linked={providerId}");
        LinkError = string.Join(" ", FieldErrors.Values.SelectMany(m => m).Prepend(Error));
        Error = null;
        await OnGetAsync(ct);
        return Page();
    }
}
