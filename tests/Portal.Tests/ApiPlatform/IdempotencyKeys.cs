using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Portal.Web.Features.ApiClients;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Tenancy;
using Portal.Web.Features.Users;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.ApiPlatform;

public class IdempotencyKeys(PortalApp app) : PortalTest(app)
{
    const string Key = "Idempotency-Key";

    static HttpRequestMessage Post(string url, HttpContent content, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.Add(Key, key);
        return request;
    }

    static HttpContent Json<T>(T body) => JsonContent.Create(body);

    async Task<long> PatientCount(HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync(North("patients"))).RootElement.GetProperty("total").GetInt64();

    /// <summary>
    /// Every operation the OpenAPI document marks with an Idempotency-Key parameter needs a case here: what to create first,
    /// who calls, and the request. A new creating POST without a case fails the walk.
    /// </summary>
    Dictionary<string, (string User, Func<HttpClient, Task<Func<HttpContent>>> Prepare, string Path)> Cases() => new()
    {
        ["RegisterPatient"] = (Users.NorthAdmin, _ => Task.FromResult<Func<HttpContent>>(() => Json(Patient("IK-1"))), "patients"),
        ["AddCoverage"] = (Users.NorthAdmin, async c =>
        {
            var payer = await AddedPayer(c);
            var patient = await RegisteredPatient(c, "IK-2");
            coveragePatient = patient.Id;
            return () => Json(new AddCoverage(payer.Id, "W1", "Tess Tester", new DateOnly(2024, 1, 1)));
        }, "patients/{patientId}/coverages"),
        ["ImportPatients"] = (Users.NorthAdmin, _ => Task.FromResult<Func<HttpContent>>(() => new StringContent(
            "mrn,first_name,last_name,birth_date,sex,address_line1,address_line2,city,state,postal_code,phone\n" +
            "IK-3,Ida,Key,1970-01-02,Female,1 Main St,,Springfield,IL,62701,555-0101\n", Encoding.UTF8, "text/csv")), "patients/import"),
        ["EnrollProvider"] = (Users.NorthAdmin, _ => Task.FromResult<Func<HttpContent>>(() =>
            Json(new EnrollProvider("Dr. Key", ValidNpi, "207Q00000X"))), "providers"),
        ["ImportFhirBundle"] = (Users.NorthAdmin, _ => Task.FromResult<Func<HttpContent>>(() =>
            new StringContent(Fhir.FhirGiven.Sample().ToJsonString(), Encoding.UTF8, Fhir.FhirGiven.FhirJson)), "fhir"),
        ["AddPayer"] = (Users.NorthAdmin, _ => Task.FromResult<Func<HttpContent>>(() => Json(new AddPayer("Key Health", "IK001"))), "payers"),
        ["OpenEncounter"] = (Users.NorthAdmin, async c =>
        {
            var payer = await AddedPayer(c);
            var patient = await CoveredPatient(c, payer, "IK-4");
            var provider = await EnrolledProvider(c);
            return () => Json(new OpenEncounter(patient.Id, provider.Id, new DateOnly(2026, 3, 2), "11", null, patient.Coverages[0].Id, "Visit."));
        }, "encounters"),
        ["ImportEncounters"] = (Users.NorthAdmin, async c =>
        {
            await RegisteredPatient(c, "IK-5");
            await EnrolledProvider(c);
            return () => new StringContent("patient_mrn,rendering_npi,billing_npi,date_of_service,place_of_service,notes\n" +
                $"IK-5,{ValidNpi},,2026-03-02,11,Visit\n", Encoding.UTF8, "text/csv");
        }, "encounters/import"),
        ["AttachDocument"] = (Users.NorthAdmin, async c =>
        {
            documentEncounter = (await OpenedEncounter(c)).Id;
            // A fresh boundary on every send, as a retrying client would produce: still the same request.
            return () => File(Pdf, "note.pdf", "application/pdf");
        }, "encounters/{encounterId}/documents"),
        ["RegisterApiClient"] = (Users.NorthAdmin, _ => Task.FromResult<Func<HttpContent>>(() =>
            Json(new RegisterApiClient("Key app", ["practice.read"]))), "api-clients"),
        ["InviteUser"] = (Users.NorthAdmin, _ => Task.FromResult<Func<HttpContent>>(() =>
            Json(new InviteUser("key.person@north.example", "Key Person", ["coder"]))), "invitations"),
        ["GrantEngagement"] = (Users.RiversideAdmin, _ => Task.FromResult<Func<HttpContent>>(() =>
            Json(new GrantEngagement(DemoData.AcmeCoding))), "engagements"),
        ["CreateWebhookSubscription"] = (Users.NorthAdmin, _ => Task.FromResult<Func<HttpContent>>(() =>
            Json(new Portal.Web.Features.Webhooks.CreateWebhookSubscription("https://hooks.example.com/key", ["claim.state_changed"]))), "webhooks"),
        ["PingWebhook"] = (Users.NorthAdmin, async c =>
        {
            var created = await c.PostAsJsonAsync(North("webhooks"),
                new Portal.Web.Features.Webhooks.CreateWebhookSubscription("https://hooks.example.com/ping", ["claim.state_changed"]));
            webhook = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("subscription").GetProperty("id").GetGuid();
            return () => new StringContent("");
        }, "webhooks/{id}/ping"),
        ["ImportRemittance"] = (Users.NorthBiller, async _ =>
        {
            await Payments.PaymentsGiven.SubmittedClaim(App, "IK-835", ("99213", 100));
            var bytes = new Payments.Remit("EFT-IK", [new Payments.Clp("IK-835", "1", [Payments.Svc.Of("99213", 100, new Payments.Cas("CO", "45", 10))])]).Bytes();
            return () => new ByteArrayContent(bytes) { Headers = { ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/edi-x12") } };
        }, "remittances"),
        ["PullNextChart"] = (Users.NorthCoder, _ => Task.FromResult<Func<HttpContent>>(() => new StringContent("")), "coding/queue/next"),
        ["OnboardOrganization"] = (Users.PlatformAdmin, _ => Task.FromResult<Func<HttpContent>>(() =>
            Json(new Portal.Web.Features.Tenancy.OnboardOrganization("Key Vendor", Portal.Web.Platform.OrganizationKind.Vendor, null,
                "key.admin@keyvendor.example", "Key Admin"))), "platform/organizations"),
        ["PullNextVendorChart"] = (Users.VendorCoder, _ => Task.FromResult<Func<HttpContent>>(() => new StringContent("")), "vendor/queue/next"),
        ["DraftClaim"] = (Users.NorthBiller, async _ =>
        {
            // An encounter approved before claims existed: its claim key is not taken (the reaction's claim is forgotten here).
            var (chart, _) = await Claims.ClaimsGiven.ApprovedClaim(App);
            await using (var session = App.Services.GetRequiredService<Marten.IDocumentStore>().LightweightSession(DemoData.NorthClinic.ToString()))
            {
                session.Delete<Portal.Web.Platform.UniqueKey>(Portal.Web.Features.Claims.ClaimWrites.EncounterKey.IdFor(chart.Encounter.Id.ToString()));
                await session.SaveChangesAsync();
            }
            return () => Json(new Portal.Web.Features.Claims.DraftClaim(chart.Encounter.Id));
        }, "claims"),
        ["BulkClaimAction"] = (Users.NorthBiller, async _ =>
        {
            claimId = (await Claims.ClaimsGiven.ApprovedClaim(App)).Claim.Id;
            return () => Json(new Portal.Web.Features.Claims.BulkClaimAction("rescrub", [claimId]));
        }, "claims/bulk"),
        ["CorrectClaim"] = (Users.NorthBiller, async _ =>
        {
            claimId = (await Claims.ClaimsGiven.ApprovedClaim(App)).Claim.Id;
            await Claims.ClaimsGiven.PayerAccepted(App, claimId);
            return () => Json(new Portal.Web.Features.Claims.ReplaceClaim("Units on line 1"));
        }, "claims/{claimId}/correct"),
        ["VoidClaim"] = (Users.NorthBiller, async _ =>
        {
            claimId = (await Claims.ClaimsGiven.ApprovedClaim(App)).Claim.Id;
            await Claims.ClaimsGiven.PayerAccepted(App, claimId);
            return () => Json(new Portal.Web.Features.Claims.ReplaceClaim("Billed in error"));
        }, "claims/{claimId}/void"),
        ["DraftSecondaryClaim"] = (Users.NorthBiller, async _ =>
        {
            var primary = (await Claims.ClaimsGiven.ApprovedClaim(App)).Claim;
            var admin = await App.ClientFor(Users.NorthAdmin);
            var payer = await AddedPayer(admin, "SEC02");
            (await admin.PostAsJsonAsync(North($"patients/{primary.PatientId}/coverages"), new AddCoverage(payer.Id, "S1", "Tess Tester",
                new DateOnly(2024, 1, 1), Priority: CoveragePriority.Secondary))).EnsureSuccessStatusCode();
            await Claims.ClaimsGiven.PrimaryPaid(App, primary, 60m);
            claimId = primary.Id;
            return () => new StringContent("");
        }, "claims/{claimId}/secondary"),
        // Code-set uploads (platform admins). A refused file stages nothing, so the upload case leaves no rows behind.
        ["UploadCodeSet"] = (Users.PlatformAdmin, _ => Task.FromResult<Func<HttpContent>>(() => new MultipartFormDataContent
        {
            { new StringContent("not an order file\n"), "file", "cut.txt" }, { new StringContent("2072"), "version" },
        }), "code-sets/{system}/uploads"),
        ["ActivateCodeSetUpload"] = (Users.PlatformAdmin, c => ReadyUpload(c, "2072"), "code-set-uploads/{id}/activate"),
        ["DiscardCodeSetUpload"] = (Users.PlatformAdmin, c => ReadyUpload(c, "2073"), "code-set-uploads/{id}/discard"),
        ["CreateClaimBatches"] = (Users.NorthBiller, async _ =>
        {
            await Claims.Submission.SubmissionGiven.SetUp(App);
            await Claims.Submission.SubmissionGiven.ReadyClaims(App, DemoData.NorthClinic, Claims.Submission.SubmissionGiven.PayerA, 2);
            return () => Json(new { });
        }, "claims/submission/batches"),
        ["ResendClaimBatch"] = (Users.NorthBiller, async c =>
        {
            await Claims.Submission.SubmissionGiven.SetUp(App);
            await Claims.Submission.SubmissionGiven.ReadyClaims(App, DemoData.NorthClinic, Claims.Submission.SubmissionGiven.PayerA, 1);
            batch = Guid.Parse((await Claims.Submission.SubmissionGiven.CreateBatches(c)).Single().GetProperty("id").GetString()!);
            return () => new StringContent("");
        }, "claims/submission/batches/{batchId}/resend"),
        ["ImportAcknowledgement"] = (Users.NorthBiller, async c =>
        {
            await Claims.Submission.SubmissionGiven.SetUp(App);
            await Claims.Submission.SubmissionGiven.ReadyClaims(App, DemoData.NorthClinic, Claims.Submission.SubmissionGiven.PayerA, 1);
            await Claims.Submission.SubmissionGiven.CreateBatches(c);
            return () => new StringContent(Claims.Submission.Acks.Ack999("1", "0001", "A"), Encoding.ASCII, "application/edi-x12");
        }, "claims/submission/acknowledgements"),
        ["CheckSubmissionInbox"] = (Users.NorthBiller, async _ =>
        {
            await Claims.Submission.SubmissionGiven.SetUp(App);
            return () => new StringContent("");
        }, "claims/submission/inbox/check"),
        // Patient balances and Portal's own billing (issue 13)
        ["PostPatientPayment"] = (Users.NorthBiller, async c =>
        {
            coveragePatient = (await RegisteredPatient(c, "IK-20")).Id;
            return () => Json(new Portal.Web.Features.PatientBalances.PostPatientPayment(10m));
        }, "patients/{patientId}/payments"),
        ["AgreePaymentPlan"] = (Users.NorthBiller, async c =>
        {
            coveragePatient = (await RegisteredPatient(c, "IK-21")).Id;
            return () => Json(new Portal.Web.Features.PatientBalances.AgreePaymentPlan(3, new DateOnly(2026, 12, 1), 90m));
        }, "patients/{patientId}/payment-plans"),
        ["StartStatementRun"] = (Users.NorthBiller, _ => Task.FromResult<Func<HttpContent>>(() =>
            Json(new Portal.Web.Features.PatientBalances.StartStatementRun())), "statement-runs"),
        ["SubscribeOrganization"] = (Users.PlatformAdmin, async c =>
        {
            await c.PutAsJsonAsync("/api/v1/platform/billing-plans/ik", new Portal.Web.Features.PatientBalances.Subscriptions.SavePlan("IK", 1m, 0.1m, "claim", "price_a", null, "portal_claims"));
            return () => Json(new Portal.Web.Features.PatientBalances.Subscriptions.Subscribe("ik", "billing@north.example"));
        }, "subscriptions/{organizationId}"),
        ["ReportSubscriptionUsage"] = (Users.PlatformAdmin, async c =>
        {
            await c.PutAsJsonAsync("/api/v1/platform/billing-plans/ik", new Portal.Web.Features.PatientBalances.Subscriptions.SavePlan("IK", 1m, 0.1m, "claim", "price_a", null, "portal_claims"));
            await c.PostAsJsonAsync($"/api/v1/platform/subscriptions/{DemoData.NorthClinic}", new Portal.Web.Features.PatientBalances.Subscriptions.Subscribe("ik", "billing@north.example"));
            return () => Json(new Portal.Web.Features.PatientBalances.Subscriptions.ReportUsage("claim", 5, "2026-12-01"));
        }, "subscriptions/{organizationId}/usage"),
        ["ReportClosedUsage"] = (Users.PlatformAdmin, _ => Task.FromResult<Func<HttpContent>>(() => new StringContent("")), "usage/report"),
    };

    Guid coveragePatient, documentEncounter, claimId, upload, batch, webhook;


    async Task<Func<HttpContent>> ReadyUpload(HttpClient admin, string version)
    {
        var started = await Portal.Tests.Codes.Uploads.Start(admin, "icd10cm", version,
            Portal.Tests.Codes.Uploads.Order(("Q99", '0', "Sample header"), ("Q990", '1', "Sample leaf")));
        upload = (await Portal.Tests.Codes.Uploads.Finished(admin, started)).GetProperty("id").GetGuid();
        return () => new StringContent("");
    }

    public override async ValueTask DisposeAsync()
    {
        await Portal.Tests.Codes.Uploads.CleanUp(App.Services, [("icd10cm", "2072"), ("icd10cm", "2073")]);
        await base.DisposeAsync();
    }


    [Fact]
    public async Task every_operation_marked_idempotent_creates_once_when_sent_twice_with_the_same_key()
    {
        using var http = App.Anonymous();
        var doc = JsonDocument.Parse(await http.GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var marked = new List<(string Id, string Method, string Path)>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        foreach (var op in path.Value.EnumerateObject())
            if (op.Value.TryGetProperty("parameters", out var parameters)
                && parameters.EnumerateArray().Any(p => p.GetProperty("name").GetString() == Key && p.GetProperty("in").GetString() == "header"))
                marked.Add((op.Value.GetProperty("operationId").GetString()!, op.Name, path.Name));

        var cases = Cases();
        Assert.Equal(cases.Keys.Order(), marked.Select(m => m.Id).Order());
        foreach (var (id, method, template) in marked)
        {
            Assert.Equal("post", method);
            await App.ResetAsync();
            var (user, prepare, _) = cases[id];
            var client = await App.ClientFor(user);
            var content = await prepare(client);
            var url = template
                .Replace("{practiceId}", (user == Users.RiversideAdmin ? DemoData.RiversidePediatrics : DemoData.NorthClinic).ToString())
                .Replace("{organizationId}", DemoData.NorthClinic.ToString())
                .Replace("{patientId}", coveragePatient.ToString())
                .Replace("{encounterId}", documentEncounter.ToString())
                .Replace("{claimId}", claimId.ToString())
                .Replace("{system}", "icd10cm")
                .Replace("{id}", (template.Contains("/webhooks/") ? webhook : upload).ToString())
                .Replace("{batchId}", batch.ToString());
            var key = Guid.NewGuid().ToString();

            var first = await client.SendAsync(Post(url, content(), key));
            var firstBody = await first.Content.ReadAsStringAsync();
            Assert.True(first.IsSuccessStatusCode, $"{id}: {(int)first.StatusCode} {firstBody}");
            var second = await client.SendAsync(Post(url, content(), key));
            var secondBody = await second.Content.ReadAsStringAsync();

            Assert.True(first.StatusCode == second.StatusCode, $"{id}: {(int)second.StatusCode} {secondBody}");
            Assert.Equal(firstBody, secondBody);
            Assert.Equal(first.Headers.Location, second.Headers.Location);
            Assert.Equal(first.Headers.ETag?.Tag, second.Headers.ETag?.Tag);
            Assert.Equal(first.Content.Headers.ContentType?.MediaType, second.Content.Headers.ContentType?.MediaType);
            Assert.Equal("true", second.Headers.TryGetValues("Idempotent-Replayed", out var r) ? r.Single() : null);
            Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        }
    }

    [Fact]
    public async Task a_retried_patient_registration_creates_one_patient()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var before = await PatientCount(admin);
        var key = Guid.NewGuid().ToString();
        var first = await admin.SendAsync(Post(North("patients"), Json(Patient("IK-10")), key));
        var again = await admin.SendAsync(Post(North("patients"), Json(Patient("IK-10")), key));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(before + 1, await PatientCount(admin));
        // Without a key the duplicate MRN is refused as before: the key is what makes the retry safe.
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync(North("patients"), Patient("IK-10"))).StatusCode);
    }

