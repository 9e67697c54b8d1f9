using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Portal.Web.Features.Codes;

/// <summary>A reusable typeahead: a combobox input that asks the page's Suggestions handler for options.</summary>
public sealed record CodeTypeahead(string Id, string System, string Label, string Dos, string SuggestionsUrl = "/codes?handler=Suggestions");

public sealed record CodeOptions(string ListId, string System, IReadOnlyList<CodeSummary> Items, string? Message);

public class IndexModel(CodeCatalog catalog, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)] public string System { get; set; } = CodeSystems.Icd10Cm;
    [BindProperty(SupportsGet = true)] public string? Dos { get; set; }
    public CodeTypeahead Typeahead => new("code-lookup", System, "Code or words", Dos ?? "");

    public void OnGet()
    {
        if (!CodeSystems.Searchable.Contains(System)) System = CodeSystems.Icd10Cm;
        Dos ??= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd");
    }

    public async Task<IActionResult> OnGetSuggestionsAsync(string? q, string? list, CancellationToken ct)
    {
        Response.Headers.Vary = "HX-Request";
        var listId = list ?? "code-lookup-listbox";
        if (!CodeSystems.Searchable.Contains(System) || CodesEndpoints.ParseDos(Dos, clock) is not { } day)
            return Partial("_CodeOptions", new CodeOptions(listId, System, [], "Choose a code system and a valid date of service."));
        if (string.IsNullOrWhiteSpace(q)) return Partial("_CodeOptions", new CodeOptions(listId, System, [], null));
        if (await catalog.IndexOn(System, day, ct) is not { } index)
            return Partial("_CodeOptions", new CodeOptions(listId, System, [], $"No {System} code set is loaded for {day:yyyy-MM-dd}."));
        var (hits, _) = index.Search(q.Length > 100 ? q[..100] : q, billableOnly: false, limit: 12, offset: 0);
        return Partial("_CodeOptions", new CodeOptions(listId, System, [.. hits.Select(h => CodesEndpoints.Summary(System, h.Entry))],
            hits.Count == 0 ? "No matching codes." : null));
    }

    public async Task<IActionResult> OnGetDetailsAsync(string? code, CancellationToken ct)
    {
        Response.Headers.Vary = "HX-Request";
        if (string.IsNullOrWhiteSpace(code) || !CodeSystems.Searchable.Contains(System) || CodesEndpoints.ParseDos(Dos, clock) is not { } day)
            return Partial("_CodeDetails", null);
        return Partial("_CodeDetails", await CodesEndpoints.Details(catalog, System, code, day, ct));
    }
}
