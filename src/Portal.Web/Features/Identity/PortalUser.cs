using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Portal.Web.Features.Identity;

/// <summary>A portal user. Belongs to exactly one organization (a practice or a vendor).</summary>
public sealed class PortalUser : IdentityUser<Guid>
{
    public Guid OrganizationId { get; set; }
    public string DisplayName { get; set; } = "";
}

/// <summary>
/// ASP.NET Core Identity, OpenIddict's stores and the Data Protection key ring, in their own 'identity' schema.
/// The only EF Core in Portal. Keys live here so that every web node decrypts the same cookies and antiforgery tokens.
/// </summary>
public sealed class PortalIdentityDb(DbContextOptions<PortalIdentityDb> options)
    : IdentityDbContext<PortalUser, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public const string Schema = "identity";

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.HasDefaultSchema(Schema);
        builder.UseOpenIddict();
        builder.Entity<PortalUser>().HasIndex(u => u.OrganizationId);
    }
}
