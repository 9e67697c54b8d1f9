using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

/// <summary>
/// What every intake page shares: the practice it works in and turning a refused write into messages beside the form
/// instead of an error page. Who may open or post to a page is the permission table's (Platform/Permissions.cs).
/// </summary>
public abstract class IntakePageModel : PageModel
{
    public CurrentPractice Practice => HttpContext.RequiredPractice();
    public string Root => $"/practices/{Practice.PracticeId}";
    public bool CanWrite => User.Allows(Permissions.IntakeWrite, Practice);
    public string? Error { get; protected set; }
    public IReadOnlyDictionary<string, string[]> FieldErrors { get; private set; } = new Dictionary<string, string[]>();

    public string? ErrorFor(string field) =>
        FieldErrors.FirstOrDefault(e => e.Key.Equals(field, StringComparison.OrdinalIgnoreCase)
            || e.Key.EndsWith("." + field, StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } messages
            ? string.Join(" ", messages)
            : null;

    /// <summary>Runs a write; on a refusal keeps the reason for the page and answers false.</summary>
    protected async Task<bool> TryWrite(Func<Task> write)
    {
        if (!ModelState.IsValid)
        {
            Error = "Some fields need attention.";
            FieldErrors = ModelState.Where(e => e.Value?.Errors.Count > 0)
                .ToDictionary(e => e.Key, e => e.Value!.Errors.Select(x => x.ErrorMessage).ToArray());
            return false;
        }
        try
        {
            await write();
            return true;
        }
        catch (UnprocessableInput e) { Error = e.Message; FieldErrors = new Dictionary<string, string[]>(e.Errors); }
        catch (RuleViolation e) { Error = e.Message; }
        catch (RefusedContent e) { Error = $"{e.Title} {e.Message}"; }
        catch (Exception e) when (e.IsStaleWrite())
        {
            Error = "Someone changed this record while you were editing. What you see now is current; apply your change again.";
        }
        return false;
    }
}

/// <summary>A reference list with an "add one" form beside it (providers, payers): list on GET, add on POST, redirect on success.</summary>
public abstract class ReferenceListPageModel<TRow, TInput>(IQuerySession query) : IntakePageModel where TInput : class
{
    public IReadOnlyList<TRow> Rows { get; private set; } = [];
    public TInput? Input { get; private set; }

    protected abstract string ListPath { get; }
    protected abstract Task<IReadOnlyList<TRow>> List(IQuerySession query, CancellationToken ct);

    public async Task OnGetAsync(CancellationToken ct) => Rows = await List(query, ct);

    protected async Task<IActionResult> Add(TInput input, Func<Task> write, CancellationToken ct)
    {
        if (await TryWrite(write)) return Redirect($"{Root}/{ListPath}");
        Rows = await List(query, ct);
        Input = input;
        return Page();
    }
}
