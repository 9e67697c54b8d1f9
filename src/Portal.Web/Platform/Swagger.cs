using Microsoft.OpenApi;

namespace Portal.Web.Platform;

static class Swagger
{
    public static void AddPortalSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Portal API",
                Version = "v1",
                Description =
                    "Medical coding and billing for practices and their coding vendors. Every tenant route is under " +
                    "/api/v1/practices/{practiceId}; a practice you may not act for answers 404. Authenticate with OAuth2: " +
                    "client credentials for apps registered to one practice, authorization code + PKCE for apps acting for a user. " +
                    "Errors are RFC 9457 problem details. Dates of service are plain dates (yyyy-MM-dd); money is a decimal.",
            });
            var scopes = Scopes.All.ToDictionary(s => s.Name, s => s.Description);
            o.AddSecurityDefinition("oauth2", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "OAuth2 via Portal's own authorization server (discovery: /.well-known/openid-configuration).",
                Flows = new OpenApiOAuthFlows
                {
                    ClientCredentials = new OpenApiOAuthFlow { TokenUrl = new Uri("/connect/token", UriKind.Relative), Scopes = scopes },
                    AuthorizationCode = new OpenApiOAuthFlow
                    {
                        AuthorizationUrl = new Uri("/connect/authorize", UriKind.Relative),
                        TokenUrl = new Uri("/connect/token", UriKind.Relative),
                        Scopes = scopes,
                    },
                },
            });
            o.AddSecurityRequirement(doc => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference("oauth2", doc)] = Scopes.All.Select(s => s.Name).ToList(),
            });
            o.SupportNonNullableReferenceTypes();
            o.CustomSchemaIds(t => t.FullName!.Replace("Portal.Web.Features.", "").Replace('+', '.'));
        });
    }

    public static void UsePortalSwagger(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/swagger/v1/swagger.json", "Portal API v1");
            o.DocumentTitle = "Portal API";
            o.OAuthClientId("portal-swagger");
            o.OAuthUsePkce();
            o.OAuthScopeSeparator(" ");
        });
    }
}
