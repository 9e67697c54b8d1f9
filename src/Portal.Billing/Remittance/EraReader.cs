using System.Globalization;

namespace Portal.Billing.Remittance;

/// <summary>
/// Reads an 835 005010X221A1 file, all or nothing: the whole <see cref="Era"/> or a <see cref="RemittanceRejected"/>
/// with the segment number and position of the first problem. The text is streamed (one segment in memory at a time
/// besides the records already built). Truncated files (no IEA, a segment without terminator, SE/GE/IEA counts that do
/// not match), foreign files (not X12, another transaction such as an 837, another guide) and malformed segments
/// (amounts, dates, group codes, segments out of place) are refused.
/// </summary>
public static class EraReader
{
    public const string Guide = "005010X221A1";

    static readonly HashSet<string> Groups = ["CO", "PR", "OA", "PI", "CR"];

    public static Era Read(TextReader text)
    {
        using var segments = SegmentReader.Read(text).GetEnumerator();
        var state = new State(segments);
        return state.Interchange();
    }

    sealed class State(IEnumerator<Segment> segments)
    {
        Segment? peeked;
        Segment last = null!;
        Separators sep = null!;

        Segment? Peek()
        {
            if (peeked is null && segments.MoveNext()) peeked = segments.Current;
            return peeked;
        }

        Segment Next(string expected)
        {
            var s = Peek() ?? throw new RemittanceRejected(last.Number + 1, last.Position, $"the file is cut short: expected {expected} after segment {last.Number} ({last.Id}).");
            peeked = null;
            last = s;
            return s;
        }

        bool At(string id) => Peek()?.Id == id;
        bool At(string id, string first) => Peek() is { } s && s.Id == id && s[1] == first;

        static RemittanceRejected Refuse(Segment s, string reason) => new(s.Number, s.Position, $"{s.Id}: {reason}");

        Segment Expect(string id, string what)
        {
            var s = Next(id);
            if (s.Id != id) throw Refuse(s, $"expected {id} ({what}) here.");
            return s;
        }

        public Era Interchange()
        {
            var isa = Next("ISA");
            var comp = isa[16];
            sep = new Separators('*', comp.Length == 1 ? comp[0] : ':', '^', '~');
            if (isa[12] != "00501") throw Refuse(isa, $"ISA12 version '{isa[12]}' is not 00501 (5010).");
            var payments = new List<EraPayment>();
            var groups = 0;
            while (At("GS"))
            {
                var gs = Next("GS");
                groups++;
                if (gs[1] != "HP") throw Refuse(gs, $"functional group '{gs[1]}' is not HP (health care claim payment/advice): this is not an 835 file.");
                if (!gs[8].StartsWith("005010X221", StringComparison.Ordinal))
                    throw Refuse(gs, $"GS08 '{gs[8]}' is not the 835 guide {Guide}.");
                var sets = 0;
                while (At("ST"))
                {
                    payments.Add(Transaction());
                    sets++;
                }
                var ge = Expect("GE", "functional group trailer");
                if (Int(ge, 1, "GE01") != sets) throw Refuse(ge, $"GE01 says {ge[1]} transaction sets; the group has {sets} (file cut or spliced).");
                if (ge[2] != gs[6]) throw Refuse(ge, $"GE02 '{ge[2]}' does not match GS06 '{gs[6]}'.");
            }
            if (groups == 0)
            {
                var s = Next("GS");
                throw Refuse(s, "expected GS (functional group header) here.");
            }
            var iea = Expect("IEA", "interchange trailer");
            if (Int(iea, 1, "IEA01") != groups) throw Refuse(iea, $"IEA01 says {iea[1]} functional groups; the interchange has {groups}.");
            if (iea[2] != isa[13]) throw Refuse(iea, $"IEA02 '{iea[2]}' does not match ISA13 '{isa[13]}'.");
            if (Peek() is { } extra) throw Refuse(extra, "segments after IEA (the interchange trailer).");
            return new Era(isa[6].Trim(), isa[8].Trim(), isa[13], isa[15] == "P", payments);
        }

