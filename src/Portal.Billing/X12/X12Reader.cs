using System.Globalization;
using System.Text;

namespace Portal.Billing.X12;

/// <summary>A refused X12 file: the segment (1-based, ISA = 1) and the character position where it starts (1-based).</summary>
public sealed class X12Rejected(int segment, long position, string reason)
    : Exception($"Segment {segment} (character {position}): {reason}")
{
    public int Segment { get; } = segment;
    public long Position { get; } = position;
    public string Reason { get; } = reason;
}

public sealed record X12Segment(int Number, long Position, string[] Elements)
{
    public string Id => Elements[0];
    public string this[int index] => index < Elements.Length ? Elements[index] : "";
    public int? Int(int index) => this[index] is { Length: > 0 } v && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}

/// <summary>
/// Splits an interchange into segments with the delimiters its ISA declares (element = 4th character, component =
/// ISA16, segment terminator = the character after it), tolerating CR/LF between segments, and checks the envelope:
/// ISA13 = IEA02, GS06 = GE02, ST02 = SE02, SE01 = segments ST..SE, GE01 = sets, IEA01 = groups. Anything else —
/// a cut file, a count that does not add up, a segment outside its envelope — is refused with segment and position.
/// </summary>
public static class X12Reader
{
    public static (Separators Separators, List<X12Segment> Segments) ReadEnvelope(TextReader reader)
    {
        var segments = new List<X12Segment>();
        var first = reader.Read();
        long position = 1;
        while (first is ' ' or '\r' or '\n' or '\t' or '\uFEFF') { first = reader.Read(); position++; }
        if (first == -1) throw new X12Rejected(1, 1, "The file is empty.");
        var isa = new char[106];
        isa[0] = (char)first;
        var got = 1 + reader.ReadBlock(isa, 1, 105);
        if (got < 106 || isa[0] != 'I' || isa[1] != 'S' || isa[2] != 'A')
            throw new X12Rejected(1, position, got < 106 ? "The file ends inside the ISA segment (an ISA is 106 characters)." : "The file does not start with an ISA segment.");
        var sep = new Separators(isa[3], isa[104], isa[82], isa[105]);
        if (char.IsLetterOrDigit(sep.Element) || char.IsLetterOrDigit(sep.Segment) || sep.Element == sep.Segment)
            throw new X12Rejected(1, position, "The ISA does not declare usable delimiters.");
        var isaElements = new string(isa, 0, 105).Split(sep.Element);
        if (isaElements.Length != 17) throw new X12Rejected(1, position, $"The ISA has {isaElements.Length - 1} elements; it must have 16 and be 106 characters long.");
        segments.Add(new X12Segment(1, position, isaElements));
        position += 106;

        var text = new StringBuilder(256);
        var number = 1;
        long start = position;
        int c;
        while ((c = reader.Read()) != -1)
        {
            position++;
            if (c == sep.Segment)
            {
                number++;
                segments.Add(new X12Segment(number, start, text.ToString().Split(sep.Element)));
                text.Clear();
                start = position;
                continue;
            }
            if (text.Length == 0 && c is '\r' or '\n') { start = position; continue; }
            text.Append((char)c);
        }
        if (text.ToString().Trim().Length > 0)
            throw new X12Rejected(number + 1, start, $"The file ends inside a segment ('{Truncate(text.ToString())}' has no terminator '{sep.Segment}'): it was cut.");
        CheckEnvelope(segments);
        return (sep, segments);
    }

    static string Truncate(string s) => s.Length > 20 ? s[..20] + "…" : s;

    static void CheckEnvelope(List<X12Segment> s)
    {
        var last = s[^1];
        if (last.Id != "IEA") throw new X12Rejected(last.Number, last.Position, $"The interchange ends with {last.Id}, not IEA: the file was cut.");
        if (last[2] != s[0][13]) throw new X12Rejected(last.Number, last.Position, $"IEA02 {last[2]} does not match ISA13 {s[0][13]}.");
        var groups = 0;
        var i = 1;
        while (i < s.Count - 1)
        {
            var gs = s[i];
            if (gs.Id != "GS") throw new X12Rejected(gs.Number, gs.Position, $"Expected GS, found {gs.Id}.");
            groups++;
            i++;
            var sets = 0;
            while (i < s.Count && s[i].Id == "ST")
            {
                var st = s[i];
                var end = i + 1;
                while (end < s.Count && s[end].Id is not ("SE" or "ST" or "GE" or "IEA")) end++;
                if (end >= s.Count || s[end].Id != "SE") throw new X12Rejected(st.Number, st.Position, $"Transaction set {st[2]} has no SE.");
                var se = s[end];
                if (se.Int(1) != end - i + 1) throw new X12Rejected(se.Number, se.Position, $"SE01 says {se[1]} segments; ST..SE has {end - i + 1}.");
                if (se[2] != st[2]) throw new X12Rejected(se.Number, se.Position, $"SE02 {se[2]} does not match ST02 {st[2]}.");
                sets++;
                i = end + 1;
            }
            if (i >= s.Count || s[i].Id != "GE") throw new X12Rejected(i < s.Count ? s[i].Number : last.Number, i < s.Count ? s[i].Position : last.Position, "Expected ST or GE.");
            var ge = s[i];
            if (ge.Int(1) != sets) throw new X12Rejected(ge.Number, ge.Position, $"GE01 says {ge[1]} transaction sets; the group has {sets}.");
            if (ge[2] != gs[6]) throw new X12Rejected(ge.Number, ge.Position, $"GE02 {ge[2]} does not match GS06 {gs[6]}.");
            i++;
        }
        if (last.Int(1) != groups) throw new X12Rejected(last.Number, last.Position, $"IEA01 says {last[1]} groups; the interchange has {groups}.");
    }

    internal static DateOnly? Date(X12Segment s, int index)
    {
        var v = s[index];
        if (v.Length == 0) return null;
        return DateOnly.TryParseExact(v, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d : throw new X12Rejected(s.Number, s.Position, $"{s.Id}{index:D2} '{v}' is not a CCYYMMDD date.");
    }

    internal static decimal? Amount(X12Segment s, int index)
    {
        var v = s[index];
        if (v.Length == 0) return null;
        return decimal.TryParse(v, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d)
            ? d : throw new X12Rejected(s.Number, s.Position, $"{s.Id}{index:D2} '{v}' is not an amount.");
    }

    internal static int Count(X12Segment s, int index) =>
        s.Int(index) ?? throw new X12Rejected(s.Number, s.Position, $"{s.Id}{index:D2} '{s[index]}' is not a count.");

    internal static void Expect(X12Segment s, string id, string what)
    {
        if (s.Id != id) throw new X12Rejected(s.Number, s.Position, $"Expected {id} ({what}), found {s.Id}.");
    }
}
