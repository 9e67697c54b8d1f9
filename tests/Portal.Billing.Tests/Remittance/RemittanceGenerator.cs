using System.Globalization;
using System.Text;

namespace Portal.Billing.Tests.Remittance;

/// <summary>
/// A small hand-rolled generator of balanced 835 files (seeded, so a failing seed replays): claims of 1–4 lines paid,
/// partly paid, denied, sent to deductible, with claim-level adjustments, reversed and re-adjudicated, and PLBs.
/// Also used by the benchmark's shape (infra/bench).
/// </summary>
public sealed class RemittanceGenerator(int seed)
{
    readonly Random random = new(seed);
    static readonly string[] Codes = ["99213", "99214", "17110", "36415", "73721", "93000"];
    static readonly string[] DenialCarcs = ["197", "50", "29", "18", "16", "97"];

    public sealed record GeneratedLine(string Key, decimal Charge);
    public sealed record GeneratedClaim(string Pcn, List<GeneratedLine> Lines) { public decimal Charge => Lines.Sum(l => l.Charge); }

    public List<GeneratedClaim> Claims { get; } = [];

    decimal Money(decimal max) => Math.Round((decimal)random.NextDouble() * max, 2);

    /// <summary>One adjudication of a claim as CLP loop segments (sign -1 for a reversal) and the CLP04.</summary>
    (List<string> Segments, decimal Paid) Adjudicate(GeneratedClaim c, string status, int sign, List<decimal[]> shape)
    {
        var segs = new List<string>();
        decimal claimPaid = 0, pr = 0;
        var lines = new List<string>();
        for (var i = 0; i < c.Lines.Count; i++)
        {
            var l = c.Lines[i];
            var s = shape[i]; // co, pr1, pr2, pr3, oa, pi, paid
            var paid = l.Charge - s[0] - s[1] - s[2] - s[3] - s[4] - s[5];
            claimPaid += paid;
            pr += s[1] + s[2] + s[3];
            lines.Add(F($"SVC*HC:{Codes[i % Codes.Length]}*{sign * l.Charge}*{sign * paid}**{sign}"));
            lines.Add("DTM*472*20250115");
            if (s[0] != 0) lines.Add(F($"CAS*CO*{(status == "4" || paid == 0 && s[0] == l.Charge ? DenialCarcs[i % DenialCarcs.Length] : "45")}*{sign * s[0]}"));
            if (s[1] + s[2] + s[3] != 0) lines.Add(F($"CAS*PR*1*{sign * s[1]}**2*{sign * s[2]}**3*{sign * s[3]}"));
            if (s[4] != 0) lines.Add(F($"CAS*OA*23*{sign * s[4]}"));
            if (s[5] != 0) lines.Add(F($"CAS*PI*253*{sign * s[5]}"));
            lines.Add($"REF*6R*{l.Key}");
        }
        segs.Add(F($"CLP*{c.Pcn}*{status}*{sign * c.Charge}*{sign * claimPaid}*{sign * pr}*12*PCN{c.Pcn}*11*1"));
        segs.Add($"NM1*QC*1*DOE*PAT{c.Pcn}****MI*M{c.Pcn}");
        segs.AddRange(lines);
        return (segs, sign * claimPaid);
    }

    List<decimal[]> Shape(GeneratedClaim c, bool denied)
    {
        var shape = new List<decimal[]>();
        foreach (var l in c.Lines)
        {
            if (denied || random.Next(8) == 0) { shape.Add([l.Charge, 0, 0, 0, 0, 0]); continue; }
            var left = l.Charge;
            decimal Take(decimal max) { var t = Math.Min(left, Money(max)); left -= t; return t; }
            var co = Take(l.Charge / 2);
            decimal[] s = [co, random.Next(3) == 0 ? Take(60) : 0, random.Next(3) == 0 ? Take(30) : 0, random.Next(3) == 0 ? Take(25) : 0,
                random.Next(6) == 0 ? Take(10) : 0, random.Next(6) == 0 ? Take(5) : 0];
            shape.Add(s);
        }
        return shape;
    }

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>A file of one check with <paramref name="claims"/> new claims; reverses and re-adjudicates some claims of earlier files.</summary>
    public string File(int fileNo, int claims, IReadOnlyList<(GeneratedClaim Claim, List<decimal[]> Shape, string Status)> toReverse, out List<(GeneratedClaim, List<decimal[]>, string)> posted)
    {
        posted = [];
        var body = new List<string>();
        decimal total = 0;
        var lx = 0;
        body.Add($"LX*{++lx}");
        for (var n = 0; n < claims; n++)
        {
            var c = new GeneratedClaim($"F{fileNo}C{n}", Enumerable.Range(1, random.Next(1, 5)).Select(i => new GeneratedLine($"F{fileNo}C{n}L{i}", 20 + Money(500))).ToList());
            Claims.Add(c);
            var denied = random.Next(6) == 0;
            var status = denied ? "4" : random.Next(10) == 0 ? "2" : "1";
            var shape = Shape(c, denied);
            var (segs, paid) = Adjudicate(c, status, 1, shape);
            body.AddRange(segs);
            total += paid;
            posted.Add((c, shape, status));
        }
        foreach (var (c, shape, status) in toReverse)
        {
            var (segs, paid) = Adjudicate(c, "22", -1, shape);
            body.AddRange(segs);
            total += paid;
            if (random.Next(2) == 0)
            {
                var again = Shape(c, false);
                (segs, paid) = Adjudicate(c, "1", 1, again);
                body.AddRange(segs);
                total += paid;
                posted.Add((c, again, "1"));
            }
        }
        var plb = new List<string>();
        for (var i = random.Next(3); i > 0; i--)
        {
            var amount = random.Next(3) == 0 ? -Money(20) : Money(40);
            var reason = amount < 0 ? "L6" : random.Next(2) == 0 ? "WO" : "FB";
            plb.Add(F($"PLB*1987654328*20251231*{reason}:REF{fileNo}{i}*{amount}"));
            total -= amount;
        }
        body.AddRange(plb);
        var sb = new StringBuilder();
        var segments = new List<string>
        {
            F($"ST*835*{fileNo:0000}"),
            F($"BPR*{(total == 0 ? "H" : "I")}*{Math.Abs(total)}*{(total < 0 ? "D" : "C")}*{(total == 0 ? "NON" : "ACH")}*CCP*01*999999999*DA*1*1999999999**01*888888888*DA*2*20250301"),
            F($"TRN*1*EFT{seed}X{fileNo}*1999999999"),
            "N1*PR*ACME HEALTH PLAN", "N1*PE*MAPLE MEDICAL GROUP PC*XX*1987654328",
        };
        segments.AddRange(body);
        segments.Add(F($"SE*{segments.Count + 1}*{fileNo:0000}"));
        sb.Append(F($"ISA*00*          *00*          *ZZ*ACMEHP         *ZZ*SUNRISEBILL    *250210*0800*^*00501*{fileNo:000000000}*0*P*:~\n"));
        sb.Append(F($"GS*HP*ACMEHP*SUNRISEBILL*20250210*0800*{fileNo}*X*005010X221A1~\n"));
        foreach (var s in segments) sb.Append(s).Append("~\n");
        sb.Append(F($"GE*1*{fileNo}~\nIEA*1*{fileNo:000000000}~\n"));
        return sb.ToString();
    }
}
