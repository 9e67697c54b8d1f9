using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Portal.Web.Platform;

namespace Portal.Web.Features.Codes;

/// <summary>
/// The platform admin's code-set uploads: choose the file kind, upload (a bar for the upload, then one for the read, by
/// polling the upload's state), see the codes added, removed and changed against the version it would replace, and
/// activate it. A refused file shows its line and column. Below: the versions loaded and the import history.
/// </summary>
[RequestSizeLimit(256L * 1024 * 1024)]
[RequestFormLimits(MultipartBodyLengthLimit = 256L * 1024 * 1024)]
public class ImportsModel(NpgsqlDataSource db, CodeSetUploadRunner runner, CodeCatalog catalog) : PageModel
{
    public const int PageSize = 50;

    [BindProperty] public string? Kind { get; set; }
    [BindProperty] public string? Version { get; set; }
    [BindProperty] public string? EffectiveFrom { get; set; }

    public CodeSetUpload? Upload { get; private set; }
    public CodeSetDiffPage? Diff { get; private set; }
    public string Change { get; private set; } = "added";
    public int PageNumber { get; private set; } = 1;
    public string? Error { get; private set; }
    public IReadOnlyDictionary<string, string[]> FieldErrors { get; private set; } = new Dictionary<string, string[]>();
    public IReadOnlyList<CodeSetUpload> Recent { get; private set; } = [];
    public IReadOnlyList<CodeSetVersion> Versions { get; private set; } = [];
    public IReadOnlyList<CodeSetImportRecord> History { get; private set; } = [];

    public string? ErrorFor(string field) =>
        FieldErrors.FirstOrDefault(e => e.Key.Equals(field, StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } m ? string.Join(" ", m) : null;

    public async Task<IActionResult> OnGetAsync(Guid? id, string? change, int? p, CancellationToken ct)
    {
        if (id is { } uploadId)
        {
            if ((Upload = await CodeSetUploads.FindAsync(db, uploadId, ct)) is null) return NotFound();
            Change = change is not null && CodeSetUploads.Changes.Contains(change) ? change : "added";
            PageNumber = Math.Clamp(p ?? 1, 1, 100_000);
            if (Upload.State == UploadState.Ready)
                Diff = await CodeSetUploads.DiffAsync(db, Upload, Change, (PageNumber - 1) * PageSize, PageSize, ct);
            return Page();
        }
        await LoadLists(ct);
        return Page();
    }

    /// <summary>The status block alone, polled while the file is read; once it has finished the page reloads to show the outcome.</summary>
    public async Task<IActionResult> OnGetStatusAsync(Guid id, CancellationToken ct)
    {
        Response.Headers.Vary = "HX-Request";
        if (await CodeSetUploads.FindAsync(db, id, ct) is not { } upload) return NotFound();
        if (upload.Finished) Response.Headers["HX-Refresh"] = "true";
        return Partial("_UploadStatus", upload);
    }

    public async Task<IActionResult> OnPostAsync(IFormFile? file, CancellationToken ct)
    {
        try
        {
            if (file is null || file.Length == 0)
                throw new UnprocessableInput("Choose a code-set file to upload.", new Dictionary<string, string[]> { ["file"] = ["Choose a file."] });
            await using var content = file.OpenReadStream();
            var upload = await CodeSetUploads.StartAsync(db, runner, Kind ?? "", Version, EffectiveFrom, content, file.FileName, User.Actor(), ct);
            var target = $"/codes/imports/{upload.Id}";
            if (Request.Headers.ContainsKey("HX-Request"))
            {
                Response.Headers["HX-Redirect"] = target;
                return new EmptyResult();
            }
            return Redirect(target);
        }
        catch (UnprocessableInput e)
        {
            Error = e.Message;
            FieldErrors = e.Errors.ToDictionary();
            await LoadLists(ct);
            return Page();
        }
    }

    public async Task<IActionResult> OnPostActivateAsync(Guid id, CancellationToken ct) =>
        await Act(id, () => CodeSetUploads.ActivateAsync(db, catalog, id, User.Actor(), ct), ct);

    public async Task<IActionResult> OnPostDiscardAsync(Guid id, CancellationToken ct) =>
        await Act(id, () => CodeSetUploads.DiscardAsync(db, id, ct), ct);

    async Task<IActionResult> Act(Guid id, Func<Task<CodeSetUpload>> action, CancellationToken ct)
    {
        if (await CodeSetUploads.FindAsync(db, id, ct) is null) return NotFound();
        try
        {
            await action();
            return Redirect($"/codes/imports/{id}");
        }
        catch (RuleViolation e)
        {
            Error = e.Message;
            return await OnGetAsync(id, null, null, ct);
        }
    }

    async Task LoadLists(CancellationToken ct)
    {
        Recent = await CodeSetUploads.RecentAsync(db, 20, ct);
        await catalog.RefreshAsync(ct);
        Versions = [.. CodeSystems.All.SelectMany(catalog.Versions)];
        var history = new List<CodeSetImportRecord>();
        foreach (var system in CodeSystems.All) history.AddRange(await CodeSetImport.HistoryAsync(db, system, ct));
        History = [.. history.OrderByDescending(h => h.ImportedAt).ThenByDescending(h => h.Id).Take(30)];
    }
}
