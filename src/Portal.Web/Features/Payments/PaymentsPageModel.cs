using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Platform;

namespace Portal.Web.Features.Payments;

/// <summary>What the payments pages share: the practice, and turning a refused write into a message beside the form.</summary>
public abstract class PaymentsPageModel : PageModel
{
    public CurrentPractice Practice => HttpContext.RequiredPractice();
    public string Root => $"/practices/{Practice.PracticeId}";
    public string? Error { get; protected set; }
    public string? Notice { get; protected set; }

    public bool May(Permission permission) => User.Allows(permission, Practice);

    protected async Task<bool> TryWrite(Func<Task> write)
    {
        if (!ModelState.IsValid)
        {
            Error = string.Join(" ", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage).Where(m => m.Length > 0).DefaultIfEmpty("Some fields need attention."));
            return false;
        }
        try
        {
            await write();
            return true;
        }
        catch (UnprocessableInput e) { Error = e.Message + " " + string.Join(" ", e.Errors.SelectMany(x => x.Value)); }
        catch (RuleViolation e) { Error = e.Message; }
        catch (RefusedContent e) { Error = $"{e.Title}. {e.Message}"; }
        catch (Exception e) when (e.IsStaleWrite())
        {
            Error = "Someone changed this item while you were working on it. What you see now is current; apply your change again.";
        }
        return false;
    }

    public static string Money(decimal d) => d.ToString("#,##0.00", System.Globalization.CultureInfo.InvariantCulture);
    public static string Percent(decimal? r) => r is { } v ? (v * 100).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%" : "—";
}
