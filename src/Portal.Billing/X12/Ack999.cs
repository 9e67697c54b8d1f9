namespace Portal.Billing.X12;

/// <summary>A 999 implementation acknowledgment (005010X231A1): per group (AK1/AK9) and per transaction set (AK2/IK5).</summary>
public sealed record Ack999(string InterchangeControl, string SenderId, string ReceiverId, IReadOnlyList<Ack999Group> Groups);

/// <summary>AK1 (the acknowledged group: GS01, GS06, GS08) and AK9 (A accepted, E accepted with errors, P partially accepted, R rejected).</summary>
public sealed record Ack999Group(string FunctionalId, string GroupControl, string? Version, IReadOnlyList<Ack999Set> Sets,
    string Status, string StatusText, int SetsIncluded, int SetsReceived, int SetsAccepted, IReadOnlyList<AckCode> Errors);

/// <summary>AK2 (ST01, ST02, ST03 of the acknowledged set), its IK3/IK4 errors and IK5 (A, E, R; error codes).</summary>
public sealed record Ack999Set(string SetId, string ControlNumber, string? Implementation, IReadOnlyList<SegmentError> SegmentErrors,
    string Status, string StatusText, IReadOnlyList<AckCode> Errors)
{
    public bool Accepted => Status is "A" or "E";
}

/// <summary>IK3: the segment (id, position in the set counting ST as 1, loop) and the IK304 code; IK4 element errors; CTX context.</summary>
public sealed record SegmentError(string SegmentId, int Position, string? Loop, AckCode? Error, IReadOnlyList<ElementError> Elements, IReadOnlyList<string> Context);

/// <summary>IK4: element position (IK401: element, component, repetition), data element reference number, code, the bad value.</summary>
public sealed record ElementError(string Position, string? Reference, AckCode Error, string? BadValue);

public sealed record AckCode(string Code, string Message);

public static class Ack999Reader
{
    public static Ack999 Read(TextReader reader)
    {
        var (sep, s) = X12Reader.ReadEnvelope(reader);
        var groups = new List<Ack999Group>();
        var i = 1;
        while (i < s.Count - 1)
        {
            var gs = s[i++];
            if (gs[1] != "FA") throw new X12Rejected(gs.Number, gs.Position, $"GS01 is {gs[1]}; a 999 is in an FA group.");
            while (s[i].Id == "ST")
            {
                var st = s[i++];
                if (st[1] != "999") throw new X12Rejected(st.Number, st.Position, $"ST01 is {st[1]}, not 999.");
                X12Reader.Expect(s[i], "AK1", "functional group response header");
                var ak1 = s[i++];
                var sets = new List<Ack999Set>();
                while (s[i].Id == "AK2")
                {
                    var ak2 = s[i++];
                    var errors = new List<SegmentError>();
                    while (s[i].Id == "IK3")
                    {
                        var ik3 = s[i++];
                        var context = new List<string>();
                        var elements = new List<ElementError>();
                        while (s[i].Id is "CTX" or "IK4")
                        {
                            var x = s[i++];
                            if (x.Id == "CTX") { context.Add(string.Join(sep.Element, x.Elements.Skip(1))); continue; }
                            elements.Add(new ElementError(x[1].Replace(sep.Component, '.'), NullIfEmpty(x[2]), Code(x, 3, ElementCodes), NullIfEmpty(x[4])));
                            while (s[i].Id == "CTX") { context.Add(string.Join(sep.Element, s[i].Elements.Skip(1))); i++; }
                        }
                        errors.Add(new SegmentError(ik3[1], ik3.Int(2) ?? throw new X12Rejected(ik3.Number, ik3.Position, "IK302 (segment position) is missing."),
                            NullIfEmpty(ik3[3]), ik3[4].Length > 0 ? Code(ik3, 4, SegmentCodes) : null, elements, context));
                    }
                    X12Reader.Expect(s[i], "IK5", "transaction set response trailer");
                    var ik5 = s[i++];
                    sets.Add(new Ack999Set(ak2[1], ak2[2], NullIfEmpty(ak2[3]), errors, Status(ik5, 1, "AER"), StatusText(ik5[1]),
                        Enumerable.Range(2, 5).Where(k => ik5[k].Length > 0).Select(k => Code(ik5, k, SetCodes)).ToList()));
                }
                X12Reader.Expect(s[i], "AK9", "functional group response trailer");
                var ak9 = s[i++];
                groups.Add(new Ack999Group(ak1[1], ak1[2], NullIfEmpty(ak1[3]), sets, Status(ak9, 1, "AEPR"), StatusText(ak9[1]),
                    X12Reader.Count(ak9, 2), X12Reader.Count(ak9, 3), X12Reader.Count(ak9, 4),
                    Enumerable.Range(5, 5).Where(k => ak9[k].Length > 0).Select(k => Code(ak9, k, GroupCodes)).ToList()));
                if (X12Reader.Count(ak9, 2) != sets.Count)
                    throw new X12Rejected(ak9.Number, ak9.Position, $"AK902 says {ak9[2]} sets were included; the 999 acknowledges {sets.Count}.");
                X12Reader.Expect(s[i], "SE", "transaction set trailer");
                i++;
            }
            X12Reader.Expect(s[i], "GE", "group trailer");
            i++;
        }
        return new Ack999(s[0][13], s[0][6].Trim(), s[0][8].Trim(), groups);
    }

