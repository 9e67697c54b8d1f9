using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Claims.Submission;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;

namespace Portal.Tests.Claims.Submission;

/// <summary>
/// Claims for the submission tests, written straight to the claim streams (ClaimCreated + ClaimMarkedReady) in the practice's
/// tenant: the claims core builds the real creation path; here we only need ready claims, their patients and a billing profile.
/// </summary>
public static class SubmissionGiven
{
    public static readonly Guid PayerA = Guid.Parse("0197b000-0000-7000-8000-00000000a001");
    public static readonly Guid PayerB = Guid.Parse("0197b000-0000-7000-8000-00000000b002");
    public static readonly Guid PayerC = Guid.Parse("0197b000-0000-7000-8000-00000000c003");

    public static string Api(Guid practice, string path) => $"/api/v1/practices/{practice}/claims/submission/{path}";
    public static string North(string path) => Api(DemoData.NorthClinic, path);

    public static ClaimCoverage Coverage(Guid payerId, string relationship = "Self", string subscriber = "Tess Tester") =>
        new(Guid.NewGuid(), payerId, PayerName(payerId), PayerCode(payerId), "W" + payerId.ToString("N")[^6..] + "01", subscriber, relationship, "GRP100", "P");

    public static string PayerName(Guid payerId) => payerId == PayerA ? "Acme Health Plan" : payerId == PayerB ? "Blue Test Shield" : "Care Mutual";
    public static string PayerLetter(Guid payerId) => payerId == PayerA ? "A" : payerId == PayerB ? "B" : "C";
    public static string PayerCode(Guid payerId) => payerId == PayerA ? "ACME1" : payerId == PayerB ? "BLUE2" : "CARE3";

    public static ClaimLine[] Lines(int count, DateOnly dos) => [.. Enumerable.Range(1, count).Select(i =>
        new ClaimLine(i, i % 2 == 1 ? "99213" : "36415", i == 1 ? ["25"] : [], 1, i % 2 == 1 ? 125m : 12.5m, [1], dos))];

