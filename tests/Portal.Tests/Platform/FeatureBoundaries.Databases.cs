using System.Text.RegularExpressions;

namespace Portal.Tests.Platform;

/// <summary>
/// ADR 0031: practices may sit in several databases, so a query over every practice (Marten's <c>AnyTenant()</c>) on one
/// session sees one database's practices only. Every such query must run once per database through
/// <c>AcrossDatabases.QueryEachDatabase</c>, or be in a place listed here that is already handed one database at a time.
/// </summary>
public partial class FeatureBoundaries
{
    /// <summary>Files whose <c>AnyTenant()</c> runs on a session of one database on purpose, with the reason.</summary>
    static readonly Dictionary<string, string> OneDatabaseOnPurpose = new()
    {
        ["Platform/Reactions/ReactionMonitor.cs"] = "the monitor walks the databases itself and passes each one's session in",
        ["Features/PatientBalances/PatientLedger.cs"] = "an async projection: the daemon of the database holding the events runs it, and a " +
            "practice's claims live in the same database as its events",
    };

    [Fact]
    public void every_query_over_all_practices_runs_in_every_database()
    {
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Web, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/") && !f.Contains("/bin/")))
        {
            var relative = Path.GetRelativePath(Web, file).Replace('\\', '/');
            if (OneDatabaseOnPurpose.ContainsKey(relative)) continue;
            var code = Code(File.ReadAllText(file));
            foreach (Match m in AnyTenantCall().Matches(code))
            {
                // The statement the call is in: back to the previous ';' or '{' at statement level is enough for these queries.
                var start = code.LastIndexOfAny([';', '}'], m.Index) + 1;
                var statement = code[start..m.Index];
                if (!statement.Contains("QueryEachDatabase(", StringComparison.Ordinal))
                    found.Add($"{relative}:{code[..m.Index].Count(c => c == '\n') + 1}");
            }
        }
        Assert.True(found.Count == 0, "AnyTenant() outside QueryEachDatabase (it would see the practices of one database only): " +
            string.Join(", ", found) + ". Run it through store.QueryEachDatabase, or list the file in OneDatabaseOnPurpose with the reason.");
    }

    [Fact]
    public void the_one_database_list_names_files_that_exist()
    {
        var missing = OneDatabaseOnPurpose.Keys.Where(f => !File.Exists(Path.Combine(Web, f))).ToList();
        Assert.True(missing.Count == 0, "Listed in OneDatabaseOnPurpose but gone: " + string.Join(", ", missing));
    }

    [GeneratedRegex(@"\.AnyTenant\(\)")]
    private static partial Regex AnyTenantCall();
}
