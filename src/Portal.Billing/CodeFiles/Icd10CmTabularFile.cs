using System.Text.RegularExpressions;
using System.Xml;
using Portal.Billing.Codes;

namespace Portal.Billing.CodeFiles;

public enum TabularLevel { Chapter, Section, Diagnosis }

/// <summary>
/// A chapter, section or diagnosis of the ICD-10-CM Tabular with the instructional notes written on it. Notes apply to
/// everything in <see cref="Scope"/> (a diagnosis: the code and its children). <see cref="SevenCharacters"/> holds
/// the 7th-character values defined at this level (sevenChrDef), if any.
/// </summary>
public sealed record TabularEntry(
    TabularLevel Level,
    string Code,
    CodeRange Scope,
    string Description,
    int Line,
    IReadOnlyList<string> Excludes1,
    IReadOnlyList<string> Excludes2,
    IReadOnlyList<string> CodeFirst,
    IReadOnlyList<string> UseAdditionalCode,
    IReadOnlyList<string> CodeAlso,
    IReadOnlyDictionary<string, string>? SevenCharacters);

/// <summary>
/// The ICD-10-CM Tabular List in XML (icd10cm_tabular_YYYY.xml): ICD10CM.tabular / chapter / section / diag, each with
/// name and desc and the notes excludes1, excludes2, codeFirst, useAdditionalCode, codeAlso (each a list of note
/// elements), inclusionTerm, and per category sevenChrNote / sevenChrDef (extension char="A"…). Streamed with an
/// XmlReader: an entry is yielded as soon as its notes are read (before its children), so memory stays flat.
/// </summary>
public static partial class Icd10CmTabularFile
{
    public const string Root = "ICD10CM.tabular";

    static readonly HashSet<string> NoteKinds = ["excludes1", "excludes2", "codeFirst", "useAdditionalCode", "codeAlso"];

    sealed class Open(TabularLevel level, int line, int depth)
    {
        public readonly TabularLevel Level = level;
        public readonly int Line = line;
        public readonly int Depth = depth;
        public string? Code;
        public string Description = "";
        public readonly Dictionary<string, List<string>> Notes = [];
        public Dictionary<string, string>? Seven;
        public bool Yielded;

        public TabularEntry ToEntry()
        {
            // A chapter or section without a code range in its id or title gets a scope no code matches ("~").
            var scope = Level switch
            {
                TabularLevel.Diagnosis => new CodeRange(Code!),
                _ => RangeOf(Code!) ?? RangeOf(Description) ?? new CodeRange("~"),
            };
            IReadOnlyList<string> N(string k) => Notes.TryGetValue(k, out var l) ? l : [];
            return new TabularEntry(Level, Code!, scope, Description, Line, N("excludes1"), N("excludes2"), N("codeFirst"),
                N("useAdditionalCode"), N("codeAlso"), Seven);
        }
    }

    enum Capture { None, Name, Desc, Note, Extension }

    public static IEnumerable<TabularEntry> Read(TextReader text) =>
        Guarded.Map(ReadEntries(text), e => e is XmlException x
            ? new CodeFileRejected(Math.Max(x.LineNumber, 1), Math.Max(x.LinePosition, 1),
                $"the XML is not well formed ({LinePart().Replace(x.Message, "").Trim()}): the file is cut short or corrupted.")
            : null);