        EraPayment Transaction()
        {
            var st = Next("ST");
            if (st[1] != "835") throw Refuse(st, $"transaction set '{st[1]}' is not an 835 (health care claim payment/advice).");
            var bpr = Expect("BPR", "financial information");
            var amount = Amount(bpr, 2, "BPR02");
            if (bpr[3] is not ("C" or "D")) throw Refuse(bpr, $"BPR03 '{bpr[3]}' must be C (credit) or D (debit).");
            if (bpr[4] is not ("ACH" or "CHK" or "BOP" or "FWT" or "NON")) throw Refuse(bpr, $"BPR04 '{bpr[4]}' is not a payment method (ACH, CHK, BOP, FWT, NON).");
            var effective = Date(bpr, 16, "BPR16", required: true);
            var trn = Expect("TRN", "reassociation trace number");
            if (trn[2].Length == 0) throw Refuse(trn, "TRN02 (check or EFT trace number) is empty.");
            DateOnly? production = null;
            while (Peek() is { Id: "CUR" or "REF" or "DTM" } h)
            {
                Next(h.Id);
                if (h.Id == "DTM" && h[1] == "405") production = Date(h, 2, "DTM02", required: true);
            }
            if (!At("N1", "PR")) throw Refuse(Next("N1*PR"), "expected N1*PR (payer identification) here.");
            var payer = Party();
            if (!At("N1", "PE")) throw Refuse(Next("N1*PE"), "expected N1*PE (payee identification) here.");
            var payee = Party();
            var claims = new List<EraClaim>();
            while (At("LX"))
            {
                var lx = Next("LX");
                var header = Int(lx, 1, "LX01");
                while (Peek() is { Id: "TS3" or "TS2" } t) Next(t.Id);
                if (!At("CLP")) throw Refuse(Next("CLP"), "expected CLP (claim payment information) after LX.");
                while (At("CLP")) claims.Add(Claim(header));
            }
            if (At("CLP")) throw Refuse(Next("CLP"), "CLP before any LX (header number).");
            var plbs = new List<ProviderAdjustment>();
            while (At("PLB"))
            {
                var plb = Next("PLB");
                if (plb[1].Length == 0) throw Refuse(plb, "PLB01 (provider identifier) is empty.");
                var period = Date(plb, 2, "PLB02", required: true);
                for (var i = 3; i < plb.Count; i += 2)
                {
                    if (plb[i].Length == 0 && plb[i + 1].Length == 0) continue;
                    var parts = plb[i].Split(sep.Component);
                    if (parts[0].Length == 0) throw Refuse(plb, $"PLB{i:00}: adjustment reason code is empty.");
                    plbs.Add(new ProviderAdjustment(plb.Number, plb[1], period, parts[0], parts.Length > 1 ? parts[1] : "", Amount(plb, i + 1, $"PLB{i + 1:00}")));
                }
                if (plbs.Count == 0 || plbs[^1].Segment != plb.Number) throw Refuse(plb, "PLB has no adjustment (PLB03/PLB04).");
            }
            var se = Next("SE");
            if (se.Id != "SE") throw Refuse(se, $"segment {se.Id} does not belong here in an 835 (expected LX, CLP, PLB or SE).");
            var count = se.Number - st.Number + 1;
            if (Int(se, 1, "SE01") != count) throw Refuse(se, $"SE01 says {se[1]} segments; the transaction has {count} (file cut or spliced).");
            if (se[2] != st[2]) throw Refuse(se, $"SE02 '{se[2]}' does not match ST02 '{st[2]}'.");
            return new EraPayment(st[2], st.Number, bpr[1], amount, bpr[3], bpr[4], bpr[5], effective, trn[2], trn[3], production, payer, payee, claims, plbs);
        }

