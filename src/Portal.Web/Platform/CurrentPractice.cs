using System.Security.Claims;

namespace Portal.Web.Platform;

/// <summary>
/// The practice (tenant) a request acts for, set once by <see cref="PracticeScopeMiddleware"/> after the access check.
/// <paramref name="VendorFunctions"/>: for a vendor's staff, the functions the practice's engagement names (coding, claims, …);
/// null for the practice's own users and apps.
/// </summary>
public sealed record CurrentPractice(Guid PracticeId, string Name, IReadOnlyList<string>? VendorFunctions = null)
{
    public string TenantId => PracticeId.ToString();
}

public static class CurrentPracticeExtensions
{
    public static CurrentPractice? CurrentPractice(this HttpContext context) => context.Features.Get<CurrentPractice>();

    public static CurrentPractice RequiredPractice(this HttpContext context) =>
        context.Features.Get<CurrentPractice>() ?? throw new InvalidOperationException("This request has no practice scope.");

    /// <summary>The practice id in the route, when there is one and it is a GUID (read before the practice scope is resolved).</summary>
    public static Guid? RoutePracticeId(this HttpContext context) =>
        context.GetRouteValue("practiceId") is string raw && Guid.TryParse(raw, out var id) ? id : null;

    public static Guid? OrganizationId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(PortalClaims.Organization), out var id) ? id : null;

    public static Guid? UserId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub"), out var id) ? id : null;

    /// <summary>Who did it, for events and the audit trail: a user's display name or an API client's id.</summary>
    public static string Actor(this ClaimsPrincipal user) =>
        user.FindFirstValue(PortalClaims.DisplayName) ?? user.FindFirstValue(ClaimTypes.Name) ?? user.FindFirstValue("sub") ?? "unknown";
}
