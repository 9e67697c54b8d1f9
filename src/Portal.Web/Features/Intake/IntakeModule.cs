using JasperFx.Events.Projections;
using Marten;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

public static class IntakeModule
{
    public static IServiceCollection AddIntake(this IServiceCollection services)
    {
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

/// <summary>Who may do what in intake. API tokens also need the encounters.read / encounters.write scope.</summary>
public static class IntakeAccess
{
    // Coders (the practice's and an engaged vendor's) read the note and demographics they code from; they register nothing.
    public static readonly string[] Readers =
        [Roles.PracticeAdmin, Roles.Provider, Roles.Biller, Roles.Coder, Roles.QaReviewer, Roles.VendorCoder];
    public static readonly string[] Writers = [Roles.PracticeAdmin, Roles.Provider, Roles.Biller];

    public static bool CanRead(this System.Security.Claims.ClaimsPrincipal user) => Readers.Any(user.IsInRole);
    public static bool CanWrite(this System.Security.Claims.ClaimsPrincipal user) => Writers.Any(user.IsInRole);
}
