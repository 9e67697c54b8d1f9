using Portal.Web.Features.Intake;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatform();
builder.Services.AddTenancy().AddIntake();

var app = builder.Build();

await app.UsePlatformAsync();
app.MapConnect();
app.MapTenancy();
app.MapIntake();
app.MapRazorPages();
app.Run();
