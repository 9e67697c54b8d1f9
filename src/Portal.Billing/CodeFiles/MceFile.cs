using System.Globalization;
using Portal.Billing.Codes;

namespace Portal.Billing.CodeFiles;

/// <summary>
/// Age and sex lists in the style of CMS's Medicare Code Editor, in Portal's own table format (docs/code-files.md):
///
///   list,code,min_age,max_age
///   newborn,P0700,,
///   maternity,O80,12,55
///   female,N80*,,
///   end,3
///
/// list = newborn | pediatric | maternity | adult (age edits) or male | female (sex edits); code = an ICD-10-CM code,
/// dotted or not, with a trailing * for "and every code under it"; min_age / max_age override the MCE age band of the
/// list (whole years on the date of service). Lines starting with # are comments. The last row must be
/// <c>end,&lt;number of rows&gt;</c>, so a file cut short is refused.
/// </summary>
public static class MceFile
{
    public static (int Min, int Max) DefaultAges(MceCategory category) => category switch
    {
        MceCategory.Newborn => (0, 0),
        MceCategory.Pediatric => (0, 17),
        MceCategory.Maternity => (9, 64),
        MceCategory.Adult => (15, 124),
        _ => (0, 124),
    };

    public static IEnumerable<MceRecord> Read(TextReader reader)
    {
        var headerSeen = false;
        var count = 0;
        var ended = false;
        var seen = new HashSet<(string, MceCategory)>();
        var lines = TextLines.Read(reader).Where(l => !l.Text.TrimStart().StartsWith('#'));
        foreach (var record in Delimited.Read(lines, ','))
        {
            if (record.IsBlank) continue;
            if (ended) throw new CodeFileRejected(record.Line, 1, "rows after the end row.");
            if (!headerSeen)
            {
                if (!(record.Count == 4 && record[0].Trim() == "list" && record[1].Trim() == "code" && record[2].Trim() == "min_age" && record[3].Trim() == "max_age"))
                    throw new CodeFileRejected(record.Line, 1, "the first row must be the header list,code,min_age,max_age (Portal's MCE list format).");
                headerSeen = true;
                continue;
            }
            var list = record[0].Trim().ToLowerInvariant();
            if (list == "end")
            {
                if (!int.TryParse(record[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var declared))
                    throw new CodeFileRejected(record.Line, record.Count > 1 ? record.Cells[1].Column : record.EndColumn, "the end row must give the number of rows: end,<count>.");
                if (declared != count)
                    throw new CodeFileRejected(record.Line, record.Cells[1].Column, $"the end row says {declared} rows but the file has {count}: rows are missing or extra.");
                ended = true;
                continue;
            }
            if (record.Count != 4)
                throw new CodeFileRejected(record.Line, record.EndColumn, $"the row has {record.Count} cells; expected 4 (list, code, min_age, max_age).");
            MceCategory category = list switch
            {
                "newborn" => MceCategory.Newborn, "pediatric" => MceCategory.Pediatric, "maternity" => MceCategory.Maternity,
                "adult" => MceCategory.Adult, "male" => MceCategory.Male, "female" => MceCategory.Female,
                _ => throw new CodeFileRejected(record.Line, record.Cells[0].Column, $"the list '{record[0]}' is unknown; expected newborn, pediatric, maternity, adult, male or female."),
            };
            var raw = record[1].Trim();
            var children = raw.EndsWith('*');
            var code = CodeSystems.Normalize(raw.TrimEnd('*'));
            if (!CodeSystems.HasValidSyntax(CodeSystems.Icd10Cm, code) && !(children && code.Length >= 1 && char.IsAsciiLetterUpper(code[0])))
                throw new CodeFileRejected(record.Line, record.Cells[1].Column, $"'{raw}' is not an ICD-10-CM code (or code prefix with *).");
            var (min, max) = DefaultAges(category);
            min = Age(record.Cells[2]) ?? min;
            max = Age(record.Cells[3]) ?? max;
            if (min > max) throw new CodeFileRejected(record.Line, record.Cells[2].Column, $"min_age {min} is above max_age {max}.");
            if (!seen.Add((code + (children ? "*" : ""), category))) throw new CodeFileRejected(record.Line, record.Cells[1].Column, $"{raw} is listed twice under {list}.");
            count++;
            yield return new MceRecord(code, children, category, min, max);
        }
        if (!headerSeen) throw new CodeFileRejected(1, 1, "the file is empty.");
        if (!ended) throw new CodeFileRejected(count + 2, 1, "the file has no end row (end,<count>): it is cut short.");
    }

    static int? Age(Cell cell)
    {
        var v = cell.Trimmed;
        if (v.Length == 0) return null;
        return int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var a) && a <= 124 ? a
            : throw new CodeFileRejected(cell.Line, cell.Column, $"the age '{v}' is not a whole number of years (0–124).");
    }
}
