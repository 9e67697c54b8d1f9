using System.Security.Claims;
using OpenIddict.Abstractions;

namespace Portal.Web.Platform;

/// <summary>
/// One operation of Portal and who may do it: the OAuth scope a token needs, the user roles that may, the engagement
/// function a vendor's staff need on the practice, whether a practice's registered app may, and whether it reads PHI
/// (then every successful call is audited). API endpoints, pages and menus all read this one table
/// (<see cref="Permissions"/>); docs/security.md prints it.
/// </summary>
public sealed record Permission(
    string Name,
    string Description,
    string Scope,
    string[] Roles,
    string? Function = null,
    bool Apps = true,
    bool Phi = false)
{
    public override string ToString() => Name;
}

/// <summary>Functions a practice engages a vendor for (<c>Engagement.Functions</c>). Vendor staff get an operation only when the engagement names its function.</summary>
public static class EngagementFunctions
{
    public const string Coding = "coding", Charges = "charges", Claims = "claims", Posting = "posting", Ar = "ar", Reports = "reports";
    public static readonly string[] All = [Coding, Charges, Claims, Posting, Ar, Reports];
}

/// <summary>The answer of the permission table for one caller and one operation.</summary>
public enum Access { Allowed, Forbidden }

/// <summary>The permission table. Every API operation and every signed-in page names one of these; nothing else decides who may act.</summary>
public static class Permissions
{
    static readonly string[] AllRoles = Roles.All;
    static readonly string[] PracticeStaff = Roles.PracticeRoles;
    static readonly string[] IntakeReaders = [Roles.PracticeAdmin, Roles.Provider, Roles.Biller, Roles.Coder, Roles.QaReviewer, Roles.VendorCoder];
    static readonly string[] PracticeReaders = [Roles.PracticeAdmin, Roles.Provider, Roles.Biller, Roles.Coder, Roles.QaReviewer];
    static readonly string[] IntakeWriters = [Roles.PracticeAdmin, Roles.Provider, Roles.Biller];
    static readonly string[] CodingReaders = [.. IntakeReaders, Roles.VendorAdmin];
    static readonly string[] CodingWorkers = [Roles.Coder, Roles.VendorCoder, Roles.PracticeAdmin, Roles.VendorAdmin];
    const string Coding = EngagementFunctions.Coding;
    /// <summary>Who works the billing half (claims, submission, posting, denials, patient balances): the practice's billers and admin, and a
    /// billing vendor's billers while the engagement names the function.</summary>
    static readonly string[] Billers = [Roles.PracticeAdmin, Roles.Biller, Roles.VendorBiller];

    // Who the caller is
    public static readonly Permission Me = new("account.me", "Who the token speaks for and the practices it may act for", Scopes.PracticeRead, AllRoles);
    public static readonly Permission AccountSelf = new("account.self", "Manage your own account: password, MFA", Scopes.PracticeRead, AllRoles, Apps: false);
    public static readonly Permission Home = new("portal.home", "Open the portal: home page, practice switcher", Scopes.PracticeRead, AllRoles, Apps: false);

    // Practices, engagements, apps, users
    public static readonly Permission PracticeRead = new("practice.read", "Read the practice's profile and overview", Scopes.PracticeRead,
        [.. PracticeStaff, .. Roles.VendorRoles]);
    public static readonly Permission EngagementsRead = new("engagements.read", "List the practice's vendor engagements", Scopes.PracticeRead,
        PracticeStaff);
    public static readonly Permission EngagementsManage = new("engagements.manage", "Engage a vendor or revoke an engagement; list vendors",
        Scopes.PracticeAdmin, [Roles.PracticeAdmin]);
    public static readonly Permission VendorClientsRead = new("vendor.clients.read", "A vendor's clients and the coders assigned to each",
        Scopes.PracticeRead, Roles.VendorRoles, Apps: false);
    public static readonly Permission VendorClientsAssign = new("vendor.clients.assign", "Choose which of the firm's coders work a client",
        Scopes.PracticeAdmin, [Roles.VendorAdmin], Apps: false);
    public static readonly Permission ApiClientsManage = new("apiclients.manage", "Register and revoke the practice's API apps",
        Scopes.PracticeAdmin, [Roles.PracticeAdmin], Apps: false);
    public static readonly Permission UsersManage = new("users.manage", "Invite and manage the users of your own organization, and its MFA policy",
        Scopes.UsersAdmin, [Roles.PracticeAdmin, Roles.VendorAdmin, Roles.PlatformAdmin], Apps: false);
    public static readonly Permission AuditRead = new("audit.read", "Read and export the practice's PHI access log", Scopes.PracticeAdmin,
        [Roles.PracticeAdmin]);

