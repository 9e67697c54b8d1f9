using Portal.Billing.Codes;

namespace Portal.Billing.CodeFiles;

public enum CptDescriptor { Long, Medium, Short }

/// <summary>
/// CPT as a customer holding an AMA licence supplies it. Two layouts, told apart by the content:
///
/// * AMA data files (LONGULT, MEDU, SHORTU and the like): one code and one descriptor per line, separated by a tab, a
///   pipe, or (the fixed .txt form) a single blank after the 5-character code; an optional header row. With a header,
///   the columns are found by name (a column containing "code", one containing "descriptor"/"description").
/// * The customer's own CSV export: comma-separated, a code column then one, two or three descriptor columns
///   (short, long / short, medium, long), optional "flags" (pctc, bilateral); header optional. One descriptor serves as
///   both short and long.
///
/// Never ship AMA text: tests and samples use synthetic descriptors.
/// </summary>
public static class CptFile
{
    public static IEnumerable<CodeRecord> Read(TextReader reader)
    {
        var lines = TextLines.Read(reader);
        using var e = lines.GetEnumerator();
        var head = new List<TextLine>();
        while (e.MoveNext()) { head.Add(e.Current); if (e.Current.Text.Trim().Length > 0) break; }
        if (head.Count == 0 || head[^1].Text.Trim().Length == 0) throw new CodeFileRejected(1, 1, "the file is empty.");
        // An iterator, so the peeked enumerator stays open while the records stream.
        IEnumerable<TextLine> All() { foreach (var l in head) yield return l; while (e.MoveNext()) yield return e.Current; }
        var first = head[^1].Text;
        // CMS files whose lines also start with five digits or a code: say what they are rather than misread them.
        if (Icd10CmOrderFile.Looks(first) || HcpcsFile.LooksFixedWidth(first) || HcpcsFile.LooksCsv(first))
            throw new CodeFileRejected(head[^1].Number, 1, $"this is {(Icd10CmOrderFile.Looks(first) ? "an ICD-10-CM order file" : "a HCPCS Level II file")}, not a CPT file.");
        var fixedForm = first.Length > 6 && first[5] == ' ' && CodeSystems.HasValidSyntax(CodeSystems.Cpt, first[..5]);
        var delimiter = first.Contains('\t') ? '\t' : first.Contains('|') ? '|' : fixedForm ? ' ' : first.Contains(',') ? ',' : ' ';
        foreach (var record in delimiter == ' ' ? ReadFixed(All()) : ReadDelimited(All(), delimiter)) yield return record;
    }

