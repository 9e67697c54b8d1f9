using Portal.Billing.Codes;

namespace Portal.Billing.CodeFiles;

/// <summary>
/// CMS NCCI practitioner PTP edits as published (ccipra-vNNNrN-fN.txt, tab-delimited): copyright and title lines,
/// a header row starting "Column 1" (its wording may continue on the next lines), then per edit: column 1 code,
/// column 2 code, "*" if in existence prior to 1996 (else blank), effective date (YYYYMMDD), deletion date
/// (YYYYMMDD, or "*" for none), modifier indicator (0 not allowed, 1 allowed, 9 not applicable), PTP edit rationale.
/// The CSV saved from the XLSX edition reads the same (comma-separated, quotes allowed).
/// </summary>
/// <remarks>
/// The full table is ~2 M rows a quarter, so rows are cut into spans without a string per cell; code strings and
/// rationales are shared (a few thousand distinct values), leaving one small record per edit.
/// </remarks>
public static class NcciPtpFile
{
    public static bool LooksHeader(string line) =>
        line.TrimStart('"', ' ').StartsWith("Column 1", StringComparison.OrdinalIgnoreCase)
        || line.TrimStart('"', ' ').StartsWith("Column1", StringComparison.OrdinalIgnoreCase);

    /// <summary>A row as spans over one string, with each cell's column (1-based) for error reports.</summary>
    sealed class Row
    {
        public string Text = "";
        public readonly List<(int Start, int Length, int Column)> Cells = new(8);
        public int Line;
        public bool Terminated;
        public int Count => Cells.Count;
        public ReadOnlySpan<char> this[int i] => i < Cells.Count ? Text.AsSpan(Cells[i].Start, Cells[i].Length).Trim() : [];
        public string Raw(int i) => i < Cells.Count ? Text.Substring(Cells[i].Start, Cells[i].Length) : "";
        public int Column(int i) => i < Cells.Count ? Cells[i].Column : EndColumn;
        public int EndColumn => Cells.Count == 0 ? 1 : Cells[^1].Column + Cells[^1].Length + 1;
        public bool IsBlank => Text.AsSpan().Trim().Length == 0;

        public void Split(TextLine line, char delimiter)
        {
            (Text, Line, Terminated) = (line.Text, line.Number, line.Terminated);
            Cells.Clear();
            var start = 0;
            for (var i = 0; i <= Text.Length; i++)
                if (i == Text.Length || Text[i] == delimiter)
                {
                    Cells.Add((start, i - start, start + 1));
                    start = i + 1;
                }
        }

        public void From(DelimitedRecord record)
        {
            (Line, Terminated) = (record.Line, record.Terminated);
            Cells.Clear();
            var text = new System.Text.StringBuilder();
            foreach (var cell in record.Cells)
            {
                Cells.Add((text.Length, cell.Value.Length, cell.Column));
                text.Append(cell.Value).Append('\u0001');
            }
            Text = text.ToString();
        }
    }

    public static IEnumerable<PtpRecord> Read(TextReader reader)
    {
        char? delimiter = null;
        var preamble = 0;
        var lines = TextLines.Read(reader);
        using var e = lines.GetEnumerator();
        while (e.MoveNext())
        {
            if (LooksHeader(e.Current.Text)) { delimiter = Delimited.Guess(e.Current.Text); break; }
            if (preamble >= 50 || CodeSystems.IsProcedureSyntax(e.Current.Text.Split('\t', ',')[0].Trim()))
                throw new CodeFileRejected(e.Current.Number, 1,
                    "no header row starting 'Column 1' before the data: not the NCCI PTP file layout (copyright lines, then the header row, then the edits).");
            preamble++;
        }
        if (delimiter is null) throw new CodeFileRejected(Math.Max(preamble, 1), 1, "no header row starting 'Column 1' was found: not an NCCI PTP file.");
        var header = new Row();
        header.Split(e.Current, delimiter.Value);
        foreach (var record in Parse(header.Count, TextRows(e, delimiter.Value), xlsx: false)) yield return record;
    }

