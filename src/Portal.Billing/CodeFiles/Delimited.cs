using System.Text;

namespace Portal.Billing.CodeFiles;

/// <summary>A cell of a delimited record with where it starts (line and column, 1-based).</summary>
public readonly record struct Cell(string Value, int Line, int Column)
{
    public string Trimmed => Value.Trim();
}

/// <summary>A record of a delimited file: its cells, the line it starts on, and whether its last line ended with a line break.</summary>
public sealed record DelimitedRecord(int Line, IReadOnlyList<Cell> Cells, bool Terminated)
{
    public int Count => Cells.Count;
    public string this[int i] => i < Cells.Count ? Cells[i].Value : "";
    public bool IsBlank => Cells.All(c => c.Value.Trim().Length == 0);

    /// <summary>With empty cells up to <paramref name="count"/> (a worksheet leaves trailing empty cells out).</summary>
    public DelimitedRecord PadTo(int count)
    {
        if (Cells.Count >= count) return this;
        var cells = Cells.ToList();
        while (cells.Count < count) cells.Add(new Cell("", Line, cells.Count + 1));
        return this with { Cells = cells };
    }

    /// <summary>Where a missing cell would have been: just after the last cell.</summary>
    public int EndColumn => Cells.Count == 0 ? 1 : Cells[^1].Column + Cells[^1].Value.Length + 1;
}

/// <summary>
/// RFC 4180 records (comma, tab or pipe): quoted cells may hold the delimiter, doubled quotes and line breaks (CMS's MUE
/// file has header cells broken over two lines). A quote left open at the end of the file is a file cut short.
/// </summary>
public static class Delimited
{
    public static IEnumerable<DelimitedRecord> Read(IEnumerable<TextLine> lines, char delimiter)
    {
        var cells = new List<Cell>();
        var cell = new StringBuilder();
        var quoted = false;
        int recordLine = 0, cellLine = 0, cellColumn = 0, quoteLine = 0, quoteColumn = 0;
        foreach (var line in lines)
        {
            var text = line.Text;
            var i = 0;
            if (!quoted)
            {
                recordLine = line.Number;
                cells = [];
                cell.Clear();
                cellLine = line.Number;
                cellColumn = 1;
            }
            else cell.Append('\n');
            for (; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c != '"') cell.Append(c);
                    else if (i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                    else quoted = false;
                }
                else if (c == '"' && cell.Length == 0) { quoted = true; quoteLine = line.Number; quoteColumn = i + 1; }
                else if (c == delimiter)
                {
                    cells.Add(new Cell(cell.ToString(), cellLine, cellColumn));
                    cell.Clear();
                    cellLine = line.Number;
                    cellColumn = i + 2;
                }
                else cell.Append(c);
            }
            if (quoted) continue;
            cells.Add(new Cell(cell.ToString(), cellLine, cellColumn));
            yield return new DelimitedRecord(recordLine, cells, line.Terminated);
        }
        if (quoted)
            throw new CodeFileRejected(quoteLine, quoteColumn, "a quoted cell opened here is never closed: the file is cut short or corrupted.");
    }

    /// <summary>The delimiter a header or data line uses: tab, then pipe, then comma.</summary>
    public static char Guess(string line) => line.Contains('\t') ? '\t' : line.Contains('|') ? '|' : ',';
}
