using JasperFx.Events.Projections;
using Marten;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

public static class IntakeModule
{
    public static IServiceCollection AddIntake(this IServiceCollection services)
    {
        services.AddSingleton<CsvImportJobs>();
        services.AddOptions<DocumentOptions>().BindConfiguration("Portal:Documents")
            .Validate(o => o.MaxBytes > 0, "Portal:Documents:MaxBytes must be positive.");
        return services.ConfigureMarten(o =>
        {
            o.Projections.Snapshot<Patient>(SnapshotLifecycle.Inline);
            o.Projections.Snapshot<Provider>(SnapshotLifecycle.Inline);
            o.Projections.Snapshot<Payer>(SnapshotLifecycle.Inline);
            o.Projections.Snapshot<Encounter>(SnapshotLifecycle.Inline);
            o.Projections.Add<EncounterDetailsProjection>(ProjectionLifecycle.Inline);
            o.Schema.For<Patient>().Index(p => p.Mrn);
            o.Schema.For<Provider>().Index(p => p.Npi);
            o.Schema.For<EncounterDocument>().Index(d => d.EncounterId);
            o.Schema.For<AuditEntry>().Index(a => a.At);
        });
    }
}
