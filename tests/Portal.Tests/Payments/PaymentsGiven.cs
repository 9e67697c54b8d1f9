using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Claims;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Payments;

namespace Portal.Tests.Payments;

public sealed record Cas(string Group, string Carc, decimal Amount);

/// <summary>One 835 service line: paid = charge − Σ CAS, so it always balances.</summary>
public sealed record Svc(string Code, decimal Charge, Cas[] Adjustments, string[]? Remarks = null)
{
    public decimal Paid => Charge - Adjustments.Sum(a => a.Amount);
    public static Svc Of(string code, decimal charge, params Cas[] cas) => new(code, charge, cas);
}

/// <summary>One CLP: charge and paid are the lines' sums; a reversal (CLP02 = 22) negates every amount.</summary>
public sealed record Clp(string Pcn, string Status, Svc[] Lines, string? PayerClaimNumber = null)
{
    public bool Reversal => Status == "22";
    int Sign => Reversal ? -1 : 1;
    public decimal Charge => Sign * Lines.Sum(l => l.Charge);
    public decimal Paid => Sign * Lines.Sum(l => l.Paid);
    public decimal PatientShare => Sign * Lines.SelectMany(l => l.Adjustments).Where(a => a.Group == "PR").Sum(a => a.Amount);

    public IEnumerable<string> Segments(DateOnly dos)
    {
        yield return F($"CLP*{Pcn}*{Status}*{Charge}*{Paid}*{PatientShare}*12*{PayerClaimNumber ?? "PCN" + Pcn}*11*1");
        yield return $"NM1*QC*1*DOE*PAT{Pcn}****MI*M{Pcn}";
        foreach (var l in Lines)
        {
            yield return F($"SVC*HC:{l.Code}*{Sign * l.Charge}*{Sign * l.Paid}**1");
            yield return F($"DTM*472*{dos:yyyyMMdd}");
            foreach (var a in l.Adjustments) yield return F($"CAS*{a.Group}*{a.Carc}*{Sign * a.Amount}");
            foreach (var r in l.Remarks ?? []) yield return $"LQ*HE*{r}";
        }
    }

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A balanced 835 built from claims and PLBs: BPR02 = Σ CLP04 − Σ PLB.</summary>
public sealed record Remit(string Trace, Clp[] Claims, (string Reason, string Reference, decimal Amount)[]? Plb = null, string PayeeNpi = PaymentsGiven.Npi,
    string PayerId = "ACME01", DateOnly? Date = null, DateOnly? Dos = null, decimal? OverrideTotal = null)
{
    public decimal Total => OverrideTotal ?? Claims.Sum(c => c.Paid) - (Plb ?? []).Sum(p => p.Amount);

    public string Text()
    {
        var date = Date ?? new DateOnly(2026, 3, 16);
        var dos = Dos ?? PaymentsGiven.Dos;
        var body = new List<string>
        {
            "ST*835*0001",
            F($"BPR*{(Total == 0 ? "H" : "I")}*{Math.Abs(Total)}*{(Total < 0 ? "D" : "C")}*{(Total == 0 ? "NON" : "ACH")}*CCP*01*999999999*DA*1*1999999999**01*888888888*DA*2*{date:yyyyMMdd}"),
            $"TRN*1*{Trace}*1999999999",
            $"N1*PR*ACME HEALTH PLAN*XV*{PayerId}",
            $"N1*PE*NORTH CLINIC*XX*{PayeeNpi}",
            "LX*1",
        };
        foreach (var c in Claims) body.AddRange(c.Segments(dos));
        foreach (var p in Plb ?? []) body.Add(F($"PLB*{PayeeNpi}*20261231*{p.Reason}:{p.Reference}*{p.Amount}"));
        body.Add($"SE*{body.Count + 1}*0001");
        var sb = new StringBuilder();
        sb.Append("ISA*00*          *00*          *ZZ*ACMEHP         *ZZ*NORTHCLINIC    *260316*0800*^*00501*000000001*0*P*:~\n");
        sb.Append("GS*HP*ACMEHP*NORTHCLINIC*20260316*0800*1*X*005010X221A1~\n");
        foreach (var s in body) sb.Append(s).Append("~\n");
        sb.Append("GE*1*1~\nIEA*1*000000001~\n");
        return sb.ToString();
    }

    public byte[] Bytes() => Encoding.ASCII.GetBytes(Text());

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

public static class PaymentsGiven
{
    public const string Npi = "1987654328";
    public static readonly DateOnly Dos = new(2026, 3, 2);
    public static readonly Guid AcmePayer = Guid.Parse("0197b000-0000-7000-8000-0000000000a1");

    public static string Api(string path) => $"/api/v1/practices/{DemoData.NorthClinic}/{path}";

    /// <summary>
    /// A submitted claim of North Clinic, made by appending the claims feature's events to a new claim stream (the claims
    /// engineer's pages are not needed to test posting).
    /// </summary>
    public static async Task<Guid> SubmittedClaim(PortalApp app, string pcn, params (string Code, decimal Charge)[] lines) =>
        await SubmittedClaim(app, pcn, Dos, lines);

    public static async Task<Guid> SubmittedClaim(PortalApp app, string pcn, DateOnly dos, params (string Code, decimal Charge)[] lines)
    {
        var store = app.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.LightweightSession(DemoData.NorthClinic.ToString());
        var id = Guid.CreateVersion7();
        var at = new DateTimeOffset(dos.AddDays(2).ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
        var provider = new ClaimProviderRef(Guid.NewGuid(), "North Clinic", Npi, "207Q00000X");
        session.Events.StartStream<ClaimView>(id,
            new ClaimCreated(id, Guid.NewGuid(), Guid.NewGuid(), "Pat " + pcn, "MRN-" + pcn, pcn,
                new ClaimCoverage(Guid.NewGuid(), AcmePayer, "Acme Health Plan", "ACME01", "M" + pcn, "Pat " + pcn, "18", null, "P"),
                provider, provider, null, dos, "11", null, [new ClaimDiagnosis(1, "I10")],
                [.. lines.Select((l, i) => new ClaimLine(i + 1, l.Code, [], 1, l.Charge, [1], dos))], "1", null, null, "test", "test", at),
            new ClaimBatched(id, Guid.NewGuid(), "000000001", "1", "0001", "test", at));
        await session.SaveChangesAsync();
        return id;
    }

    public static HttpRequestMessage Upload(Remit remit, string? idempotencyKey = null) => Upload(remit.Bytes(), idempotencyKey);

    public static HttpRequestMessage Upload(byte[] bytes, string? idempotencyKey = null)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/edi-x12");
        var request = new HttpRequestMessage(HttpMethod.Post, Api("remittances")) { Content = content };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    public static async Task<EraImportResult> Import(HttpClient client, Remit remit, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await client.SendAsync(Upload(remit));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return System.Text.Json.JsonSerializer.Deserialize<EraImportResult>(body, Json)!;
    }

    public static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public static async Task<LedgerBalance> ClaimBalance(HttpClient client, Guid claim) =>
        (await client.GetItemsAsync<LedgerBalance>(Api($"ar/ledger?account=claim&id={claim}"), Json))!.Single();

    public static async Task<ClaimView> Claim(PortalApp app, Guid id)
    {
        await using var q = app.Services.GetRequiredService<IDocumentStore>().QuerySession(DemoData.NorthClinic.ToString());
        return (await q.LoadAsync<ClaimView>(id))!;
    }
}
