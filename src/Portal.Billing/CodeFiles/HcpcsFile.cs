using System.Globalization;
using Portal.Billing.Codes;

namespace Portal.Billing.CodeFiles;

/// <summary>
/// The CMS HCPCS Level II quarterly alpha-numeric file (HCPCyyyy_CONTR_ANWEB), in its published fixed-width record
/// layout (HCPCyyyy_recordlayout.txt, 320 characters) or in the CSV saved from its workbook. Columns read from the
/// fixed-width record (1-based, inclusive):
///
///   1–5 HCPCS code (a modifier is right-justified: "   25"), 6–10 sequence number, 11 record identification
///   (3 first line of a procedure, 4 its long-description continuation, 7 first line of a modifier, 8 its
///   continuation), 12–91 long description (80), 92–119 short description (28), 269–276 date added, 277–284 action
///   effective date, 285–292 termination date (YYYYMMDD, blank if none), 293 action code (A, B, C, D, F, N, P, R, S, T).
///
/// Continuation records (4, 8) carry only columns 1–91 and are joined, in sequence order, to the long description.
/// </summary>
public static class HcpcsFile
{
    const int FirstLineLength = 293;
    const string ActionCodes = "ABCDFNPRST";

    public static bool LooksFixedWidth(string line) =>
        line.Length >= 12 && line[10] is '3' or '4' or '7' or '8' && line.AsSpan(5, 5).ContainsAnyExceptInRange('0', '9') == false;