    // Settings
    public static readonly Permission SettingsRead = new("settings.read", "Read coding settings and the fee schedule", Scopes.PracticeRead,
        [.. PracticeStaff, .. Roles.VendorRoles], Coding);
    public static readonly Permission SettingsManage = new("settings.manage", "Change coding settings (SLA, QA sampling)", Scopes.PracticeAdmin,
        [Roles.PracticeAdmin]);
    public static readonly Permission FeesManage = new("fees.manage", "Set or remove fee schedule entries", Scopes.PracticeAdmin,
        [Roles.PracticeAdmin, Roles.Biller]);

    // Code sets (global reference data)
    public static readonly Permission CodesRead = new("codes.read", "Search code sets and check codes", Scopes.CodesRead, AllRoles);
    public static readonly Permission CodeSetsImport = new("codesets.import", "Import official code-set files for every tenant: upload, see the differences, activate",
        Scopes.CodeSetsAdmin, [Roles.PlatformAdmin], Apps: false);

    // Intake
    // Vendor staff work from the queue: no practice-wide lists, and one record only while its chart is the firm's (see VendorVisibility).
    public static readonly Permission PatientsList = new("patients.list", "List and search the practice's patients (PHI)", Scopes.EncountersRead,
        PracticeReaders, Phi: true);
    public static readonly Permission PatientsRead = new("patients.read", "Read one patient's demographics and coverages (PHI)", Scopes.EncountersRead,
        IntakeReaders, Coding, Phi: true);
    public static readonly Permission ReferenceRead = new("reference.read", "List and read providers and payers", Scopes.EncountersRead,
        IntakeReaders, Coding);
    public static readonly Permission EncountersList = new("encounters.list", "List, filter and export the practice's encounters (PHI)",
        Scopes.EncountersRead, PracticeReaders, Phi: true);
    public static readonly Permission ClaimsCheck = new("claims.check", "Dry-run the claim edits on a claim (nothing stored; duplicates look at the claims on file)",
        Scopes.EncountersRead, [Roles.PracticeAdmin, Roles.Biller, Roles.Coder, Roles.QaReviewer, Roles.VendorCoder], Coding, Phi: true);
    public static readonly Permission EncountersRead = new("encounters.read", "Read one encounter, its history, notes and documents (PHI)",
        Scopes.EncountersRead, IntakeReaders, Coding, Phi: true);
    public static readonly Permission IntakeWrite = new("intake.write", "Register patients, coverages, providers, payers, encounters, notes, documents",
        Scopes.EncountersWrite, IntakeWriters);
    public static readonly Permission ProviderUserLink = new("providers.link-user", "Link a provider to the portal user who answers their queries",
        Scopes.PracticeAdmin, [Roles.PracticeAdmin]);

