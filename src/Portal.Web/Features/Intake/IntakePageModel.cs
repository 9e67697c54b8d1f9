using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

/// <summary>An intake page: a practice page (<see cref="PracticePageModel"/>) that knows whether the user may register records.</summary>
public abstract class IntakePageModel : PracticePageModel
{
    public bool CanWrite => User.Allows(Permissions.IntakeWrite, Practice);
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
