namespace Portal.Billing.CodeFiles;

public enum CodeFileLayout
{
    Icd10CmOrder,
    Icd10CmTabularXml,
    HcpcsAnwebFixedWidth,
    HcpcsAnwebCsv,
    CptDataFile,
    NcciPtp,
    Mue,
    Mce,
    CodeList,
}

/// <summary>Telling a file's layout from its content, and reading a whole file into all records or an error.</summary>
public static class CodeFile
{
    /// <summary>
    /// The layout of a file from its first lines (pass at least the first few kilobytes). Throws
    /// <see cref="CodeFileRejected"/> at line 1, column 1 when no known layout fits.
    /// </summary>
    public static CodeFileLayout Detect(string head)
    {
        head = head.TrimStart('\uFEFF');
        var lines = head.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var firstIndex = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (firstIndex < 0) throw new CodeFileRejected(1, 1, "the file is empty.");
        var first = lines[firstIndex];
        if (first.TrimStart().StartsWith('<'))
            return head.Contains("<" + Icd10CmTabularFile.Root, StringComparison.Ordinal) ? CodeFileLayout.Icd10CmTabularXml
                : throw new CodeFileRejected(firstIndex + 1, 1, "an XML file that is not the ICD-10-CM Tabular (no <ICD10CM.tabular> root).");
        if (Icd10CmOrderFile.Looks(first)) return CodeFileLayout.Icd10CmOrder;
        if (HcpcsFile.LooksCsv(first)) return CodeFileLayout.HcpcsAnwebCsv;
        if (HcpcsFile.LooksFixedWidth(first)) return CodeFileLayout.HcpcsAnwebFixedWidth;
        if (first.Trim().Equals("list,code,min_age,max_age", StringComparison.Ordinal) || first.StartsWith('#') && head.Contains("list,code,min_age,max_age", StringComparison.Ordinal))
            return CodeFileLayout.Mce;
        if (first.Replace(" ", "", StringComparison.Ordinal).Equals("code,description", StringComparison.OrdinalIgnoreCase))
        {
            // The same header serves POS/modifier lists (two-character codes) and a CPT export with one descriptor.
            var next = lines.Skip(firstIndex + 1).FirstOrDefault(l => l.Trim().Length > 0)?.Split(',')[0].Trim() ?? "";
            return Codes.CodeSystems.HasValidSyntax(Codes.CodeSystems.Cpt, next) ? CodeFileLayout.CptDataFile : CodeFileLayout.CodeList;
        }
        if (lines.Take(60).Any(NcciPtpFile.LooksHeader)) return CodeFileLayout.NcciPtp;
        if (head.Contains("MUE", StringComparison.Ordinal) && lines.Take(200).Any(l => l.TrimStart('"', ' ').StartsWith("HCPCS", StringComparison.OrdinalIgnoreCase)))
            return CodeFileLayout.Mue;
        var cells = first.Split('\t', '|', ',');
        if (cells.Length >= 2 && Codes.CodeSystems.HasValidSyntax(Codes.CodeSystems.Cpt, cells[0].Trim())
            || first.Length > 6 && first[5] == ' ' && Codes.CodeSystems.HasValidSyntax(Codes.CodeSystems.Cpt, first[..5])
            || cells.Any(c => c.Contains("code", StringComparison.OrdinalIgnoreCase)) && cells.Any(c => c.Contains("desc", StringComparison.OrdinalIgnoreCase)))
            return CodeFileLayout.CptDataFile;
        throw new CodeFileRejected(firstIndex + 1, 1,
            "the layout is not one Portal reads (ICD-10-CM order file or Tabular XML, HCPCS ANWEB fixed width or CSV, CPT data file, NCCI PTP, MUE, MCE list, code list).");
    }

    /// <summary>Reads a whole file: every record, or the first refusal with nothing kept.</summary>
    public static CodeFileResult<T> ReadAll<T>(IEnumerable<T> records)
    {
        try { return new CodeFileResult<T>(records.ToList(), null); }
        catch (CodeFileRejected e) { return new CodeFileResult<T>(null, e); }
    }
}