    // Coding
    public static readonly Permission CodingRead = new("coding.read", "Read the coding queue and charts (PHI)", Scopes.EncountersRead,
        CodingReaders, Coding, Phi: true);
    public static readonly Permission CodingSend = new("coding.send", "Send an encounter to coding", Scopes.EncountersWrite, IntakeWriters);
    public static readonly Permission CodingAssign = new("coding.assign", "Assign a chart to a coder (leads)", Scopes.CodingWrite,
        [Roles.PracticeAdmin, Roles.VendorAdmin], Coding);
    public static readonly Permission CodingWork = new("coding.work", "Pull, code, query, release and submit charts", Scopes.CodingWrite,
        CodingWorkers, Coding);
    public static readonly Permission ChartEdit = new("coding.edit", "Edit the codes on the chart screen (its coder, a lead, or QA while reviewing)",
        Scopes.CodingWrite, [.. CodingWorkers, Roles.QaReviewer], Coding);
    public static readonly Permission QueriesRead = new("queries.read", "Read open provider queries (PHI)", Scopes.EncountersRead,
        [Roles.Provider, Roles.PracticeAdmin, Roles.Coder, Roles.VendorCoder, Roles.VendorAdmin], Coding, Phi: true);
    public static readonly Permission QueryAnswer = new("queries.answer", "Answer a provider query (the provider linked to the query's provider)",
        Scopes.CodingWrite, [Roles.Provider]);
    public static readonly Permission QaReview = new("qa.review", "Accept, correct or return a chart in QA", Scopes.CodingWrite, [Roles.QaReviewer]);
    public static readonly Permission QaRebuttalFile = new("qa.rebuttal.file", "Dispute a QA correction of your chart", Scopes.CodingWrite,
        [Roles.Coder, Roles.VendorCoder], Coding);
    public static readonly Permission QaRebuttalDecide = new("qa.rebuttal.decide", "Decide a coder's rebuttal (QA lead)", Scopes.CodingWrite,
        [Roles.QaReviewer, Roles.PracticeAdmin]);
    public static readonly Permission QaReviewsRead = new("qa.reviews.read", "Read QA reviews (coders: their own)", Scopes.EncountersRead,
        [Roles.PracticeAdmin, Roles.QaReviewer, Roles.Coder, Roles.VendorCoder, Roles.VendorAdmin], Coding, Phi: true);
    public static readonly Permission QaQueue = new("qa.queue", "Work the QA queue and the practice's QA reports (page)", Scopes.EncountersRead,
        [Roles.PracticeAdmin, Roles.QaReviewer], Coding, Phi: true);
    public static readonly Permission QaReports = new("qa.reports", "Accuracy, turnaround and productivity per coder", Scopes.EncountersRead,
        [Roles.PracticeAdmin, Roles.QaReviewer, Roles.VendorAdmin], Coding);
    public static readonly Permission VendorQueueRead = new("vendor.queue.read", "The firm's combined queue across its clients (PHI)",
        Scopes.EncountersRead, Roles.VendorRoles, Apps: false, Phi: true);
    public static readonly Permission VendorQueueWork = new("vendor.queue.work", "Pull the next chart across the firm's clients",
        Scopes.CodingWrite, [Roles.VendorCoder], Apps: false);

