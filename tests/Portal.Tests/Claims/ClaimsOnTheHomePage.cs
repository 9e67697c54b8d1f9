using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Claims.Submission;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Demo;
using static Portal.Tests.Claims.ClaimsGiven;
using static Portal.Tests.Coding.CodingGiven;

namespace Portal.Tests.Claims;

public class ClaimsOnTheHomePage(PortalApp app) : PortalTest(app)
{
    const string Slot = "data-slot=\"claims-needing-work\"";

    [Fact]
    public async Task billers_see_claims_to_fix_rejected_and_ready_to_send_and_people_who_do_not_work_claims_do_not()
    {
        // One claim with a scrubber error (its line lost its pointers), two ready, one rejected by the clearinghouse.
        var (_, claim) = await ApprovedClaim(App);
        var biller = await App.ClientFor(Users.NorthBiller);
        var broken = await Read<ClaimView>(await Send(biller, HttpMethod.Put, ClaimsUrl($"/{claim.Id}/codes"),
            new ChangeClaimCodes(["I10", "E11.9"], [new ClaimLineInput("99213")]), claim.Version));
        Assert.True(broken.ErrorCount > 0);
        var ready = await SubmissionGiven.ReadyClaims(App, DemoData.NorthClinic, SubmissionGiven.PayerA, 3);
        await using (var session = App.Services.GetRequiredService<IDocumentStore>().LightweightSession(DemoData.NorthClinic.ToString()))
        {
            (await session.Events.FetchForWriting<ClaimView>(ready[2].ClaimId)).AppendOne(new ClaimRejectedByClearinghouse(ready[2].ClaimId,
                Guid.CreateVersion7(), ["A7:562:82"], ["Rejected for invalid information: Entity's National Provider Identifier (NPI)"], "test 277CA",
                DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }

        var home = await (await App.SignedInBrowser(Users.NorthBiller)).GetStringAsync("/");
        var card = CardOf(home);
        Assert.Contains("Claims needing work", card);
        Assert.Contains("1 claim to fix (1 with errors), 1 rejected, 2 ready to send.", card);
        Assert.Contains($"href=\"/practices/{DemoData.NorthClinic}/claims?state=RejectedByClearinghouse\"", card);
        Assert.Contains($"href=\"/practices/{DemoData.NorthClinic}/claims?state=open\"", card);
        Assert.Contains($"href=\"/practices/{DemoData.NorthClinic}/claims/submission\"", card);
        Assert.Contains("attention", card);
        Assert.Contains(Slot, await (await App.SignedInBrowser(Users.NorthAdmin)).GetStringAsync("/"));

        // Coders, and a vendor engaged for coding only, do not work claims.
        Assert.DoesNotContain(Slot, await (await App.SignedInBrowser(Users.NorthCoder)).GetStringAsync("/"));
        Assert.DoesNotContain(Slot, await (await App.SignedInBrowser(Users.AcmeBiller)).GetStringAsync("/"));

        // A billing vendor sees its client's (Riverside's) claims, none of North's.
        var beacon = CardOf(await (await App.SignedInBrowser(Users.BeaconBiller)).GetStringAsync("/"));
        Assert.Contains("No claim waits for you", beacon);
        Assert.Contains($"/practices/{DemoData.RiversidePediatrics}/claims", beacon);
    }

    /// <summary>The claims card's markup: from its class attribute to the next card (or the end of the page).</summary>
    static string CardOf(string html)
    {
        var at = html.IndexOf(Slot, StringComparison.Ordinal);
        Assert.True(at >= 0, "No claims card on the home page.");
        var start = html.LastIndexOf("<div class=\"card home-card", at, StringComparison.Ordinal);
        var next = html.IndexOf("data-slot=", at + Slot.Length, StringComparison.Ordinal);
        return html[start..(next < 0 ? html.Length : next)];
    }
}
