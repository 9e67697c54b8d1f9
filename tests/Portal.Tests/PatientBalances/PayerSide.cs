using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Demo;
using Portal.Web.Features.PatientBalances;

namespace Portal.Tests.PatientBalances;

/// <summary>
/// The payer side of a patient's bill, written the way the claims and 835-posting features write it: claim events appended to
/// claim streams in the practice's tenant (the contract in Features/Claims/ClaimEvents.cs).
/// </summary>
public static partial class PayerSide
{
    static readonly ClaimCoverage Coverage = new(Guid.NewGuid(), Guid.NewGuid(), "Acme Health", "ACME1", "M123", "Tess Tester", "18", null, "P");
    static readonly ClaimProviderRef Provider = new(Guid.NewGuid(), "Dr. Test", "1234567893", "207Q00000X");

    public static async Task<Guid> Claim(PortalApp app, Guid patientId, decimal charge, DateOnly? dos = null, Guid? practice = null, string code = "99213")
    {
        var id = Guid.CreateVersion7();
        var at = DateTimeOffset.UtcNow;
        await Append(app, id, practice, new ClaimCreated(id, Guid.NewGuid(), patientId, "Tester, Tess", "T-1001", "PCN" + id.ToString("N")[..10], Coverage,
            Provider, Provider, null, dos ?? new DateOnly(2026, 1, 5), "11", null, [new ClaimDiagnosis(1, "I10")],
            [new ClaimLine(1, code, [], 1, charge, [1], dos ?? new DateOnly(2026, 1, 5))], "1", null, null, "test", "test", at));
        return id;
    }

    /// <summary>An 835 claim payment: paid, contractual (CO-45) and patient responsibility split into deductible (PR-1) and coinsurance (PR-2).</summary>
    public static Task Paid(PortalApp app, Guid claimId, Guid patientId, decimal charge, decimal paid, decimal contractual, decimal deductible,
        decimal coinsurance, bool reversal = false, Guid? practice = null)
    {
        PostedAdjustment[] adjustments = [new("CO", "45", contractual), new("PR", "1", deductible), new("PR", "2", coinsurance)];
        return Append(app, claimId, practice, new ClaimPaymentPosted(claimId, patientId, Guid.NewGuid(), "key-" + Guid.NewGuid(), Guid.NewGuid(),
            reversal ? "22" : "1", charge, paid, deductible + coinsurance, [.. adjustments.Where(a => a.Amount != 0m)], [], "ACME25", "CHK1001",
            new DateOnly(2026, 2, 1), reversal, "835", DateTimeOffset.UtcNow));
    }

    public static Task WrittenOff(PortalApp app, Guid claimId, Guid patientId, decimal amount, Guid? practice = null) =>
        Append(app, claimId, practice, new ClaimWrittenOff(claimId, patientId, amount, "Small balance", null, "test", DateTimeOffset.UtcNow));

    static async Task Append(PortalApp app, Guid claimId, Guid? practice, object e)
    {
        var store = app.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.LightweightSession((practice ?? DemoData.NorthClinic).ToString());
        session.Events.Append(claimId, e);
        await session.SaveChangesAsync();
    }

    /// <summary>The ledger is an async projection: wait until it has seen every event.</summary>
    public static async Task Settled(PortalApp app) =>
        await app.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

    public static async Task<PatientLedgerView> Ledger(PortalApp app, HttpClient client, Guid patientId)
    {
        await Settled(app);
        var response = await client.GetAsync(Intake.Given.North($"patients/{patientId}/ledger"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<PatientLedgerView>(Json))!;
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>A checkout the patient started on the pay page: the fake Stripe's session for this patient.</summary>
    public static async Task<string> StartCheckout(PortalApp app, string payLink)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        var page = await browser.GetStringAsync(payLink);
        var post = await browser.PostAsync(payLink, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalApp.AntiforgeryToken(page),
        }));
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        var location = post.Headers.Location!.ToString();
        Assert.StartsWith(app.Stripe.ApiBase + "/checkout/", location);
        return location[(location.LastIndexOf('/') + 1)..];
    }

    /// <summary>A pay link for a patient, as a statement prints it.</summary>
    public static string PayLink(PortalApp app, Guid patientId, Guid? practice = null) =>
        app.Services.GetRequiredService<PayLinks>().Url(app.BaseAddress.ToString(), new PayLinkTarget(practice ?? DemoData.NorthClinic, patientId, null));

    public static string LinkIn(string text) => LinkPattern().Match(text) is { Success: true } m ? m.Value : throw new InvalidOperationException("No pay link in: " + text);

    [GeneratedRegex(@"https?://[^\s""<>]+/pay/[A-Za-z0-9_\-]+")]
    private static partial Regex LinkPattern();

    public static JsonObject Obj(string json) => JsonNode.Parse(json)!["data"]!["object"]!.AsObject();
}