    public static bool LooksCsv(string line) => line.TrimStart('"').StartsWith("HCPC", StringComparison.OrdinalIgnoreCase) && line.Contains("RECID", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads either layout, told apart by the first non-blank line.</summary>
    public static IEnumerable<CodeRecord> Read(TextReader reader)
    {
        using var lines = TextLines.Read(reader).GetEnumerator();
        var buffered = new List<TextLine>();
        while (lines.MoveNext())
        {
            buffered.Add(lines.Current);
            if (lines.Current.Text.Trim().Length > 0) break;
        }
        var first = buffered.LastOrDefault();
        if (first.Text is null || first.Text.Trim().Length == 0) throw new CodeFileRejected(1, 1, "the file is empty.");
        IEnumerable<TextLine> All() { foreach (var l in buffered) yield return l; while (lines.MoveNext()) yield return lines.Current; }
        var records = LooksCsv(first.Text) ? ReadCsv(Delimited.Read(All(), ','), false)
            : LooksFixedWidth(first.Text) ? ReadFixed(All())
            : throw new CodeFileRejected(first.Number, 1,
                "not a HCPCS file: expected the fixed-width ANWEB record (code in 1–5, sequence in 6–10, record id 3/4/7/8 in 11) or its CSV with a header row HCPC,SEQNUM,RECID,…");
        // Yielded from here so the peeked enumerator stays open while the records stream.
        foreach (var record in records) yield return record;
    }

    sealed class Pending(CodeRecord record, int sequence, int line)
    {
        public CodeRecord Record = record;
        public int Sequence = sequence;
        public int Line = line;
    }

    static IEnumerable<CodeRecord> ReadFixed(IEnumerable<TextLine> lines)
    {
        var seen = new HashSet<(string, CodeKind)>();
        Pending? pending = null;
        var order = 0;
        foreach (var (n, text, terminated) in lines)
        {
            if (text.Trim().Length == 0) continue;
            if (text.Length < 12 || !LooksFixedWidth(text))
                throw new CodeFileRejected(n, text.Length < 11 ? text.Length + 1 : 11, terminated
                    ? "not an ANWEB record: columns 6–10 must be a sequence number and column 11 a record id 3, 4, 7 or 8."
                    : "the file ends in the middle of a record: it is cut short.");
            var recid = text[10];
            var modifier = recid is '7' or '8';
            var code = text[..5].Trim().ToUpperInvariant();
            var sequence = int.Parse(text.AsSpan(5, 5), NumberStyles.None, CultureInfo.InvariantCulture);
            if (modifier ? !CodeSystems.HasValidSyntax(CodeSystems.Modifier, code) : !CodeSystems.HasValidSyntax(CodeSystems.Hcpcs, code))
                throw new CodeFileRejected(n, 1, $"'{text[..5]}' is not a HCPCS {(modifier ? "modifier" : "Level II code")}.");
            var longPart = Cut(text, 12, 91).Trim();
            if (recid is '4' or '8')
            {
                if (pending is null || pending.Record.Code != code || pending.Record.Kind != (modifier ? CodeKind.Modifier : CodeKind.Code))
                    throw new CodeFileRejected(n, 11, $"a continuation record (id {recid}) of {code} follows no first record (id {(modifier ? 7 : 3)}) of it.");
                if (sequence <= pending.Sequence)
                    throw new CodeFileRejected(n, 6, $"sequence number {sequence} of {code} does not follow {pending.Sequence}.");
                if (!terminated) throw new CodeFileRejected(n, text.Length + 1, "the last record has no line end: the file is cut short.");
                pending.Record = pending.Record with { LongDescription = (pending.Record.LongDescription + " " + longPart).Trim() };
                pending.Sequence = sequence;
                continue;
            }
            if (text.Length < FirstLineLength)
                throw new CodeFileRejected(n, text.Length + 1, terminated
                    ? $"a first record (id {recid}) must reach column {FirstLineLength} (the action code); this one ends at column {text.Length}."
                    : $"the file ends in the middle of the record of {code} (at column {text.Length + 1} of {FirstLineLength}): it is cut short.");
            var action = text[292];
            if (!ActionCodes.Contains(action))
                throw new CodeFileRejected(n, 293, $"the action code is '{action}'; expected one of {string.Join(", ", ActionCodes.ToCharArray())}.");
            var added = Date(text, 269, n, "date added");
            var effective = Date(text, 277, n, "action effective date");
            var terminatedOn = Date(text, 285, n, "termination date");
            // The published file ends every record with a line break; a last record without one was cut.
            if (!terminated) throw new CodeFileRejected(n, text.Length + 1, "the last record has no line end: the file is cut short.");
            if (pending is not null) yield return pending.Record;
            var kind = modifier ? CodeKind.Modifier : CodeKind.Code;
            if (!seen.Add((code, kind))) throw new CodeFileRejected(n, 1, $"{code} has two first records.");
            pending = new Pending(new CodeRecord(code, true, Cut(text, 92, 119).Trim(), longPart, ++order, kind, added, effective, terminatedOn, action.ToString()), sequence, n);
        }
        if (pending is null) throw new CodeFileRejected(1, 1, "the file has no records.");
        yield return pending.Record;
    }

    /// <summary>The XLSX edition of the ANWEB file: the first worksheet, read like the CSV (errors name the sheet's row and column number).</summary>
    public static IEnumerable<CodeRecord> ReadXlsx(Stream stream) => ReadCsv(Xlsx.Rows(stream), true);

    static IEnumerable<CodeRecord> ReadCsv(IEnumerable<DelimitedRecord> records, bool xlsx)
    {
        var seen = new HashSet<(string, CodeKind)>();
        Dictionary<string, int>? columns = null;
        Pending? pending = null;
        var order = 0;
        foreach (var row in records)
        {
            if (row.IsBlank) continue;
            if (columns is null)
            {
                columns = Header(row, "HCPC", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION");
                continue;
            }
            var record = xlsx ? row.PadTo(columns.Count) : row;
            if (record.Count < columns.Count)
                throw new CodeFileRejected(record.Line, record.EndColumn, record.Terminated
                    ? $"the row has {record.Count} cells; the header has {columns.Count}."
                    : "the file ends in the middle of a row: it is cut short.");
            Cell Get(string name) => record.Cells[columns[name]];
            string Opt(string name) => columns.TryGetValue(name, out var i) ? record[i].Trim() : "";
            var recid = Get("RECID").Trimmed;
            var modifier = recid is "7" or "8";
            var codeCell = Get("HCPC");
            var code = codeCell.Trimmed.ToUpperInvariant();
            var longText = Get("LONG DESCRIPTION").Trimmed;
            if (recid is "4" or "8")
            {
                if (pending is null || pending.Record.Code != code)
                    throw new CodeFileRejected(record.Line, Get("RECID").Column, $"a continuation row (RECID {recid}) of {code} follows no first row of it.");
                pending.Record = pending.Record with { LongDescription = (pending.Record.LongDescription + " " + longText).Trim() };
                continue;
            }
            if (recid is not ("3" or "7"))
                throw new CodeFileRejected(record.Line, Get("RECID").Column, $"RECID '{recid}' is unknown; expected 3, 4, 7 or 8.");
            if (modifier ? !CodeSystems.HasValidSyntax(CodeSystems.Modifier, code) : !CodeSystems.HasValidSyntax(CodeSystems.Hcpcs, code))
                throw new CodeFileRejected(record.Line, codeCell.Column, $"'{codeCell.Value}' is not a HCPCS {(modifier ? "modifier" : "Level II code")}.");
            var kind = modifier ? CodeKind.Modifier : CodeKind.Code;
            if (!seen.Add((code, kind))) throw new CodeFileRejected(record.Line, codeCell.Column, $"{code} appears twice.");
            DateOnly? D(string name) => columns.TryGetValue(name, out var i) && i < record.Count ? CsvDate(record.Cells[i], name, xlsx) : null;
            var action = Opt("ACTION CD");
            if (action.Length > 1 || (action.Length == 1 && !ActionCodes.Contains(action[0])))
                throw new CodeFileRejected(record.Line, record.Cells[columns["ACTION CD"]].Column, $"the action code is '{action}'; expected one of {string.Join(", ", ActionCodes.ToCharArray())}.");
            if (pending is not null) yield return pending.Record;
            pending = new Pending(new CodeRecord(code, true, Get("SHORT DESCRIPTION").Trimmed, longText, ++order, kind,
                D("ADD DT"), D("ACT EFF DT"), D("TERM DT"), action.Length == 0 ? null : action), 0, record.Line);
        }
        if (columns is null) throw new CodeFileRejected(1, 1, "the file is empty.");
        if (pending is not null) yield return pending.Record;
    }

    internal static Dictionary<string, int> Header(DelimitedRecord header, params string[] required)
    {
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Count; i++) index.TryAdd(string.Join(' ', header[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), i);
        var missing = required.Where(r => !index.ContainsKey(r)).ToArray();
        if (missing.Length > 0)
            throw new CodeFileRejected(header.Line, header.EndColumn, $"the header row lacks the column(s) {string.Join(", ", missing)}.");
        return index;
    }

    static string Cut(string text, int from, int to) =>
        text.Length < from ? "" : text.Substring(from - 1, Math.Min(to, text.Length) - from + 1);

    static DateOnly? Date(string text, int column, int line, string what)
    {
        var raw = Cut(text, column, column + 7);
        if (raw.Trim().Length == 0) return null;
        return DateOnly.TryParseExact(raw, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
            : throw new CodeFileRejected(line, column, $"the {what} '{raw}' is not a date (YYYYMMDD).");
    }

    static DateOnly? CsvDate(Cell cell, string what, bool xlsx)
    {
        var raw = cell.Trimmed;
        if (raw.Length == 0) return null;
        if (xlsx && Xlsx.SerialDate(raw) is { } serial) return serial;
        return DateOnly.TryParseExact(raw, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
            : throw new CodeFileRejected(cell.Line, cell.Column, $"the {what} '{raw}' is not a date (YYYYMMDD).");
    }
}
