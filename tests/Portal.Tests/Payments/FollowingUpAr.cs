using Portal.Web.Features.Payments;
using static Portal.Tests.Payments.PaymentsGiven;

namespace Portal.Tests.Payments;

/// <summary>A/R follow-up: no answer after the payer's expected days, timely-filing alarms, biller queues with claim status notes.</summary>
public class FollowingUpAr(PortalApp app) : PortalTest(app)
{
    static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task unanswered_claims_and_timely_filing_alarms_make_a_queue_per_biller_with_status_notes()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        // Sent two days after the date of service (PaymentsGiven.SubmittedClaim): 43 days waiting, 78 days waiting (and 10 days to
        // the 90-day filing limit), 8 days waiting (neither), and one the payer answered (paid: neither).
        var late = await SubmittedClaim(App, "F-1", Today.AddDays(-45), ("99213", 100));
        var nearLimit = await SubmittedClaim(App, "F-2", Today.AddDays(-80), ("99214", 200));
        await SubmittedClaim(App, "F-3", Today.AddDays(-10), ("99213", 100));
        await SubmittedClaim(App, "F-4", Today.AddDays(-60), ("99213", 100));
        await Import(biller, new Remit("EFT-F", [new Clp("F-4", "1", [Svc.Of("99213", 100, new Cas("CO", "45", 10))])], Dos: Today.AddDays(-60)));

        var queue = (await biller.GetItemsAsync<FollowUpRow>(Api("ar/follow-up"), Json))!;
        Assert.Equal([nearLimit, late], queue.Select(r => r.ClaimId)); // the timely-filing alarm first
        var first = queue[0];
        Assert.Equal([FollowUpReason.NoResponse, FollowUpReason.TimelyFiling], first.Reasons);
        Assert.Equal(10, first.DaysToLimit);
        Assert.Contains("timely filing: 10 day(s) left", first.Why);
        Assert.Equal(43, queue[1].DaysWithoutAnswer);
        Assert.Contains("no answer from the payer for 43 days (expected within 30)", queue[1].Why);
        Assert.Equal([late], (await biller.GetItemsAsync<FollowUpRow>(Api("ar/follow-up?reason=no-response"), Json))!
            .Where(r => !r.Reasons.Contains(FollowUpReason.TimelyFiling)).Select(r => r.ClaimId));
        Assert.Equal(HttpStatusCode.BadRequest, (await biller.GetAsync(Api("ar/follow-up?reason=soon"))).StatusCode);

        // The payer's expected days are the practice's to set, per payer: 50 days for Acme takes the 43-day claim out.
        var settings = (await biller.GetFromJsonAsync<PaymentSettings>(Api("denials/settings"), Json))!;
        var admin = await App.ClientFor(Users.NorthAdmin);
        (await admin.PutAsJsonAsync(Api("denials/settings"), new ChangePaymentSettings(settings.WriteOffApprovalAbove, settings.AppealWindowDays, null,
            PayerResponseDays: new() { [AcmePayer] = 50 }))).EnsureSuccessStatusCode();
        Assert.Equal([nearLimit], (await biller.GetItemsAsync<FollowUpRow>(Api("ar/follow-up"), Json))!.Select(r => r.ClaimId));
        (await admin.PutAsJsonAsync(Api("denials/settings"), new ChangePaymentSettings(settings.WriteOffApprovalAbove, settings.AppealWindowDays, null,
            PayerResponseDays: []))).EnsureSuccessStatusCode();