        EraParty Party()
        {
            var n1 = Next("N1");
            var refs = new List<EraReference>();
            while (Peek() is { Id: "N3" or "N4" or "REF" or "PER" or "RDM" } s)
            {
                Next(s.Id);
                if (s.Id == "REF") refs.Add(new EraReference(s[1], s[2]));
            }
            return new EraParty(n1[2], n1[3], n1[4], refs);
        }

        EraClaim Claim(int header)
        {
            var clp = Next("CLP");
            if (clp[1].Length == 0) throw Refuse(clp, "CLP01 (patient control number) is empty.");
            if (clp[2] is not ("1" or "2" or "3" or "4" or "19" or "20" or "21" or "22" or "23" or "25"))
                throw Refuse(clp, $"CLP02 '{clp[2]}' is not a claim status code (1, 2, 3, 4, 19, 20, 21, 22, 23, 25).");
            var charge = Amount(clp, 3, "CLP03");
            var paid = Amount(clp, 4, "CLP04");
            decimal? pr = clp[5].Length == 0 ? null : Amount(clp, 5, "CLP05");
            var adjustments = new List<Adjustment>();
            var names = new List<EraName>();
            var mia = new List<string>();
            var moa = new List<string>();
            var refs = new List<EraReference>();
            var amounts = new Dictionary<string, decimal>();
            var quantities = new Dictionary<string, decimal>();
            DateOnly? from = null, to = null, received = null;
            var lines = new List<EraServiceLine>();
            while (Peek() is { } s && s.Id is "CAS" or "NM1" or "MIA" or "MOA" or "REF" or "DTM" or "PER" or "AMT" or "QTY")
            {
                Next(s.Id);
                switch (s.Id)
                {
                    case "CAS": Cas(s, adjustments); break;
                    case "NM1":
                        if (s[1] is not ("QC" or "IL" or "74" or "82" or "TT" or "PR" or "GB"))
                            throw Refuse(s, $"NM101 '{s[1]}' is not a claim-level entity (QC, IL, 74, 82, TT, PR, GB).");
                        names.Add(new EraName(s[1], s[3], s[4], s[5], s[8], s[9]));
                        break;
                    case "MIA": mia.AddRange(Elements(s)); break;
                    case "MOA": moa.AddRange(Elements(s)); break;
                    case "REF": refs.Add(new EraReference(s[1], s[2])); break;
                    case "DTM":
                        var d = Date(s, 2, "DTM02", required: true);
                        if (s[1] == "232") from = d; else if (s[1] == "233") to = d; else if (s[1] == "050") received = d;
                        break;
                    case "AMT": amounts[s[1]] = amounts.GetValueOrDefault(s[1]) + Amount(s, 2, "AMT02"); break;
                    case "QTY": quantities[s[1]] = quantities.GetValueOrDefault(s[1]) + Amount(s, 2, "QTY02"); break;
                }
            }
            while (At("SVC")) lines.Add(Line());
            return new EraClaim(clp.Number, header, clp[1], clp[2], charge, paid, pr, clp[6], clp[7], clp[8], clp[9],
                adjustments, names, mia, moa, refs, from, to, received, amounts, quantities, lines);
        }

