using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Filters;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;

namespace Portal.Web.Features.Coding;

/// <summary>
/// What the coding pages share. Who may open a page or post to a handler is the permission table's (Platform/Permissions.cs);
/// the write functions enforce the rest (who holds the chart, QA only for reviewers).
/// </summary>
public abstract class CodingPageModel : PracticePageModel
{
    public CodingCaller Caller => CodingCaller.From(User);
    public bool IsCoder => CodingAccess.Coders.Any(User.IsInRole);
    public bool IsLead => User.IsInRole(Roles.PracticeAdmin);
    public bool IsQa => User.IsInRole(Roles.QaReviewer);
    public bool IsProvider => User.IsInRole(Roles.Provider);
    public string? Notice { get; protected set; }

    public string ChartUrl(Guid encounterId) => $"{Root}/coding/charts/{encounterId}";

    /// <summary>The coders a practice admin may assign: the practice's own and those of the engaged vendors.</summary>
    public static async Task<IReadOnlyList<Coder>> AssignableCoders(IQuerySession query, UserManager<PortalUser> users, Guid practiceId,
        CancellationToken ct)
    {
        var engagements = (await query.Query<Engagement>().Where(e => e.RevokedAt == null).ToListAsync(ct)).ToDictionary(e => e.VendorId);
        var own = (await users.GetUsersInRoleAsync(Roles.Coder)).Where(u => u.OrganizationId == practiceId)
            .Select(u => new Coder(u.Id, u.DisplayName, null));
        // The engaged firms' coders that the firm assigns to this practice.
        var vendor = (await users.GetUsersInRoleAsync(Roles.VendorCoder))
            .Where(u => engagements.TryGetValue(u.OrganizationId, out var e) && e.Covers(u.Id, vendorAdmin: false))
            .Select(u => new Coder(u.Id, u.DisplayName, u.OrganizationId));
        return [.. own.Concat(vendor).OrderBy(c => c.Name)];
    }
}

/// <summary>A queue table, for one practice or across a vendor's practices; the smallest model _QueueRows needs.</summary>
public sealed record QueueTable(IReadOnlyList<CodingQueueItem> Items, int Page, int PageCount, long Total, Func<int, string> PageUrl,
    string ExportUrl, bool Filtered, bool ShowPractice, IReadOnlyList<Coder> Assignable, string? AssignUrl)
{
    public static string ChartUrl(CodingQueueItem i) => $"/practices/{i.PracticeId}/coding/charts/{i.EncounterId}";
}

/// <summary>Queue filters from the query string, lenient like the encounter list: a bad value just drops that filter.</summary>
public static class QueueQuery
{
    public static QueueFilter Parse(IQueryCollection q) => new()
    {
        Status = Enum.TryParse<EncounterStatus>(q["status"], true, out var status) ? status : null,
        CoderId = Guid.TryParse(q["coder"], out var coder) ? coder : null,
        Coder = q["coder"] == "me" ? "me" : null,
        Overdue = q["overdue"] == "true" ? true : null,
        Sort = CodingQueue.Sorting.OrDefault(q["sort"].ToString()),
    };

    public static bool Filtered(QueueFilter f) => f.Status is not null || f.CoderId is not null || f.Coder is not null || f.Overdue is not null;

    public static string String(QueueFilter f, int? page = null) => string.Join('&', new Dictionary<string, string?>
    {
        ["status"] = f.Status?.ToString(), ["coder"] = f.Coder ?? f.CoderId?.ToString(), ["overdue"] = f.Overdue == true ? "true" : null,
        ["sort"] = f.Sort, ["p"] = page?.ToString(),
    }.Where(kv => !string.IsNullOrEmpty(kv.Value)).Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value!)}"));

    public static readonly (string Value, string Label)[] SortLabels =
        [("due", "Due soonest"), ("-due", "Due latest"), ("priority", "Highest priority"), ("-priority", "Lowest priority"),
         ("dos", "Oldest visit"), ("-dos", "Newest visit")];
}