    // Claims core (issue 11, Features/Claims): the work queue, claim screen and claims API. Vendor billers work a client's claims
    // only while the engagement names "claims"; vendor admins may read them for oversight.
    const string ClaimsFunction = EngagementFunctions.Claims;
    public static readonly Permission ClaimsRead = new("claims.read", "List, filter, export and read claims, their findings, history and CMS-1500 (PHI)",
        Scopes.EncountersRead, [.. Billers, Roles.VendorAdmin], ClaimsFunction, Phi: true);
    // FHIR metadata and searches (issue 15, Features/Fhir/FhirSearch.cs): the CapabilityStatement says what the base supports, no
    // PHI, so whoever may import or read FHIR may read it; the searches list the claims a reader of FHIR claims may read one by one.
    public static readonly Permission FhirMetadata = new("fhir.metadata",
        "Read the FHIR base's CapabilityStatement (what it supports: R4, JSON, the transaction import, Claim and ExplanationOfBenefit)",
        Scopes.PracticeRead, [.. IntakeWriters, Roles.VendorBiller, Roles.VendorAdmin]);
    public static readonly Permission FhirSearch = new("fhir.search",
        "Search a patient's claims (FHIR Claim) and adjudications (FHIR ExplanationOfBenefit) as searchset Bundles (PHI)",
        Scopes.EncountersRead, [.. Billers, Roles.VendorAdmin], ClaimsFunction, Phi: true);
    public static readonly Permission ClaimsWrite = new("claims.write",
        "Draft a claim from an approved encounter, fix codes and details, re-scrub, override warnings, send back to coding",
        Scopes.EncountersWrite, Billers, ClaimsFunction);
    public static readonly Permission ClaimsReady = new("claims.ready", "Mark a clean claim ready to send", Scopes.EncountersWrite, Billers,
        ClaimsFunction);
    public static readonly Permission ClaimsVoid = new("claims.void", "Send a corrected (7) or void (8) claim, or a secondary claim of a paid primary",
        Scopes.EncountersWrite, Billers, ClaimsFunction);
    public static readonly Permission BillingProfileRead = new("billing-profile.read", "Read the practice's billing profile (boxes 25/33, loop 2010AA)",
        Scopes.PracticeRead, [.. Billers, Roles.VendorAdmin], ClaimsFunction);
    public static readonly Permission BillingProfileManage = new("billing-profile.manage", "Change the practice's billing profile",
        Scopes.PracticeAdmin, [Roles.PracticeAdmin, Roles.Biller]);
    // Claim submission (Features/Claims/Submission): 837P batches, transports, 999/277CA acknowledgements, trading-partner settings
    public static readonly Permission SubmissionRead = new("claims.submission.read",
        "List claim batches and acknowledgements, read the trading-partner settings, download 837P files (PHI)", Scopes.EncountersRead,
        Billers, EngagementFunctions.Claims, Phi: true);
    public static readonly Permission SubmissionSend = new("claims.submission.send",
        "Batch ready claims and send or re-send the 837P files; import 999/277CA acknowledgements; check the inbox", Scopes.EncountersWrite,
        Billers, EngagementFunctions.Claims);
    public static readonly Permission SubmissionSettings = new("claims.submission.settings",
        "Change the trading-partner settings (submitter and receiver ids, test or production, transport)", Scopes.PracticeAdmin,
        [Roles.PracticeAdmin]);
    // Payments and follow-up (issue 12, Features/Payments): 835 posting, the unmatched queue, denial work items, A/R aging, KPIs.
    // The practice's billers and admin, and a billing vendor's billers while the engagement names the function.
    public static readonly Permission PaymentsRead = new("payments.read", "List and read remittances (835) and the unmatched queue (PHI)",
        Scopes.EncountersRead, Billers, EngagementFunctions.Posting, Phi: true);
    public static readonly Permission PaymentsPost = new("payments.post", "Import an 835 and post it; link an unmatched claim payment to a claim",
        Scopes.EncountersWrite, Billers, EngagementFunctions.Posting);
    public static readonly Permission DenialsRead = new("denials.read", "Read the denial work queue, work items, their documents and follow-up settings (PHI)",
        Scopes.EncountersRead, Billers, EngagementFunctions.Ar, Phi: true);
    public static readonly Permission DenialsWork = new("denials.work", "Work denials: assign, notes, attachments, appeal letters, resolve, ask for a write-off",
        Scopes.EncountersWrite, Billers, EngagementFunctions.Ar);
    public static readonly Permission WriteOffApprove = new("denials.writeoff.approve", "Approve a write-off above the practice's limit",
        Scopes.PracticeAdmin, [Roles.PracticeAdmin], Apps: false);
    public static readonly Permission PaymentSettingsManage = new("payments.settings", "Set the write-off approval limit and the appeal windows",
        Scopes.PracticeAdmin, [Roles.PracticeAdmin]);
    public static readonly Permission ArRead = new("ar.read", "A/R aging by payer and patient, ledger balances (PHI)", Scopes.EncountersRead,
        Billers, EngagementFunctions.Ar, Phi: true);
    // A/R follow-up (Features/Payments/ArFollowUp.cs): claim status notes and the biller queues; reading the queue is ar.read.
    public static readonly Permission ArFollowUpWork = new("ar.followup", "Work the A/R follow-up queue: claim status notes, next follow-up date, owner",
        Scopes.EncountersWrite, Billers, EngagementFunctions.Ar);
    // Across clients (Features/Payments/VendorCollections): a billing vendor's staff see the collections figures of the practices
    // whose engagement names ar or reports (and covers them), nothing else. No PHI: figures only.
    public static readonly Permission VendorCollections = new("vendor.collections",
        "The collections dashboard across the firm's clients engaged for A/R or reports (figures, no PHI)", Scopes.PracticeRead,
        [Roles.VendorAdmin, Roles.VendorBiller], Apps: false);
    public static readonly Permission ReportsRead = new("reports.kpis", "The collections dashboard: KPIs and charts (no PHI)", Scopes.PracticeRead,
        [.. Billers, Roles.Provider, Roles.VendorAdmin], EngagementFunctions.Reports);
    // Patient balances, statements, patient payments (Features/PatientBalances, ADR 0017). Vendor billers need an engagement
    // naming "ar". The pay-online page (/pay/{token}) and the Stripe webhook (/webhooks/stripe) are anonymous, outside /api and
    // this table, like sign-in: the signed pay link and Stripe's signature are their authority.
    const string Ar = EngagementFunctions.Ar;
    public static readonly Permission PatientBalancesRead = new("patient-balances.read",
        "Read patient ledgers, balances, aging, possible duplicate payments and missed payment plans (PHI)", Scopes.EncountersRead,
        Billers, Ar, Phi: true);
    public static readonly Permission PatientPaymentsPost = new("patient-payments.post", "Post a front-desk patient payment (cash, check, card-present)",
        Scopes.EncountersWrite, Billers, Ar);
    public static readonly Permission PatientRefunds = new("patient-payments.refund", "Refund a patient payment with reason and approver",
        Scopes.EncountersWrite, [Roles.PracticeAdmin, Roles.Biller], Ar);
    public static readonly Permission PatientAccountsManage = new("patient-accounts.manage",
        "Statement e-mail, statement hold, send to collections, payment plans of a patient", Scopes.EncountersWrite, Billers, Ar);
    public static readonly Permission StatementsRun = new("statements.run", "Start statement runs and follow their progress",
        Scopes.EncountersWrite, Billers, Ar);
    public static readonly Permission StatementsRead = new("statements.read", "Download issued statements and print batches (PHI)",
        Scopes.EncountersRead, Billers, Ar, Phi: true);
    public static readonly Permission PatientBillingSettingsRead = new("patient-billing.settings.read",
        "Read the statement branding, dunning policy and connected Stripe account", Scopes.PracticeRead, Billers, Ar);
    public static readonly Permission PatientBillingSettingsManage = new("patient-billing.settings.manage",
        "Change the statement branding, dunning policy and connected Stripe account", Scopes.PracticeAdmin, [Roles.PracticeAdmin]);

