using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIddict.Abstractions;
using Portal.Web.Platform;

namespace Portal.Web.Features.ApiClients;

public class IndexModel(IQuerySession query) : PageModel
{
    public IReadOnlyList<ApiClient> Clients { get; private set; } = [];
    public ApiClientCredentials? Issued { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await Load(ct);

    public async Task<IActionResult> OnPostRegisterAsync(string? name, string[]? scopes, string? redirectUris, [FromServices] IDocumentSession session,
        [FromServices] IOpenIddictApplicationManager applications, [FromServices] TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length < 3) Error = "Give the app a name of at least 3 characters.";
        else
        {
            try
            {
                Issued = await ApiClientWrites.Register(session, applications, HttpContext.RequiredPractice(),
                    new RegisterApiClient(name, scopes ?? [], RedirectUris: redirectUris?.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)),
                    User.Actor(), clock, ct);
            }
            catch (Exception e) when (e is UnprocessableInput or RuleViolation) { Error = e.Message; }
        }
        await Load(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, long version, [FromServices] IDocumentSession session,
        [FromServices] IOpenIddictApplicationManager applications, [FromServices] TimeProvider clock, CancellationToken ct)
    {
        try
        {
            if (await ApiClientWrites.Revoke(session, applications, id, version, User.Actor(), clock, ct) is null) return NotFound();
        }
        catch (Exception e) when (e is RuleViolation || e.IsStaleWrite())
        {
            ViewData["Error"] = e is RuleViolation ? e.Message : "Someone changed this app meanwhile; the list below is current.";
        }
        await Load(ct);
        Response.Headers.Vary = "HX-Request";
        return Partial("_ApiClientTable", Clients);
    }

    async Task Load(CancellationToken ct) =>
        Clients = [.. (await query.Query<ApiClient>().ToListAsync(ct)).OrderBy(c => c.Active ? 0 : 1).ThenByDescending(c => c.RegisteredAt)];
}