    /// <summary>The XLSX edition: the first worksheet, same rows (errors name the sheet's row and column number; date cells may hold Excel serial days).</summary>
    public static IEnumerable<PtpRecord> ReadXlsx(Stream stream)
    {
        var preamble = 0;
        var width = 0;
        using var e = Xlsx.Rows(stream).GetEnumerator();
        while (e.MoveNext())
        {
            var first = e.Current.Count > 0 ? e.Current[0] : "";
            if (LooksHeader(first)) { width = e.Current.Count; break; }
            if (preamble >= 50 || CodeSystems.IsProcedureSyntax(first.Trim()))
                throw new CodeFileRejected(e.Current.Line, 1, "no header row starting 'Column 1' before the data: not the NCCI PTP layout.");
            preamble++;
        }
        if (width == 0) throw new CodeFileRejected(Math.Max(preamble, 1), 1, "no header row starting 'Column 1' was found: not an NCCI PTP workbook.");
        foreach (var record in Parse(width, SheetRows(e, width), xlsx: true)) yield return record;
    }

    static IEnumerable<Row> TextRows(IEnumerator<TextLine> e, char delimiter)
    {
        var row = new Row();
        while (e.MoveNext())
        {
            var line = e.Current;
            // Quoted cells (CSV from the XLSX edition) may span lines: hand the rest of the line(s) to the CSV reader.
            if (line.Text.Contains('"')) row.From(Delimited.Read(Continue(line, e), delimiter).First());
            else row.Split(line, delimiter);
            yield return row;
        }
    }

    static IEnumerable<Row> SheetRows(IEnumerator<DelimitedRecord> e, int width)
    {
        var row = new Row();
        while (e.MoveNext())
        {
            row.From(e.Current.PadTo(Math.Min(width, 7)));
            yield return row;
        }
    }

    /// <summary>The rows after the header row (one <see cref="Row"/> instance, refilled: each is used before the next is read).</summary>
    static IEnumerable<PtpRecord> Parse(int width, IEnumerable<Row> rows, bool xlsx)
    {
        var required = Math.Max(6, Math.Min(width, 7));
        var codes = new Dictionary<string, string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        var rationales = new Dictionary<string, string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        string Shared(Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> pool, ReadOnlySpan<char> value)
        {
            if (pool.TryGetValue(value, out var s)) return s;
            s = value.ToString();
            pool[value] = s;
            return s;
        }

        var seen = new HashSet<(long Pair, int Day)>();
        var dataStarted = false;
        var count = 0;
        foreach (var row in rows)
        {
            if (row.IsBlank) continue;
            var c1 = row[0];
            if (!dataStarted && !IsCode(c1)) continue; // the header's wording continued on the next line
            dataStarted = true;
            if (row.Count < required)
                throw new CodeFileRejected(row.Line, row.EndColumn, row.Terminated
                    ? $"the row has {row.Count} columns; an edit has {required} (column 1, column 2, prior-1996 flag, effective date, deletion date, modifier indicator, rationale)."
                    : "the file ends in the middle of an edit: it is cut short.");
            var c2 = row[1];
            if (!IsCode(c1)) throw new CodeFileRejected(row.Line, row.Column(0), $"'{row.Raw(0)}' is not a CPT/HCPCS code.");
            if (!IsCode(c2)) throw new CodeFileRejected(row.Line, row.Column(1), $"'{row.Raw(1)}' is not a CPT/HCPCS code.");
            var prior = row[2];
            if (!(prior.IsEmpty || prior is "*")) throw new CodeFileRejected(row.Line, row.Column(2), $"the prior-1996 flag is '{prior}'; it must be * or blank.");
            var from = Date(row, 3, "effective date", xlsx) ?? throw new CodeFileRejected(row.Line, row.Column(3), "the effective date is missing.");
            var deleted = Date(row, 4, "deletion date", xlsx);
            var indicator = row[5] switch
            {
                "0" => (byte)0, "1" => (byte)1, "9" => (byte)9,
                var v => throw new CodeFileRejected(row.Line, row.Column(5), $"the modifier indicator is '{v}'; it must be 0, 1 or 9."),
            };
            if (deleted is { } d && d < from)
                throw new CodeFileRejected(row.Line, row.Column(4), $"the deletion date {d:yyyyMMdd} is before the effective date {from:yyyyMMdd}.");
            var rationale = row[6];
            if (width >= 7 && rationale.IsEmpty)
                throw new CodeFileRejected(row.Line, row.Column(6), row.Terminated ? "the PTP edit rationale is missing." : "the file ends in the middle of an edit: it is cut short.");
            // A cut inside the last free-text cell leaves a row that still parses; CMS ends every row with a line break.
            if (!row.Terminated)
                throw new CodeFileRejected(row.Line, row.EndColumn, "the last row has no line end: the file is cut short.");
            Span<char> upper = stackalloc char[5];
            c1.ToUpperInvariant(upper);
            var code1 = Shared(codes, upper);
            c2.ToUpperInvariant(upper);
            var code2 = Shared(codes, upper);
            if (!seen.Add(((long)PtpTable.Pack(code1) << 32 | (uint)PtpTable.Pack(code2), from.DayNumber)))
                throw new CodeFileRejected(row.Line, 1, $"the edit {code1}/{code2} effective {from:yyyyMMdd} appears twice.");
            count++;
            yield return new PtpRecord(code1, code2, prior is "*", from, deleted, indicator, Shared(rationales, rationale));
        }
        if (count == 0) throw new CodeFileRejected(1, 1, "the file has a header row but no edits.");
    }

