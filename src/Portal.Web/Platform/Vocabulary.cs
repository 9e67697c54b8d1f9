namespace Portal.Web.Platform;

/// <summary>Claim types Portal adds to cookies and access tokens.</summary>
public static class PortalClaims
{
    /// <summary>The practice (tenant) an API client is registered to, or a practice user's own practice.</summary>
    public const string Tenant = "tenant";
    public const string Organization = "org";
    public const string OrganizationKind = "org_kind";
    public const string DisplayName = "name";
    /// <summary>On a cookie only: this user must turn on MFA before anything else (platform admin, or their organization requires it).</summary>
    public const string MfaEnrolmentRequired = "mfa_enrol";
}

/// <summary>Portal roles. A user belongs to one organization and holds one or more of these.</summary>
public static class Roles
{
    public const string PracticeAdmin = "practice_admin";
    public const string Provider = "provider";
    public const string Biller = "biller";
    public const string Coder = "coder";
    public const string QaReviewer = "qa_reviewer";
    public const string VendorAdmin = "vendor_admin";
    public const string VendorCoder = "vendor_coder";
    /// <summary>A billing vendor's staff: claims, posting and follow-up for the practices that engaged the firm for those functions.</summary>
    public const string VendorBiller = "vendor_biller";
    /// <summary>Portal's own operators: global reference data such as code sets. Sees no practice's data.</summary>
    public const string PlatformAdmin = "platform_admin";

    public static readonly string[] All = [PracticeAdmin, Provider, Biller, Coder, QaReviewer, VendorAdmin, VendorCoder, VendorBiller, PlatformAdmin];
    public static readonly string[] PracticeRoles = [PracticeAdmin, Provider, Biller, Coder, QaReviewer];
    public static readonly string[] VendorRoles = [VendorAdmin, VendorCoder, VendorBiller];
    public static readonly string[] OperatorRoles = [PlatformAdmin];

    /// <summary>The roles an organization of this kind may hand out.</summary>
    public static string[] For(OrganizationKind kind) => kind switch
    {
        OrganizationKind.Vendor => VendorRoles,
        OrganizationKind.Operator => OperatorRoles,
        _ => PracticeRoles,
    };

    /// <summary>The role that administers an organization of this kind (its users).</summary>
    public static string AdminOf(OrganizationKind kind) => kind switch
    {
        OrganizationKind.Vendor => VendorAdmin,
        OrganizationKind.Operator => PlatformAdmin,
        _ => PracticeAdmin,
    };

    public static string Label(string role) => role switch
    {
        PracticeAdmin => "Practice admin",
        Provider => "Provider",
        Biller => "Biller / practice manager",
        Coder => "Coder",
        QaReviewer => "QA reviewer",
        VendorAdmin => "Vendor admin",
        VendorCoder => "Vendor coder",
        VendorBiller => "Vendor biller",
        PlatformAdmin => "Platform admin",
        _ => role,
    };
}

/// <summary>OAuth2 scopes of the public API, aligned with functions (minimum necessary).</summary>
public static class Scopes
{
    public const string PracticeRead = "practice.read";
    public const string PracticeAdmin = "practice.admin";
    public const string CodesRead = "codes.read";
    public const string EncountersRead = "encounters.read";
    public const string EncountersWrite = "encounters.write";
    public const string CodingWrite = "coding.write";
    public const string UsersAdmin = "users.admin";
    public const string CodeSetsAdmin = "codesets.admin";

    public static readonly (string Name, string Description)[] All =
    [
        (PracticeRead, "Read the practice profile, engagements and audit trail"),
        (PracticeAdmin, "Manage engagements and API clients of the practice"),
        (CodesRead, "Search ICD-10-CM, HCPCS and licensed CPT code sets"),
        (EncountersRead, "Read patients, providers and encounters (PHI)"),
        (EncountersWrite, "Register patients, providers and encounters (PHI)"),
        (CodingWrite, "Assign diagnosis and procedure codes, raise queries, pass QA"),
        (UsersAdmin, "Manage the users of your own organization (admins only)"),
        (CodeSetsAdmin, "Import official code-set files for every tenant (platform admins only)"),
    ];

    /// <summary>Platform-wide scopes: only users of the right organization hold them; a practice can never grant them to its apps.</summary>
    public static readonly string[] Platform = [UsersAdmin, CodeSetsAdmin];

    /// <summary>What a practice admin may grant to an app registered to the practice.</summary>
    public static readonly string[] Practice = [.. All.Select(s => s.Name).Except(Platform)];
}

/// <summary>Practice: a tenant. Vendor: works for practices through engagements. Operator: runs Portal itself.</summary>
public enum OrganizationKind { Practice, Vendor, Operator }