        // The biller takes a claim into their queue and notes what the payer said; If-Match guards the note.
        Assert.Equal(1, await (await biller.PostAsJsonAsync(Api("ar/follow-up/assign"), new AssignFollowUps([late], "me"))).Content.ReadFromJsonAsync<int>());
        var mine = (await biller.GetItemsAsync<FollowUpRow>(Api("ar/follow-up?owner=me"), Json))!;
        Assert.Equal([late], mine.Select(r => r.ClaimId));
        var note = new HttpRequestMessage(HttpMethod.Post, Api($"ar/follow-up/{late}/notes"))
        {
            Content = JsonContent.Create(new AddFollowUpNote("Called Acme, ref 55120: claim in process", "in process", Today.AddDays(7))),
        };
        note.Headers.TryAddWithoutValidation("If-Match", "W/\"1\"");
        var noted = await biller.SendAsync(note);
        Assert.Equal(HttpStatusCode.OK, noted.StatusCode);
        Assert.Equal("W/\"2\"", noted.Headers.ETag?.ToString());
        var stale = new HttpRequestMessage(HttpMethod.Post, Api($"ar/follow-up/{late}/notes")) { Content = JsonContent.Create(new AddFollowUpNote("again")) };
        stale.Headers.TryAddWithoutValidation("If-Match", "W/\"1\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await biller.SendAsync(stale)).StatusCode);
        var row = (await biller.GetItemsAsync<FollowUpRow>(Api("ar/follow-up?owner=me"), Json))!.Single();
        Assert.Equal("in process", row.LastNote!.Status);
        Assert.Equal(Today.AddDays(7), row.NextOn);
        Assert.Equal([nearLimit], (await biller.GetItemsAsync<FollowUpRow>(Api("ar/follow-up?owner=-"), Json))!.Select(r => r.ClaimId));

        Assert.Equal(HttpStatusCode.NotFound, (await biller.PostAsJsonAsync(Api($"ar/follow-up/{Guid.NewGuid()}/notes"), new AddFollowUpNote("x"))).StatusCode);
        Assert.Contains((await biller.PostAsJsonAsync(Api($"ar/follow-up/{late}/notes"), new AddFollowUpNote("   "))).StatusCode,
            new[] { HttpStatusCode.BadRequest, HttpStatusCode.UnprocessableEntity });
        var riverside = await App.ClientFor(Users.RiversideAdmin);
        Assert.Equal(HttpStatusCode.NotFound, (await riverside.GetAsync(Api("ar/follow-up"))).StatusCode);

        // The page: the queue with its reasons, a note from the form.
        var browser = await App.SignedInBrowser(Users.NorthBiller);
        var page = await browser.GetStringAsync($"/practices/{Portal.Web.Features.Demo.DemoData.NorthClinic}/ar/follow-up");
        Assert.Contains("F-2", page);
        Assert.Contains("timely filing: 10 day(s) left", page);
        Assert.Contains("Called Acme, ref 55120", page);
    }
}

/// <summary>The collections dashboard across clients for a billing vendor: only the practices engaged for ar or reports.</summary>
public class VendorCollectionsAcrossClients(PortalApp app) : PortalTest(app)
{
    static string North(string path) => $"/api/v1/practices/{Portal.Web.Features.Demo.DemoData.NorthClinic}/{path}";

    [Fact]
    public async Task a_vendor_sees_the_collections_of_clients_engaged_for_ar_or_reports_and_no_other()
    {
        await SubmittedClaim(App, "V-1", ("99213", 150));
        await Import(await App.ClientFor(Users.NorthBiller), new Remit("EFT-V", [new Clp("V-1", "1", [Svc.Of("99213", 150, new Cas("CO", "45", 50))])]));
        var vendorBiller = await App.ClientFor("biller@acme.example");
        var vendorAdmin = await App.ClientFor(Users.VendorAdmin);

        // As seeded, North Clinic engages Acme for coding only: nothing to see.
        Assert.Empty((await vendorBiller.GetItemsAsync<ClientCollections>("/api/v1/vendor/collections?from=2026-03-01&to=2026-03-31", Json))!);
        Assert.Contains("No client engages your firm for A/R or reports.",
            await (await App.SignedInBrowser(Users.VendorAdmin)).GetStringAsync("/vendor/collections"));

        var admin = await App.ClientFor(Users.NorthAdmin);
        var engagement = (await admin.GetItemsAsync<Portal.Web.Features.Tenancy.Engagement>(North("engagements"), Json))!.Single(e => e.RevokedAt is null);
        (await admin.PostAsJsonAsync(North($"engagements/{engagement.Id}/revoke"), new Portal.Web.Features.Tenancy.RevokeEngagement("Adding A/R work"))).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(North("engagements"), new Portal.Web.Features.Tenancy.GrantEngagement(Portal.Web.Features.Demo.DemoData.AcmeCoding, ["coding", "ar"])))
            .EnsureSuccessStatusCode();

