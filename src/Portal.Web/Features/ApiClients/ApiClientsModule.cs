using JasperFx.Events.Projections;
using Marten;

namespace Portal.Web.Features.ApiClients;

public static class ApiClientsModule
{
    public static IServiceCollection AddApiClients(this IServiceCollection services) =>
        services.AddMemoryCache().AddSingleton<Platform.IApiPlans, ApiClientPlans>().ConfigureMarten(o =>
        {
            o.Schema.For<ApiClient>().UniqueIndex(c => c.ClientId);
            o.Projections.Snapshot<ApiClient>(SnapshotLifecycle.Inline);
        });
}
