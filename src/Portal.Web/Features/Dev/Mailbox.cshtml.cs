using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Platform.Email;

namespace Portal.Web.Features.Dev;

public sealed record MailboxEntry(string File, DateTimeOffset Date, string To, string Subject, string Text, IReadOnlyList<string> Links);

/// <summary>
/// Development only: the mail Portal "sent" to the local folder (no SMTP host configured), newest first, with its links,
/// so a developer can follow an invitation or reset link. Anonymous, because invitees are not signed in; 404 elsewhere.
/// </summary>
[AllowAnonymous]
public partial class MailboxModel(IWebHostEnvironment env, IServiceProvider services) : PageModel
{
    public IReadOnlyList<MailboxEntry> Messages { get; private set; } = [];
    public string Folder { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!env.IsDevelopment() || services.GetService<FolderMailSender>() is not { } folder) return NotFound();
        Folder = folder.Folder;
        Messages = [.. (await folder.Read(50, ct)).Select(m => new MailboxEntry(m.File, m.Message.Date, m.Message.To.ToString(),
            m.Message.Subject ?? "", m.Message.TextBody ?? "", [.. Link().Matches(m.Message.TextBody ?? "").Select(l => l.Value).Distinct()]))];
        return Page();
    }

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex Link();
}
