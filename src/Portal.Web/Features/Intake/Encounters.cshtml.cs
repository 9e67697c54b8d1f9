using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

public sealed record EncounterRows(PageOf<EncounterListRow> Rows, Func<int, string> PageUrl, string Root, bool Filtered, string ExportUrl);

public class EncountersModel(IQuerySession query) : IntakePageModel
{
    public EncounterFilter Filter { get; private set; } = new();
    // "page" is a reserved route value in Razor Pages, so the pages page with ?p=.
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;
    public EncounterRows Rows { get; private set; } = default!;
    public IReadOnlyList<Provider> Providers { get; private set; } = [];
    public CsvImportSummary? Imported { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (TempData[ImportedKey] is string imported) Imported = System.Text.Json.JsonSerializer.Deserialize<CsvImportSummary>(imported);
        if (Guid.TryParse(Request.Query["preview"], out var previewId)
            && await query.LoadAsync<EncounterImportDraft>(previewId, ct) is { } draft)
        {
            // An imported file shows what was imported and offers nothing more: reloading or going back imports nothing.
            if (draft.Stage == EncounterImportDraft.Imported) Imported = draft.Result;
            else Preview = draft;
        }
        await LoadRows(ct);
        Providers = await IntakeQueries.Providers(query, ct);
    }

    /// <summary>htmx: just the table, when a filter changes.</summary>
    public async Task<IActionResult> OnGetRowsAsync(CancellationToken ct)
    {
        await LoadRows(ct);
        Response.Headers.Vary = "HX-Request";
        return Partial("_EncounterRows", Rows);
    }

