using System.Text;

namespace Portal.Billing.Remittance;

/// <summary>
/// An 835 that cannot be read or does not balance: the segment number (1-based, ISA = 1) and the character position
/// (0-based offset from the start of the file) of the first thing that did not fit. Thrown before anything is returned,
/// so a caller never holds half a file.
/// </summary>
public sealed class RemittanceRejected(int segment, long position, string reason)
    : Exception($"Segment {segment} (character {position}): {reason}")
{
    public int Segment { get; } = segment;
    public long Position { get; } = position;
    public string Reason { get; } = reason;
}

/// <summary>One X12 segment: its number in the file, where it starts, its id and its elements (index 0 = the id).</summary>
public sealed class Segment(int number, long position, string[] elements)
{
    public int Number { get; } = number;
    public long Position { get; } = position;
    public string Id => elements[0];
    public int Count => elements.Length;

    /// <summary>Element n (1-based as in the implementation guide, BPR02 = this[2]); "" when absent.</summary>
    public string this[int n] => n < elements.Length ? elements[n] : "";
}

/// <summary>The separators an interchange declares in its ISA (fixed width: 106 characters).</summary>
public sealed record Separators(char Element, char Component, char Repetition, char Segment);

/// <summary>
/// A small X12 segment tokenizer for the 835 reader (the 837P/999/277CA side has its own in X12/; the lead will unify
/// them). Streams the text: separators come from the ISA, line breaks after a segment terminator are ignored.
/// </summary>
public static class SegmentReader
{
    public static IEnumerable<Segment> Read(TextReader reader, Action<Separators>? onSeparators = null)
    {
        var isa = new char[106];
        var got = 0;
        var skipped = 0L;
        // Leading whitespace or a byte-order mark is tolerated; anything else before ISA is a foreign file.
        while (got == 0)
        {
            var c = ReadChar(reader, skipped);
            if (c < 0) throw new RemittanceRejected(1, skipped, "the file is empty: an 835 starts with an ISA segment.");
            if (c is '\uFEFF' or ' ' or '\r' or '\n' or '\t') { skipped++; continue; }
            isa[got++] = (char)c;
        }
        while (got < 106)
        {
            var n = ReadChars(reader, isa, got, 106 - got, 1, skipped + got);
            if (n <= 0) break;
            got += n;
        }
        if (got < 3 || isa[0] != 'I' || isa[1] != 'S' || isa[2] != 'A')
            throw new RemittanceRejected(1, skipped, "not an X12 interchange: the file does not start with ISA.");
        if (got < 106) throw new RemittanceRejected(1, skipped, "the file is cut short inside the ISA segment (106 characters).");
        var element = isa[3];
        var separators = new Separators(element, isa[104], isa[82], isa[105]);
        if (char.IsLetterOrDigit(separators.Segment) || separators.Segment == element || char.IsLetterOrDigit(element))
            throw new RemittanceRejected(1, skipped, "the ISA segment is malformed: its separators cannot be read (ISA is fixed width, 106 characters).");
        var isaElements = new string(isa, 0, 105).Split(element);
        if (isaElements.Length != 17)
            throw new RemittanceRejected(1, skipped, $"the ISA segment has {isaElements.Length - 1} elements; it must have 16 (fixed width).");
        onSeparators?.Invoke(separators);
        yield return new Segment(1, skipped, isaElements);

        var number = 1;
        var position = skipped + 106;
        var start = position;
        var current = new StringBuilder(256);
        var buffer = new char[64 * 1024];
        var betweenSegments = true;
        while (true)
        {
            var read = ReadChars(reader, buffer, 0, buffer.Length, number + 1, position);
            if (read == 0) break;
            for (var i = 0; i < read; i++, position++)
            {
                var c = buffer[i];
                if (betweenSegments)
                {
                    if (c is '\r' or '\n') continue;
                    betweenSegments = false;
                    start = position;
                }
                if (c == separators.Segment)
                {
                    number++;
                    yield return new Segment(number, start, current.ToString().Split(element));
                    current.Clear();
                    betweenSegments = true;
                }
                else current.Append(c);
            }
        }
        if (current.ToString().Trim().Length > 0)
            throw new RemittanceRejected(number + 1, start, $"the file is cut short: the last segment ('{Preview(current.ToString())}') has no segment terminator '{separators.Segment}'.");
    }

    static int ReadChar(TextReader reader, long position)
    {
        try { return reader.Read(); }
        catch (DecoderFallbackException) { throw NotText(1, position); }
    }

    static int ReadChars(TextReader reader, char[] buffer, int offset, int count, int segment, long position)
    {
        try { return reader.Read(buffer, offset, count); }
        catch (DecoderFallbackException) { throw NotText(segment, position); }
    }

    static RemittanceRejected NotText(int segment, long position) =>
        new(segment, position, "the file is not text (bytes that are not UTF-8 or ASCII near here).");

    static string Preview(string s) => s.Length <= 20 ? s : s[..20] + "…";
}
