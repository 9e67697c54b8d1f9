using Marten;
using Portal.Web.Platform;

namespace Portal.Web.Features.Settings;

public static class SettingsModule
{
    /// <summary>
    /// Registers the settings documents with Marten, so their tables are created at startup with the rest of the
    /// schema rather than on first write (a table that appears later is missed by anything that reads the schema once).
    /// </summary>
    public static IServiceCollection AddSettings(this IServiceCollection services) =>
        services.ConfigureMarten(o =>
        {
            // Numeric revisions: the ETag of each, checked by If-Match (Platform/Revisions.cs).
            o.Schema.For<PracticeSettings>().Revisioned();
            o.Schema.For<FeeScheduleEntry>().Revisioned();
        });
}
