# Portal's container image (docs/deployment.md, section 7). Multi-stage: the .NET SDK builds and publishes, the ASP.NET Core
# runtime image runs. Not built in our CI (no container registry or engine there): build it where Docker is available,
#   docker build -t portal-web .
# and run it with infra/compose.yaml.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# The build takes htmx from the npm registry (src/Portal.Web/package.json).
RUN apt-get update && apt-get install -y --no-install-recommends npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Restore first, from the project files only, so the package layer is cached until a dependency changes.
COPY nuget.config global.json Directory.Build.props Directory.Packages.props ./
COPY src/Portal.Billing/Portal.Billing.csproj src/Portal.Billing/
COPY src/Portal.Web/Portal.Web.csproj src/Portal.Web/package.json src/Portal.Web/package-lock.json src/Portal.Web/
RUN dotnet restore src/Portal.Web/Portal.Web.csproj
COPY src/ src/
RUN dotnet publish src/Portal.Web/Portal.Web.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
# The sample code sets (our own files in the official formats); loaded only when Portal:CodeSets:LoadSamples is true.
COPY infra/codesets/ infra/codesets/
# Plain HTTP inside the private network; TLS ends at the reverse proxy (docs/deployment.md, section 2.1).
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_gcServer=0
EXPOSE 8080
# The non-root user the .NET images provide.
USER $APP_UID
ENTRYPOINT ["dotnet", "Portal.Web.dll"]
