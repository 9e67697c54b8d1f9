using Oidc = OpenIddict.Abstractions.OpenIddictConstants;

namespace Portal.Web.Features.MyAccount;

/// <summary>What each scope lets an app do, in the words the consent and Connected apps pages show.</summary>
public static class ConsentWords
{
    static readonly Dictionary<string, string> Words = new()
    {
        [Oidc.Scopes.OpenId] = "Know who you are (your Portal account id)",
        [Oidc.Scopes.Profile] = "See your name",
        [Oidc.Scopes.Email] = "See your e-mail address",
        [Oidc.Scopes.OfflineAccess] = "Keep working for you when you are not signed in (until you disconnect it)",
        [Platform.Scopes.PracticeRead] = "See your practice's profile and vendor engagements",
        [Platform.Scopes.PracticeAdmin] = "Manage your practice's vendors, apps and webhooks (only what your role allows)",
        [Platform.Scopes.CodesRead] = "Search code sets (ICD-10-CM, HCPCS, CPT)",
        [Platform.Scopes.EncountersRead] = "See patients, providers and encounters, including health information",
        [Platform.Scopes.EncountersWrite] = "Register patients, providers and encounters",
        [Platform.Scopes.CodingWrite] = "Code charts, raise queries and review coding",
        [Platform.Scopes.UsersAdmin] = "Manage your organization's users",
    };

    public static string For(string scope) => Words.GetValueOrDefault(scope, scope);
}
