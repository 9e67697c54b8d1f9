using Marten;
using Marten.Schema;

namespace Portal.Web.Features.Users;

public static class UsersModule
{
    public static IServiceCollection AddUsers(this IServiceCollection services)
    {
        services.AddScoped<UserAdministration>();
        services.AddScoped<Invitations>();
        return services.ConfigureMarten(o =>
        {
            o.Schema.For<UserAdminAuditEntry>().SingleTenanted().Index(e => e.OrganizationId);
            o.Schema.For<Invitation>().SingleTenanted().Revisioned().Index(i => i.OrganizationId)
                .UniqueIndex(UniqueIndexType.Computed, "invitation_pending_email", i => i.PendingEmail!);
        });
    }
}
