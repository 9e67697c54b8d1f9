using Portal.Web.Features.ApiClients;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Codes;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Settings;
using Portal.Web.Features.Tenancy;
using Portal.Web.Features.Users;
using Portal.Web.Features.Webhooks;
using Portal.Web.Platform;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatform();
builder.Services.AddTenancy().AddApiClients().AddUsers().AddSettings().AddIntake();
builder.Services.AddCodes().AddCoding().AddClaims();
builder.Services.AddWebhooks();

var app = builder.Build();
// `codes import …` runs the code-set importer instead of the web host (docs/code-sets.md).
if (CodesCommand.Matches(args)) return await CodesCommand.RunAsync(app.Services, args);
// `coding seed …` fills a practice's coding queue for load tests (docs/benchmarks.md).
if (CodingSeedCommand.Matches(args)) return await CodingSeedCommand.RunAsync(app.Services, args);

await app.UsePlatformAsync();
app.MapConnect();
app.MapTenancy();
app.MapApiClients();
app.MapUsers();
app.MapSettings();
app.MapCodes();
app.MapIntake();
app.MapCoding();
app.MapClaimCheck();
app.MapAudit();
app.MapWebhooks();
app.MapRazorPages();
app.Run();
return 0;
