using Portal.Billing.Codes;

namespace Portal.Billing.CodeFiles;

/// <summary>
/// Place-of-service and modifier lists (infra/codesets/pos-*.csv, modifier-*.csv): a header row <c>code,description</c>,
/// then one two-character code per row. HCPCS modifiers also come from the ANWEB file (records 7 and 8).
/// </summary>
public static class CodeListFile
{
    public static IEnumerable<CodeRecord> Read(TextReader reader, string system)
    {
        Dictionary<string, int>? columns = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var order = 0;
        foreach (var record in Delimited.Read(TextLines.Read(reader), ','))
        {
            if (record.IsBlank) continue;
            if (columns is null)
            {
                columns = HcpcsFile.Header(record, "code", "description");
                continue;
            }
            if (record.Count < columns.Count)
                throw new CodeFileRejected(record.Line, record.EndColumn, record.Terminated
                    ? $"the row has {record.Count} cells; the header has {columns.Count}."
                    : "the file ends in the middle of a row: it is cut short.");
            var codeCell = record.Cells[columns["code"]];
            var code = CodeSystems.Normalize(codeCell.Value);
            if (!CodeSystems.HasValidSyntax(system, code)) throw new CodeFileRejected(codeCell.Line, codeCell.Column, $"'{codeCell.Value}' is not a {system} code (two letters or digits).");
            var description = record[columns["description"]].Trim();
            if (description.Length == 0) throw new CodeFileRejected(record.Line, record.Cells[columns["description"]].Column, $"{code} has no description.");
            if (!seen.Add(code)) throw new CodeFileRejected(codeCell.Line, codeCell.Column, $"{code} appears twice.");
            yield return new CodeRecord(code, true, description, description, ++order, system == CodeSystems.Modifier ? CodeKind.Modifier : CodeKind.Code);
        }
        if (columns is null) throw new CodeFileRejected(1, 1, "the file is empty.");
        if (order == 0) throw new CodeFileRejected(1, 1, "the file has a header row but no codes.");
    }
}