    static IEnumerable<TabularEntry> ReadEntries(TextReader text)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, IgnoreComments = true, XmlResolver = null };
        using var xml = XmlReader.Create(text, settings);
        var info = (IXmlLineInfo)xml;
        var stack = new List<Open>();
        string? noteKind = null;
        var rootSeen = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        var capture = Capture.None;
        var captureDepth = 0;
        int captureLine = 0, captureColumn = 0;
        string? extensionChar = null;
        var buffer = new System.Text.StringBuilder();

        bool Next()
        {
            try { return xml.Read(); }
            catch (XmlException e)
            {
                throw new CodeFileRejected(Math.Max(e.LineNumber, 1), Math.Max(e.LinePosition, 1),
                    $"the XML is not well formed ({LinePart().Replace(e.Message, "").Trim()}): the file is cut short or corrupted.");
            }
        }

        void EndCapture()
        {
            var value = Collapse(buffer.ToString());
            buffer.Clear();
            var top = stack[^1];
            switch (capture)
            {
                case Capture.Name when top.Level == TabularLevel.Diagnosis:
                    var code = CodeSystems.Normalize(value);
                    if (!CodeSystems.HasValidSyntax(CodeSystems.Icd10Cm, code) && !(code.Length == 3 && char.IsAsciiLetterUpper(code[0])))
                        throw new CodeFileRejected(captureLine, captureColumn, $"'{value}' is not an ICD-10-CM code.");
                    if (!seen.Add(code)) throw new CodeFileRejected(captureLine, captureColumn, $"{value} appears twice.");
                    top.Code = code;
                    break;
                case Capture.Name:
                    top.Code ??= value;
                    break;
                case Capture.Desc:
                    top.Description = value;
                    break;
                case Capture.Note:
                    if (!top.Notes.TryGetValue(noteKind!, out var list)) top.Notes[noteKind!] = list = [];
                    list.Add(value);
                    break;
                case Capture.Extension:
                    (top.Seven ??= [])[extensionChar!] = value;
                    break;
            }
            capture = Capture.None;
        }

        while (Next())
        {
            switch (xml.NodeType)
            {
                case XmlNodeType.Element:
                    if (!rootSeen)
                    {
                        if (xml.LocalName != Root)
                            throw new CodeFileRejected(info.LineNumber, info.LinePosition,
                                $"the root element is <{xml.LocalName}>; the ICD-10-CM Tabular XML starts with <{Root}>.");
                        rootSeen = true;
                        continue;
                    }
                    if (capture != Capture.None) continue;
                    var name = xml.LocalName;
                    var top = stack.Count > 0 ? stack[^1] : null;
                    if (name is "chapter" or "section" or "diag")
                    {
                        if (top is not null && !top.Yielded) yield return Finish(top);
                        var level = name switch { "chapter" => TabularLevel.Chapter, "section" => TabularLevel.Section, _ => TabularLevel.Diagnosis };
                        if (xml.IsEmptyElement) throw new CodeFileRejected(info.LineNumber, info.LinePosition, $"an empty <{name}/> element.");
                        var open = new Open(level, info.LineNumber, xml.Depth);
                        if (level == TabularLevel.Section) open.Code = xml.GetAttribute("id");
                        stack.Add(open);
                        continue;
                    }
                    if (top is null) continue;
                    var start = Capture.None;
                    if (name == "name" && noteKind is null && xml.Depth == top.Depth + 1) start = Capture.Name;
                    else if (name == "desc" && noteKind is null && xml.Depth == top.Depth + 1) start = Capture.Desc;
                    else if (NoteKinds.Contains(name) && xml.Depth == top.Depth + 1) { if (!xml.IsEmptyElement) noteKind = name; }
                    else if (name == "note" && noteKind is not null) start = Capture.Note;
                    else if (name == "extension")
                    {
                        var ch = xml.GetAttribute("char");
                        if (ch is not { Length: 1 } || !char.IsAsciiLetterOrDigit(ch[0]))
                            throw new CodeFileRejected(info.LineNumber, info.LinePosition,
                                $"a 7th-character <extension> needs char=\"X\" with one letter or digit (found '{ch}').");
                        extensionChar = ch.ToUpperInvariant();
                        start = Capture.Extension;
                    }
                    if (start == Capture.None) continue;
                    capture = start;
                    captureDepth = xml.Depth;
                    (captureLine, captureColumn) = (info.LineNumber, info.LinePosition);
                    if (xml.IsEmptyElement) EndCapture();
                    continue;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    if (capture != Capture.None) buffer.Append(xml.Value);
                    continue;
                case XmlNodeType.EndElement:
                    if (capture != Capture.None)
                    {
                        if (xml.Depth == captureDepth) EndCapture();
                        continue;
                    }
                    if (NoteKinds.Contains(xml.LocalName) && stack.Count > 0 && xml.Depth == stack[^1].Depth + 1) noteKind = null;
                    else if (xml.LocalName is "chapter" or "section" or "diag")
                    {
                        var done = stack[^1];
                        stack.RemoveAt(stack.Count - 1);
                        if (!done.Yielded) yield return Finish(done);
                        count++;
                    }
                    continue;
            }
        }
        if (!rootSeen) throw new CodeFileRejected(1, 1, $"the file has no <{Root}> element (not the ICD-10-CM Tabular XML).");
        if (count == 0) throw new CodeFileRejected(info.LineNumber, 1, "the Tabular has no chapters or codes.");
    }

    static TabularEntry Finish(Open open)
    {
        if (open.Code is null)
            throw new CodeFileRejected(open.Line, 1, $"a <{open.Level switch { TabularLevel.Chapter => "chapter", TabularLevel.Section => "section", _ => "diag" }}> has no name (or id) before its notes or children.");
        open.Yielded = true;
        return open.ToEntry();
    }

    static string Collapse(string s) => Spaces().Replace(s, " ").Trim();

    /// <summary>"A00-A09" or a chapter title ending "(A00-B99)".</summary>
    static CodeRange? RangeOf(string text)
    {
        var m = RangeText().Match(text);
        return m.Success ? new CodeRange(CodeSystems.Normalize(m.Groups[1].Value), CodeSystems.Normalize(m.Groups[2].Value)) : null;
    }

    [GeneratedRegex(@"\s*Line \d+, position \d+\.")]
    private static partial Regex LinePart();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"([A-Z][0-9][A-Z0-9](?:\.[A-Z0-9]+)?)\s*-\s*([A-Z][0-9][A-Z0-9](?:\.[A-Z0-9]+)?)")]
    private static partial Regex RangeText();
}
