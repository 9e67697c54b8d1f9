using Marten;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using Portal.Web.Features.ApiClients;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Settings;
using Portal.Web.Features.Tenancy;
using Portal.Web.Features.Users;
using Portal.Web.Platform;
using Oidc = OpenIddict.Abstractions.OpenIddictConstants;

namespace Portal.Web.Features.Demo;

/// <summary>Seeds the demo tenants, users and API clients. Idempotent: running it again changes nothing.</summary>
public sealed class DemoSeeder(IDocumentStore store, UserManager<PortalUser> users, RoleManager<IdentityRole<Guid>> roles,
    IOpenIddictApplicationManager applications, TimeProvider clock, ILogger<DemoSeeder> log, Invitations invitations, IHostEnvironment env)
{
    public async Task SeedAsync(CancellationToken ct = default)
    {
        await SeedOrganizationsAsync(ct);
        await SeedIdentityAsync(ct);
        await SeedApiClientsAsync(ct);
        await LinkDemoProvidersAsync(ct);
        if (env.IsDevelopment()) await SeedPendingInvitationAsync(ct);
    }

    /// <summary>One open invitation (and its mail in the dev mailbox), unless it is open already or was accepted.</summary>
    async Task SeedPendingInvitationAsync(CancellationToken ct)
    {
        var (email, name, role) = DemoData.PendingInvitation;
        if (await users.FindByEmailAsync(email) is not null) return;
        await using var query = store.QuerySession();
        if (await query.Query<Invitation>().AnyAsync(i => i.Email == email && i.AcceptedAt == null && i.RevokedAt == null, ct)) return;
        var north = await query.LoadAsync<Organization>(DemoData.NorthClinic, ct);
        if (north is null) return;
        await invitations.Invite(north, new InviteUser(email, name, [role]), new Actor("Nora Admin", null), null, ct);
    }

    /// <summary>Each demo provider user answers the queries of the demo provider of the same name (once both exist).</summary>
    async Task LinkDemoProvidersAsync(CancellationToken ct)
    {
        foreach (var demo in DemoData.Users.Where(u => u.Role == Roles.Provider))
        {
            if (await users.FindByEmailAsync(demo.Email) is not { } user) continue;
            await using var session = store.LightweightSession(demo.Organization.ToString());
            var provider = await session.Query<Provider>().FirstOrDefaultAsync(p => p.Name == demo.Name, ct);
            if (provider is null || provider.UserId is not null) continue;
            // FetchForWriting, not Events.Append: with quick appends only a fetched stream gives the snapshot its version.
            var stream = await session.Events.FetchForWriting<Provider>(provider.Id, ct);
            stream.AppendOne(new ProviderUserLinked(provider.Id, user.Id, user.DisplayName, "Portal demo", clock.GetUtcNow()));
            await session.SaveChangesAsync(ct);
        }
    }

    /// <summary>The Marten part alone: organizations, the North Clinic ↔ Acme engagement and intake records (tests call it after each reset).</summary>
    public async Task SeedOrganizationsAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using (var session = store.LightweightSession())
        {
            var existing = await session.LoadManyAsync<Organization>(ct, DemoData.NorthClinic, DemoData.RiversidePediatrics, DemoData.AcmeCoding, DemoData.PortalOperations);
            if (existing.Count < 4)
            {
                session.Store(
                    new Organization(DemoData.NorthClinic, OrganizationKind.Practice, "North Clinic Family Medicine", "1234567893", now),
                    new Organization(DemoData.RiversidePediatrics, OrganizationKind.Practice, "Riverside Pediatrics", "1245319599", now),
                    new Organization(DemoData.AcmeCoding, OrganizationKind.Vendor, "Acme Coding Services", null, now),
                    new Organization(DemoData.PortalOperations, OrganizationKind.Operator, "Portal Operations", null, now));
                await session.SaveChangesAsync(ct);
            }
        }
        await using (var north = store.LightweightSession(DemoData.NorthClinic.ToString()))
        {
            if (!await north.Query<Engagement>().AnyAsync(ct))
            {
                var granted = new EngagementGranted(Guid.CreateVersion7(), DemoData.NorthClinic, DemoData.AcmeCoding, "Acme Coding Services",
                    ["coding"], true, "Nora Admin", now, "Demo: Acme codes North Clinic's office visits.");
                north.Events.StartStream<Engagement>(granted.EngagementId, granted);
                north.Claim(EngagementWrites.ActiveKey, DemoData.AcmeCoding.ToString(), granted.EngagementId, now);
                await north.SaveChangesAsync(ct);
            }
        }
        foreach (var practiceId in new[] { DemoData.NorthClinic, DemoData.RiversidePediatrics })
        {
            await using var practice = store.LightweightSession(practiceId.ToString());
            // Who bills (boxes 25/33, loop 2010AA): invented addresses, NPIs with a valid check digit.
            if (await practice.LoadAsync<Claims.BillingProfile>(practiceId, ct) is null)
            {
                practice.Store(practiceId == DemoData.NorthClinic
                    ? new Claims.BillingProfile(practiceId, "North Clinic Family Medicine", "1234567893", "364512789", "207Q00000X",
                        "1200 North Avenue", "Suite 300", "Springfield", "IL", "627011234", "Nora Admin", "2175550100",
                        UpdatedBy: "Portal demo", UpdatedAt: now, Revision: 1)
                    : new Claims.BillingProfile(practiceId, "Riverside Pediatrics", "1245319599", "452187630", "208000000X",
                        "45 Riverside Drive", null, "Riverside", "CA", "925011020", "Rita Admin", "9515550142",
                        UpdatedBy: "Portal demo", UpdatedAt: now, Revision: 1));
                await practice.SaveChangesAsync(ct);
            }
            if (await practice.Query<FeeScheduleEntry>().AnyAsync(ct)) continue;
            foreach (var (code, amount) in DemoData.Fees)
                practice.Store(new FeeScheduleEntry(code, code, amount, "Portal demo", now));
            await practice.SaveChangesAsync(ct);
        }
        foreach (var client in DemoData.Clients)
        {
            await using var practice = store.LightweightSession(client.Practice.ToString());
            if (await practice.Query<ApiClient>().AnyAsync(c => c.ClientId == client.ClientId, ct)) continue;
            var id = Guid.CreateVersion7();
            practice.Events.StartStream<ApiClient>(id, new ApiClientRegistered(id, client.ClientId, client.Name, client.Scopes, "Portal demo", now));
            practice.Claim(ApiClientWrites.NameKey, client.Name, id, now);
            await practice.SaveChangesAsync(ct);
        }
        await IntakeDemo.SeedAsync(store, clock, ct);
        await LinkDemoProvidersAsync(ct);
    }

    async Task SeedIdentityAsync(CancellationToken ct)
    {
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role))
                await roles.CreateAsync(new IdentityRole<Guid>(role) { Id = Guid.CreateVersion7() });

        foreach (var demo in DemoData.Users)
        {
            if (await users.FindByEmailAsync(demo.Email) is not null) continue;
            var user = new PortalUser
            {
                Id = Guid.CreateVersion7(), UserName = demo.Email, Email = demo.Email, EmailConfirmed = true,
                DisplayName = demo.Name, OrganizationId = demo.Organization,
            };
            Check(await users.CreateAsync(user, DemoData.Password), demo.Email);
            Check(await users.AddToRoleAsync(user, demo.Role), demo.Email);
        }

        // The platform admin must use MFA: give it the documented demo authenticator secret (also on existing databases).
        if (await users.FindByEmailAsync("ops@portal.example") is { } ops && !ops.TwoFactorEnabled)
        {
            // The store's own names for the authenticator key (Identity's UserStoreBase); UserManager only makes random keys.
            Check(await users.SetAuthenticationTokenAsync(ops, "[AspNetUserStore]", "AuthenticatorKey", DemoData.OpsTotpSecret), ops.Email!);
            Check(await users.SetTwoFactorEnabledAsync(ops, true), ops.Email!);
        }
    }

    async Task SeedApiClientsAsync(CancellationToken ct)
    {
        foreach (var client in DemoData.Clients)
        {
            if (await applications.FindByClientIdAsync(client.ClientId, ct) is not null) continue;
            await applications.CreateAsync(ApiClientWrites.Descriptor(client.ClientId, client.Secret, client.Name, client.Practice, client.Scopes), ct);
        }

        // Swagger UI "Authorize" and first-party tools: a public client using authorization code + PKCE for a user.
        // Brought up to date on every start, so a scope added to Portal reaches it without resetting the database.
        var swagger = new OpenIddictApplicationDescriptor
        {
            ClientId = "portal-swagger",
            ClientType = Oidc.ClientTypes.Public,
            ConsentType = Oidc.ConsentTypes.Implicit,
            DisplayName = "Portal API explorer",
            Permissions =
            {
                Oidc.Permissions.Endpoints.Authorization, Oidc.Permissions.Endpoints.Token, Oidc.Permissions.Endpoints.EndSession,
                Oidc.Permissions.GrantTypes.AuthorizationCode, Oidc.Permissions.GrantTypes.RefreshToken,
                Oidc.Permissions.ResponseTypes.Code,
                Oidc.Permissions.Scopes.Profile, Oidc.Permissions.Scopes.Email, Oidc.Permissions.Prefixes.Scope + Oidc.Scopes.OfflineAccess,
            },
            Requirements = { Oidc.Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var (name, _) in Scopes.All) swagger.Permissions.Add(Oidc.Permissions.Prefixes.Scope + name);
        foreach (var uri in DevRedirectUris) swagger.RedirectUris.Add(new Uri(uri));
        swagger.PostLogoutRedirectUris.Add(new Uri(DevPostLogoutRedirectUri));
        if (await applications.FindByClientIdAsync(swagger.ClientId, ct) is { } existing)
        {
            if (!(await applications.GetPermissionsAsync(existing, ct)).ToHashSet().SetEquals(swagger.Permissions)
                || !(await applications.GetPostLogoutRedirectUrisAsync(existing, ct)).Contains(DevPostLogoutRedirectUri))
                await applications.UpdateAsync(existing, swagger, ct);
        }
        else await applications.CreateAsync(swagger, ct);
        log.LogInformation("Demo data is in place: {Practices} practices, {Users} users, {Clients} API clients.", 2, DemoData.Users.Length, DemoData.Clients.Length + 1);
    }

    // The Swagger UI redirect on the default development ports, and a loopback redirect for tests and CLI tools.
    static readonly string[] DevRedirectUris =
    [
        "http://localhost:5080/swagger/oauth2-redirect.html", "http://127.0.0.1:5080/swagger/oauth2-redirect.html",
        "http://127.0.0.1/callback",
    ];

    /// <summary>Where /connect/endsession may send a user back after signing out (tests and CLI tools).</summary>
    public const string DevPostLogoutRedirectUri = "http://127.0.0.1/signed-out";

    static void Check(IdentityResult result, string who)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException($"Seeding {who} failed: {string.Join("; ", result.Errors.Select(e => e.Description))}");
    }
}
