using Marten;

namespace Portal.Web.Features.Users;

public static class UsersModule
{
    public static IServiceCollection AddUsers(this IServiceCollection services)
    {
        services.AddScoped<UserAdministration>();
        return services.ConfigureMarten(o => o.Schema.For<UserAdminAuditEntry>().SingleTenanted().Index(e => e.OrganizationId));
    }
}