    // Portal's own subscription billing (Features/PatientBalances/Subscriptions, ADR 0017). Platform admins hold users.admin;
    // a dedicated billing scope is a follow-up.
    public static readonly Permission PlatformBillingManage = new("platform.billing.manage",
        "Manage Portal's plans, organizations' subscriptions and usage reports", Scopes.UsersAdmin, [Roles.PlatformAdmin], Apps: false);
    public static readonly Permission SubscriptionInvoicesRead = new("subscription.invoices.read", "Read Portal's invoices to the practice",
        Scopes.PracticeAdmin, [Roles.PracticeAdmin]);
    // Portal's own billing, finished (issue 13 item 8): an organization's admin (practice or vendor) sees its plan, payment state
    // and invoices; only for their own organization (another's id is 404), never through a practice's app.
    public static readonly Permission OrganizationBillingRead = new("organization.billing.read",
        "Read your own organization's Portal plan, payment state and invoices (practice or vendor admin)", Scopes.UsersAdmin,
        [Roles.PracticeAdmin, Roles.VendorAdmin], Apps: false);
    // Portal usability (issue 14): operator onboarding, encounter hold/edit, answering queries for a provider without a login
    public static readonly Permission OrganizationsManage = new("organizations.manage",
        "Onboard a practice or vendor with its first admin, suspend and reactivate organisations (platform operator; no PHI)",
        Scopes.UsersAdmin, [Roles.PlatformAdmin], Apps: false);
    // Moving a practice to another database (ADR 0031): the operator's API and page beside the `practices move` command.
    public static readonly Permission PracticesMove = new("practices.move",
        "Move a practice's data to another database and follow the move (platform operator; no PHI)",
        Scopes.UsersAdmin, [Roles.PlatformAdmin], Apps: false);
    public static readonly Permission EncounterHold = new("encounters.hold", "Put an encounter on hold with a reason, or release it",
        Scopes.EncountersWrite, IntakeWriters);
    public static readonly Permission QueryAnswerForProvider = new("queries.answer-for-provider",
        "Answer a provider query on the provider's behalf (recorded as such), or invite the provider to answer it",
        Scopes.CodingWrite, [Roles.PracticeAdmin]);

