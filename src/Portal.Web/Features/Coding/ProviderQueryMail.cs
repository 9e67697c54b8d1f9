using JasperFx.Events;
using Microsoft.AspNetCore.Identity;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform.Email;
using Portal.Web.Platform.Reactions;

namespace Portal.Web.Features.Coding;

/// <summary>
/// Issue 14, item 4: a new provider query is mailed to the provider: to the portal user linked to the provider, else to the
/// address the practice admin invited them at. The mail names the practice only (no patient, no date of service: mail leaves
/// our control, docs/security.md "E-mail") and links to the queries page.
/// </summary>
public sealed class ProviderQueryMail : Reaction<ProviderQueryRaised>
{
    public override string Name => "coding.query-mail";

    public override async Task HandleAsync(ReactionContext context, IEvent<ProviderQueryRaised> e, CancellationToken ct)
    {
        var provider = await context.Session.LoadAsync<Provider>(e.Data.ProviderId, ct);
        if (provider is null) return;
        await using var scope = context.Services.CreateAsyncScope();
        var to = provider.Email;
        if (provider.UserId is { } userId)
            to = (await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByIdAsync(userId.ToString()))?.Email ?? to;
        if (to is null) return;
        var practiceId = Guid.Parse(e.TenantId);
        var practice = await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>().Find(practiceId, ct);
        var link = scope.ServiceProvider.GetRequiredService<PortalLinks>().Absolute(null, $"/practices/{practiceId}/coding/queries");
        await scope.ServiceProvider.GetRequiredService<IMailSender>().SendAsync(new OutgoingMail(to,
            "A coder has a question about one of your visits",
            [$"Hello {provider.Name},",
             $"A coder at {practice?.Name ?? "your practice"} needs your answer about one of your visits. The chart waits on hold until you answer.",
             provider.UserId is null
                 ? "If you do not have a Portal login yet, use the invitation your practice admin sent you, or ask them to answer for you."
                 : "Sign in to Portal to read and answer the question."],
            "Answer the question", link), ct);
    }
}
