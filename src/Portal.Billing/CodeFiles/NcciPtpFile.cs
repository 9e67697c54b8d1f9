using System.Globalization;
using Portal.Billing.Codes;

namespace Portal.Billing.CodeFiles;

/// <summary>
/// CMS NCCI practitioner PTP edits as published (ccipra-vNNNrN-fN.txt, tab-delimited): copyright and title lines,
/// a header row starting "Column 1" (its wording may continue on the next lines), then per edit: column 1 code,
/// column 2 code, "*" if in existence prior to 1996 (else blank), effective date (YYYYMMDD), deletion date
/// (YYYYMMDD, or "*" for none), modifier indicator (0 not allowed, 1 allowed, 9 not applicable), PTP edit rationale.
/// The CSV saved from the XLSX edition reads the same (comma-separated).
/// </summary>
public static class NcciPtpFile
{
    public static bool LooksHeader(string line) =>
        line.TrimStart('"', ' ').StartsWith("Column 1", StringComparison.OrdinalIgnoreCase)
        || line.TrimStart('"', ' ').StartsWith("Column1", StringComparison.OrdinalIgnoreCase);

    public static IEnumerable<PtpRecord> Read(TextReader reader)
    {
        char? delimiter = null;
        var headerWidth = 0;
        var dataStarted = false;
        var seen = new HashSet<(string, string, DateOnly)>();
        var preamble = new List<TextLine>();
        var lines = TextLines.Read(reader);
        using var e = lines.GetEnumerator();
        while (e.MoveNext())
        {
            if (LooksHeader(e.Current.Text)) { delimiter = Delimited.Guess(e.Current.Text); break; }
            if (preamble.Count >= 50 || CodeSystems.IsProcedureSyntax(e.Current.Text.Split('\t', ',')[0].Trim()))
                throw new CodeFileRejected(e.Current.Number, 1,
                    "no header row starting 'Column 1' before the data: not the NCCI PTP file layout (copyright lines, then the header row, then the edits).");
            preamble.Add(e.Current);
        }
        if (delimiter is null) throw new CodeFileRejected(Math.Max(preamble.Count, 1), 1, "no header row starting 'Column 1' was found: not an NCCI PTP file.");
        IEnumerable<TextLine> Rest() { yield return e.Current; while (e.MoveNext()) yield return e.Current; }
        var count = 0;
        foreach (var record in Delimited.Read(Rest(), delimiter.Value))
        {
            if (record.IsBlank) continue;
            if (headerWidth == 0) { headerWidth = record.Count; continue; }
            var c1 = CodeSystems.Normalize(record[0]);
            if (!dataStarted && !CodeSystems.IsProcedureSyntax(c1)) continue; // header wording continued on the next line
            dataStarted = true;
            if (record.Count < 6 || record.Count < Math.Min(headerWidth, 7))
                throw new CodeFileRejected(record.Line, record.EndColumn, record.Terminated
                    ? $"the row has {record.Count} columns; an edit has {Math.Max(6, Math.Min(headerWidth, 7))} (column 1, column 2, prior-1996 flag, effective date, deletion date, modifier indicator, rationale)."
                    : "the file ends in the middle of an edit: it is cut short.");
            var c2 = CodeSystems.Normalize(record[1]);
            if (!CodeSystems.IsProcedureSyntax(c1)) throw new CodeFileRejected(record.Line, record.Cells[0].Column, $"'{record[0]}' is not a CPT/HCPCS code.");
            if (!CodeSystems.IsProcedureSyntax(c2)) throw new CodeFileRejected(record.Line, record.Cells[1].Column, $"'{record[1]}' is not a CPT/HCPCS code.");
            var prior = record[2].Trim();
            if (prior is not ("" or "*")) throw new CodeFileRejected(record.Line, record.Cells[2].Column, $"the prior-1996 flag is '{prior}'; it must be * or blank.");
            var from = Date(record.Cells[3], "effective date") ?? throw new CodeFileRejected(record.Line, record.Cells[3].Column, "the effective date is missing.");
            var deleted = Date(record.Cells[4], "deletion date");
            var indicator = record[5].Trim() switch
            {
                "0" => (byte)0, "1" => (byte)1, "9" => (byte)9,
                var v => throw new CodeFileRejected(record.Line, record.Cells[5].Column, $"the modifier indicator is '{v}'; it must be 0, 1 or 9."),
            };
            if (deleted is { } d && d < from)
                throw new CodeFileRejected(record.Line, record.Cells[4].Column, $"the deletion date {d:yyyyMMdd} is before the effective date {from:yyyyMMdd}.");
            var rationale = record.Count > 6 ? record[6].Trim() : "";
            if (headerWidth >= 7 && rationale.Length == 0)
                throw new CodeFileRejected(record.Line, record.Count > 6 ? record.Cells[6].Column : record.EndColumn, record.Terminated
                    ? "the PTP edit rationale is missing."
                    : "the file ends in the middle of an edit: it is cut short.");
            // A cut inside the last free-text cell leaves a row that still parses; CMS ends every row with a line break.
            if (!record.Terminated)
                throw new CodeFileRejected(record.Line, record.EndColumn, "the last row has no line end: the file is cut short.");
            if (!seen.Add((c1, c2, from))) throw new CodeFileRejected(record.Line, 1, $"the edit {c1}/{c2} effective {from:yyyyMMdd} appears twice.");
            count++;
            yield return new PtpRecord(c1, c2, prior == "*", from, deleted, indicator, rationale);
        }
        if (count == 0) throw new CodeFileRejected(1, 1, "the file has a header row but no edits.");
    }

    /// <summary>"*" or blank is no date (NCCI writes * for "no deletion date").</summary>
    static DateOnly? Date(Cell cell, string what)
    {
        var v = cell.Trimmed;
        if (v is "" or "*") return null;
        return DateOnly.TryParseExact(v, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
            : throw new CodeFileRejected(cell.Line, cell.Column, $"the {what} '{v}' is not a date (YYYYMMDD, or * for none).");
    }
}
