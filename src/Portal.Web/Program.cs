using Portal.Web.Features.ApiClients;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Tenancy;
using Portal.Web.Features.Users;
using Portal.Web.Platform;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatform();
builder.Services.AddTenancy().AddApiClients().AddUsers();

var app = builder.Build();

await app.UsePlatformAsync();
app.MapConnect();
app.MapTenancy();
app.MapApiClients();
app.MapUsers();
app.MapRazorPages();
app.Run();
