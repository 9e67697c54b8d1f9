using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Coding;
using Portal.Web.Features.Demo;
using static Portal.Tests.Coding.CodingGiven;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Claims;

/// <summary>Claim scenario builders: through the API, on top of the coding builders.</summary>
public static class ClaimsGiven
{
    public static string ClaimsUrl(string path = "") => North("claims" + path);

    /// <summary>A chart coded (I10, E11.9; 99213 → 1, 2) and approved without QA; the reaction has drafted its claim.</summary>
    public static async Task<(CodingChart Chart, ClaimView Claim)> ApprovedClaim(PortalApp app)
    {
        var admin = await app.ClientFor(Users.NorthAdmin);
        var coder = await app.ClientFor(Users.NorthCoder);
        await PracticeSettingsAre(admin, qaPercent: 0);
        var coded = await CodedChart(admin, coder);
        var approved = await Read<CodingChart>(await Send(coder, HttpMethod.Post, Chart(coded.Encounter.Id, "/submit"), null, coded.Version));
        await app.WaitForReactionsAsync();
        var biller = await app.ClientFor(Users.NorthBiller);
        var list = await Read<ClaimList>(await biller.GetAsync(ClaimsUrl()));
        var row = list.Items.Single(r => r.PatientId == approved.Encounter.PatientId);
        return (approved, await Read<ClaimView>(await biller.GetAsync(ClaimsUrl($"/{row.Id}"))));
    }

    /// <summary>Test-only: the payer took the claim (as the 277CA import will say), under a payer claim number.</summary>
    public static async Task PayerAccepted(PortalApp app, Guid claimId, string payerClaimNumber = "PCN-77001")
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().LightweightSession(DemoData.NorthClinic.ToString());
        // FetchForWriting: with quick appends only a fetched stream gives the snapshot its version.
        (await session.Events.FetchForWriting<ClaimView>(claimId)).AppendOne(new ClaimAcceptedByPayer(claimId, Guid.CreateVersion7(), payerClaimNumber, "test 277CA", DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
    }

    /// <summary>Test-only: the primary paid (as the 835 posting will say).</summary>
    public static async Task PrimaryPaid(PortalApp app, ClaimView claim, decimal paid)
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().LightweightSession(DemoData.NorthClinic.ToString());
        var remaining = claim.TotalCharge - paid;
        (await session.Events.FetchForWriting<ClaimView>(claim.Id)).AppendOne(new ClaimPaymentPosted(claim.Id, claim.PatientId, Guid.CreateVersion7(), "k-" + claim.Id, claim.Coverage.PayerId,
            "1", claim.TotalCharge, paid, 20m, [new PostedAdjustment("CO", "45", remaining - 20m), new PostedAdjustment("PR", "2", 20m)],
            [new PostedLine(1, claim.Lines[0].Code, claim.Lines[0].Charge, paid, paid + 20m, 1, [new PostedAdjustment("CO", "45", remaining - 20m),
                new PostedAdjustment("PR", "2", 20m)], [])],
            "ICN-9001", "CHK100", new DateOnly(2026, 4, 1), false, "test 835", DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
    }
}
