using System.IO.Compression;
using System.Text;
using System.Xml;

namespace Portal.Billing.CodeFiles;

/// <summary>
/// The first worksheet of an XLSX workbook (CMS publishes NCCI, MUE and HCPCS also as XLSX) as delimited records,
/// with no package: the workbook is a zip of XML parts. A record's <see cref="DelimitedRecord.Line"/> is the sheet's
/// row number and a cell's column is its column number (A = 1), so a refusal names the row and column as Excel shows
/// them. Cell values are the text Excel stores: shared strings, inline strings, and numbers as written (a date cell
/// holds its serial day number).
/// </summary>
public static class Xlsx
{
    public static IEnumerable<DelimitedRecord> Rows(Stream stream) =>
        Guarded.Map(ReadRows(stream), e => e is InvalidDataException or XmlException or IOException
            ? new CodeFileRejected(1, 1, "not a readable XLSX workbook (cut short or corrupted).")
            : null);

    static IEnumerable<DelimitedRecord> ReadRows(Stream stream)
    {
        ZipArchive zip;
        try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException) { throw new CodeFileRejected(1, 1, "not a readable XLSX workbook (the zip is cut short or corrupted)."); }
        using (zip)
        {
            var sheet = zip.GetEntry("xl/worksheets/sheet1.xml")
                ?? zip.Entries.Where(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal) && e.FullName.EndsWith(".xml", StringComparison.Ordinal))
                    .OrderBy(e => e.FullName, StringComparer.Ordinal).FirstOrDefault()
                ?? throw new CodeFileRejected(1, 1, "the workbook has no worksheet: not an XLSX file.");
            var shared = SharedStrings(zip);
            foreach (var row in SheetRows(sheet, shared)) yield return row;
        }
    }

    static List<string> SharedStrings(ZipArchive zip)
    {
        var list = new List<string>();
        if (zip.GetEntry("xl/sharedStrings.xml") is not { } entry) return list;
        using var xml = Open(entry);
        var text = new StringBuilder();
        bool inItem = false, inText = false;
        while (Read(xml, "sharedStrings.xml"))
        {
            switch (xml.NodeType)
            {
                case XmlNodeType.Element when xml.LocalName == "si":
                    text.Clear();
                    if (xml.IsEmptyElement) list.Add(""); else inItem = true;
                    break;
                case XmlNodeType.Element when xml.LocalName == "t" && inItem:
                    inText = !xml.IsEmptyElement;
                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace when inText:
                    text.Append(xml.Value);
                    break;
                case XmlNodeType.EndElement when xml.LocalName == "t":
                    inText = false;
                    break;
                case XmlNodeType.EndElement when xml.LocalName == "si":
                    list.Add(text.ToString());
                    inItem = false;
                    break;
            }
        }
        return list;
    }

    static IEnumerable<DelimitedRecord> SheetRows(ZipArchiveEntry sheet, List<string> shared)
    {
        using var xml = Open(sheet);
        List<Cell>? cells = null;
        var rowNumber = 0;
        string? type = null;
        var column = 0;
        var value = new StringBuilder();
        var inValue = false;
        while (Read(xml, sheet.FullName))
        {
            if (xml.NodeType == XmlNodeType.Element)
            {
                switch (xml.LocalName)
                {
                    case "row":
                        rowNumber = int.TryParse(xml.GetAttribute("r"), out var r) ? r : rowNumber + 1;
                        cells = [];
                        if (xml.IsEmptyElement) { yield return new DelimitedRecord(rowNumber, cells, true); cells = null; }
                        break;
                    case "c" when cells is not null:
                        type = xml.GetAttribute("t");
                        column = ColumnOf(xml.GetAttribute("r")) ?? cells.Count + 1;
                        value.Clear();
                        while (cells.Count < column - 1) cells.Add(new Cell("", rowNumber, cells.Count + 1));
                        if (xml.IsEmptyElement) cells.Add(new Cell("", rowNumber, column));
                        break;
                    case "v" or "t" when cells is not null:
                        inValue = !xml.IsEmptyElement;
                        break;
                }
            }
            else if (xml.NodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace && inValue)
                value.Append(xml.Value);
            else if (xml.NodeType == XmlNodeType.EndElement)
            {
                switch (xml.LocalName)
                {
                    case "v" or "t": inValue = false; break;
                    case "c" when cells is not null:
                        var raw = value.ToString();
                        var text = type == "s" && int.TryParse(raw, out var i) && i >= 0 && i < shared.Count ? shared[i] : raw;
                        cells.Add(new Cell(text, rowNumber, column));
                        break;
                    case "row" when cells is not null:
                        yield return new DelimitedRecord(rowNumber, cells, true);
                        cells = null;
                        break;
                }
            }
        }
    }

    static XmlReader Open(ZipArchiveEntry entry)
    {
        try { return XmlReader.Create(entry.Open(), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null }); }
        catch (InvalidDataException) { throw new CodeFileRejected(1, 1, $"the workbook part {entry.FullName} is corrupted."); }
    }

    static bool Read(XmlReader xml, string part)
    {
        try { return xml.Read(); }
        catch (Exception e) when (e is XmlException or InvalidDataException)
        {
            throw new CodeFileRejected(1, 1, $"the workbook part {part} is cut short or corrupted ({e.Message}).");
        }
    }

    /// <summary>"AB12" → 28.</summary>
    static int? ColumnOf(string? reference)
    {
        if (string.IsNullOrEmpty(reference)) return null;
        var n = 0;
        foreach (var c in reference)
        {
            if (!char.IsAsciiLetterUpper(c)) break;
            n = n * 26 + (c - 'A' + 1);
        }
        return n == 0 ? null : n;
    }

    /// <summary>An Excel serial day number (what a date-formatted cell stores) as a date, for YYYYMMDD columns saved as dates.</summary>
    public static DateOnly? SerialDate(ReadOnlySpan<char> value) =>
        value.Length is >= 4 and <= 5 && int.TryParse(value, out var days) && days > 0
            ? DateOnly.FromDateTime(new DateTime(1899, 12, 30).AddDays(days))
            : null;
}
