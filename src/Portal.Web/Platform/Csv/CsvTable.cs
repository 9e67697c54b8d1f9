using System.Text;

// In the Platform namespace (imported everywhere), so every feature's CSV import reads files the same way.
namespace Portal.Web.Platform;

public sealed record CsvRow(int Number, IReadOnlyDictionary<string, string> Values)
{
    public string this[string column] => Values.TryGetValue(column, out var v) ? v : "";
}

/// <summary>A CSV file with a header row; columns are found by name, in any order, and unknown columns are ignored.</summary>
public sealed record CsvTable(IReadOnlyList<string> Header, IReadOnlyList<CsvRow> Rows)
{
    /// <summary>Rows one import may hold: all rows are validated and saved in one transaction.</summary>
    public const int MaxRows = 5000;

    public static CsvTable Parse(string text, string[] requiredColumns)
    {
        var records = Records(text).ToList();
        if (records.Count == 0)
            throw new UnprocessableInput("The file is empty.", new Dictionary<string, string[]> { ["file"] = ["The file has no header row."] });
        var header = records[0].Select(h => h.Trim().ToLowerInvariant()).ToList();
        var missing = requiredColumns.Except(header).ToArray();
        if (missing.Length > 0)
            throw new UnprocessableInput("The header row lacks required columns.",
                new Dictionary<string, string[]> { ["file"] = [$"Missing column(s): {string.Join(", ", missing)}."] });
        if (records.Count - 1 > MaxRows)
            throw new UnprocessableInput("The file is too long.",
                new Dictionary<string, string[]> { ["file"] = [$"Send at most {MaxRows} rows per file."] });
        var rows = new List<CsvRow>();
        for (var i = 1; i < records.Count; i++)
        {
            if (records[i].All(string.IsNullOrWhiteSpace)) continue;
            var values = new Dictionary<string, string>();
            for (var c = 0; c < header.Count && c < records[i].Count; c++)
            {
                // The JSON guard's rule (TextGuard) for a file's cells: PostgreSQL cannot store NUL in text or jsonb, and a row
                // that reached it failed the whole save there with 22P05, after which a pooled connection could be left out of
                // step with the server (Npgsql's UnexpectedMessageReceived on the next request). Refused here, with its place.
                if (!TextGuard.IsStorable(records[i][c]))
                    throw new InvalidInput("file", $"Row {i + 1}, column {c + 1} ({header[c]}): {TextGuard.Unstorable} Nothing was imported.");
                values[header[c]] = records[i][c].Trim();
            }
            rows.Add(new CsvRow(i + 1, values));
        }
        return new CsvTable(header, rows);
    }

    static IEnumerable<List<string>> Records(string text)
    {
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch != '"') field.Append(ch);
                else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (ch == '"' && field.Length == 0) quoted = true;
            else if (ch == ',') { record.Add(field.ToString()); field.Clear(); }
            else if (ch is '\r' or '\n')
            {
                if (ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                record.Add(field.ToString()); field.Clear();
                yield return record;
                record = [];
            }
            else if (ch != '\uFEFF' || i > 0) field.Append(ch);
        }
        if (field.Length > 0 || record.Count > 0) { record.Add(field.ToString()); yield return record; }
    }
}
