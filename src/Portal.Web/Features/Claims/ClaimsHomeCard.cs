using Marten;
using Portal.Web.Platform;
using Portal.Web.Platform.Home;

namespace Portal.Web.Features.Claims;

/// <summary>
/// The claims feature's card on the home page (slot claims-needing-work): for whoever works claims (practice admin, biller, and
/// a vendor's billers while the engagement names claims), how many claims need fixing, are ready to send, or came back rejected.
/// Three counts in one round trip (the claim snapshot's State is indexed).
/// </summary>
public sealed class ClaimsNeedingWorkCard : IHomeCard
{
    public async Task<HomeCard?> For(HomeContext c, CancellationToken ct)
    {
        if (!c.Allows(Permissions.ClaimsWrite)) return null;
        var batch = c.Query.CreateBatchQuery();
        // "Needs work" as the queue's own "Needs attention": a finding to fix or override, or back in coding; before it is sent.
        var toFix = batch.Query<ClaimView>().Count(v => v.State == ClaimState.Draft && (v.OpenCount > 0 || v.AwaitingCoding));
        var withErrors = batch.Query<ClaimView>().Count(v => v.State == ClaimState.Draft && v.ErrorCount > 0);
        var ready = batch.Query<ClaimView>().Count(v => v.State == ClaimState.Ready);
        var byClearinghouse = batch.Query<ClaimView>().Count(v => v.State == ClaimState.RejectedByClearinghouse);
        var byPayer = batch.Query<ClaimView>().Count(v => v.State == ClaimState.RejectedByPayer);
        await batch.Execute(ct);
        var (fix, errors, send, rejectedCh, rejectedPayer) = (await toFix, await withErrors, await ready, await byClearinghouse, await byPayer);
        var rejected = rejectedCh + rejectedPayer;

        var parts = new List<string>();
        if (fix > 0) parts.Add($"{Plural(fix, "claim")} to fix" + (errors > 0 ? $" ({errors} with errors)" : ""));
        if (rejected > 0) parts.Add($"{rejected} rejected");
        if (send > 0) parts.Add($"{send} ready to send");
        var text = parts.Count == 0 ? "No claim waits for you: nothing to fix, nothing rejected, nothing ready to send."
            : string.Join(", ", parts) + ".";
        text = char.ToUpperInvariant(text[0]) + text[1..];

        var links = new List<HomeLink>();
        if (rejectedCh > 0) links.Add(new("Rejected by the clearinghouse", $"{c.Root}/claims?state={nameof(ClaimState.RejectedByClearinghouse)}"));
        if (rejectedPayer > 0) links.Add(new("Rejected by the payer", $"{c.Root}/claims?state={nameof(ClaimState.RejectedByPayer)}"));
        links.Add(new(fix > 0 ? "Fix claims" : "Open the claims", fix > 0 ? $"{c.Root}/claims?state=open" : $"{c.Root}/claims"));
        if (send > 0 && c.Allows(Permissions.SubmissionSend)) links.Add(new("Batch and send", $"{c.Root}/claims/submission"));
        return new HomeCard(HomeSlots.ClaimsNeedingWork, "Claims needing work", (fix + rejected).ToString(), text, links, Attention: rejected > 0);
    }

    static string Plural(long n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";
}
