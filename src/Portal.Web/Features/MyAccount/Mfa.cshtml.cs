using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;
using QRCoder;

namespace Portal.Web.Features.MyAccount;

/// <summary>
/// MFA with an authenticator app (TOTP, RFC 6238) through Identity's authenticator support: the key is shown as text and
/// as a QR code drawn on the server (SVG), confirmed with a first code, and followed by ten recovery codes shown once.
/// </summary>
// Not in Features/Account: that folder is open to anonymous users, and AllowAnonymous would win over [Authorize].
public class MfaModel(UserManager<PortalUser> users, SignInManager<PortalUser> signIn, IDocumentStore store) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public bool Enabled { get; private set; }
    public bool Required { get; private set; }
    public string SharedKey { get; private set; } = "";
    public string AuthenticatorUri { get; private set; } = "";
    public string QrSvg { get; private set; } = "";
    public int RecoveryCodesLeft { get; private set; }
    public IReadOnlyList<string> RecoveryCodes { get; private set; } = [];
    public string? Error { get; private set; }
    public string? Notice { get; private set; }
    public string Continue => Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/";

    public async Task<IActionResult> OnGetAsync()
    {
        if (await users.GetUserAsync(User) is not { } user) return Challenge();
        await Load(user);
        return Page();
    }

    public async Task<IActionResult> OnPostConfirmAsync(string? code)
    {
        if (await users.GetUserAsync(User) is not { } user) return Challenge();
        var digits = new string([.. (code ?? "").Where(char.IsAsciiDigit)]);
        if (user.TwoFactorEnabled) Error = "MFA is on already.";
        else if (digits.Length != 6
            || !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, digits))
            Error = "That code is not right. Scan the QR code again or type the key, then enter the code the app shows now.";
        else
        {
            // Turning MFA on changes the security stamp: this browser is signed in again, other sessions end.
            await users.SetTwoFactorEnabledAsync(user, true);
            RecoveryCodes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10) ?? []];
            await signIn.RefreshSignInAsync(user);
            Notice = "MFA is on. From now on Portal asks for a code from your authenticator app after your password.";
        }
        await Load(user);
        return Page();
    }

    public async Task<IActionResult> OnPostRecoveryCodesAsync()
    {
        if (await users.GetUserAsync(User) is not { } user) return Challenge();
        if (!user.TwoFactorEnabled) Error = "Turn MFA on first.";
        else
        {
            RecoveryCodes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10) ?? []];
            Notice = "New recovery codes: the old ones no longer work.";
        }
        await Load(user);
        return Page();
    }

    public async Task<IActionResult> OnPostDisableAsync()
    {
        if (await users.GetUserAsync(User) is not { } user) return Challenge();
        await Load(user);
        if (Required)
        {
            Error = "Your organization requires MFA, so it stays on.";
            return Page();
        }
        await users.SetTwoFactorEnabledAsync(user, false);
        await users.ResetAuthenticatorKeyAsync(user);
        await signIn.RefreshSignInAsync(user);
        Notice = "MFA is off. Your old authenticator entry and recovery codes no longer work.";
        await Load(user);
        return Page();
    }

    async Task Load(PortalUser user)
    {
        Enabled = user.TwoFactorEnabled;
        await using (var query = store.QuerySession())
            Required = Organization.MfaRequiredFor(await query.LoadAsync<Organization>(user.OrganizationId), await users.GetRolesAsync(user));
        if (Enabled)
        {
            RecoveryCodesLeft = await users.CountRecoveryCodesAsync(user);
            return;
        }
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            // The first key of a user without MFA: stored without ResetAuthenticatorKeyAsync, which would change the security
            // stamp and so end every other session and API token of the user (ADR 0008) just for opening this page. Nothing
            // is protected by the key until MFA is confirmed, and confirming changes the stamp.
            key = users.GenerateNewAuthenticatorKey();
            await users.SetAuthenticationTokenAsync(user, "[AspNetUserStore]", "AuthenticatorKey", key);
        }
        SharedKey = string.Join(' ', key.ToLowerInvariant().Chunk(4).Select(c => new string(c)));
        var account = Uri.EscapeDataString(user.Email ?? user.UserName ?? "");
        AuthenticatorUri = $"otpauth://totp/Portal:{account}?secret={key}&issuer=Portal&digits=6";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(AuthenticatorUri, QRCodeGenerator.ECCLevel.M);
        QrSvg = new SvgQRCode(data).GetGraphic(4, "#000000", "#ffffff", true, SvgQRCode.SizingMode.ViewBoxAttribute);
    }
}
