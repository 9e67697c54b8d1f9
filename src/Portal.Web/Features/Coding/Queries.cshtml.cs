using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Settings;
using Portal.Web.Platform;

namespace Portal.Web.Features.Coding;

/// <summary>The open queries a page lists, and whether the viewer answers them (providers) or follows them (coders, admins).</summary>
public sealed record QueryList(IReadOnlyList<OpenProviderQuery> Items, bool CanAnswer, bool ProviderView, string Root, int EscalationHours,
    string? Error = null, Guid? ErrorFor = null, string? Notice = null, bool AnswersForProviders = false,
    IReadOnlySet<Guid>? ProvidersWithLogin = null);

public class QueriesModel(IQuerySession query, TimeProvider clock) : CodingPageModel
{
    public QueryList List { get; private set; } = default!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        await Load(ct);
        if (Request.Query["invited"].ToString() is { Length: > 0 } invited)
            List = List with { Notice = $"Invitation sent to {invited}. New queries for this provider are mailed there until they sign in." };
    }

    /// <summary>htmx: a practice admin answers for a provider (e.g. one without a login); the history records it as on their behalf.</summary>
    public Task<IActionResult> OnPostAnswerForAsync(Guid encounterId, Guid queryId, string? choice, string? comment,
        [FromServices] IDocumentSession session, CancellationToken ct) => OnPostAnswerAsync(encounterId, queryId, choice, comment, session, ct);

    /// <summary>A practice admin invites the provider to Portal (role provider) and records the address for query mails.</summary>
    public async Task<IActionResult> OnPostInviteAsync(Guid providerId, string? email, [FromServices] IDocumentSession session,
        [FromServices] Users.Invitations invitations, [FromServices] Tenancy.OrganizationDirectory organizations, CancellationToken ct)
    {
        var provider = await session.LoadAsync<Provider>(providerId, ct);
        if (provider is null) return NotFound();
        if (await TryWrite(async () =>
            {
                var address = email?.Trim() ?? "";
                if (!new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(address) || address.Length is 0 or > 256)
                    throw new UnprocessableInput("Enter the provider's e-mail address.", new Dictionary<string, string[]> { ["email"] = ["Enter an e-mail address."] });
                var org = await organizations.Find(Practice.PracticeId, ct) ?? throw new RuleViolation("No such practice.");
                await invitations.Invite(org, new Users.InviteUser(address, provider.Name, [Roles.Provider]), Users.Actor.Of(User), Request, ct);
                session.Events.Append(providerId, new ProviderInvited(providerId, address, User.Actor(), clock.GetUtcNow()));
                await session.SaveChangesAsync(ct);
            }))
            return Redirect($"{Root}/coding/queries?invited={Uri.EscapeDataString(email!.Trim())}");
        await Load(ct);
        List = List with { Error = string.Join(" ", FieldErrors.Values.SelectMany(m => m).Prepend(Error)), ErrorFor = providerId };
        return Page();
    }

    /// <summary>htmx: the provider answers one query; answers the list (the answered query leaves it).</summary>
    public async Task<IActionResult> OnPostAnswerAsync(Guid encounterId, Guid queryId, string? choice, string? comment,
        [FromServices] IDocumentSession session, CancellationToken ct)
    {
        var answered = await TryWrite(async () =>
        {
            if (await CodingWrites.AnswerQuery(session, encounterId, queryId, null, new AnswerProviderQuery(choice, comment), User.UserId(),
                    User.IsInRole(Roles.PracticeAdmin), User.Actor(), clock, ct) is null)
                throw new RuleViolation("No such query in this practice.");
        });
        await Load(ct);
        List = List with
        {
            Error = answered ? null : string.Join(" ", FieldErrors.Values.SelectMany(m => m).Prepend(Error)),
            ErrorFor = answered ? null : queryId,
            Notice = answered ? "Answer saved. The chart goes back to its coder." : null,
        };
        Response.Headers.Vary = "HX-Request";
        return Partial("_QueryList", List);
    }

    async Task Load(CancellationToken ct)
    {
        var settings = await PracticeSettings.For(query, Practice.PracticeId, ct);
        var open = await ProviderQueries.Open(query, null, settings.QueryEscalationHours, clock.GetUtcNow(), ct, VendorVisibility.FirmOf(User));
        // A provider sees the queries of the provider records the practice admin linked to their account (Providers page).
        if (IsProvider && !IsLead)
        {
            var me = User.UserId();
            var mine = (await IntakeQueries.Providers(query, ct)).Where(p => p.UserId is not null && p.UserId == me).Select(p => p.Id).ToHashSet();
            open = [.. open.Where(q => mine.Contains(q.ProviderId))];
        }
        var forProviders = IsLead && User.Allows(Permissions.QueryAnswerForProvider, Practice);
        var withLogin = forProviders
            ? (await IntakeQueries.Providers(query, ct)).Where(p => p.UserId is not null).Select(p => p.Id).ToHashSet()
            : null;
        List = new QueryList(open, IsProvider || forProviders, IsProvider && !IsLead, Root, settings.QueryEscalationHours,
            AnswersForProviders: forProviders && !IsProvider, ProvidersWithLogin: withLogin);
    }
}