    // FHIR R4 (issue 15 item 6, Features/Fhir, ADR 0023): an EHR's transaction Bundle into intake, and claims out as Claim and
    // ExplanationOfBenefit. The same scopes and roles as the intake and claims operations they stand for, so an app that may
    // register encounters may import them as FHIR, and one that may read claims may read them as FHIR.
    public static readonly Permission FhirImport = new("fhir.import",
        "Import a FHIR R4 transaction Bundle (patients, coverages, providers, payers, encounters, documented codes, notes) into intake",
        Scopes.EncountersWrite, IntakeWriters);
    public static readonly Permission FhirExport = new("fhir.export", "Read a claim as a FHIR R4 Claim and its adjudication as an ExplanationOfBenefit (PHI)",
        Scopes.EncountersRead, [.. Billers, Roles.VendorAdmin], ClaimsFunction, Phi: true);
    // Webhooks (issue 15): a practice admin, or the practice's own app with practice.admin, manages subscriptions and deliveries.
    public static readonly Permission WebhooksManage = new("webhooks.manage",
        "Subscribe URLs to the practice's events, rotate signing secrets, read delivery logs, replay deliveries", Scopes.PracticeAdmin,
        [Roles.PracticeAdmin]);

    /// <summary>Every permission, for docs and the route-walk test.</summary>
    public static readonly IReadOnlyList<Permission> All = typeof(Permissions)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(Permission)).Select(f => (Permission)f.GetValue(null)!).ToList();

    /// <summary>
    /// The table's answer. <paramref name="viaToken"/>: the caller came with a bearer token, so the token must carry the scope.
    /// <paramref name="practice"/>: the practice the request acts for (after the tenant check), whose engagement bounds vendor staff.
    /// The tenant check itself (404 for a practice not yours) is <see cref="PracticeScopeMiddleware"/>'s.
    /// </summary>
    public static Access Decide(ClaimsPrincipal user, Permission permission, bool viaToken, CurrentPractice? practice)
    {
        if (user.Identity?.IsAuthenticated != true) return Access.Forbidden;
        if (viaToken && !user.HasScope(permission.Scope)) return Access.Forbidden;
        if (user.IsApp()) return permission.Apps ? Access.Allowed : Access.Forbidden;
        if (!permission.Roles.Any(user.IsInRole)) return Access.Forbidden;
        // Vendor staff on a client's practice: only for what the engagement names.
        if (practice?.VendorFunctions is { } functions && permission.Function is { } function && !functions.Contains(function))
            return Access.Forbidden;
        return Access.Allowed;
    }

    /// <summary>For menus and buttons: may the signed-in user do this here?</summary>
    public static bool Allows(this ClaimsPrincipal user, Permission permission, CurrentPractice? practice = null) =>
        Decide(user, permission, viaToken: false, practice) == Access.Allowed;

    /// <summary>A registered app (client credentials): no organization, acts for the practice it is registered to.</summary>
    public static bool IsApp(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && !user.HasClaim(c => c.Type == PortalClaims.Organization);
}

