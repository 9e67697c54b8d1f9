using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Portal.Web.Features.Home;

/// <summary>The tenant switcher's target: a plain GET form, so it works without JavaScript.</summary>
public class GoModel : PageModel
{
    public IActionResult OnGet(Guid? id) => id is { } practice ? Redirect($"/practices/{practice}") : Redirect("/");
}