    static IEnumerable<TextLine> Continue(TextLine first, IEnumerator<TextLine> rest)
    {
        yield return first;
        // Only read on while a quote is open; Delimited.Read stops after the first record.
        while (Quotes(first.Text) % 2 == 1 && rest.MoveNext())
        {
            first = first with { Text = first.Text + "\n" + rest.Current.Text };
            yield return rest.Current;
        }
    }

    static int Quotes(string s) => s.Count(c => c == '"');

    /// <summary>CPT (5 digits, or 4 digits + F/T/U/M) or HCPCS Level II (a letter + 4 digits), without a string per cell.</summary>
    static bool IsCode(ReadOnlySpan<char> code)
    {
        if (code.Length != 5 || !char.IsAsciiDigit(code[1]) || !char.IsAsciiDigit(code[2]) || !char.IsAsciiDigit(code[3])) return false;
        var first = char.ToUpperInvariant(code[0]);
        var last = char.ToUpperInvariant(code[4]);
        return char.IsAsciiDigit(first) ? char.IsAsciiDigit(last) || last is 'F' or 'T' or 'U' or 'M'
            : char.IsAsciiLetterUpper(first) && char.IsAsciiDigit(last);
    }

    /// <summary>YYYYMMDD without the general parser (two dates a row, 2 M rows).</summary>
    internal static DateOnly? ParseDate(ReadOnlySpan<char> v)
    {
        if (v.Length != 8) return null;
        var n = 0;
        foreach (var c in v)
        {
            if (!char.IsAsciiDigit(c)) return null;
            n = n * 10 + (c - '0');
        }
        int year = n / 10000, month = n / 100 % 100, day = n % 100;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return null;
        return new DateOnly(year, month, day);
    }

    /// <summary>"*" or blank is no date (NCCI writes * for "no deletion date").</summary>
    static DateOnly? Date(Row row, int i, string what, bool xlsx)
    {
        var v = row[i];
        if (v.IsEmpty || v is "*") return null;
        return ParseDate(v) ?? (xlsx ? Xlsx.SerialDate(v) : null) ?? throw new CodeFileRejected(row.Line, row.Column(i), $"the {what} '{v}' is not a date (YYYYMMDD, or * for none).");
    }
}