    public static async Task BillingProfile(PortalApp app, Guid practice)
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().LightweightSession(practice.ToString());
        session.Store(new BillingProfile(practice, "North Clinic Family Medicine PC", "1987654328", "99-1234567", "207Q00000X",
            "100 Main Street", null, "Springfield", "IL", "627011234", "Claims Desk", "555-555-0100"));
        await session.SaveChangesAsync();
    }

    public sealed record Seeded(Guid ClaimId, string Pcn, Guid PatientId);

    /// <summary>Ready claims, one patient each, in the practice's tenant. Pcn prefix keeps them unique within a test.</summary>
    public static async Task<IReadOnlyList<Seeded>> ReadyClaims(PortalApp app, Guid practice, Guid payerId, int count, string prefix = "T",
        int lines = 2, Func<Seeded, ClaimCreated, ClaimCreated>? shape = null)
    {
        var store = app.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.LightweightSession(practice.ToString());
        var now = DateTimeOffset.UtcNow;
        var dos = new DateOnly(2026, 11, 2);
        var list = new List<Seeded>();
        for (var i = 0; i < count; i++)
        {
            var patientId = Guid.CreateVersion7();
            var claimId = Guid.CreateVersion7();
            var pcn = $"{prefix}{PayerLetter(payerId)}{i + 1:D4}";
            session.Events.StartStream<Patient>(patientId, new PatientRegistered(patientId, $"MRN-{pcn}",
                new Demographics("Tess", $"Tester{i}", new DateOnly(1980, 4, 12), Sex.Female, new Address("12 Elm St", null, "Springfield", "IL", "62701"), "555-0100"),
                "test", now));
            var seeded = new Seeded(claimId, pcn, patientId);
            var created = new ClaimCreated(claimId, Guid.NewGuid(), patientId, $"Tester{i}, Tess", $"MRN-{pcn}", pcn, Coverage(payerId),
                new ClaimProviderRef(Guid.NewGuid(), "North Clinic Family Medicine PC", "1987654328", "207Q00000X"),
                new ClaimProviderRef(Guid.NewGuid(), "Dr. Noah Park", "1234567893", "207Q00000X"), null, dos, "11", null,
                [new ClaimDiagnosis(1, "I10"), new ClaimDiagnosis(2, "E11.9")], Lines(lines, dos), "1", null, null, "test", "test", now);
            if (shape is not null) created = shape(seeded, created);
            session.Events.StartStream<ClaimView>(claimId, created, new ClaimMarkedReady(claimId, "test", now));
            list.Add(seeded);
        }
        await session.SaveChangesAsync();
        return list;
    }

    public static object PartnerSettings(TransportKind transport = TransportKind.Outbox, BatchGrouping grouping = BatchGrouping.Payer, SftpAccount? sftp = null,
        string usage = "T") => new
        {
            submitterName = "North Clinic Billing", submitterId = "NORTHCLINIC01", contactName = "Claims Desk", contactPhone = "555-555-0100",
            receiverName = "Clearing House One", receiverId = "CLEARHOUSE01", clearinghouseName = "Clearing House One", usage,
            senderQualifier = "ZZ", receiverQualifier = "ZZ", grouping = grouping.ToString(), transport = transport.ToString(), sftp,
        };

    public static async Task<HttpResponseMessage> PutSettings(HttpClient admin, object settings, Guid? practice = null) =>
        await admin.PutAsJsonAsync(Api(practice ?? DemoData.NorthClinic, "settings"), settings);

    /// <summary>Trading-partner settings + billing profile: what a practice needs before its first batch.</summary>
    public static async Task SetUp(PortalApp app, object? settings = null)
    {
        var admin = await app.ClientFor(Users.NorthAdmin);
        var response = await PutSettings(admin, settings ?? PartnerSettings());
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await BillingProfile(app, DemoData.NorthClinic);
    }

    public static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    public static async Task<JsonElement[]> CreateBatches(HttpClient client, object? body = null)
    {
        var response = await client.PostAsJsonAsync(North("batches"), body ?? new { });
        return [.. (await Json(response, HttpStatusCode.Created)).EnumerateArray()];
    }

    /// <summary>
    /// Batch requests sent at once: each is 201 with its batches or 422 (nothing left to batch). Returns the batches created and
    /// the claims in them, after checking that no interchange control number was handed out twice.
    /// </summary>
    public static async Task<(List<JsonElement> Batches, List<string> ClaimIds)> BatchesAtOnce(HttpClient client, params object[] bodies)
    {
        var runs = await Task.WhenAll(bodies.Select(body => client.PostAsJsonAsync(North("batches"), body)));
        var batches = new List<JsonElement>();
        foreach (var run in runs)
            if (run.StatusCode == HttpStatusCode.Created) batches.AddRange((await Json(run, HttpStatusCode.Created)).EnumerateArray());
            else Assert.Equal(HttpStatusCode.UnprocessableEntity, run.StatusCode);
        var numbers = batches.Select(x => x.GetProperty("interchangeControlNumber").GetString()).ToList();
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        var claimIds = new List<string>();
        foreach (var batch in batches)
            claimIds.AddRange((await Batch(client, batch.GetProperty("id").GetString()!)).GetProperty("claims").EnumerateArray()
                .Select(c => c.GetProperty("claimId").GetString()!));
        return (batches, claimIds);
    }

    public static async Task<JsonElement> Batch(HttpClient client, string batchId) =>
        await Json(await client.GetAsync(North($"batches/{batchId}")), HttpStatusCode.OK);

    public static async Task<HttpResponseMessage> Import(HttpClient client, string x12)
    {
        var content = new StringContent(x12, Encoding.ASCII);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/edi-x12");
        return await client.PostAsync(North("acknowledgements"), content);
    }
}

/// <summary>Acknowledgements as clearinghouses send them (005010X231A1 999, 005010X214 277CA), with correct counts.</summary>
public static class Acks
{
    static string Isa(string icn, string sender = "CLEARHOUSE01", string receiver = "NORTHCLINIC01") =>
        $"ISA*00*          *00*          *ZZ*{sender,-15}*ZZ*{receiver,-15}*261203*0900*^*00501*{icn}*0*T*:~";