        EraServiceLine Line()
        {
            var svc = Next("SVC");
            var procedure = Composite(svc, 1, "SVC01") ?? throw Refuse(svc, "SVC01 (procedure) is empty.");
            var charge = Amount(svc, 2, "SVC02");
            var paid = Amount(svc, 3, "SVC03");
            decimal? units = svc[5].Length == 0 ? null : Amount(svc, 5, "SVC05");
            var original = Composite(svc, 6, "SVC06");
            decimal? originalUnits = svc[7].Length == 0 ? null : Amount(svc, 7, "SVC07");
            var adjustments = new List<Adjustment>();
            var refs = new List<EraReference>();
            var amounts = new Dictionary<string, decimal>();
            var quantities = new Dictionary<string, decimal>();
            var remarks = new List<string>();
            DateOnly? from = null, to = null;
            while (Peek() is { } s && s.Id is "DTM" or "CAS" or "REF" or "AMT" or "QTY" or "LQ")
            {
                Next(s.Id);
                switch (s.Id)
                {
                    case "DTM":
                        var d = Date(s, 2, "DTM02", required: true);
                        if (s[1] == "472") from = to = d;
                        else if (s[1] == "150") from = d;
                        else if (s[1] == "151") to = d;
                        else throw Refuse(s, $"DTM01 '{s[1]}' is not a service date qualifier (472, 150, 151).");
                        break;
                    case "CAS": Cas(s, adjustments); break;
                    case "REF": refs.Add(new EraReference(s[1], s[2])); break;
                    case "AMT": amounts[s[1]] = amounts.GetValueOrDefault(s[1]) + Amount(s, 2, "AMT02"); break;
                    case "QTY": quantities[s[1]] = quantities.GetValueOrDefault(s[1]) + Amount(s, 2, "QTY02"); break;
                    case "LQ":
                        if (s[2].Length == 0) throw Refuse(s, "LQ02 (remark code) is empty.");
                        remarks.Add(s[2]);
                        break;
                }
            }
            return new EraServiceLine(svc.Number, procedure, charge, paid, svc[4], units, original, originalUnits, from, to, adjustments, refs, amounts, quantities, remarks);
        }

        void Cas(Segment s, List<Adjustment> into)
        {
            if (!Groups.Contains(s[1])) throw Refuse(s, $"CAS01 '{s[1]}' is not a claim adjustment group (CO, PR, OA, PI, CR).");
            var before = into.Count;
            for (var i = 2; i <= 17; i += 3)
            {
                if (s[i].Length == 0 && s[i + 1].Length == 0) continue;
                if (s[i].Length == 0) throw Refuse(s, $"CAS{i:00} (reason code) is empty but its amount is not.");
                into.Add(new Adjustment(s[1], s[i], Amount(s, i + 1, $"CAS{i + 1:00}"), s[i + 2].Length == 0 ? null : Amount(s, i + 2, $"CAS{i + 2:00}")));
            }
            if (s.Count > 20) throw Refuse(s, "more than six reason/amount/quantity triplets.");
            if (into.Count == before) throw Refuse(s, "no adjustment (CAS02/CAS03).");
        }

        Procedure? Composite(Segment s, int n, string name)
        {
            if (s[n].Length == 0) return null;
            var parts = s[n].Split(sep.Component);
            if (parts.Length < 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw Refuse(s, $"{name} '{s[n]}' is not a procedure (qualifier{sep.Component}code{sep.Component}modifiers).");
            return new Procedure(parts[0], parts[1], parts.Skip(2).Take(4).Where(m => m.Length > 0).ToArray());
        }

        static IEnumerable<string> Elements(Segment s)
        {
            for (var i = 1; i < s.Count; i++) yield return s[i];
        }

        static decimal Amount(Segment s, int n, string name)
        {
            var v = s[n];
            if (v.Length == 0) throw Refuse(s, $"{name} (amount) is empty.");
            if (v.Length > 18 || !decimal.TryParse(v, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d))
                throw Refuse(s, $"{name} '{v}' is not an amount.");
            return d;
        }

        static int Int(Segment s, int n, string name) =>
            int.TryParse(s[n], NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : throw Refuse(s, $"{name} '{s[n]}' is not a number.");

        static DateOnly? Date(Segment s, int n, string name, bool required)
        {
            var v = s[n];
            if (v.Length == 0) return required ? throw Refuse(s, $"{name} (date) is empty.") : null;
            return DateOnly.TryParseExact(v, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? d : throw Refuse(s, $"{name} '{v}' is not a date (CCYYMMDD).");
        }
    }
}
