using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Portal.Tests.ScaleOut;

/// <summary>
/// Issue 15, item 9: the Dockerfile and infra/compose.yaml. No container engine runs in CI, so this checks what can be checked
/// without one: the compose file parses and wires PostgreSQL, two Portal nodes in HotCold and a proxy; the proxy sends to both
/// nodes with the forwarded headers; every file the Dockerfile copies exists. Building and starting the images is not tested.
/// </summary>
public class ContainerFiles
{
    static readonly string Root = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Dockerfile")) && Directory.Exists(Path.Combine(dir.FullName, "infra")))
                return dir.FullName;
        throw new InvalidOperationException("The checkout's root (with the Dockerfile) was not found above " + AppContext.BaseDirectory);
    }

    static YamlMappingNode Compose()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, "infra", "compose.yaml"));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    /// <summary>A service's mapping with YAML merge keys (<c>&lt;&lt;: *anchor</c>) applied, as compose applies them.</summary>
    static Dictionary<string, YamlNode> Merged(YamlMappingNode node)
    {
        var merged = new Dictionary<string, YamlNode>();
        if (node.Children.TryGetValue(new YamlScalarNode("<<"), out var parent) && parent is YamlMappingNode inherited)
            foreach (var (key, value) in Merged(inherited)) merged[key] = value;
        foreach (var (key, value) in node.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (name == "<<") continue;
            merged[name] = value is YamlMappingNode map && merged.GetValueOrDefault(name) is YamlMappingNode
                ? new YamlMappingNode(Merged(map).Select(kv => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(kv.Key), kv.Value)))
                : value;
        }
        return merged;
    }

    static string? Env(Dictionary<string, YamlNode> service, string name) =>
        ((YamlMappingNode)service["environment"]).Children.TryGetValue(new YamlScalarNode(name), out var v) ? ((YamlScalarNode)v).Value : null;

    [Fact]
    public void the_compose_file_runs_postgresql_two_hotcold_nodes_sharing_certificates_and_a_proxy_in_front()
    {
        var services = (YamlMappingNode)Compose()["services"];
        var names = services.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToArray();
        Assert.Superset(new HashSet<string?> { "postgres", "portal-1", "portal-2", "proxy" }, names.ToHashSet());

        var nodes = new[] { "portal-1", "portal-2" }.Select(n => Merged((YamlMappingNode)services[n])).ToArray();
        foreach (var node in nodes)
        {
            Assert.Equal("..", ((YamlScalarNode)((YamlMappingNode)node["build"])["context"]).Value);
            Assert.Equal("Production", Env(node, "ASPNETCORE_ENVIRONMENT"));
            Assert.Equal("HotCold", Env(node, "Portal__Daemon"));
            Assert.Contains("Host=postgres", Env(node, "ConnectionStrings__Portal"));
            Assert.Equal("true", Env(node, "ASPNETCORE_FORWARDEDHEADERS_ENABLED"));
            Assert.StartsWith("https://", Env(node, "Portal__PublicUrl"));
            Assert.NotNull(Env(node, "Portal__Identity__SigningCertificate"));
            Assert.NotNull(Env(node, "Portal__Identity__EncryptionCertificate"));
        }
        // The same database, public URL (the token issuer) and certificates on both nodes; only the first seeds.
        foreach (var shared in new[] { "ConnectionStrings__Portal", "Portal__PublicUrl", "Portal__Identity__SigningCertificate", "Portal__Identity__EncryptionCertificate" })
            Assert.Equal(Env(nodes[0], shared), Env(nodes[1], shared));
        Assert.Equal(["true", "false"], nodes.Select(n => Env(n, "Portal__SeedDemoData")));
        Assert.Contains("pg_isready", ((YamlMappingNode)services["postgres"])["healthcheck"].ToString());
    }

    [Fact]
    public void the_proxy_sends_to_both_nodes_with_the_original_host_and_scheme()
    {
        var nginx = File.ReadAllText(Path.Combine(Root, "infra", "proxy", "nginx.conf"));
        Assert.Matches(@"server portal-1:8080", nginx);
        Assert.Matches(@"server portal-2:8080", nginx);
        Assert.Contains("proxy_set_header X-Forwarded-Proto $scheme;", nginx);
        Assert.Contains("proxy_set_header Host $http_host;", nginx);
        Assert.Contains("listen 443 ssl;", nginx);
        Assert.Equal(nginx.Count(c => c == '{'), nginx.Count(c => c == '}'));
    }

    [Fact]
    public void the_dockerfile_builds_with_the_sdk_runs_on_the_aspnet_runtime_and_copies_only_files_that_exist()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(Root, "Dockerfile"));
        var from = dockerfile.Where(l => l.StartsWith("FROM ")).ToArray();
        Assert.Equal(2, from.Length);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", from[0]);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0", from[1]);
        Assert.Contains(dockerfile, l => l.StartsWith("ENTRYPOINT [\"dotnet\", \"Portal.Web.dll\"]"));
        Assert.Contains(dockerfile, l => l.StartsWith("USER "));
        foreach (var copy in dockerfile.Where(l => l.StartsWith("COPY ") && !l.Contains("--from=")))
        {
            var sources = Regex.Split(copy["COPY ".Length..].Trim(), @"\s+")[..^1];
            foreach (var source in sources)
                Assert.True(File.Exists(Path.Combine(Root, source)) || Directory.Exists(Path.Combine(Root, source)),
                    $"The Dockerfile copies {source}, which is not in the checkout.");
        }
    }
}
