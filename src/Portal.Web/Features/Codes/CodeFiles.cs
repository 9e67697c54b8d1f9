using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Portal.Web.Features.Codes;

/// <summary>A line of an official file that cannot be imported; the whole file is refused.</summary>
public sealed class CodeFileRejected(int line, string reason) : Exception($"Line {line}: {reason}")
{
    public int Line { get; } = line;
    public string Reason { get; } = reason;
}

public sealed record CodeRow(string Code, bool Billable, string ShortDescription, string LongDescription, string Flags, int Order);
public sealed record PtpRow(string Column1, string Column2, DateOnly EffectiveFrom, DateOnly? DeletedOn, short ModifierIndicator, string Rationale);
public sealed record MueRow(string Code, int MaxUnits, short Mai, string Rationale);

/// <summary>
/// Parsers for the official files, one line at a time (constant memory apart from the set of codes seen, which
/// duplicate detection needs). Every refusal names the line and the reason.
/// </summary>
public static class CodeFiles
{
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Lines of a UTF-8 (or ASCII) file, decoded strictly one line at a time so a bad byte is reported on its own line.</summary>
    public static async IAsyncEnumerable<(int Number, string Text)> Lines(Stream stream, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var buffer = new byte[64 * 1024];
        var line = new MemoryStream();
        var number = 0;
        var first = true;
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                line.Write(buffer, start, i - start);
                start = i + 1;
                yield return (++number, Decode(line, number, ref first));
                line.SetLength(0);
            }
            line.Write(buffer, start, read - start);
        }
        if (line.Length > 0) yield return (++number, Decode(line, number, ref first));
    }

    static string Decode(MemoryStream bytes, int number, ref bool first)
    {
        var span = bytes.GetBuffer().AsSpan(0, (int)bytes.Length);
        if (first && span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) span = span[3..];
        first = false;
        if (span.EndsWith((ReadOnlySpan<byte>)[(byte)'\r'])) span = span[..^1];
        try { return StrictUtf8.GetString(span); }
        catch (DecoderFallbackException) { throw new CodeFileRejected(number, "the line is not valid UTF-8 (save the file as UTF-8 or ASCII)."); }
    }

    /// <summary>
    /// The CMS/NCHS ICD-10-CM order file (icd10cm_order_YYYY.txt): order number (5), blank, code (7), blank,
    /// flag (0 header / 1 billable), blank, short description (60), blank, long description.
    /// </summary>
    public static async IAsyncEnumerable<CodeRow> Icd10CmOrder(Stream stream, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var (n, text) in Lines(stream, ct))
        {
            if (text.Length == 0) continue;
            if (text.Length < 78)
                throw new CodeFileRejected(n, $"the line is {text.Length} characters; an order-file line has at least 78 (truncated or not fixed width).");
            if (text[5] != ' ' || text[13] != ' ' || text[15] != ' ' || text[76] != ' ')
                throw new CodeFileRejected(n, "columns 6, 14, 16 and 77 must be blank (the line is not in the fixed-width order-file layout).");
            if (!int.TryParse(text.AsSpan(0, 5), NumberStyles.None, CultureInfo.InvariantCulture, out var order))
                throw new CodeFileRejected(n, $"the order number '{text[..5]}' is not five digits.");
            var code = text.Substring(6, 7).TrimEnd();
            if (!CodeSystems.HasValidSyntax(CodeSystems.Icd10Cm, code) && !(code.Length == 3 && char.IsAsciiLetterUpper(code[0])))
                throw new CodeFileRejected(n, $"'{code}' is not an ICD-10-CM code.");
            var billable = text[14] switch
            {
                '1' => true,
                '0' => false,
                var f => throw new CodeFileRejected(n, $"the header/billable flag is '{f}'; it must be 0 (header) or 1 (billable)."),
            };
            if (!seen.Add(code)) throw new CodeFileRejected(n, $"{code} appears twice.");
            yield return new CodeRow(code, billable, text.Substring(16, 60).TrimEnd(), text[77..].Trim(), "", order);
        }
    }

    /// <summary>
    /// The HCPCS Level II alpha-numeric file as CMS's comma-separated export (HCPC2026_JAN_ANWEB): a header row, then
    /// columns by name — HCPC, RECID, LONG DESCRIPTION, SHORT DESCRIPTION (others ignored). RECID 3 starts a code,
    /// 4 continues its long description; 7 and 8 (modifier records) are skipped.
    /// </summary>
    public static async IAsyncEnumerable<CodeRow> HcpcsCsv(Stream stream, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Columns? columns = null;
        CodeRow? pending = null;
        var order = 0;
        await foreach (var (n, text) in Lines(stream, ct))
        {
            if (text.Length == 0) continue;
            var cells = Split(text, ',', n);
            if (columns is null)
            {
                columns = Columns.Require(cells, n, "HCPC", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION");
                continue;
            }
            var code = columns.Get(cells, "HCPC", n).Trim().ToUpperInvariant();
            var recid = columns.Get(cells, "RECID", n).Trim();
            if (recid is "7" or "8") continue;
            if (recid == "4")
            {
                if (pending is null || pending.Code != code) throw new CodeFileRejected(n, $"a continuation (RECID 4) of {code} follows no RECID 3 row of it.");
                pending = pending with { LongDescription = pending.LongDescription + " " + columns.Get(cells, "LONG DESCRIPTION", n).Trim() };
                continue;
            }
            if (recid != "3") throw new CodeFileRejected(n, $"RECID '{recid}' is unknown; expected 3, 4, 7 or 8.");
            if (!CodeSystems.HasValidSyntax(CodeSystems.Hcpcs, code)) throw new CodeFileRejected(n, $"'{code}' is not a HCPCS Level II code.");
            if (!seen.Add(code)) throw new CodeFileRejected(n, $"{code} appears twice.");
            if (pending is not null) yield return pending;
            pending = new CodeRow(code, true, columns.Get(cells, "SHORT DESCRIPTION", n).Trim(),
                columns.Get(cells, "LONG DESCRIPTION", n).Trim(), "", ++order);
        }
        if (columns is null) throw new CodeFileRejected(1, "the file is empty.");
        if (pending is not null) yield return pending;
    }

    /// <summary>
    /// A simple code list with a header row: code, description (modifiers, POS), or for CPT under the customer's AMA
    /// licence: code, short_description, long_description and optional flags (pctc = split into professional and
    /// technical components, bilateral = modifier 50 allowed).
    /// </summary>
    public static async IAsyncEnumerable<CodeRow> CodeList(Stream stream, string system, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Columns? columns = null;
        var order = 0;
        await foreach (var (n, text) in Lines(stream, ct))
        {
            if (text.Length == 0) continue;
            var cells = Split(text, ',', n);
            if (columns is null)
            {
                columns = system == CodeSystems.Cpt
                    ? Columns.Require(cells, n, "code", "short_description", "long_description")
                    : Columns.Require(cells, n, "code", "description");
                continue;
            }
            var code = CodeSystems.Normalize(columns.Get(cells, "code", n));
            if (!CodeSystems.HasValidSyntax(system, code)) throw new CodeFileRejected(n, $"'{code}' is not a {system} code.");
            if (!seen.Add(code)) throw new CodeFileRejected(n, $"{code} appears twice.");
            var shortText = columns.Get(cells, system == CodeSystems.Cpt ? "short_description" : "description", n).Trim();
            var longText = system == CodeSystems.Cpt ? columns.Get(cells, "long_description", n).Trim() : shortText;
            if (shortText.Length == 0) throw new CodeFileRejected(n, $"{code} has no description.");
            yield return new CodeRow(code, true, shortText, longText, columns.GetOptional(cells, "flags").Trim().ToLowerInvariant(), ++order);
        }
        if (columns is null) throw new CodeFileRejected(1, "the file is empty.");
    }

    /// <summary>
    /// CMS NCCI practitioner PTP edits, tab- or comma-separated as CMS publishes them: any preamble (copyright lines),
    /// a header row starting "Column 1", then column 1, column 2, "in existence prior to 1996", effective date
    /// (YYYYMMDD), deletion date (YYYYMMDD or *), modifier indicator (0, 1, 9), PTP edit rationale.
    /// </summary>
    public static async IAsyncEnumerable<PtpRow> NcciPtp(Stream stream, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var seen = new HashSet<(string, string)>();
        await foreach (var (n, cells) in RowsAfterHeader(stream, "Column 1", ct))
        {
            if (cells.Count < 6) throw new CodeFileRejected(n, $"expected at least 6 columns, found {cells.Count}.");
            var c1 = CodeSystems.Normalize(cells[0]);
            var c2 = CodeSystems.Normalize(cells[1]);
            if (c1.Length != 5 || c2.Length != 5) throw new CodeFileRejected(n, $"'{cells[0]}'/'{cells[1]}' are not CPT/HCPCS codes.");
            var from = Date(cells[3], n, "effective date") ?? throw new CodeFileRejected(n, "the effective date is missing.");
            var deleted = Date(cells[4], n, "deletion date");
            var indicator = cells[5].Trim() switch
            {
                "0" => (short)0, "1" => (short)1, "9" => (short)9,
                var v => throw new CodeFileRejected(n, $"the modifier indicator is '{v}'; it must be 0, 1 or 9."),
            };
            if (!seen.Add((c1, c2))) throw new CodeFileRejected(n, $"the pair {c1}/{c2} appears twice.");
            yield return new PtpRow(c1, c2, from, deleted, indicator, cells.Count > 6 ? cells[6].Trim() : "");
        }
    }

    /// <summary>
    /// CMS MUE table (practitioner services), CSV or tab-separated: any preamble, a header row starting "HCPCS",
    /// then code, MUE value, MUE adjudication indicator (text starting 1, 2 or 3), MUE rationale.
    /// </summary>
    public static async IAsyncEnumerable<MueRow> MueTable(Stream stream, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var (n, cells) in RowsAfterHeader(stream, "HCPCS", ct))
        {
            if (cells.Count < 3) throw new CodeFileRejected(n, $"expected at least 3 columns, found {cells.Count}.");
            var code = CodeSystems.Normalize(cells[0]);
            if (code.Length != 5) throw new CodeFileRejected(n, $"'{cells[0]}' is not a CPT/HCPCS code.");
            if (!int.TryParse(cells[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var units))
                throw new CodeFileRejected(n, $"the MUE value '{cells[1]}' is not a whole number.");
            var mai = cells[2].Trim() is { Length: > 0 } m && m[0] is '1' or '2' or '3' ? (short)(m[0] - '0')
                : throw new CodeFileRejected(n, $"the MUE adjudication indicator '{cells[2]}' must start with 1, 2 or 3.");
            if (!seen.Add(code)) throw new CodeFileRejected(n, $"{code} appears twice.");
            yield return new MueRow(code, units, mai, cells.Count > 3 ? cells[3].Trim() : "");
        }
    }

    /// <summary>CMS edit tables open with copyright lines; data starts after the header row, tab- or comma-separated.</summary>
    static async IAsyncEnumerable<(int Number, List<string> Cells)> RowsAfterHeader(Stream stream, string headerStart,
        [EnumeratorCancellation] CancellationToken ct)
    {
        char? delimiter = null;
        await foreach (var (n, text) in Lines(stream, ct))
        {
            if (delimiter is null)
            {
                if (text.TrimStart('"').StartsWith(headerStart, StringComparison.OrdinalIgnoreCase)) delimiter = text.Contains('\t') ? '\t' : ',';
                continue;
            }
            if (text.Trim().Length == 0) continue;
            yield return (n, Split(text, delimiter.Value, n));
        }
        if (delimiter is null) throw new CodeFileRejected(1, $"no header row starting '{headerStart}' was found.");
    }

    static DateOnly? Date(string raw, int line, string what)
    {
        var v = raw.Trim();
        if (v is "" or "*") return null;
        return DateOnly.TryParseExact(v, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
            : throw new CodeFileRejected(line, $"the {what} '{v}' is not a date (YYYYMMDD).");
    }

    /// <summary>One delimited line (RFC 4180 quoting, no line breaks inside fields).</summary>
    public static List<string> Split(string line, char delimiter, int number)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"') cell.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"' && cell.Length == 0) quoted = true;
            else if (c == delimiter) { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        if (quoted) throw new CodeFileRejected(number, "a quoted field is not closed (truncated line?).");
        cells.Add(cell.ToString());
        return cells;
    }

    sealed class Columns(Dictionary<string, int> index)
    {
        public static Columns Require(List<string> header, int line, params string[] required)
        {
            var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < header.Count; i++) index.TryAdd(header[i].Trim(), i);
            var missing = required.Where(r => !index.ContainsKey(r)).ToArray();
            if (missing.Length > 0) throw new CodeFileRejected(line, $"the header row lacks the column(s) {string.Join(", ", missing)}.");
            return new Columns(index);
        }

        public string Get(List<string> cells, string name, int line) =>
            index[name] < cells.Count ? cells[index[name]]
                : throw new CodeFileRejected(line, $"the line has {cells.Count} columns; '{name}' is column {index[name] + 1} (truncated line?).");

        public string GetOptional(List<string> cells, string name) =>
            index.TryGetValue(name, out var i) && i < cells.Count ? cells[i] : "";
    }
}
