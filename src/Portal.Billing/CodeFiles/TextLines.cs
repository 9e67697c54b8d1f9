using System.Text;

namespace Portal.Billing.CodeFiles;

/// <summary>One line of a text file without its line end; <see cref="Terminated"/> is false for a last line that has none.</summary>
public readonly record struct TextLine(int Number, string Text, bool Terminated);

/// <summary>
/// Lines of a text file, one at a time, with their numbers. Unlike <see cref="TextReader.ReadLine"/> it says whether the
/// last line ended with a line break: the fixed-width CMS files always end with one, so a last line without it is a
/// file cut short in the middle of a record.
/// </summary>
public static class TextLines
{
    /// <summary>
    /// Bytes that are not UTF-8 decode to U+FFFF (a noncharacter no code file holds), so <see cref="Read"/> can refuse them
    /// on their own line and column; a throwing decoder fails a whole 64 KB block and cannot say where.
    /// </summary>
    const char NotUtf8 = '\uFFFF';
    static readonly Encoding StrictUtf8 = Encoding.GetEncoding("utf-8", EncoderFallback.ExceptionFallback, new DecoderReplacementFallback(NotUtf8.ToString()));

    /// <summary>A reader that marks bytes that are not UTF-8 (ASCII files are UTF-8) for <see cref="Read"/> to refuse; a byte-order mark is skipped.</summary>
    public static TextReader Open(Stream stream) => new StreamReader(stream, StrictUtf8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);

    public static IEnumerable<TextLine> Read(TextReader reader)
    {
        var buffer = new char[64 * 1024];
        var line = new StringBuilder(512);
        var number = 0;
        var first = true;
        while (true)
        {
            int read;
            try { read = reader.Read(buffer, 0, buffer.Length); }
            catch (DecoderFallbackException)
            {
                throw new CodeFileRejected(number + 1, line.Length + 1, "the file is not UTF-8 text (bytes that are not UTF-8 near here; save the file as UTF-8 or ASCII).");
            }
            if (read == 0) break;
            var start = 0;
            if (first)
            {
                first = false;
                if (buffer[0] == '\uFEFF') start = 1;
            }
            for (var i = start; i < read; i++)
            {
                if (buffer[i] != '\n') continue;
                line.Append(buffer, start, i - start);
                start = i + 1;
                if (line.Length > 0 && line[^1] == '\r') line.Length--;
                yield return Checked(++number, line.ToString(), true);
                line.Clear();
            }
            line.Append(buffer, start, read - start);
        }
        if (line.Length > 0)
        {
            if (line[^1] == '\r') line.Length--;
            yield return Checked(++number, line.ToString(), false);
        }
    }

    static TextLine Checked(int number, string text, bool terminated) => text.IndexOf(NotUtf8) is var at and >= 0
        ? throw new CodeFileRejected(number, at + 1, "the file is not UTF-8 text (save it as UTF-8 or ASCII).")
        : new TextLine(number, text, terminated);
}
