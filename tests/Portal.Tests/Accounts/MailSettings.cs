using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using Portal.Web.Platform.Email;

namespace Portal.Tests.Accounts;

public class MailSettings
{
    static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void production_without_an_smtp_host_stops_at_startup_with_a_clear_message()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            SmtpSettings.Read(Config(("Portal:PublicUrl", "https://portal.example.com")), new HostingEnvironment { EnvironmentName = "Production" }));

        Assert.Contains("Portal:Smtp:Host", e.Message);
    }

    [Fact]
    public void production_needs_the_public_address_for_links_in_mails()
    {
        var e = Assert.Throws<InvalidOperationException>(() => SmtpSettings.Read(
            Config(("Portal:Smtp:Host", "smtp.example.com"), ("Portal:Smtp:From", "Portal <portal@example.com>")),
            new HostingEnvironment { EnvironmentName = "Production" }));

        Assert.Contains("Portal:PublicUrl", e.Message);
    }

    [Fact]
    public void production_with_a_host_uses_tls_and_outside_production_no_host_means_the_local_folder()
    {
        var production = SmtpSettings.Read(Config(("Portal:Smtp:Host", "smtp.example.com"), ("Portal:Smtp:From", "Portal <portal@example.com>"),
            ("Portal:PublicUrl", "https://portal.example.com")), new HostingEnvironment { EnvironmentName = "Production" });
        var development = SmtpSettings.Read(Config(), new HostingEnvironment { EnvironmentName = "Development" });

        Assert.True(production.UseTls);
        Assert.Equal(465, production.Port);
        Assert.Null(development.Host);
        Assert.EndsWith("mail", development.Folder);
    }
}

public class DevMailbox(PortalApp app) : PortalTest(app)
{
    [Fact]
    public async Task the_mailbox_page_exists_only_in_development()
    {
        var response = await App.Anonymous().GetAsync("/dev/mailbox");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
