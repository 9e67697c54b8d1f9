using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Features.Tenancy;

namespace Portal.Web.Features.Home;

public class IndexModel(PracticeAccess access) : PageModel
{
    public IReadOnlyList<Organization> Practices { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Practices = await access.PracticesFor(User, ct);
}
