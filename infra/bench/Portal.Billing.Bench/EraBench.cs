using System.Diagnostics;
using System.Globalization;
using System.Text;
using Portal.Billing.Remittance;

namespace Portal.Billing.Bench;

/// <summary>
/// The 835 target of issue 12: parse + balance + posting math of an 835 with 5,000 claims in &lt; 3 s CPU on 2 cores.
/// Writes a balanced file (3 lines a claim, CO/PR/OA adjustments, every 10th claim denied, every 25th reversed and
/// re-adjudicated, PLBs) for node-x12 to parse too (infra/bench/node-x12).
///   dotnet run -c Release --project infra/bench/Portal.Billing.Bench -- era [workdir] [claims]
/// </summary>
public static class EraBench
{
    public static void Run(string work, int claims)
    {
        Directory.CreateDirectory(work);
        var path = Path.Combine(work, $"era-{claims}.835");
        File.WriteAllText(path, Write(claims));
        var bytes = File.ReadAllBytes(path);
        Console.WriteLine($"835 bench: {Environment.ProcessorCount} CPUs, .NET {Environment.Version}; {path}: {bytes.Length / 1e6:F1} MB, {claims:N0} claims");
        var rules = DenialRules.Default();
        Era era = null!;
        RemittancePosting posting = null!;
        IReadOnlyList<ClaimCandidate> candidates = [];
        for (var round = 0; round <= 3; round++)
        {
            var label = round == 0 ? "warm-up (JIT, not a target)" : $"round {round}";
            var parse = Measure(() => era = EraReader.Read(new StreamReader(new MemoryStream(bytes))));
            candidates = era.Payments.SelectMany(p => p.Claims).DistinctBy(c => c.PatientControlNumber)
                .Select(c => new ClaimCandidate("id-" + c.PatientControlNumber, "pt-" + c.PatientControlNumber, c.PatientControlNumber, null, Math.Abs(c.Charge), null)).ToList();
            var balance = Measure(() => { if (Balancing.Check(era).Any(i => i.Refuses)) throw new InvalidOperationException("bench file does not balance"); });
            var post = Measure(() => posting = Posting.Post(era, RemittanceKeys.FileHash(bytes), candidates, rules));
            var ledger = Measure(() => Ledger.Fold(posting.Entries));
            var total = parse + balance + post;
            Console.WriteLine($"{label}: parse {parse.TotalMilliseconds:F0} ms, balance {balance.TotalMilliseconds:F0} ms, post (incl. hash, match, balance again) {post.TotalMilliseconds:F0} ms = {total.TotalMilliseconds:F0} ms CPU; ledger fold {ledger.TotalMilliseconds:F0} ms; {posting.Entries.Count():N0} entries, {posting.Claims.Sum(c => c.Denials.Count):N0} denials");
        }
    }

    static TimeSpan Measure(Action action)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        action();
        process.Refresh();
        return process.TotalProcessorTime - cpu;
    }

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    public static string Write(int claims)
    {
        var random = new Random(835);
        var body = new List<string>();
        decimal total = 0;
        string[] codes = ["99213", "99214", "17110", "36415", "73721", "93000"];
        for (var n = 0; n < claims; n++)
        {
            if (n % 100 == 0) body.Add(F($"LX*{n / 100 + 1}"));
            var pcn = F($"BENCH-{n:000000}");
            var lines = Enumerable.Range(0, 3).Select(i => (Code: codes[(n + i) % codes.Length], Charge: 50m + random.Next(0, 45000) / 100m)).ToList();
            var denied = n % 10 == 0;
            void Claim(string status, int sign)
            {
                var segs = new List<string>();
                decimal paid = 0, pr = 0;
                foreach (var (l, i) in lines.Select((l, i) => (l, i)))
                {
                    var co = denied ? l.Charge : Math.Round(l.Charge * 0.3m, 2);
                    var ded = denied ? 0 : Math.Round(l.Charge * 0.1m, 2);
                    var coins = denied ? 0 : Math.Round(l.Charge * 0.05m, 2);
                    var linePaid = l.Charge - co - ded - coins;
                    paid += linePaid; pr += ded + coins;
                    segs.Add(F($"SVC*HC:{l.Code}:25*{sign * l.Charge}*{sign * linePaid}**{sign}"));
                    segs.Add("DTM*472*20250115");
                    segs.Add(F($"CAS*CO*{(denied ? "197" : "45")}*{sign * co}"));
                    if (!denied) segs.Add(F($"CAS*PR*1*{sign * ded}**2*{sign * coins}"));
                    segs.Add(F($"REF*6R*{pcn}L{i + 1}"));
                    if (!denied) segs.Add(F($"AMT*B6*{sign * (linePaid + ded + coins)}"));
                    if (denied) segs.Add("LQ*HE*M62");
                }
                var charge = lines.Sum(l => l.Charge);
                body.Add(F($"CLP*{pcn}*{status}*{sign * charge}*{sign * paid}*{sign * pr}*12*PAYER{n:0000000}*11*1"));
                body.Add(F($"NM1*QC*1*DOE*PATIENT{n}****MI*M{n:00000000}"));
                body.Add(F($"NM1*82*1*RIVERA*ANA****XX*1555123458"));
                body.Add("DTM*050*20250117");
                body.AddRange(segs);
                total += sign * paid;
            }
            if (n % 25 == 1) { Claim("22", -1); Claim("1", 1); } else Claim(denied ? "4" : "1", 1);
        }
        var plb = new List<string>();
        for (var i = 0; i < 20; i++) { var a = i % 4 == 0 ? -3.5m : 25m; plb.Add(F($"PLB*1987654328*20251231*{(a < 0 ? "L6" : "WO")}:REF{i}*{a}")); total -= a; }
        body.AddRange(plb);
        var segments = new List<string>
        {
            "ST*835*0001",
            F($"BPR*I*{total}*C*ACH*CCP*01*999999999*DA*1*1999999999**01*888888888*DA*2*20250301"),
            "TRN*1*EFTBENCH0001*1999999999", "DTM*405*20250228",
            "N1*PR*ACME HEALTH PLAN", "N3*PO BOX 1000", "N4*METROPOLIS*IL*606010000", "PER*BL*EDI SUPPORT*TE*5555550199",
            "N1*PE*MAPLE MEDICAL GROUP PC*XX*1987654328", "REF*TJ*991234567",
        };
        segments.AddRange(body);
        segments.Add(F($"SE*{segments.Count + 1}*0001"));
        var sb = new StringBuilder();
        sb.Append("ISA*00*          *00*          *ZZ*ACMEHP         *ZZ*SUNRISEBILL    *250210*0800*^*00501*000000001*0*P*:~\n");
        sb.Append("GS*HP*ACMEHP*SUNRISEBILL*20250210*0800*1*X*005010X221A1~\n");
        foreach (var s in segments) sb.Append(s).Append("~\n");
        sb.Append("GE*1*1~\nIEA*1*000000001~\n");
        return sb.ToString();
    }
}