/// <summary>
/// A page's entry in the permission table: who may open it (GET), who may post to it, and named handlers that need
/// another permission than the page's default (e.g. the chart page's QA handlers).
/// </summary>
public sealed record PagePermission(string Page, Permission Get, Permission? Post = null, IReadOnlyDictionary<string, Permission>? Handlers = null)
{
    public Permission For(string method, string? handler) =>
        handler is not null && Handlers?.TryGetValue(handler, out var specific) == true ? specific
        : HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? Get
        : Post ?? Get;
}

/// <summary>Every signed-in page of the portal, by its Razor page path under /Features. A page missing here is refused (403) and fails the route-walk test.</summary>
public static class PagePermissions
{
    static Dictionary<string, Permission> H(params (string Handler, Permission Permission)[] handlers) =>
        handlers.ToDictionary(h => h.Handler, h => h.Permission, StringComparer.OrdinalIgnoreCase);

    public static readonly IReadOnlyList<PagePermission> All =
    [
        new("/Home/Index", Permissions.Home),
        new("/Home/Go", Permissions.Home),
        new("/Tenancy/Overview", Permissions.PracticeRead),
        new("/Tenancy/Engagements", Permissions.EngagementsRead, Permissions.EngagementsManage),
        new("/Tenancy/VendorClients", Permissions.VendorClientsRead, Permissions.VendorClientsAssign),
        new("/ApiClients/Index", Permissions.ApiClientsManage, Permissions.ApiClientsManage),
        new("/Users/Index", Permissions.UsersManage, Permissions.UsersManage),
        new("/Settings/Index", Permissions.SettingsRead, Permissions.SettingsManage,
            H(("fee", Permissions.FeesManage), ("removeFee", Permissions.FeesManage))),
        new("/Codes/Index", Permissions.CodesRead),
        // Code-set uploads (issue 10): platform admins only, like the import API.
        new("/Codes/Imports", Permissions.CodeSetsImport, Permissions.CodeSetsImport),
        new("/Intake/Patients", Permissions.PatientsList, Permissions.IntakeWrite),
        new("/Intake/PatientPage", Permissions.PatientsRead, Permissions.IntakeWrite),
        new("/Intake/Providers", Permissions.ReferenceRead, Permissions.IntakeWrite, H(("linkUser", Permissions.ProviderUserLink))),
        new("/Intake/Payers", Permissions.ReferenceRead, Permissions.IntakeWrite),
        new("/Intake/Encounters", Permissions.EncountersList, Permissions.IntakeWrite),
        new("/Intake/NewEncounter", Permissions.IntakeWrite, Permissions.IntakeWrite),
        new("/Intake/EncounterPage", Permissions.EncountersRead, Permissions.IntakeWrite,
            H(("send", Permissions.CodingSend), ("hold", Permissions.EncounterHold), ("release", Permissions.EncounterHold))),
        new("/Coding/Queue", Permissions.CodingRead, Permissions.CodingWork,
            H(("assign", Permissions.CodingAssign), ("send", Permissions.CodingSend))),
        new("/Coding/Chart", Permissions.CodingRead, Permissions.CodingWork,
            H(("work", Permissions.ChartEdit), ("findings", Permissions.ChartEdit), ("accept", Permissions.QaReview), ("return", Permissions.QaReview), ("rebuttal", Permissions.QaRebuttalFile),
              ("decideRebuttal", Permissions.QaRebuttalDecide))),
        new("/Coding/Queries", Permissions.QueriesRead, Permissions.QueryAnswer,
            H(("answerFor", Permissions.QueryAnswerForProvider), ("invite", Permissions.QueryAnswerForProvider))),
        new("/Coding/Qa", Permissions.QaQueue),
        new("/Coding/Reviews", Permissions.QaReviewsRead),
        new("/Coding/VendorQueue", Permissions.VendorQueueRead, Permissions.VendorQueueWork),
        new("/Payments/Index", Permissions.PaymentsRead, Permissions.PaymentsPost),
        new("/Payments/Remittance", Permissions.PaymentsRead),
        new("/Payments/Unmatched", Permissions.PaymentsRead, Permissions.PaymentsPost),
        new("/Payments/Denials", Permissions.DenialsRead, Permissions.DenialsWork, H(("export", Permissions.DenialsRead))),
        new("/Payments/Denial", Permissions.DenialsRead, Permissions.DenialsWork,
            H(("approve", Permissions.WriteOffApprove), ("document", Permissions.DenialsRead), ("correct", Permissions.ClaimsVoid))),
        new("/Payments/Ar", Permissions.ArRead, null, H(("export", Permissions.ArRead))),
        new("/Payments/FollowUp", Permissions.ArRead, Permissions.ArFollowUpWork),
        new("/Payments/VendorCollections", Permissions.VendorCollections),
        new("/Payments/Dashboard", Permissions.ReportsRead),
        new("/Audit/Index", Permissions.AuditRead),
        new("/Claims/Index", Permissions.ClaimsRead, Permissions.ClaimsWrite, H(("ready", Permissions.ClaimsReady))),
        new("/Claims/Details", Permissions.ClaimsRead, Permissions.ClaimsWrite,
            H(("ready", Permissions.ClaimsReady), ("correct", Permissions.ClaimsVoid), ("void", Permissions.ClaimsVoid), ("secondary", Permissions.ClaimsVoid))),
        new("/Claims/BillingProfile", Permissions.BillingProfileRead, Permissions.BillingProfileManage),
        new("/Claims/Submission/Index", Permissions.SubmissionRead, Permissions.SubmissionSend, H(("settings", Permissions.SubmissionSettings))),
        new("/Claims/Submission/Batch", Permissions.SubmissionRead, Permissions.SubmissionSend),
        new("/PatientBalances/Ledger", Permissions.PatientBalancesRead, Permissions.PatientPaymentsPost,
            H(("refund", Permissions.PatientRefunds), ("hold", Permissions.PatientAccountsManage), ("release", Permissions.PatientAccountsManage),
              ("collections", Permissions.PatientAccountsManage), ("email", Permissions.PatientAccountsManage), ("plan", Permissions.PatientAccountsManage))),
        new("/PatientBalances/Statements", Permissions.StatementsRun, Permissions.StatementsRun,
            H(("print", Permissions.StatementsRead), ("settings", Permissions.PatientBillingSettingsManage))),
        new("/Tenancy/PlatformOrganizations", Permissions.OrganizationsManage, Permissions.OrganizationsManage,
            new Dictionary<string, Permission> { ["Move"] = Permissions.PracticesMove, ["Moves"] = Permissions.PracticesMove }),
        // Portal's own billing (issue 13 item 8): the operator's plans, subscriptions and usage; an organization admin's invoices.
        new("/PatientBalances/Subscriptions/PlatformBilling", Permissions.PlatformBillingManage, Permissions.PlatformBillingManage),
        new("/PatientBalances/Subscriptions/OrganizationBilling", Permissions.OrganizationBillingRead),
        new("/Webhooks/Index", Permissions.WebhooksManage, Permissions.WebhooksManage),
        new("/MyAccount/Password", Permissions.AccountSelf, Permissions.AccountSelf),
        new("/MyAccount/Mfa", Permissions.AccountSelf, Permissions.AccountSelf),
        new("/MyAccount/Consent", Permissions.AccountSelf, Permissions.AccountSelf),
        new("/MyAccount/ConnectedApps", Permissions.AccountSelf, Permissions.AccountSelf),
    ];

    static readonly Dictionary<string, PagePermission> ByPage = All.ToDictionary(p => p.Page, StringComparer.OrdinalIgnoreCase);

    public static PagePermission? Find(string page) => ByPage.GetValueOrDefault(page);
}
