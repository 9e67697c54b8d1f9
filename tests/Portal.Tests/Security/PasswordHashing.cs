using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Tests.Hardening;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Identity;

namespace Portal.Tests.Security;

/// <summary>
/// Passwords are hashed with PBKDF2 (HMAC-SHA512) at 100,000 iterations or more outside Development and Testing; the test hosts
/// use 1,000 (ADR 0047), and a hash made at any count still verifies, since each hash records its own.
/// </summary>
public class PasswordHashing(PortalApp app) : PortalTest(app)
{
    [Fact]
    public void the_test_hosts_hash_with_1000_iterations_and_a_production_hash_still_verifies()
    {
        var hasher = App.Services.GetRequiredService<IPasswordHasher<PortalUser>>();
        Assert.Equal(1_000, App.Services.GetRequiredService<IOptions<PasswordHasherOptions>>().Value.IterationCount);
        var user = new PortalUser { UserName = "hash@example.test", Email = "hash@example.test" };
        var production = new PasswordHasher<PortalUser>(Options.Create(new PasswordHasherOptions
        {
            IterationCount = IdentityModule.ProductionPasswordHashIterations,
        }));
        var stored = production.HashPassword(user, DemoData.Password);

        Assert.Equal(PasswordVerificationResult.Success, hasher.VerifyHashedPassword(user, stored, DemoData.Password));
        Assert.Equal(PasswordVerificationResult.Failed, hasher.VerifyHashedPassword(user, stored, DemoData.Password + "x"));
    }

    [Fact]
    public async Task outside_development_and_testing_fewer_than_100000_iterations_refuse_to_start()
    {
        await using var staging = new SecondPortal(App.ConnectionString, "Staging")
            .WithWebHostBuilder(b => b.UseSetting("Portal:Identity:PasswordHashIterations", "1000"));

        var refused = Assert.ThrowsAny<Exception>(() => staging.CreateClient());
        Assert.Contains("PasswordHashIterations", refused.ToString());

        await using var defaults = new SecondPortal(App.ConnectionString, "Staging");
        Assert.Equal(IdentityModule.ProductionPasswordHashIterations,
            defaults.Services.GetRequiredService<IOptions<PasswordHasherOptions>>().Value.IterationCount);
    }
}
