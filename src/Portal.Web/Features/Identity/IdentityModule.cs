using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using Portal.Web.Platform;
using Oidc = OpenIddict.Abstractions.OpenIddictConstants;

namespace Portal.Web.Features.Identity;

public static class IdentityModule
{
    public static void AddPortalIdentity(this WebApplicationBuilder builder, string connectionString)
    {
        var services = builder.Services;
        services.AddSingleton<ISwaggerRedirects, SwaggerRedirects>();
        // Pooled: the token endpoint and sign-in use it on every call, and a new context per request (options built, services
        // resolved, sets initialised) was ~6% of the web process's CPU in the coding benchmark when API requests still looked
        // their token up through it (docs/benchmarks.md, "Coding commands per type"; now AccessCheck, ADR 0036).
        services.AddDbContextPool<PortalIdentityDb>(o =>
        {
            o.UseNpgsql(connectionString, n => n.MigrationsHistoryTable("__ef_migrations", PortalIdentityDb.Schema));
            o.UseOpenIddict();
        });

        services.AddDataProtection()
            .SetApplicationName("Portal")
            .PersistKeysToDbContext<PortalIdentityDb>();

        services.AddIdentity<PortalUser, IdentityRole<Guid>>(o =>
            {
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = true;
                o.Password.RequireNonAlphanumeric = true;
                o.Password.RequireUppercase = true;
                o.Password.RequireLowercase = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = true;
                o.ClaimsIdentity.UserIdClaimType = Oidc.Claims.Subject;
                o.ClaimsIdentity.UserNameClaimType = Oidc.Claims.PreferredUsername;
                o.ClaimsIdentity.RoleClaimType = Oidc.Claims.Role;
                o.ClaimsIdentity.EmailClaimType = Oidc.Claims.Email;
            })
            .AddEntityFrameworkStores<PortalIdentityDb>()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<PortalClaimsFactory>();
        var hashIterations = PasswordHashIterations(builder.Configuration, builder.Environment);
        services.Configure<PasswordHasherOptions>(o => o.IterationCount = hashIterations);

        // Sign-in sessions live on the server and every request checks them against the user store (ADR 0008).
        services.AddSingleton<Sessions>();
        services.AddScoped<PortalCookieEvents>();

        // Password-reset links (Identity's data-protection tokens) work for two hours, and once: using one changes the
        // security stamp the token was made from.
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = TimeSpan.FromHours(2));

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/sign-in";
            o.LogoutPath = "/account/sign-out";
            o.AccessDeniedPath = "/account/access-denied";
            o.Cookie.Name = "portal.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            // Replaces Identity's SecurityStampValidator, which Portal ran once a minute: now every request is checked.
            o.EventsType = typeof(PortalCookieEvents);
        });

        var production = builder.Environment.IsProduction();
        services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<PortalIdentityDb>())
            .AddServer(o =>
            {
                o.SetAuthorizationEndpointUris("connect/authorize")
                 .SetTokenEndpointUris("connect/token")
                 .SetEndSessionEndpointUris("connect/endsession")
                 .SetUserInfoEndpointUris("connect/userinfo");
                o.AllowClientCredentialsFlow()
                 .AllowAuthorizationCodeFlow()
                 .RequireProofKeyForCodeExchange()
                 .AllowRefreshTokenFlow();
                // "plain" PKCE sends the verifier itself as the challenge: anyone who sees the authorization request can
                // redeem the code. Only S256 is accepted (OAuth 2.0 Security BCP, RFC 9700 section 2.1.1).
                o.Configure(options => options.CodeChallengeMethods.Remove(Oidc.CodeChallengeMethods.Plain));
                o.RegisterScopes([Oidc.Scopes.OpenId, Oidc.Scopes.Profile, Oidc.Scopes.Email, Oidc.Scopes.OfflineAccess,
                    .. Platform.Scopes.All.Select(s => s.Name)]);
                o.SetAccessTokenLifetime(TimeSpan.FromHours(1));
                // Third-party resource servers and API developers read our JWTs; they are signed, not encrypted.
                o.DisableAccessTokenEncryption();
                ConfigureKeys(o, builder.Configuration, production);
                // Behind a balancer every node must name the same issuer, or a token issued by one node is refused by the
                // next (the issuer is otherwise taken from each request's own host and port). Portal:PublicUrl is the
                // address users and apps reach Portal at (docs/deployment.md, section 2.1).
                if (builder.Configuration["Portal:PublicUrl"] is { Length: > 0 } publicUrl)
                    o.SetIssuer(new Uri(publicUrl.EndsWith('/') ? publicUrl : publicUrl + "/", UriKind.Absolute));

                var aspnet = o.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough();
                // Plain HTTP on loopback for development and tests only; production terminates TLS.
                if (!production) aspnet.DisableTransportSecurityRequirement();
            })
            .AddValidation(o =>
            {
                o.UseLocalServer();
                o.UseAspNetCore();
                // A revoked token, a token issued under a grant the user revoked (Connected apps page), a disabled user or app:
                // refused at once, not when the token expires. One prepared statement checks all of it and reads what the gates
                // after authentication need (ADR 0036), in place of OpenIddict's token and authorization entry validation (one
                // EF Core query each), which stay off.
                o.AddEventHandler(AccessCheck.Descriptor);
                // A token's signature is verified once per node and its principal reused until it expires (ADR 0041);
                // Portal:Identity:ReuseValidatedTokens=false verifies it on every request (benchmarks compare the two).
                if (builder.Configuration.GetValue("Portal:Identity:ReuseValidatedTokens", true))
                {
                    o.AddEventHandler(ValidatedTokens.Reuse.Descriptor);
                    o.AddEventHandler(ValidatedTokens.Remember.Descriptor);
                }
            });
        services.AddSingleton<ValidatedTokens>();
    }

    /// <summary>PBKDF2 (HMAC-SHA512) iterations of a password hash outside Testing by default, and the fewest allowed outside Development and Testing.</summary>
    public const int ProductionPasswordHashIterations = 100_000;

    /// <summary>
    /// PBKDF2 iterations for password hashes: <c>Portal:Identity:PasswordHashIterations</c>, else ASP.NET Core Identity's own
    /// 100,000; never fewer than that outside Development and Testing. A hash records its own count, so a changed setting applies
    /// to passwords set (or re-hashed at sign-in) from then on, and every stored hash still verifies. The test hosts use 1,000:
    /// at 100,000 the suite's 650 hashes cost 32 s of CPU, ~6 % of the whole run (ADR 0047).
    /// </summary>
    static int PasswordHashIterations(IConfiguration config, IHostEnvironment environment)
    {
        var testing = environment.IsEnvironment("Testing");
        var iterations = config.GetValue<int?>("Portal:Identity:PasswordHashIterations") ?? (testing ? 1_000 : ProductionPasswordHashIterations);
        if (iterations < 1 || (!testing && !environment.IsDevelopment() && iterations < ProductionPasswordHashIterations))
            throw new InvalidOperationException(
                $"Portal:Identity:PasswordHashIterations is {iterations}: at least {ProductionPasswordHashIterations:N0} outside Development and Testing.");
        return iterations;
    }

    static void ConfigureKeys(OpenIddictServerBuilder o, IConfiguration config, bool production)
    {
        // Several web nodes must share one signing key: production loads it from a PFX (docs/deployment.md).
        var signing = config["Portal:Identity:SigningCertificate"];
        var encryption = config["Portal:Identity:EncryptionCertificate"];
        var password = config["Portal:Identity:CertificatePassword"];
        if (signing is not null && encryption is not null)
        {
            o.AddSigningCertificate(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(signing, password));
            o.AddEncryptionCertificate(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(encryption, password));
        }
        else if (production)
            throw new InvalidOperationException(
                "Set Portal:Identity:SigningCertificate and Portal:Identity:EncryptionCertificate (PFX paths) in production.");
        else
        {
            // Development and tests: keys live in memory; tokens do not survive a restart, which is fine here.
            var (signingKey, encryptionKey) = ProcessKeys.Value;
            o.AddEncryptionKey(encryptionKey).AddSigningKey(signingKey);
        }
    }

    /// <summary>
    /// Development's and the tests' in-memory keys, made once per process: every host a test process starts uses the same pair
    /// instead of generating two 2,048-bit RSA keys of its own (~0.3 s of CPU per host).
    /// </summary>
    static readonly Lazy<(Microsoft.IdentityModel.Tokens.SecurityKey Signing, Microsoft.IdentityModel.Tokens.SecurityKey Encryption)> ProcessKeys =
        new(() => (new Microsoft.IdentityModel.Tokens.RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)),
            new Microsoft.IdentityModel.Tokens.RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048))));

    /// <summary>Creates or upgrades the identity schema with EF migrations (EnsureCreated would see Marten's tables and do nothing).</summary>
    public static async Task MigrateIdentityAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalIdentityDb>();
        await db.Database.MigrateAsync();
        await SwaggerClient.EnsureAsync(services);
    }
}