    static IEnumerable<CodeRecord> ReadFixed(IEnumerable<TextLine> lines)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var order = 0;
        foreach (var (n, text, _) in lines)
        {
            if (text.Trim().Length == 0) continue;
            var code = text.Length >= 5 ? text[..5] : text;
            if (!CodeSystems.HasValidSyntax(CodeSystems.Cpt, code) || text.Length < 7 || text[5] != ' ')
            {
                if (order == 0 && seen.Count == 0 && !CodeSystems.HasValidSyntax(CodeSystems.Cpt, code)) throw Unknown(n);
                throw new CodeFileRejected(n, 1, $"expected a CPT code in columns 1–5, a blank, then the descriptor; found '{Clip(text)}'.");
            }
            var descriptor = text[6..].Trim();
            if (descriptor.Length == 0) throw new CodeFileRejected(n, 7, $"{code} has no descriptor.");
            if (!seen.Add(code)) throw new CodeFileRejected(n, 1, $"{code} appears twice.");
            yield return new CodeRecord(code, true, descriptor, descriptor, ++order);
        }
        if (order == 0) throw new CodeFileRejected(1, 1, "the file has no codes.");
    }

    static IEnumerable<CodeRecord> ReadDelimited(IEnumerable<TextLine> lines, char delimiter)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var order = 0;
        int codeAt = 0, shortAt = -1, mediumAt = -1, longAt = -1, flagsAt = -1, width = -1;
        var started = false;
        foreach (var record in Delimited.Read(lines, delimiter))
        {
            if (record.IsBlank) continue;
            if (!started)
            {
                started = true;
                var looksLikeCode = Enumerable.Range(0, record.Count).Any(i => CodeSystems.HasValidSyntax(CodeSystems.Cpt, record[i].Trim()));
                if (!looksLikeCode)
                {
                    (codeAt, shortAt, mediumAt, longAt, flagsAt) = FromHeader(record);
                    width = record.Count;
                    continue;
                }
                width = record.Count;
                (codeAt, shortAt, mediumAt, longAt) = record.Count switch
                {
                    2 => (0, 1, -1, 1),
                    3 => (0, 1, -1, 2),
                    _ => (0, 1, 2, 3),
                };
                if (record.Count > 4) flagsAt = 4;
            }
            if (record.Count != width)
                throw new CodeFileRejected(record.Line, record.EndColumn, record.Terminated
                    ? $"the row has {record.Count} cells; the first row has {width}."
                    : "the file ends in the middle of a row: it is cut short.");
            var codeCell = record.Cells[codeAt];
            var code = CodeSystems.Normalize(codeCell.Value);
            if (!CodeSystems.HasValidSyntax(CodeSystems.Cpt, code))
                throw new CodeFileRejected(codeCell.Line, codeCell.Column, $"'{codeCell.Value}' is not a CPT code.");
            string At(int i) => i >= 0 ? record[i].Trim() : "";
            var shortText = At(shortAt);
            var longText = At(longAt);
            if (longText.Length == 0) longText = At(mediumAt).Length > 0 ? At(mediumAt) : shortText;
            if (shortText.Length == 0) shortText = At(mediumAt).Length > 0 ? At(mediumAt) : longText;
            if (longText.Length == 0)
                throw new CodeFileRejected(record.Line, record.EndColumn, $"{code} has no descriptor.");
            if (!seen.Add(code)) throw new CodeFileRejected(codeCell.Line, codeCell.Column, $"{code} appears twice.");
            // A file with a flags column states the indicators of every code (blank = none); without one they are unknown.
            var flags = flagsAt >= 0 ? At(flagsAt).ToLowerInvariant() : null;
            yield return new CodeRecord(code, true, shortText, longText, ++order, Flags: flags);
        }
        if (order == 0) throw new CodeFileRejected(1, 1, "the file has no codes.");
    }

    static (int Code, int Short, int Medium, int Long, int Flags) FromHeader(DelimitedRecord header)
    {
        int code = -1, shortAt = -1, medium = -1, longAt = -1, flags = -1, other = -1;
        for (var i = 0; i < header.Count; i++)
        {
            var h = header[i].Trim().ToLowerInvariant();
            if (h == "flags") flags = i;
            else if (h.Contains("code") && !h.Contains("desc") && (code < 0 || h.Contains("cpt"))) code = i;
            else if (h.Contains("short")) shortAt = i;
            else if (h.Contains("medium")) medium = i;
            else if (h.Contains("long") || h.Contains("full")) longAt = i;
            else if (h.Contains("desc")) other = i;
        }
        if (code < 0)
            throw new CodeFileRejected(header.Line, header.Cells[0].Column,
                $"the first row is neither a code row nor a header with a code column (found '{Clip(header[0])}'): not a CPT file.");
        if (shortAt < 0 && medium < 0 && longAt < 0)
        {
            if (other < 0) throw new CodeFileRejected(header.Line, header.EndColumn, "the header row has no descriptor column.");
            longAt = other;
        }
        return (code, shortAt, medium, longAt, flags);
    }

    /// <summary>
    /// One code set from the AMA's separate descriptor files: long descriptors are required; medium and short fill
    /// the short descriptor when present (short preferred), else the long one serves for both.
    /// </summary>
    public static IEnumerable<CodeRecord> Combine(IEnumerable<CodeRecord> longFile, IEnumerable<CodeRecord>? mediumFile = null, IEnumerable<CodeRecord>? shortFile = null)
    {
        var shortText = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in mediumFile ?? []) shortText[r.Code] = r.LongDescription;
        foreach (var r in shortFile ?? []) shortText[r.Code] = r.LongDescription;
        foreach (var r in longFile)
            yield return r with { ShortDescription = shortText.GetValueOrDefault(r.Code, r.LongDescription) };
    }

    static CodeFileRejected Unknown(int line) =>
        new(line, 1, "not a CPT file: expected a code and a descriptor per line (tab-, pipe- or comma-separated, or the code in columns 1–5 then a blank).");

    static string Clip(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
