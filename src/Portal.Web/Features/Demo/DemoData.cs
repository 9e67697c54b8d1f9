using Portal.Web.Platform;

namespace Portal.Web.Features.Demo;

/// <summary>Fixed ids and development-only credentials of the demo tenants (documented in README.md).</summary>
public static class DemoData
{
    public static readonly Guid NorthClinic = Guid.Parse("0197a000-0000-7000-8000-000000000001");
    public static readonly Guid RiversidePediatrics = Guid.Parse("0197a000-0000-7000-8000-000000000002");
    public static readonly Guid AcmeCoding = Guid.Parse("0197a000-0000-7000-8000-000000000010");
    /// <summary>A billing vendor engaged by Riverside Pediatrics for claims, posting and A/R (not for coding).</summary>
    public static readonly Guid BeaconBilling = Guid.Parse("0197a000-0000-7000-8000-000000000011");
    public static readonly Guid PortalOperations = Guid.Parse("0197a000-0000-7000-8000-000000000020");

    /// <summary>Development only: every demo user signs in with this password.</summary>
    public const string Password = "Portal-Demo-2026!";

    /// <summary>
    /// Development only: the authenticator (TOTP) secret of ops@portal.example, the platform admin, who must use MFA.
    /// Add it to an authenticator app (README.md); tests compute the code from it.
    /// </summary>
    public const string OpsTotpSecret = "PORTALDEMOOPSMFASECRETKEYXYZ2345";

    /// <summary>Development only: an invitation left open, so the users page and the dev mailbox show one.</summary>
    public static readonly (string Email, string Name, string Role) PendingInvitation = ("new.coder@north.example", "Nia Newcoder", Roles.Coder);

    public sealed record DemoUser(string Email, string Name, Guid Organization, string Role);

    public sealed record DemoClient(string ClientId, string Secret, string Name, Guid Practice, string[] Scopes);

    public static readonly DemoUser[] Users =
    [
        new("admin@north.example", "Nora Admin", NorthClinic, Roles.PracticeAdmin),
        new("provider@north.example", "Dr. Noah Park", NorthClinic, Roles.Provider),
        new("biller@north.example", "Bea Biller", NorthClinic, Roles.Biller),
        new("coder@north.example", "Cody North", NorthClinic, Roles.Coder),
        new("qa@north.example", "Quinn Auditor", NorthClinic, Roles.QaReviewer),
        new("admin@riverside.example", "Rita Admin", RiversidePediatrics, Roles.PracticeAdmin),
        new("provider@riverside.example", "Dr. Ravi Shah", RiversidePediatrics, Roles.Provider),
        new("biller@riverside.example", "Rosa Biller", RiversidePediatrics, Roles.Biller),
        new("coder@riverside.example", "Reese Coder", RiversidePediatrics, Roles.Coder),
        new("qa@riverside.example", "Riley QA", RiversidePediatrics, Roles.QaReviewer),
        new("admin@acme.example", "Asha Vendor-Admin", AcmeCoding, Roles.VendorAdmin),
        new("coder@acme.example", "Arjun Coder", AcmeCoding, Roles.VendorCoder),
        new("biller@acme.example", "Ayo Biller", AcmeCoding, Roles.VendorBiller),
        new("biller@beacon.example", "Bo Beacon-Biller", BeaconBilling, Roles.VendorBiller),
        new("ops@portal.example", "Olive Operator", PortalOperations, Roles.PlatformAdmin),
    ];

    static readonly string[] AppScopes =
        [Scopes.PracticeRead, Scopes.CodesRead, Scopes.EncountersRead, Scopes.EncountersWrite, Scopes.CodingWrite];

    /// <summary>A small office fee schedule (invented charges) for both demo practices.</summary>
    public static readonly (string Code, decimal Amount)[] Fees =
    [
        ("99202", 95m), ("99203", 145m), ("99204", 215m), ("99205", 280m), ("99211", 35m), ("99212", 75m), ("99213", 120m),
        ("99214", 175m), ("99215", 240m), ("99396", 210m), ("93000", 45m), ("36415", 12m), ("85025", 22m), ("80053", 30m),
        ("81002", 10m), ("90471", 28m), ("20610", 130m), ("17110", 140m), ("97110", 55m), ("J1100", 4.50m), ("G0439", 175m),
    ];

    public static readonly DemoClient[] Clients =
    [
        new("north-app", "north-app-dev-secret", "North Clinic EHR bridge", NorthClinic, [.. AppScopes, Scopes.PracticeAdmin]),
        new("riverside-app", "riverside-app-dev-secret", "Riverside reporting app", RiversidePediatrics, AppScopes),
    ];
}
