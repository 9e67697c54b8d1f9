using CsvHelper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Portal.Web.Platform.Csv;

/// <summary>One column of an export: its header and the cell of a row. <paramref name="Format"/> applies to numbers and dates.</summary>
public sealed record CsvColumn<T>(string Header, Func<T, object?> Value, string? Format = null);

/// <summary>
/// The one CSV writer of Portal: every export (API and pages) answers with this. Rows are written straight to the response
/// with CsvHelper (RFC 4180: quoting as needed, CRLF line ends; UTF-8 without BOM), flushed asynchronously as its buffer fills.
/// <para>
/// Formula injection: a text cell starting with = + - @, tab or CR gets a leading ' (OWASP's advice; Excel then shows it as
/// text), and such a cell is quoted. Only text is neutralised: numbers, dates and booleans are written by CsvHelper's own
/// formatters, cannot be formulas, and stay numbers, so a negative amount is still -12.50. A number that reaches us as
/// text (a name, a note) is text and is prefixed like any other.
/// </para>
/// Served as an attachment with nosniff and no-store: exports carry PHI and must not sit in shared caches.
/// </summary>
public sealed class CsvDownload<T> : IResult, IActionResult
{
    static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        Injection = CsvInjection.Escape, TrueValue = "yes", FalseValue = "no",
    };

    readonly string fileName;
    readonly IReadOnlyList<CsvColumn<T>> columns;
    readonly IEnumerable<T>? rows;
    readonly IAsyncEnumerable<T>? streamed;

    public CsvDownload(string fileName, IReadOnlyList<CsvColumn<T>> columns, IEnumerable<T> rows) =>
        (this.fileName, this.columns, this.rows) = (fileName, columns, rows);

    public CsvDownload(string fileName, IReadOnlyList<CsvColumn<T>> columns, IAsyncEnumerable<T> rows) =>
        (this.fileName, this.columns, streamed) = (fileName, columns, rows);

    public Task ExecuteResultAsync(ActionContext context) => ExecuteAsync(context.HttpContext);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var ct = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/csv; charset=utf-8";
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(fileName);
        response.Headers.ContentDisposition = disposition.ToString();
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";

        await using var csv = CsvWriter.Create(response.Body, Options, leaveOpen: true);
        csv.WriteHeader([.. columns.Select(c => c.Header)]);
        if (rows is not null)
            foreach (var row in rows) await WriteRow(csv, row, ct);
        else
            await foreach (var row in streamed!.WithCancellation(ct)) await WriteRow(csv, row, ct);
        await csv.FlushAsync(ct);
    }

    async ValueTask WriteRow(CsvWriter csv, T row, CancellationToken ct)
    {
        foreach (var column in columns) WriteCell(csv, column.Value(row), column.Format);
        await csv.EndRecordAsync(ct);
    }

    static void WriteCell(CsvWriter csv, object? value, string? format)
    {
        switch (value)
        {
            case null: csv.WriteField((string?)null); break;
            case string text: csv.WriteField(text); break;
            case decimal d: csv.WriteField(d, format); break;
            case int i: csv.WriteField(i, format); break;
            case long l: csv.WriteField(l, format); break;
            case double x: csv.WriteField(x, format); break;
            case bool b: csv.WriteField(b); break;
            case DateOnly date: csv.WriteField(date, format ?? "yyyy-MM-dd"); break;
            case DateTimeOffset at: csv.WriteField(at, format ?? "O"); break;
            case Guid id: csv.WriteField(id.ToString()); break;
            case Enum e: csv.WriteField(e.ToString()); break;
            default: csv.WriteField(value.ToString()); break;
        }
    }
}

/// <summary>Shorthand for building an export beside the read model it writes.</summary>
public static class CsvDownload
{
    public static CsvDownload<T> Of<T>(string fileName, IReadOnlyList<CsvColumn<T>> columns, IEnumerable<T> rows) => new(fileName, columns, rows);
}