    static string Envelope(string gs01, string version, string icn, string set, List<string> body, string sender = "CLEARHOUSE01")
    {
        var segments = new List<string> { $"ST*{set}*0001*{version}" };
        segments.AddRange(body);
        segments.Add($"SE*{segments.Count + 1}*0001");
        var gs06 = int.Parse(icn, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        return Isa(icn, sender) + $"GS*{gs01}*{sender}*NORTHCLINIC01*20261203*0900*{gs06}*X*{version}~" + string.Join("", segments.Select(s => s + "~"))
            + $"GE*1*{gs06}~IEA*1*{icn}~";
    }

    /// <summary>A 999 for one batch: A accepted, R rejected (with an N4 element error), E accepted with errors.</summary>
    public static string Ack999(string groupControl, string setControl, string status, string icn = "000000901")
    {
        var body = new List<string> { $"AK1*HC*{groupControl}*005010X222A1", $"AK2*837*{setControl}*005010X222A1" };
        if (status == "R") body.AddRange(["IK3*N4*12*2010AA*8", "IK4*2*156*7*ILL"]);
        body.Add(status == "R" ? "IK5*R*I5" : $"IK5*{status}");
        body.Add($"AK9*{status}*1*1*{(status == "R" ? 0 : 1)}");
        return Envelope("FA", "005010X231A1", icn, "999", body);
    }

    /// <summary>Rejection: the STC01 composite of a rejected claim (category:status[:entity]); the default is the rendering NPI.</summary>
    public sealed record ClaimStatus(string Pcn, bool Accepted, decimal Charge = 137.5m, string? PayerClaimNumber = null, string Rejection = "A7:562:82");

    /// <summary>A 277CA from <paramref name="sourceId"/> (the clearinghouse's id, or the payer's for a payer's 277CA) for claims of a batch.</summary>
    public static string Ack277(string? batchReference, IEnumerable<ClaimStatus> claims, string sourceId = "CLEARHOUSE01", string icn = "000000277")
    {
        var list = claims.ToList();
        var body = new List<string>
        {
            "BHT*0085*08*277CA0001*20261203*0900*TH", "HL*1**20*1", $"NM1*PR*2*SOURCE*****PI*{sourceId}", "TRN*1*277CA0001",
            "DTP*050*D8*20261203", "DTP*009*D8*20261203", "HL*2*1*21*1", "NM1*41*2*NORTH CLINIC BILLING*****46*NORTHCLINIC01",
        };
        if (batchReference is not null) body.Add($"TRN*2*{batchReference}");
        body.AddRange([$"STC*A1:19:PR*20261203*WQ*{list.Sum(c => c.Charge).ToString(CultureInfo.InvariantCulture)}",
            $"QTY*90*{list.Count(c => c.Accepted)}", $"QTY*AA*{list.Count(c => !c.Accepted)}", "HL*3*2*19*1", "NM1*85*2*NORTH CLINIC*****XX*1987654328"]);
        var hl = 3;
        foreach (var c in list)
        {
            body.Add($"HL*{++hl}*3*PT");
            body.Add("NM1*QC*1*TESTER*TESS****MI*W00000101");
            body.Add($"TRN*2*{c.Pcn}");
            var charge = c.Charge.ToString(CultureInfo.InvariantCulture);
            body.Add(c.Accepted ? $"STC*A2:20:PR*20261203*WQ*{charge}" : $"STC*{c.Rejection}*20261203*U*{charge}");
            if (c.PayerClaimNumber is not null) body.Add($"REF*1K*{c.PayerClaimNumber}");
            body.Add("DTP*472*D8*20261102");
        }
        return Envelope("HN", "005010X214", icn, "277", body, sourceId == "CLEARHOUSE01" ? "CLEARHOUSE01" : sourceId);
    }

    /// <summary>A small 835 remittance: not claim submission's, the inbox must leave it alone.</summary>
    public static string Remit835() =>
        Isa("000000835", "ACME1") + "GS*HP*ACME1*NORTHCLINIC01*20261203*0900*835*X*005010X221A1~ST*835*0001*005010X221A1~" +
        "BPR*I*100*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20261203~TRN*1*12345*1512345678~" +
        "N1*PR*ACME HEALTH PLAN~N1*PE*NORTH CLINIC*XX*1987654328~SE*6*0001~GE*1*835~IEA*1*000000835~";
}

/// <summary>tests/Portal.Billing.Tests/x12/validate-837p.js (node-x12 + the implementation guide tables), shared with the billing tests.</summary>
public static class Validator837
{
    static readonly string Directory = typeof(Validator837).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "X12ValidatorDirectory").Value!;

    public static void AssertValid(string x12)
    {
        var path = Path.Combine(Path.GetTempPath(), $"portal-web-837p-{Guid.NewGuid():N}.x12");
        File.WriteAllText(path, x12);
        try
        {
            var start = new ProcessStartInfo("node", ["validate-837p.js", path])
            {
                WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"validate-837p.js rejected the file:\n{output}\n{x12.Replace("~", "~\n", StringComparison.Ordinal)}");
        }
        finally { File.Delete(path); }
    }
}
