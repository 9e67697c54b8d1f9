using System.Text;

namespace Portal.Web.Platform;

/// <summary>CSV for exports (RFC 4180), with spreadsheet formulas neutralised: a cell starting with = + - @, tab or CR is prefixed with '.</summary>
public static class CsvExport
{
    public static byte[] Bytes(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var text = new StringBuilder();
        Line(text, header);
        foreach (var row in rows) Line(text, row);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    static void Line(StringBuilder text, IReadOnlyList<string> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0) text.Append(',');
            var cell = cells[i] ?? "";
            if (cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r') cell = "'" + cell;
            text.Append(cell.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + cell.Replace("\"", "\"\"") + "\"" : cell);
        }
        text.Append("\r\n");
    }
}
