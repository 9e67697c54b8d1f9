using Portal.Web.Features.ApiClients;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Tenancy;
using Portal.Web.Platform;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatform();
builder.Services.AddTenancy().AddApiClients();

var app = builder.Build();

await app.UsePlatformAsync();
app.MapConnect();
app.MapTenancy();
app.MapApiClients();
app.MapRazorPages();
app.Run();
