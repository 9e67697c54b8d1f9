using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Portal.Web.Platform;

/// <summary>
/// What every practice page shares (intake, coding and the pages to come): the practice it works in and turning a refused write into messages beside the form
/// instead of an error page. Who may open or post to a page is the permission table's (Platform/Permissions.cs).
/// </summary>
public abstract class PracticePageModel : PageModel
{
    public CurrentPractice Practice => HttpContext.RequiredPractice();
    public string Root => $"/practices/{Practice.PracticeId}";
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
        catch (InvalidInput e) { Error = e.Message; }
        catch (RefusedContent e) { Error = $"{e.Title} {e.Message}"; }
        catch (Exception e) when (e.IsStaleWrite())
        {
            Error = "Someone changed this record while you were editing. What you see now is current; apply your change again.";
        }
        return false;
    }
}
