using Portal.Web.Platform;
using JasperFx.Events.Projections;
using Marten;

namespace Portal.Web.Features.Tenancy;

public static class TenancyModule
{
    public static IServiceCollection AddTenancy(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddSingleton<OrganizationDirectory>();
        services.AddScoped<PracticeAccess>();
        services.AddScoped<IPracticeAccess>(sp => sp.GetRequiredService<PracticeAccess>());
        services.AddScoped<Onboarding>();
        services.AddSingleton<PracticeMoves>();
        services.AddHostedService(sp => sp.GetRequiredService<PracticeMoves>());
        services.AddScoped<IOrganizationStanding, OrganizationStanding>();
        return services.ConfigureMarten(o =>
        {
            o.Schema.For<Organization>().SingleTenanted().Revisioned();
            o.Schema.For<PracticeMoveJob>().SingleTenanted();
            o.Schema.For<Engagement>().Index(e => e.VendorId);
            o.Projections.Snapshot<Engagement>(SnapshotLifecycle.Inline);
        });
    }
}