    static string? NullIfEmpty(string v) => v.Length == 0 ? null : v;

    static string Status(X12Segment s, int index, string allowed) =>
        s[index] is { Length: 1 } v && allowed.Contains(v[0]) ? v : throw new X12Rejected(s.Number, s.Position, $"{s.Id}{index:D2} '{s[index]}' is not one of {string.Join(", ", allowed.ToCharArray())}.");

    static AckCode Code(X12Segment s, int index, IReadOnlyDictionary<string, string> messages) =>
        new(s[index], messages.TryGetValue(s[index], out var m) ? m : $"code {s[index]} (see the 999 implementation guide)");

    public static string StatusText(string status) => status switch
    {
        "A" => "Accepted",
        "E" => "Accepted, but errors were noted",
        "P" => "Partially accepted: at least one transaction set was rejected",
        "R" => "Rejected: none of its claims arrived",
        _ => status,
    };

    static readonly Dictionary<string, string> SegmentCodes = new()
    {
        ["1"] = "Unrecognized segment ID", ["2"] = "Unexpected segment", ["3"] = "Required segment missing",
        ["4"] = "Loop occurs over maximum times", ["5"] = "Segment exceeds maximum use", ["6"] = "Segment not in defined transaction set",
        ["7"] = "Segment not in proper sequence", ["8"] = "Segment has data element errors",
        ["I4"] = "Implementation \"not used\" segment present", ["I6"] = "Implementation dependent segment missing",
        ["I7"] = "Implementation loop occurs under minimum times", ["I8"] = "Implementation segment below minimum use",
        ["I9"] = "Implementation dependent \"not used\" segment present",
    };

    static readonly Dictionary<string, string> ElementCodes = new()
    {
        ["1"] = "Required data element missing", ["2"] = "Conditional required data element missing", ["3"] = "Too many data elements",
        ["4"] = "Data element too short", ["5"] = "Data element too long", ["6"] = "Invalid character in data element",
        ["7"] = "Invalid code value", ["8"] = "Invalid date", ["9"] = "Invalid time", ["10"] = "Exclusion condition violated",
        ["12"] = "Too many repetitions", ["13"] = "Too many components",
        ["I6"] = "Code value not used in implementation", ["I9"] = "Implementation dependent data element missing",
        ["I10"] = "Implementation \"not used\" data element present", ["I11"] = "Implementation too few repetitions",
        ["I12"] = "Implementation pattern match failure", ["I13"] = "Implementation dependent \"not used\" data element present",
    };

    static readonly Dictionary<string, string> SetCodes = new()
    {
        ["1"] = "Transaction set not supported", ["2"] = "Transaction set trailer missing",
        ["3"] = "Transaction set control number in header and trailer do not match", ["4"] = "Number of included segments does not match actual count",
        ["5"] = "One or more segments in error", ["6"] = "Missing or invalid transaction set identifier",
        ["7"] = "Missing or invalid transaction set control number", ["23"] = "Transaction set control number not unique within the functional group",
        ["I5"] = "Implementation: one or more segments in error", ["I6"] = "Implementation convention not supported",
    };

    static readonly Dictionary<string, string> GroupCodes = new()
    {
        ["1"] = "Functional group not supported", ["2"] = "Functional group version not supported", ["3"] = "Functional group trailer missing",
        ["4"] = "Group control number in the functional group header and trailer do not agree",
        ["5"] = "Number of included transaction sets does not match actual count", ["6"] = "Group control number violates syntax",
    };
}
