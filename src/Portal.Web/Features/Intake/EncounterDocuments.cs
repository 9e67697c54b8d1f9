using System.Text.Unicode;
using Microsoft.Net.Http.Headers;

namespace Portal.Web.Features.Intake;

/// <summary>
/// The stored bytes of an encounter attachment: a tenanted Marten document under an id Portal chose, served only through
/// tenant routes. <see cref="FileName"/> is a display name (cleaned, with the extension of the real type), never a path or key.
/// </summary>
public sealed record EncounterDocument(Guid Id, Guid EncounterId, string FileName, string ContentType, byte[] Content);

/// <summary>Limits on uploads, from configuration section <c>Portal:Documents</c>.</summary>
public sealed class DocumentOptions
{
    public const long DefaultMaxBytes = 20 * 1024 * 1024;

    /// <summary><c>Portal:Documents:MaxBytes</c>: the largest document accepted (413 above it). Default 20 MB.</summary>
    public long MaxBytes { get; set; } = DefaultMaxBytes;

    public static string Describe(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / 1024 / 1024} MB" : bytes >= 1024 ? $"{bytes / 1024} KB" : $"{bytes} bytes";
}

public static class DocumentTypes
{
    public const string Accepted = "a PDF, PNG, JPEG or TIFF image, or a plain text file";

    static readonly byte[] Pdf = "%PDF-"u8.ToArray();
    static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF];
    static readonly byte[] TiffLittleEndian = [0x49, 0x49, 0x2A, 0x00];
    static readonly byte[] TiffBigEndian = [0x4D, 0x4D, 0x00, 0x2A];
    static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    static readonly Dictionary<string, string[]> Extensions = new()
    {
        ["application/pdf"] = [".pdf"], ["image/png"] = [".png"], ["image/jpeg"] = [".jpg", ".jpeg"],
        ["image/tiff"] = [".tif", ".tiff"], ["text/plain"] = [".txt", ".text", ".log"],
    };

    /// <summary>The allow-listed type the bytes really are (never what the client claims), or null.</summary>
    public static string? Sniff(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith(Pdf) ? "application/pdf"
        : bytes.StartsWith(Png) ? "image/png"
        : bytes.StartsWith(Jpeg) ? "image/jpeg"
        : bytes.StartsWith(TiffLittleEndian) || bytes.StartsWith(TiffBigEndian) ? "image/tiff"
        : IsPlainText(bytes) ? "text/plain"
        : null;

    // Text has no magic number: we accept valid UTF-8 (ASCII included) without NUL or other control characters than tab,
    // line breaks and form feed. That refuses executables, archives and office files whatever their name says. Markup (HTML,
    // SVG, XML: first visible character '<') is refused too: it is a web page or an image that can carry script, not a note.
    static bool IsPlainText(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(Utf8Bom)) bytes = bytes[Utf8Bom.Length..];
        var start = bytes.IndexOfAnyExcept(" \t\r\n\f"u8);
        if (start >= 0 && bytes[start] == (byte)'<') return false;
        foreach (var b in bytes)
            if (b is (< 0x20 and not (0x09 or 0x0A or 0x0C or 0x0D)) or 0x7F) return false;
        return Utf8.IsValid(bytes);
    }

    /// <summary>Reads the whole upload if it is at most <paramref name="maxBytes"/>; null as soon as it is larger.</summary>
    public static async Task<byte[]?> ReadAtMost(Stream content, long maxBytes, CancellationToken ct)
    {
        if (content.CanSeek && content.Length > maxBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// The name shown in lists and offered on download: the client's last path segment without control or quote characters,
    /// at most 120 characters, ending in an extension of the real type (scan.html holding a PDF becomes scan.html.pdf, so no
    /// one opens it as a web page).
    /// </summary>
    public static string DisplayName(string? clientName, string contentType)
    {
        var name = (clientName ?? "").Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..];
        name = new string([.. name.Where(c => !char.IsControl(c) && c is not ('"' or '<' or '>' or ':' or '*' or '?' or '|'))]).Trim().Trim('.');
        if (name.Length > 120) name = name[..120];
        var extensions = Extensions.GetValueOrDefault(contentType, [".bin"]);
        if (name.Length == 0) return "document" + extensions[0];
        return extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase)) ? name : name + extensions[0];
    }

    /// <summary>
    /// Download headers for a stored document, API and pages alike: always an attachment, never sniffed or rendered as
    /// something else, never cached (PHI), and sandboxed should a browser render it anyway.
    /// </summary>
    public static void ServeAsAttachment(HttpResponse response, EncounterDocument document)
    {
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(DisplayName(document.FileName, document.ContentType));
        response.Headers.ContentDisposition = disposition.ToString();
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
        response.Headers.ContentSecurityPolicy = "sandbox";
    }

    /// <summary>The Content-Type to serve: the sniffed type, with the charset for text.</summary>
    public static string ServedType(EncounterDocument document) =>
        document.ContentType == "text/plain" ? "text/plain; charset=utf-8" : document.ContentType;
}
