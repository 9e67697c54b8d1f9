namespace Portal.Web.Features.Users;

public static class UsersModule
{
    public static IServiceCollection AddUsers(this IServiceCollection services) => services.AddScoped<UserAdministration>();
}
