using System.Text.RegularExpressions;
using Portal.Web.Features.Users;

namespace Portal.Tests.Accounts;

/// <summary>A user who accepted an invitation: their own password, and a cookie client signed in as them.</summary>
public sealed record NewUser(string Email, string Password, HttpClient Browser);

public static partial class AccountGiven
{
    public const string Password = "Fresh-Password-2026!";

    public static string NewEmail(string domain = "north.example") => $"user-{Guid.NewGuid():N}@{domain}";

    public static HttpClient CookieClient(PortalApp app) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = app.BaseAddress };

    /// <summary>The admin invites <paramref name="email"/> through the API; returns the link from the delivered mail.</summary>
    public static async Task<Uri> Invitation(PortalApp app, string adminEmail, Guid organizationId, string email, params string[] roles)
    {
        var admin = await app.ClientFor(adminEmail);
        var response = await admin.PostAsJsonAsync($"/api/v1/organizations/{organizationId}/invitations",
            new InviteUser(email, "Invited Person", roles.Length > 0 ? roles : [Portal.Web.Platform.Roles.Coder]));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await app.Mail.WaitForMessageTo(email)).LinkTo("/account/accept-invitation");
    }

    /// <summary>Opens the invitation link and submits the form; returns the answer (a redirect home when it worked).</summary>
    public static async Task<HttpResponseMessage> Accept(HttpClient http, Uri link, string password = Password, string name = "Invited Person")
    {
        var page = await http.GetStringAsync(link.PathAndQuery);
        var query = System.Web.HttpUtility.ParseQueryString(link.Query);
        return await http.PostAsync(link.PathAndQuery, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["invitation"] = query["invitation"]!, ["Token"] = query["token"]!, ["DisplayName"] = name,
            ["Password"] = password, ["ConfirmPassword"] = password,
            // A refused link shows no form; a token from another page still lets the POST reach the page's checks.
            ["__RequestVerificationToken"] = AntiforgeryToken(page) ?? AntiforgeryToken(await http.GetStringAsync("/account/sign-in"))!,
        }));
    }

    /// <summary>Invited by the admin, accepted through the mailed link, signed in.</summary>
    public static async Task<NewUser> InvitedUser(PortalApp app, string adminEmail, Guid organizationId, params string[] roles)
    {
        var email = NewEmail(adminEmail.Split('@')[1]);
        var link = await Invitation(app, adminEmail, organizationId, email, roles);
        var http = CookieClient(app);
        var accepted = await Accept(http, link);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        return new NewUser(email, Password, http);
    }

    /// <summary>Posts a form read from <paramref name="pageUrl"/> with its antiforgery token.</summary>
    public static async Task<HttpResponseMessage> PostForm(HttpClient http, string pageUrl, Dictionary<string, string> fields, string? postUrl = null)
    {
        var page = await http.GetStringAsync(pageUrl);
        fields["__RequestVerificationToken"] = AntiforgeryToken(page) ?? throw new InvalidOperationException($"{pageUrl} has no form:\n{page}");
        return await http.PostAsync(postUrl ?? pageUrl, new FormUrlEncodedContent(fields));
    }

    public static string? AntiforgeryToken(string html) =>
        AntiforgeryInput().Match(html) is { Success: true } m ? m.Groups[1].Value : null;

    public static string AuthenticatorKey(string mfaPage) =>
        AuthenticatorKeyText().Match(mfaPage) is { Success: true } m ? m.Groups[1].Value.Replace(" ", "")
            : throw new InvalidOperationException("The MFA page shows no authenticator key.");

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryInput();

    [GeneratedRegex("id=\"authenticator-key\">([a-z0-9 ]+)<")]
    private static partial Regex AuthenticatorKeyText();
}
