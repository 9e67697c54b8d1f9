using Npgsql;
using Portal.Web.Features.Demo;

namespace Portal.Tests.Hardening;

/// <summary>
/// Item 14: PostgreSQL goes away and comes back. A second Portal talks to the test database through a TCP proxy the
/// test cuts and restores; the shared cluster and the fixture's app are never touched.
/// </summary>
public class DatabaseOutage(PortalApp app) : PortalTest(app)
{
    static readonly string Patients = $"/api/v1/practices/{DemoData.NorthClinic}/patients";
    static readonly string PatientsPage = $"/practices/{DemoData.NorthClinic}/patients";

    [Fact]
    public async Task api_and_pages_answer_503_readiness_fails_and_everything_recovers_by_itself()
    {
        var direct = new NpgsqlConnectionStringBuilder(App.ConnectionString);
        using var proxy = new TcpProxy(direct.Host!, direct.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(App.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 3 };
        await using var portal = new SecondPortal(viaProxy.ConnectionString, "Testing");
        var api = await portal.AppClient("north-app");
        var browser = await portal.SignedInBrowser(Users.NorthAdmin);
        var health = portal.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(Patients)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(PatientsPage)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await health.GetAsync("/health/ready")).StatusCode);

        proxy.Cut();

        var apiDown = await api.GetAsync(Patients);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, apiDown.StatusCode);
        Assert.Equal("application/problem+json", apiDown.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(apiDown.Headers.RetryAfter?.Delta);
        var write = await api.PostAsJsonAsync(Patients, Portal.Tests.Intake.Given.Patient("OUT-1"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, write.StatusCode);
        var pageDown = await browser.GetAsync(PatientsPage);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, pageDown.StatusCode);
        Assert.NotNull(pageDown.Headers.RetryAfter?.Delta);
        Assert.Equal("text/html", pageDown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("can't reach the database right now", await pageDown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await health.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await health.GetAsync("/health/live")).StatusCode);

        proxy.Restore();

        // Pooled connections that died with the proxy are found broken on first use; a client retrying after
        // Retry-After gets through. Nobody restarts anything.
        Assert.Equal(HttpStatusCode.OK, await Eventually(() => health.GetAsync("/health/ready")));
        Assert.Equal(HttpStatusCode.OK, await Eventually(() => api.GetAsync(Patients)));
        Assert.Equal(HttpStatusCode.OK, await Eventually(() => browser.GetAsync(PatientsPage)));
        Assert.Equal(HttpStatusCode.Created, await Eventually(() => api.PostAsJsonAsync(Patients, Portal.Tests.Intake.Given.Patient("OUT-2"))));
    }

    static async Task<HttpStatusCode> Eventually(Func<Task<HttpResponseMessage>> request)
    {
        var status = HttpStatusCode.ServiceUnavailable;
        for (var attempt = 0; attempt < 20 && status == HttpStatusCode.ServiceUnavailable; attempt++)
        {
            if (attempt > 0) await Task.Delay(250);
            status = (await request()).StatusCode;
        }
        return status;
    }
}
