using System.Globalization;
using Portal.Billing.Codes;

namespace Portal.Billing.CodeFiles;

/// <summary>
/// The CMS/NCHS ICD-10-CM order file (icd10cm_order_YYYY.txt, "code descriptions in tabular order"), fixed width:
/// order number (cols 1–5), blank, code (7–13, dotless), blank, flag 0 header / 1 billable (15), blank, short
/// description (17–76), blank, long description (78–end).
/// </summary>
public static class Icd10CmOrderFile
{
    public const int MinimumLength = 78;

    /// <summary>Does this line look like an order-file record? Used to tell the layout from the content.</summary>
    public static bool Looks(string line) =>
        line.Length >= MinimumLength && line[5] == ' ' && line[13] == ' ' && line[15] == ' ' && line[76] == ' '
        && line.AsSpan(0, 5).ContainsAnyExceptInRange('0', '9') == false && line[14] is '0' or '1';

    public static IEnumerable<CodeRecord> Read(TextReader reader)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lastOrder = 0;
        var any = false;
        foreach (var (n, text, terminated) in TextLines.Read(reader))
        {
            if (text.Trim().Length == 0) continue;
            if (text.Length < MinimumLength)
                throw new CodeFileRejected(n, text.Length + 1, terminated
                    ? $"the line ends after {text.Length} characters; an order-file record has at least {MinimumLength} (not the fixed-width order file, or a cut record)."
                    : $"the file ends in the middle of a record ({text.Length} of at least {MinimumLength} characters): it is cut short.");
            foreach (var col in (ReadOnlySpan<int>)[6, 14, 16, 77])
                if (text[col - 1] != ' ')
                    throw new CodeFileRejected(n, col, $"column {col} must be blank in the order-file layout (found '{text[col - 1]}').");
            if (!int.TryParse(text.AsSpan(0, 5), NumberStyles.None, CultureInfo.InvariantCulture, out var order))
                throw new CodeFileRejected(n, 1, $"the order number '{text[..5]}' is not five digits.");
            if (order <= lastOrder)
                throw new CodeFileRejected(n, 1, $"order number {order} does not follow {lastOrder}: the records are out of order or the file is corrupted.");
            lastOrder = order;
            var code = text.Substring(6, 7).TrimEnd();
            if (!CodeSystems.HasValidSyntax(CodeSystems.Icd10Cm, code) && !(code.Length == 3 && char.IsAsciiLetterUpper(code[0])))
                throw new CodeFileRejected(n, 7, $"'{code}' is not an ICD-10-CM code (dotless, 3 to 7 characters).");
            var billable = text[14] switch
            {
                '1' => true,
                '0' => false,
                var f => throw new CodeFileRejected(n, 15, $"the header/billable flag is '{f}'; it must be 0 (header) or 1 (billable)."),
            };
            var longText = text[77..].Trim();
            if (longText.Length == 0) throw new CodeFileRejected(n, 78, $"{code} has no long description.");
            // The long description runs to the end of the line, so a file cut inside it would still look complete:
            // the published file ends every record with a line break, a cut one does not.
            if (!terminated)
                throw new CodeFileRejected(n, text.Length + 1, "the last record has no line end: the file is cut short.");
            if (!seen.Add(code)) throw new CodeFileRejected(n, 7, $"{code} appears twice.");
            any = true;
            yield return new CodeRecord(code, billable, text.Substring(16, 60).TrimEnd(), longText, order);
        }
        if (!any) throw new CodeFileRejected(1, 1, "the file has no records.");
    }
}