    public async Task<IActionResult> OnGetExportAsync([FromServices] IDocumentSession session, CancellationToken ct)
    {
        var rows = await IntakeQueries.Encounters(session, Filter).Take(10_000).ToListAsync(ct);
        await PhiAudit.Record(session, HttpContext, PhiAudit.Export, "EncounterList", null, null, ct);
        return CsvIntake.EncounterExport(rows.Select(EncounterListRow.From));
    }

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, CancellationToken ct)
    {
        if (file is null || file.Length == 0) Error = "Choose a CSV file to import.";
        else
        {
            using var reader = new StreamReader(file.OpenReadStream());
            var csv = await reader.ReadToEndAsync(ct);
            if (await TryWrite(async () => Imported = await CsvIntake.ImportEncounters(session, csv, User.Actor(), clock, ct)) && Imported is { } done)
            {
                // POST-redirect-GET: the summary travels in TempData, so reloading the page shows it and imports nothing again.
                TempData[ImportedKey] = System.Text.Json.JsonSerializer.Serialize(done with { Errors = [.. done.Errors.Take(50)], Created = [] });
                return Redirect($"{Root}/encounters#import-heading");
            }
        }
        await OnGetAsync(ct);
        return Page();
    }

    const string ImportedKey = "encounters.imported";
    public const long MaxImportBytes = 5 * 1024 * 1024;
    public EncounterImportDraft? Preview { get; private set; }

    /// <summary>
    /// Upload: the file waits as a draft and its rows are checked in the background (nothing is saved); the page shows the
    /// progress (htmx polls <see cref="OnGetProgressAsync"/>) and then the preview, by a GET (POST-redirect-GET).
    /// </summary>
    public async Task<IActionResult> OnPostPreviewAsync(IFormFile? file, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, [FromServices] CsvImportJobs jobs, CancellationToken ct)
    {
        if (file is null || file.Length == 0) Error = "Choose a CSV file to import.";
        else if (file.Length > MaxImportBytes) Error = "The file is larger than 5 MB: split it into several files.";
        else
        {
            using var reader = new StreamReader(file.OpenReadStream());
            var csv = await reader.ReadToEndAsync(ct);
            var draft = new EncounterImportDraft(Guid.CreateVersion7(), Path.GetFileName(file.FileName), csv, 0, 0, [], User.Actor(),
                clock.GetUtcNow(), Stage: EncounterImportDraft.Checking, Total: CsvImportJobs.CountRows(csv));
            session.Store(draft);
            await session.SaveChangesAsync(ct);
            var actor = User.Actor();
            jobs.Run(Practice.TenantId, draft.Id, (work, progress, token) =>
                CsvIntake.ImportEncounters(work, csv, actor, clock, token, dryRun: true, progress: progress), EncounterImportDraft.Checked);
            return Redirect($"{Root}/encounters?preview={draft.Id}#import-heading");
        }
        await OnGetAsync(ct);
        return Page();
    }

    /// <summary>Confirm a previewed file: its good rows are imported once, in the background; confirming again (a reload, a double click) imports nothing.</summary>
    public async Task<IActionResult> OnPostConfirmAsync(Guid draftId, [FromServices] IDocumentSession session,
        [FromServices] TimeProvider clock, [FromServices] CsvImportJobs jobs, CancellationToken ct)
    {
        var draft = await session.LoadAsync<EncounterImportDraft>(draftId, ct);
        if (draft is null) return NotFound();
        if (draft.Stage != EncounterImportDraft.Checked)
        {
            Error = draft.ImportedAt is { } at
                ? $"This file was imported already on {at:yyyy-MM-dd HH:mm} UTC; nothing was imported again."
                : "This file is being imported already; nothing was imported again.";
            await OnGetAsync(ct);
            return Page();
        }
        session.Store(draft with { Stage = EncounterImportDraft.Importing, Done = 0 });
        await session.SaveChangesAsync(ct);
        var (actor, csv) = (User.Actor(), draft.Csv);
        jobs.Run(Practice.TenantId, draft.Id, (work, progress, token) =>
            CsvIntake.ImportEncounters(work, csv, actor, clock, token, progress: progress), EncounterImportDraft.Imported);
        return Redirect($"{Root}/encounters?preview={draft.Id}#import-heading");
    }

    /// <summary>htmx: the progress of a file being checked or imported; once done, the page is loaded again to show the result.</summary>
    public async Task<IActionResult> OnGetProgressAsync(Guid draftId, CancellationToken ct)
    {
        var draft = await query.LoadAsync<EncounterImportDraft>(draftId, ct);
        if (draft is null) return NotFound();
        Response.Headers.CacheControl = "no-store";
        if (!draft.Running)
        {
            // The page already shows ?preview={id}: loading it again shows the preview or the import's summary.
            Response.Headers["HX-Refresh"] = "true";
            return new NoContentResult();
        }
        return Partial("_ImportProgress", new ImportProgress(draft, Root));
    }

    /// <summary>The import template: the header row and one example row.</summary>
    public IActionResult OnGetTemplate() =>
        File(System.Text.Encoding.UTF8.GetBytes(string.Join(",", CsvIntake.EncounterColumns) + "\r\n" +
            "N-1001,1234567893,1234567893,2026-03-02,11,Follow-up visit,87726,United Healthcare,W123456789,GRP-4411\r\n" +
            "N-1002,1234567893,,2026-03-02,11,,,,,\r\n"), "text/csv", "encounters-template.csv");

    async Task LoadRows(CancellationToken ct)
    {
        Filter = FilterFromQuery(Request.Query);
        var page = await IntakeQueries.Encounters(query, Filter).ToPageAsync(Paging.ForPortalPage(PageNumber), ct);
        var rows = page.Map(EncounterListRow.From);
        var filtered = Filter.Status is not null || Filter.DosFrom is not null || Filter.DosTo is not null || Filter.ProviderId is not null
            || !string.IsNullOrWhiteSpace(Filter.Patient);
        Rows = new EncounterRows(rows, PageUrl, Root, filtered, $"{Root}/encounters?handler=Export&{QueryString()}");
    }

    public string QueryString(int? page = null) => string.Join('&', new Dictionary<string, string?>
    {
        ["status"] = Filter.Status?.ToString(), ["dosFrom"] = Filter.DosFrom?.ToString("yyyy-MM-dd"),
        ["dosTo"] = Filter.DosTo?.ToString("yyyy-MM-dd"), ["providerId"] = Filter.ProviderId?.ToString(),
        ["patient"] = Filter.Patient, ["sort"] = Filter.Sort, ["p"] = page?.ToString(),
    }.Where(kv => !string.IsNullOrEmpty(kv.Value)).Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value!)}"));

    // Lenient on purpose: a hand-edited URL with a bad date just drops that filter instead of failing the page.
    static EncounterFilter FilterFromQuery(IQueryCollection q) => new()
    {
        Status = Enum.TryParse<EncounterStatus>(q["status"], true, out var status) ? status : null,
        DosFrom = DateOnly.TryParseExact(q["dosFrom"], "yyyy-MM-dd", out var from) ? from : null,
        DosTo = DateOnly.TryParseExact(q["dosTo"], "yyyy-MM-dd", out var to) ? to : null,
        ProviderId = Guid.TryParse(q["providerId"], out var provider) ? provider : null,
        Patient = q["patient"].ToString() is { Length: > 0 } patient ? patient : null,
        Sort = IntakeQueries.EncounterSorting.OrDefault(q["sort"].ToString()),
    };

    string PageUrl(int page) => $"{Root}/encounters?{QueryString(page)}";
}

/// <summary>
/// A CSV file being checked, checked (the preview), being imported or imported; the practice's tenant. Its text is emptied
/// once imported. Done counts the rows handled so far, for the progress bar.
/// </summary>
public sealed record EncounterImportDraft(Guid Id, string FileName, string Csv, int Good, int Bad, CsvRowError[] Errors, string By,
    DateTimeOffset At, DateTimeOffset? ImportedAt = null, string Stage = EncounterImportDraft.Checked, int Total = 0, int Done = 0,
    CsvImportSummary? Result = null, string? Failure = null)
{
    public const string Checking = "checking", Checked = "checked", Importing = "importing", Imported = "imported", Failed = "failed";

    public bool Running => Stage is Checking or Importing;
}

public sealed record ImportProgress(EncounterImportDraft Draft, string Root);
