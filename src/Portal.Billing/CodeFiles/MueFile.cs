using System.Globalization;
using Portal.Billing.Codes;

namespace Portal.Billing.CodeFiles;

/// <summary>
/// CMS MUE table for practitioner services as published (CSV; the header cells break over two lines inside quotes):
/// copyright lines, a header row whose first cell starts "HCPCS", then code, MUE value (a whole number), MUE
/// adjudication indicator as text ("1 Line Edit", "2 Date of Service Edit: Policy", "3 Date of Service Edit:
/// Clinical"), MUE rationale. Tab-separated text reads the same.
/// </summary>
public static class MueFile
{
    public static IEnumerable<MueRecord> Read(TextReader reader)
    {
        var lines = TextLines.Read(reader);
        using var e = lines.GetEnumerator();
        var head = new List<TextLine>();
        while (e.MoveNext()) { head.Add(e.Current); if (head.Count >= 200 || e.Current.Text.Contains("HCPCS", StringComparison.OrdinalIgnoreCase)) break; }
        var sample = head.LastOrDefault(l => l.Text.Contains("HCPCS", StringComparison.OrdinalIgnoreCase)).Text ?? "";
        var delimiter = sample.Contains('\t') ? '\t' : ',';
        IEnumerable<TextLine> All() { foreach (var l in head) yield return l; while (e.MoveNext()) yield return e.Current; }
        foreach (var record in Parse(Delimited.Read(All(), delimiter))) yield return record;
    }

    /// <summary>The XLSX edition: the first worksheet, same rows (errors name the sheet's row and column number).</summary>
    public static IEnumerable<MueRecord> ReadXlsx(Stream stream) => Parse(Xlsx.Rows(stream).Select(r => r.PadTo(4)));

    static IEnumerable<MueRecord> Parse(IEnumerable<DelimitedRecord> records)
    {
        var headerFound = false;
        var width = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var record in records)
        {
            if (record.IsBlank) continue;
            if (!headerFound)
            {
                var first = string.Join(' ', record[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                if (first.StartsWith("HCPCS", StringComparison.OrdinalIgnoreCase)) { headerFound = true; width = record.Count; continue; }
                if (CodeSystems.IsProcedureSyntax(record[0].Trim()))
                    throw new CodeFileRejected(record.Line, 1, "data before a header row starting 'HCPCS': not the MUE file layout.");
                continue;
            }
            if (record.Count < 3 || record.Count < width)
                throw new CodeFileRejected(record.Line, record.EndColumn, record.Terminated
                    ? $"the row has {record.Count} cells; the header has {width}."
                    : "the file ends in the middle of a row: it is cut short.");
            var codeCell = record.Cells[0];
            var code = CodeSystems.Normalize(codeCell.Value);
            if (!CodeSystems.IsProcedureSyntax(code)) throw new CodeFileRejected(codeCell.Line, codeCell.Column, $"'{codeCell.Value}' is not a CPT/HCPCS code.");
            var unitsCell = record.Cells[1];
            if (!int.TryParse(unitsCell.Trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var units))
                throw new CodeFileRejected(unitsCell.Line, unitsCell.Column, $"the MUE value '{unitsCell.Value}' is not a whole number.");
            var maiCell = record.Cells[2];
            var mai = maiCell.Trimmed;
            if (mai.Length == 0 || mai[0] is not ('1' or '2' or '3') || (mai.Length > 1 && mai[1] != ' '))
                throw new CodeFileRejected(maiCell.Line, maiCell.Column, $"the MUE adjudication indicator '{mai}' must be 1, 2 or 3 (e.g. \"2 Date of Service Edit: Policy\").");
            var rationale = record.Count > 3 ? record[3].Trim() : "";
            if (width >= 4 && rationale.Length == 0 && !record.Terminated)
                throw new CodeFileRejected(record.Line, record.EndColumn, "the file ends in the middle of a row: it is cut short.");
            // A cut inside the last free-text cell leaves a row that still parses; CMS ends every row with a line break.
            if (!record.Terminated)
                throw new CodeFileRejected(record.Line, record.EndColumn, "the last row has no line end: the file is cut short.");
            if (!seen.Add(code)) throw new CodeFileRejected(codeCell.Line, codeCell.Column, $"{code} appears twice.");
            count++;
            yield return new MueRecord(code, units, (byte)(mai[0] - '0'), mai, rationale);
        }
        if (!headerFound) throw new CodeFileRejected(1, 1, "no header row starting 'HCPCS' was found: not an MUE file.");
        if (count == 0) throw new CodeFileRejected(1, 1, "the file has a header row but no rows.");
    }
}
