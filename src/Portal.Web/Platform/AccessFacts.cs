using System.Security.Claims;

namespace Portal.Web.Platform;

/// <summary>
/// What the bearer token's one access query read for this request (ADR 0036): whether the app's registration is active, and
/// the organisations and subscriptions the later gates ask about, read in the same round trip as the token's own entry; for a
/// sign-in cookie, the organisations read with the session check.
/// Scoped to the request; the checks after authentication (suspension gate, practice access, read-only subscription) take a
/// fact from here when it was read, and query as before when it was not (a cookie's subscriptions, a practice in another
/// database, a vendor's engagement). Never kept beyond the request: every request reads the store again, so a revocation is seen at once.
/// </summary>
public sealed class AccessFacts
{
    string? subject;
    string? tenant;
    bool? appActive;
    readonly Dictionary<(Type, Guid), object?> documents = [];

    /// <summary>Records what was read for the token of <paramref name="principal"/>; a second token in the request replaces it.</summary>
    public void Record(ClaimsPrincipal principal, bool? appActive)
    {
        subject = Subject(principal);
        tenant = principal.FindFirstValue(PortalClaims.Tenant);
        this.appActive = appActive;
        documents.Clear();
    }

    /// <summary>A document read by the access query (null: it does not exist).</summary>
    public void Add<T>(Guid id, T? document) where T : class => documents[(typeof(T), id)] = document;

    /// <summary>Was the app's registration read for this caller, and is it active?</summary>
    public bool TryAppActive(ClaimsPrincipal user, out bool active)
    {
        active = appActive == true;
        return appActive is not null && Matches(user);
    }

    /// <summary>Was this document read for this caller (then <paramref name="document"/> is it, or null when it does not exist)?</summary>
    public bool TryGet<T>(ClaimsPrincipal user, Guid id, out T? document) where T : class
    {
        document = null;
        if (!Matches(user) || !documents.TryGetValue((typeof(T), id), out var found)) return false;
        document = (T?)found;
        return true;
    }

    // The facts belong to the token that was validated: only a principal with its subject and tenant uses them. They are recorded
    // only when this request's bearer token was validated, and then the request's user is that token's principal.
    bool Matches(ClaimsPrincipal user) =>
        subject is not null && user.Identity?.IsAuthenticated == true
        && Subject(user) == subject && user.FindFirstValue(PortalClaims.Tenant) == tenant;

    // A token names its subject "sub"; the sign-in cookie names the user with Identity's name identifier.
    static string? Subject(ClaimsPrincipal user) => user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier);
}