        foreach (var vendor in new[] { vendorBiller, vendorAdmin })
        {
            var rows = (await vendor.GetItemsAsync<ClientCollections>("/api/v1/vendor/collections?from=2026-03-01&to=2026-03-31", Json))!;
            var north = Assert.Single(rows); // Riverside does not engage Acme
            Assert.Equal(Portal.Web.Features.Demo.DemoData.NorthClinic, north.PracticeId);
            Assert.Equal(100m, north.Kpis.Payments);
        }
        Assert.Contains("North Clinic", await (await App.SignedInBrowser(Users.VendorAdmin)).GetStringAsync("/vendor/collections"));
        Assert.Equal(HttpStatusCode.Forbidden, (await (await App.ClientFor(Users.NorthBiller)).GetAsync("/api/v1/vendor/collections")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await App.ClientFor(Users.VendorCoder)).GetAsync("/api/v1/vendor/collections")).StatusCode);
    }

    [Fact]
    public async Task the_menu_and_home_link_the_collections_dashboard_only_for_vendor_staff_engaged_for_ar_or_reports()
    {
        const string link = "href=\"/vendor/collections\"";
        // As seeded, North Clinic engages Acme for coding only: no link for the vendor admin nor the vendor biller.
        foreach (var user in new[] { Users.VendorAdmin, "biller@acme.example" })
        {
            var home = await (await App.SignedInBrowser(user)).GetStringAsync("/");
            Assert.DoesNotContain(link, home);
        }

        var admin = await App.ClientFor(Users.NorthAdmin);
        var engagement = (await admin.GetItemsAsync<Portal.Web.Features.Tenancy.Engagement>(North("engagements"), Json))!.Single(e => e.RevokedAt is null);
        (await admin.PostAsJsonAsync(North($"engagements/{engagement.Id}/revoke"), new Portal.Web.Features.Tenancy.RevokeEngagement("Adding reports"))).EnsureSuccessStatusCode();
        var granted = await admin.PostAsJsonAsync(North("engagements"),
            new Portal.Web.Features.Tenancy.GrantEngagement(Portal.Web.Features.Demo.DemoData.AcmeCoding, ["coding", "reports"]));
        granted.EnsureSuccessStatusCode();

        foreach (var user in new[] { Users.VendorAdmin, "biller@acme.example" })
        {
            var browser = await App.SignedInBrowser(user);
            var home = await browser.GetStringAsync("/");
            // Once in the menu, once on the home page.
            Assert.Equal(2, home.Split(link).Length - 1);
            Assert.Contains("North Clinic", await browser.GetStringAsync("/vendor/collections"));
        }
        // Never for a vendor coder (the page's own permission) nor for a practice's biller.
        Assert.DoesNotContain(link, await (await App.SignedInBrowser(Users.VendorCoder)).GetStringAsync("/"));
        Assert.DoesNotContain(link, await (await App.SignedInBrowser(Users.NorthBiller)).GetStringAsync("/"));

        // Revoked: the link goes with it.
        var reports = (await admin.GetItemsAsync<Portal.Web.Features.Tenancy.Engagement>(North("engagements"), Json))!.Single(e => e.RevokedAt is null);
        (await admin.PostAsJsonAsync(North($"engagements/{reports.Id}/revoke"), new Portal.Web.Features.Tenancy.RevokeEngagement("Done"))).EnsureSuccessStatusCode();
        Assert.DoesNotContain(link, await (await App.SignedInBrowser(Users.VendorAdmin)).GetStringAsync("/"));
    }
}
