using Portal.Web.Features.ApiClients;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Claims.Submission;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Codes;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Account;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Fhir;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Payments;
using Portal.Web.Features.PatientBalances;
using Portal.Web.Features.PatientBalances.Subscriptions;
using Portal.Web.Features.Settings;
using Portal.Web.Features.Tenancy;
using Portal.Web.Features.Users;
using Portal.Web.Features.Webhooks;
using Portal.Web.Platform;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatform(new PlatformParts
{
    AddIdentity = (b, connectionString) => b.AddPortalIdentity(connectionString),
    MigrateIdentity = services => services.MigrateIdentityAsync(),
    AfterAuthentication = typeof(MfaEnrolmentGate),
    SeedDemoData = services => services.GetRequiredService<DemoSeeder>().SeedAsync(),
    SignInHint = $"(e.g. admin@north.example / {DemoData.Password})",
});
builder.Services.AddScoped<DemoSeeder>();
builder.Services.AddTenancy().AddApiClients().AddUsers().AddSettings().AddIntake();
builder.Services.AddCodes().AddCoding().AddClaims().AddClaimCheck().AddClaimSubmission().AddPayments();
builder.Services.AddPatientBalances();
builder.Services.AddWebhooks();

var app = builder.Build();
// `codes import …` runs the code-set importer instead of the web host (docs/code-sets.md).
if (CodesCommand.Matches(args)) return await CodesCommand.RunAsync(app.Services, args);
// `payments replay-ledger [--practice id]` rebuilds the payments read tables from the posting events (docs/payments.md).
if (PaymentsCommand.Matches(args)) return await PaymentsCommand.RunAsync(app.Services, args);
// `coding seed …` fills a practice's coding queue for load tests (docs/benchmarks.md).
if (CodingSeedCommand.Matches(args)) return await CodingSeedCommand.RunAsync(app.Services, args);
// `claims bench …` drafts and scrubs claims of approved charts and prints the cost per claim (docs/benchmarks.md).
if (ClaimsBenchCommand.Matches(args)) return await ClaimsBenchCommand.RunAsync(app.Services, args);
// `practices move <id> --to <database>` moves one practice to another database; `practices list` (docs/deployment.md, 4.2).
if (PracticesCommand.Matches(args)) return await PracticesCommand.RunAsync(app.Services, args);

await app.UsePlatformAsync();
// Past-due beyond grace: writes of that practice answer 402 (docs/patient-billing.md).
app.UseSubscriptionReadOnly();
app.MapConnect();
app.MapTenancy();
app.MapApiClients();
app.MapUsers();
app.MapSettings();
app.MapCodes();
app.MapIntake();
app.MapEncounterWork();
app.MapOnboarding();
app.MapPracticeMoves();
app.MapCoding();
app.MapClaimCheck();
app.MapClaims();
app.MapClaimSubmission();
app.MapPayments();
app.MapFhir();
app.MapAudit();
app.MapPatientBalances();
app.MapSubscriptions();
app.MapWebhooks();
app.MapRazorPages();
app.Run();
return 0;
