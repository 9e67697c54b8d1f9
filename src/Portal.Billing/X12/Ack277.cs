namespace Portal.Billing.X12;

/// <summary>
/// A 277CA claim acknowledgment (005010X214): the source (payer or clearinghouse, HL 20), the receiver's totals for
/// the batch (HL 21: QTY*90 accepted / QTY*AA rejected, AMT*YU / AMT*YY), and the status of each claim (HL PT), matched
/// to our claims by the patient control number (TRN*2 = CLM01) with the payer's claim number (REF*1K) when accepted.
/// </summary>
public sealed record Ack277(string InterchangeControl, string SourceName, string? SourceId, string? BatchTrace,
    Ack277Totals Totals, IReadOnlyList<ClaimAcknowledgment> Claims);

public sealed record Ack277Totals(int? Accepted, int? Rejected, decimal? AcceptedAmount, decimal? RejectedAmount, IReadOnlyList<ClaimStatusInfo> Statuses);

public enum AckOutcome { Accepted, Rejected, Pending }

public sealed record ClaimAcknowledgment(string PatientControlNumber, string? PayerClaimNumber, string? BillingProviderNpi,
    string? PatientLastName, string? PatientFirstName, string? MemberId, decimal? Charge, DateOnly? ServiceFrom, DateOnly? ServiceTo,
    IReadOnlyList<ClaimStatusInfo> Statuses, IReadOnlyList<LineAcknowledgment> Lines)
{
    /// <summary>Rejected when any status is in A3 (returned as unprocessable), A4 (not found), A6/A7/A8 (missing / invalid / relational data).</summary>
    public AckOutcome Outcome =>
        Statuses.Any(s => s.Category is "A3" or "A4" or "A6" or "A7" or "A8") || Lines.Any(l => l.Statuses.Any(s => s.Category is "A3" or "A6" or "A7" or "A8"))
            ? AckOutcome.Rejected
            : Statuses.Any(s => s.Category is "A1" or "A2" or "A0" or "A5") ? AckOutcome.Accepted : AckOutcome.Pending;

    /// <summary>The reasons in plain words, for the biller's work queue.</summary>
    public string Summary => string.Join("; ", Statuses.Concat(Lines.SelectMany(l => l.Statuses)).Select(s => s.Message).Distinct());
}

public sealed record LineAcknowledgment(string? LineId, string Procedure, decimal? Charge, IReadOnlyList<ClaimStatusInfo> Statuses);

/// <summary>One STC composite: category (A1, A2, A3…), status code, entity (85 billing provider, IL subscriber…), plus the
/// segment's date, action (WQ accepted, U rejected) and amount.</summary>
public sealed record ClaimStatusInfo(string Category, string Status, string? Entity, string Message, DateOnly? Date, string? Action, decimal? Amount);