    [Fact]
    public async Task the_same_key_with_a_different_body_is_refused_with_422()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var before = await PatientCount(admin);
        var key = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.Created, (await admin.SendAsync(Post(North("patients"), Json(Patient("IK-20")), key))).StatusCode);

        var other = await admin.SendAsync(Post(North("patients"), Json(Patient("IK-21")), key));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        var elsewhere = await admin.SendAsync(Post(North("payers"), Json(new AddPayer("Key Health", "IK002")), key));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, elsewhere.StatusCode);
        Assert.Equal(before + 1, await PatientCount(admin));
    }

    [Fact]
    public async Task two_concurrent_requests_with_one_key_run_once()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var before = await PatientCount(admin);
        var key = Guid.NewGuid().ToString();
        var answers = await Task.WhenAll(Enumerable.Range(0, 6)
            .Select(_ => admin.SendAsync(Post(North("patients"), Json(Patient("IK-30")), key))));

        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.Created);
        foreach (var busy in answers.Where(a => a.StatusCode == HttpStatusCode.Conflict))
        {
            // "in progress" (Retry-After), never the duplicate-MRN conflict that a second execution would give.
            Assert.NotNull(busy.Headers.RetryAfter);
            Assert.Contains("in progress", await busy.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal(before + 1, await PatientCount(admin));
    }

    [Fact]
    public async Task keys_belong_to_one_caller_so_another_practice_never_sees_a_replay()
    {
        var north = await App.ClientFor(Users.NorthAdmin);
        var riverside = await App.ClientFor(Users.RiversideAdmin);
        var key = "shared-key-1";
        var mine = await north.SendAsync(Post(North("patients"), Json(Patient("IK-40")), key));
        var theirs = await riverside.SendAsync(Post(Api(DemoData.RiversidePediatrics, "patients"), Json(Patient("IK-40")), key));

        Assert.Equal(HttpStatusCode.Created, mine.StatusCode);
        Assert.Equal(HttpStatusCode.Created, theirs.StatusCode);
        Assert.False(theirs.Headers.Contains("Idempotent-Replayed"));
        Assert.NotEqual(mine.Headers.Location, theirs.Headers.Location);
    }

    [Fact]
    public async Task a_refused_request_does_not_use_up_its_key()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var key = Guid.NewGuid().ToString();
        var bad = await admin.SendAsync(Post(North("patients"), Json(Patient("IK-50") with { LastName = "" }), key));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var good = await admin.SendAsync(Post(North("patients"), Json(Patient("IK-50")), key));
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
    }

    [Fact]
    public async Task a_malformed_key_is_a_400()
    {
        var admin = await App.ClientFor(Users.NorthAdmin);
        var before = await PatientCount(admin);
        var response = await admin.SendAsync(Post(North("patients"), Json(Patient("IK-60")), new string('k', 256)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await PatientCount(admin));
    }
}
