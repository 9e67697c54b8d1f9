using Marten;
using Portal.Web.Platform;

namespace Portal.Web.Features.Tenancy;

/// <summary>
/// <c>dotnet Portal.Web.dll practices move &lt;practiceId&gt; --to &lt;database&gt;</c> moves one practice's data to another configured
/// database (ADR 0031, docs/deployment.md section 4.2); <c>practices list</c> prints where each practice lives. Runs instead of the
/// web host, against the same configuration as the nodes (ConnectionStrings:Portal, Portal:Databases); the nodes keep serving and
/// pick the change up from the placement map. Exit code 0 on success, 1 when refused or failed (nothing half-moved).
/// </summary>
public static class PracticesCommand
{
    public const string Usage = "usage: practices list | practices move <practiceId> --to <database>";

    public static bool Matches(string[] args) => args is ["practices", ..];

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter? output = null)
    {
        var @out = output ?? Console.Out;
        var databases = services.GetRequiredService<TenantDatabases>();
        var store = services.GetRequiredService<IDocumentStore>();
        await using var query = store.QuerySession();
        var practices = (await query.Query<Organization>().Where(o => o.Kind == OrganizationKind.Practice).ToListAsync())
            .OrderBy(o => o.Name).ToList();
        switch (args)
        {
            case ["practices", "list"]:
                await databases.ReloadAsync(default);
                foreach (var p in practices)
                    await @out.WriteLineAsync($"{p.Id}  {databases.DatabaseOf(p.Id.ToString()),-12} {(databases.IsMoving(p.Id.ToString()) ? "MOVING " : "")}{p.Name}");
                return 0;
            case ["practices", "move", var id, "--to", var target]:
                if (!Guid.TryParse(id, out var practiceId) || practices.All(p => p.Id != practiceId))
                {
                    await @out.WriteLineAsync($"error: no practice has the id '{id}'.");
                    return 1;
                }
                if (!databases.Names.Contains(target))
                {
                    await @out.WriteLineAsync($"error: '{target}' is not a configured database ({string.Join(", ", databases.Names)}).");
                    return 1;
                }
                try
                {
                    var report = await services.GetRequiredService<PracticeMove>().MoveAsync(practiceId, target, default);
                    foreach (var t in report.Tables) await @out.WriteLineAsync($"  {t.Table,-40} {t.Rows,10:N0} {(t.Verified ? "verified" : "")}");
                    await @out.WriteLineAsync($"{practices.First(p => p.Id == practiceId).Name} is in '{target}' now (from '{report.From}'); " +
                        $"{report.Events:N0} events, checksum {report.EventChecksum}.");
                    return 0;
                }
                catch (Exception e) when (e is InvalidOperationException or Npgsql.NpgsqlException)
                {
                    await @out.WriteLineAsync($"error: {e.Message}");
                    return 1;
                }
            default:
                await @out.WriteLineAsync(Usage);
                return 1;
        }
    }
}