public static class Ack277Reader
{
    public static Ack277 Read(TextReader reader)
    {
        var (sep, s) = X12Reader.ReadEnvelope(reader);
        string? sourceName = null, sourceId = null, batchTrace = null;
        int? accepted = null, rejected = null;
        decimal? acceptedAmount = null, rejectedAmount = null;
        var receiverStatuses = new List<ClaimStatusInfo>();
        var claims = new List<ClaimAcknowledgment>();
        var levels = new Dictionary<string, string>();
        string level = "";
        string? providerNpi = null;
        ClaimBuilder? claim = null;
        LineBuilder? line = null;
        var sawSt = false;

        void Flush()
        {
            if (claim is null) return;
            claim.Flush(line);
            line = null;
            if (claim.Pcn is null) throw new X12Rejected(claim.Hl.Number, claim.Hl.Position, "A patient-level HL has no TRN*2 with the patient control number.");
            claims.Add(claim.Build());
            claim = null;
        }

        for (var i = 1; i < s.Count - 1; i++)
        {
            var x = s[i];
            switch (x.Id)
            {
                case "GS":
                    if (x[1] != "HN") throw new X12Rejected(x.Number, x.Position, $"GS01 is {x[1]}; a 277CA is in an HN group.");
                    break;
                case "ST":
                    if (x[1] != "277") throw new X12Rejected(x.Number, x.Position, $"ST01 is {x[1]}, not 277.");
                    sawSt = true;
                    break;
                case "BHT":
                    if (x[1] != "0085") throw new X12Rejected(x.Number, x.Position, $"BHT01 is {x[1]}; a 277CA has 0085.");
                    break;
                case "HL":
                    Flush();
                    level = x[3];
                    if (x[2].Length > 0 && !levels.ContainsKey(x[2])) throw new X12Rejected(x.Number, x.Position, $"HL02 {x[2]} names no earlier HL.");
                    if (level is not ("20" or "21" or "19" or "PT")) throw new X12Rejected(x.Number, x.Position, $"HL03 {level} is not a 277CA level (20, 21, 19, PT).");
                    levels[x[1]] = level;
                    if (level == "19") providerNpi = null;
                    if (level == "PT") claim = new ClaimBuilder(x, providerNpi);
                    break;
                case "NM1":
                    if (level == "20") { sourceName = x[3]; sourceId = x[9].Length > 0 ? x[9] : null; }
                    else if (level == "19") providerNpi = x[9].Length > 0 ? x[9] : null;
                    else if (level == "PT" && claim is not null) { claim.Last = x[3]; claim.First = x[4].Length > 0 ? x[4] : null; claim.MemberId = x[9].Length > 0 ? x[9] : null; }
                    break;
                case "TRN":
                    if (level == "21") batchTrace = x[2];
                    else if (level == "PT" && claim is not null) claim.Pcn = x[2];
                    break;
                case "STC":
                    var statuses = Stc(x, sep);
                    if (line is not null) line.Statuses.AddRange(statuses);
                    else if (claim is not null) claim.Statuses.AddRange(statuses);
                    else if (level == "21") receiverStatuses.AddRange(statuses);
                    break;
                case "QTY" when level == "21":
                    if (x[1] == "90") accepted = X12Reader.Count(x, 2);
                    else if (x[1] == "AA") rejected = X12Reader.Count(x, 2);
                    break;
                case "AMT" when level == "21":
                    if (x[1] == "YU") acceptedAmount = X12Reader.Amount(x, 2);
                    else if (x[1] == "YY") rejectedAmount = X12Reader.Amount(x, 2);
                    break;
                case "REF" when claim is not null:
                    if (line is not null && x[1] == "FJ") line.LineId = x[2];
                    else if (x[1] == "1K") claim.PayerClaimNumber = x[2];
                    break;
                case "DTP" when claim is not null && x[1] == "472":
                    var (from, to) = Dates(x);
                    if (line is null) { claim.From = from; claim.To = to; }
                    break;
                case "SVC" when claim is not null:
                    claim.Flush(line);
                    line = new LineBuilder(x[1].Replace(sep.Component, ' ').Trim(), X12Reader.Amount(x, 2));
                    break;
                case "SE":
                    Flush();
                    level = "";
                    break;
            }
            if (claim is not null && x.Id == "STC" && line is null && claim.Charge is null) claim.Charge = X12Reader.Amount(x, 4);
        }
        if (!sawSt) throw new X12Rejected(s[^1].Number, s[^1].Position, "The interchange holds no 277 transaction set.");
        return new Ack277(s[0][13], sourceName ?? "", sourceId, batchTrace,
            new Ack277Totals(accepted, rejected, acceptedAmount, rejectedAmount, receiverStatuses), claims);
    }

    static (DateOnly? From, DateOnly? To) Dates(X12Segment x)
    {
        if (x[2] == "RD8")
        {
            var parts = x[3].Split('-');
            var span = new X12Segment(x.Number, x.Position, ["DTP", parts[0], parts.Length > 1 ? parts[1] : ""]);
            return (X12Reader.Date(span, 1), X12Reader.Date(span, 2));
        }
        var d = X12Reader.Date(x, 3);
        return (d, d);
    }

    static List<ClaimStatusInfo> Stc(X12Segment x, Separators sep)
    {
        var date = X12Reader.Date(x, 2);
        var action = x[3].Length > 0 ? x[3] : null;
        var amount = X12Reader.Amount(x, 4);
        var list = new List<ClaimStatusInfo>();
        foreach (var index in new[] { 1, 10, 11 })
        {
            if (x[index].Length == 0) { if (index == 1) throw new X12Rejected(x.Number, x.Position, "STC01 (category:status) is missing."); continue; }
            var c = x[index].Split(sep.Component);
            var category = c[0];
            var status = c.Length > 1 ? c[1] : "";
            var entity = c.Length > 2 && c[2].Length > 0 ? c[2] : null;
            list.Add(new ClaimStatusInfo(category, status, entity, ClaimStatusCodes.Describe(category, status, entity), date, action, amount));
        }
        return list;
    }

