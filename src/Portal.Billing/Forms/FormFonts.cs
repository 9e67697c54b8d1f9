using PdfSharp.Fonts;

namespace Portal.Billing.Forms;

/// <summary>
/// PDFsharp 6 on Linux has no system font lookup: it asks an IFontResolver for the font bytes. Portal uses DejaVu Sans
/// (Bitstream Vera licence, free to embed) from Debian's fonts-dejavu-core, which .ci/run installs; PORTAL_FONT_DIR
/// points elsewhere (a folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf).
/// </summary>
public sealed class FormFonts : IFontResolver
{
    public const string Family = "Portal Form";
    static readonly string[] Folders = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts/dejavu", "/usr/share/fonts/TTF"];
    static readonly Lock Gate = new();
    static volatile bool _installed;
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> Faces = new();

    /// <summary>Sets the resolver once per process (every later call returns at once: statement runs call it per document).</summary>
    public static void Install()
    {
        if (_installed) return;
        lock (Gate)
        {
            if (_installed) return;
            if (GlobalFontSettings.FontResolver is null) GlobalFontSettings.FontResolver = new FormFonts();
            _installed = true;
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? "DejaVuSans-Bold" : "DejaVuSans");

    /// <summary>The face's bytes, read from disk once per process.</summary>
    public byte[]? GetFont(string faceName) => Faces.GetOrAdd(faceName, Read);

    static byte[] Read(string faceName)
    {
        var dirs = Environment.GetEnvironmentVariable("PORTAL_FONT_DIR") is { Length: > 0 } custom ? [custom, .. Folders] : Folders;
        foreach (var dir in dirs)
        {
            var path = Path.Combine(dir, faceName + ".ttf");
            if (File.Exists(path)) return File.ReadAllBytes(path);
        }
        throw new FileNotFoundException($"{faceName}.ttf not found in {string.Join(", ", dirs)}: install Debian's fonts-dejavu-core or set PORTAL_FONT_DIR.");
    }
}