    sealed class ClaimBuilder(X12Segment hl, string? providerNpi)
    {
        public X12Segment Hl { get; } = hl;
        public string? Pcn, PayerClaimNumber, Last, First, MemberId;
        public decimal? Charge;
        public DateOnly? From, To;
        public List<ClaimStatusInfo> Statuses { get; } = [];
        readonly List<LineAcknowledgment> _lines = [];

        public void Flush(LineBuilder? line)
        {
            if (line is not null) _lines.Add(new LineAcknowledgment(line.LineId, line.Procedure, line.Charge, line.Statuses));
        }

        public ClaimAcknowledgment Build() => new(Pcn!, PayerClaimNumber, providerNpi, Last, First, MemberId, Charge, From, To, Statuses, _lines);
    }

    sealed class LineBuilder(string procedure, decimal? charge)
    {
        public string Procedure { get; } = procedure;
        public decimal? Charge { get; } = charge;
        public string? LineId;
        public List<ClaimStatusInfo> Statuses { get; } = [];
    }
}

/// <summary>Plain words for the claim status category codes and the common claim status codes (X12 code lists).</summary>
public static class ClaimStatusCodes
{
    public static readonly IReadOnlyDictionary<string, string> Categories = new Dictionary<string, string>
    {
        ["A0"] = "Forwarded to another entity", ["A1"] = "Received", ["A2"] = "Accepted into adjudication",
        ["A3"] = "Returned as unprocessable", ["A4"] = "Not found", ["A5"] = "Split: accepted into adjudication as several claims",
        ["A6"] = "Rejected for missing information", ["A7"] = "Rejected for invalid information",
        ["A8"] = "Rejected for relational field in error",
        ["P0"] = "Pending: adjudication or details in process", ["P1"] = "Pending: in process", ["P2"] = "Pending: payer review",
        ["P3"] = "Pending: provider requested information", ["P4"] = "Pending: patient requested information", ["P5"] = "Pending: payer administrative or system hold",
        ["F0"] = "Finalized", ["F1"] = "Finalized: payment", ["F2"] = "Finalized: denial", ["F3"] = "Finalized: revised", ["F4"] = "Finalized: no payment forthcoming",
        ["E0"] = "Response not possible: error on the submitted request", ["E1"] = "Response not possible: system status",
    };

    public static readonly IReadOnlyDictionary<string, string> Statuses = new Dictionary<string, string>
    {
        ["0"] = "Cannot provide further status electronically", ["1"] = "For more detailed information, see the remittance advice",
        ["3"] = "Claim has been adjudicated and is awaiting the payment cycle", ["15"] = "Requested information was not provided or was insufficient",
        ["16"] = "Claim has been forwarded to the entity", ["19"] = "The entity acknowledges receipt of the claim",
        ["20"] = "Accepted for processing", ["21"] = "Missing or invalid information", ["23"] = "Returned to the entity",
        ["24"] = "Entity not approved as an electronic submitter", ["26"] = "Entity not found",
        ["29"] = "Subscriber and policy number do not match", ["30"] = "Subscriber and subscriber id do not match",
        ["33"] = "Subscriber and subscriber id not found", ["35"] = "Claim not found", ["97"] = "Patient eligibility not found with the entity",
        ["116"] = "Claim submitted to the wrong payer", ["128"] = "Entity's tax id", ["153"] = "Entity's id number",
        ["164"] = "Entity's contract/member number", ["178"] = "Submitted charges", ["187"] = "Date(s) of service",
        ["255"] = "Diagnosis code(s) for the services rendered", ["400"] = "Claim is out of balance",
        ["454"] = "Procedure code for the services rendered", ["562"] = "Entity's National Provider Identifier (NPI)",
    };

    public static readonly IReadOnlyDictionary<string, string> Entities = new Dictionary<string, string>
    {
        ["PR"] = "payer", ["41"] = "submitter", ["40"] = "receiver", ["85"] = "billing provider", ["82"] = "rendering provider",
        ["DN"] = "referring provider", ["IL"] = "subscriber", ["QC"] = "patient", ["87"] = "pay-to provider",
    };

    public static string Describe(string category, string status, string? entity)
    {
        var what = Categories.TryGetValue(category, out var c) ? c : $"Status category {category}";
        var detail = Statuses.TryGetValue(status, out var s) ? s : status.Length > 0 ? $"status code {status}" : null;
        var who = entity is null ? null : Entities.TryGetValue(entity, out var e) ? e : $"entity {entity}";
        return detail is null ? what : who is null ? $"{what}: {detail}" : $"{what}: {detail} ({who})";
    }
}
