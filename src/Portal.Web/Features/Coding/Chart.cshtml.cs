using Marten;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Features.Codes;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Settings;
using Portal.Web.Platform;

namespace Portal.Web.Features.Coding;

/// <summary>One service line as the form holds it (saved or not).</summary>
public sealed class LineDraft
{
    public string? Code { get; set; }
    public string?[] Modifiers { get; set; } = [];
    public int Units { get; set; } = 1;
    public int[] DiagnosisPointers { get; set; } = [];
    /// <summary>The line's charge when the coder types one; empty takes the fee schedule × units.</summary>
    public decimal? Charge { get; set; }
}

/// <summary>The codes as the coding form posts them: the whole list, with the version the user loaded.</summary>
public sealed class CodingDraft
{
    public long Version { get; set; }
    public List<string> Codes { get; set; } = [];
    public List<LineDraft> Lines { get; set; } = [];
    public string? OverrideReason { get; set; }
    /// <summary>QA: why the codes were corrected.</summary>
    public string? Reason { get; set; }

    /// <summary>The saved codes. A line keeps its charge in the form only when it did not come from the fee schedule.</summary>
    public static CodingDraft From(CodingChart c, IReadOnlyDictionary<string, decimal?> fees) => new()
    {
        Version = c.Version,
        Codes = [.. c.Diagnoses.OrderBy(d => d.Sequence).Select(d => CodeSystems.Display(CodeSystems.Icd10Cm, d.Code))],
        Lines = [.. c.Lines.OrderBy(l => l.Line).Select(l => new LineDraft
        {
            Code = l.Code, Modifiers = l.Modifiers, Units = l.Units, DiagnosisPointers = l.DiagnosisPointers,
            Charge = fees.GetValueOrDefault(l.Code) is { } fee && fee * l.Units == l.Charge ? null : l.Charge,
        })],
    };

    public string[] NormalizedCodes => [.. Codes.Select(CodeSystems.Normalize)];

    public ServiceLineInput[] LineInputs => [.. Lines.Select(l => new ServiceLineInput(CodeSystems.Normalize(l.Code ?? ""),
        [.. l.Modifiers.Select(m => m?.Trim() ?? "").Where(m => m.Length > 0)], l.Units, l.Charge, l.DiagnosisPointers))];

    public bool DiagnosesDiffer(CodingChart c) => !NormalizedCodes.SequenceEqual(c.Diagnoses.OrderBy(d => d.Sequence).Select(d => d.Code));

    public bool LinesDiffer(CodingChart c) =>
        LineInputs.Length != c.Lines.Length || LineInputs.Zip(c.Lines.OrderBy(l => l.Line)).Any(x => x.First.Code != x.Second.Code
            || x.First.Units != x.Second.Units || !x.First.Modifiers!.SequenceEqual(x.Second.Modifiers)
            || x.First.Charge is { } typed && typed != x.Second.Charge
            || !(x.First.DiagnosisPointers ?? []).SequenceEqual(x.Second.DiagnosisPointers));

    /// <summary>Edits in the form before saving. Pointers follow their diagnosis when it moves, and go when it goes.</summary>
    public string? Apply(string op, string? pick)
    {
        var (verb, at) = op.Split(':') is [var v, var i] && int.TryParse(i, out var n) ? (v, n) : (op, -1);
        switch (verb)
        {
            case "add-dx" when !string.IsNullOrWhiteSpace(pick):
                if (Codes.Count >= CodingChecks.MaxDiagnoses) return $"A claim takes at most {CodingChecks.MaxDiagnoses} diagnoses.";
                if (NormalizedCodes.Contains(CodeSystems.Normalize(pick))) return $"{pick} is already listed.";
                Codes.Add(pick.Trim());
                break;
            case "remove-dx" when at >= 0 && at < Codes.Count:
                Codes.RemoveAt(at);
                Repoint(p => p == at + 1 ? null : p > at + 1 ? p - 1 : p);
                break;
            case "up-dx" when at > 0 && at < Codes.Count:
                Swap(at - 1, at);
                break;
            case "down-dx" when at >= 0 && at < Codes.Count - 1:
                Swap(at, at + 1);
                break;
            case "add-line" when !string.IsNullOrWhiteSpace(pick):
                Lines.Add(new LineDraft { Code = pick.Trim(), Modifiers = [], Units = 1, DiagnosisPointers = Codes.Count > 0 ? [1] : [] });
                break;
            case "remove-line" when at >= 0 && at < Lines.Count:
                Lines.RemoveAt(at);
                break;
        }
        return null;
    }

    void Swap(int a, int b)
    {
        (Codes[a], Codes[b]) = (Codes[b], Codes[a]);
        Repoint(p => p == a + 1 ? b + 1 : p == b + 1 ? a + 1 : p);
    }

    void Repoint(Func<int, int?> map)
    {
        foreach (var line in Lines) line.DiagnosisPointers = [.. line.DiagnosisPointers.Select(map).OfType<int>()];
    }
}

/// <summary>Everything the coding partials need: the chart, the form's state, the findings and where to post.</summary>
public sealed record CodingWork(CodingChart Chart, CodingDraft Draft, string Url, bool CanCode, bool CanReview, string? Error,
    IReadOnlyDictionary<string, string[]> FieldErrors, IReadOnlyList<CodeFinding> Findings, IReadOnlyDictionary<string, decimal?> Fees,
    string? Notice, bool Swapped = false)
{
    public string Dos => Chart.Encounter.DateOfService.ToString("yyyy-MM-dd");
    public bool Editable => CanCode || CanReview;
    public bool Unsaved => Editable && (Draft.DiagnosesDiffer(Chart) || Draft.LinesDiffer(Chart));
    public static string Money(decimal amount) => amount.ToString("C", System.Globalization.CultureInfo.GetCultureInfo("en-US"));
    public static string Letter(int pointer) => ((char)('A' + pointer - 1)).ToString();

    /// <summary>Findings at diagnosis position <paramref name="index"/> + 1 (box 21) and at service line <paramref name="index"/> + 1.</summary>
    public IEnumerable<CodeFinding> ForDiagnosis(int index) => Findings.Where(f => f.Location == $"diagnosis {index + 1}");
    public IEnumerable<CodeFinding> ForLine(int index) => Findings.Where(f => f.Location == $"line {index + 1}");
    public IEnumerable<CodeFinding> ForClaim => Findings.Where(f => f.Location is null or "claim");

    public string? ErrorAt(string key) => FieldErrors.TryGetValue(key, out var m) ? string.Join(" ", m) : null;

    public bool NeedsOverride => FieldErrors.ContainsKey("overrideReason") || !string.IsNullOrEmpty(Draft.OverrideReason)
        || Findings.Any(f => f.AtDiagnosis && f.Overridable && f.Severity == FindingSeverity.Warning);
}

public class ChartModel(IDocumentSession session, CodeCatalog catalog, TimeProvider clock) : CodingPageModel
{
    public CodingChart Chart { get; private set; } = default!;
    [BindProperty] public CodingDraft Draft { get; set; } = new();
    public IReadOnlyList<CodeFinding> ErrorFindings { get; private set; } = [];
    public CodingWork Work { get; private set; } = default!;

    public bool CanCode => IsCoder && Chart.Status is EncounterStatus.Assigned or EncounterStatus.InProgress or EncounterStatus.Returned
        && (Chart.Coder?.Id == Caller.Me.Id || IsLead || Caller.VendorAdminOf is { } v && Chart.Coder?.VendorId == v);
    public bool CanReview => IsQa && Chart.Status == EncounterStatus.ReadyForQa;
    /// <summary>The coder QA corrected may dispute the review, once.</summary>
    public bool CanDispute => IsCoder && Chart.Qa is { Corrected: true, Rebuttal: null } qa && qa.CoderId == Caller.Me.Id;
    /// <summary>A QA reviewer or the practice admin decides a pending rebuttal, unless it is their own.</summary>
    public bool CanDecide => (IsQa || IsLead) && Chart.Qa is { Rebuttal.Status: RebuttalStatus.Pending } qa && qa.CoderId != Caller.Me.Id;

    public async Task<IActionResult> OnGetAsync(Guid encounterId, CancellationToken ct)
    {
        if (!await Load(encounterId, ct)) return NotFound();
        await PhiAudit.Record(session, HttpContext, PhiAudit.View, nameof(CodingChart), Chart.Encounter.Id, Chart.Encounter.PatientId, ct);
        Notice = Request.Query["done"].ToString() switch
        {
            "query" => "Query sent. The chart is on hold until the provider answers.",
            "submitted" => $"Submitted: the chart is now {Chart.Status}.",
            "disputed" => "Rebuttal filed. A QA reviewer or the practice admin will decide it.",
            "rebuttal-accepted" => "Rebuttal accepted: the coder's codes are the chart's again, and the review no longer counts against them.",
            "rebuttal-rejected" => "Rebuttal rejected: the review stands.",
            _ => null,
        };
        Draft = await DraftFromChart(ct);
        await BuildWork(ct);
        return Page();
    }

    /// <summary>htmx: every change to the codes form. Edits re-render the form; "save" and "correct" write the whole list.</summary>
    public async Task<IActionResult> OnPostWorkAsync(Guid encounterId, string? op, string? pick, CancellationToken ct)
    {
        if (!await Load(encounterId, ct)) return NotFound();
        Response.Headers.Vary = "HX-Request";
        ModelState.Clear();
        if (!CanCode && !CanReview) Error = $"This chart is {Chart.Status} and not yours to code.";
        else if (op == "save") await Save(ct);
        else if (op == "correct" && CanReview)
        {
            if (await TryWrite(() => Capturing(() => CodingWrites.Review(session, catalog, encounterId, Draft.Version,
                    new ReviewChart(Draft.NormalizedCodes, Draft.LineInputs, Draft.Reason), CodingAccess.Reviewer(User), clock, ct))))
            {
                Response.Headers["HX-Redirect"] = $"{Root}/coding/qa?done=corrected";
                return new OkResult();
            }
            await Reload(encounterId, ct);
        }
        else if (op is not null) Error = Draft.Apply(op, pick);
        await BuildWork(ct);
        Work = Work with { Swapped = true };
        return Partial("_CodingWork", Work);
    }

    async Task Save(CancellationToken ct)
    {
        var id = Chart.Encounter.Id;
        // All or nothing: diagnoses and lines go in one write, so a refused line never leaves new diagnoses saved alone.
        var saved = await TryWrite(() => Capturing(() => CodingWrites.CodeChart(session, catalog, id, Draft.Version, Caller,
            Draft.DiagnosesDiffer(Chart) ? new CodeDiagnoses([.. Draft.NormalizedCodes], Draft.OverrideReason) : null,
            Draft.Lines.Count > 0 && Draft.LinesDiffer(Chart) ? new CodeServiceLines(Draft.LineInputs, Draft.OverrideReason) : null,
            clock, ct)));
        await Reload(id, ct);
        if (saved) { Draft = await DraftFromChart(ct); Notice = "Codes saved."; }
        else if (Error?.StartsWith("Someone changed") == true)
            Error = "Someone else saved this chart while you were editing. Your codes are still in the form below; the saved codes are now: "
                + (Chart.Diagnoses.Length == 0 ? "none" : string.Join(", ", Chart.Diagnoses.Select(d => CodeSystems.Display(CodeSystems.Icd10Cm, d.Code))))
                + (Chart.Lines.Length == 0 ? "" : "; lines " + string.Join(", ", Chart.Lines.Select(l => l.Code)))
                + ". Save again to replace them with yours.";
    }

    async Task Reload(Guid id, CancellationToken ct)
    {
        await Load(id, ct);
        Draft.Version = Chart.Version;
    }

    /// <summary>Keeps the code edits that failed (rule id and message per code) to show beside the codes.</summary>
    async Task Capturing(Func<Task> write)
    {
        try { await write(); }
        catch (UnprocessableInput e)
        {
            ErrorFindings = e.Extensions.TryGetValue("findings", out var f) && f is CodeFinding[] found ? found : [];
            throw;
        }
    }

    public async Task<IActionResult> OnPostQueryAsync(Guid encounterId, string? question, string? options, CancellationToken ct)
    {
        if (!await Load(encounterId, ct)) return NotFound();
        var choices = (options ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (string.IsNullOrWhiteSpace(question) || question.Trim().Length < 10)
            Error = "Write the question (at least 10 characters), citing the clinical indicators from the record.";
        else if (await TryWrite(() => CodingWrites.RaiseQuery(session, encounterId, Draft.Version, Caller,
                     new RaiseProviderQuery(question, choices), clock, ct)))
            return Redirect(ChartUrl(encounterId) + "?done=query");
        return await Again(encounterId, ct);
    }

    public Task<IActionResult> OnPostSubmitAsync(Guid encounterId, CancellationToken ct) =>
        Act(encounterId, IsCoder, () => CodingWrites.Submit(session, encounterId, Draft.Version, Caller, Practice.PracticeId, clock, ct),
            ChartUrl(encounterId) + "?done=submitted", ct);

    public Task<IActionResult> OnPostReleaseAsync(Guid encounterId, string? reason, CancellationToken ct) =>
        Act(encounterId, IsCoder, () => CodingWrites.Release(session, encounterId, Draft.Version, Caller, new ReleaseChart(Trimmed(reason)), clock, ct),
            $"{Root}/coding/queue", ct);

    public Task<IActionResult> OnPostAcceptAsync(Guid encounterId, CancellationToken ct) =>
        Act(encounterId, IsQa, () => CodingWrites.Review(session, catalog, encounterId, Draft.Version, new ReviewChart(),
            CodingAccess.Reviewer(User), clock, ct), $"{Root}/coding/qa?done=accepted", ct);

    public Task<IActionResult> OnPostReturnAsync(Guid encounterId, string? reason, CancellationToken ct) =>
        Act(encounterId, IsQa, () => CodingWrites.Return(session, encounterId, Draft.Version, new ReturnChart(Trimmed(reason)),
            CodingAccess.Reviewer(User), clock, ct), $"{Root}/coding/qa?done=returned", ct);

    public Task<IActionResult> OnPostRebuttalAsync(Guid encounterId, string? reason, CancellationToken ct) =>
        Act(encounterId, IsCoder, () => CodingWrites.FileRebuttal(session, encounterId, Draft.Version, Caller, new FileQaRebuttal(reason ?? ""),
            clock, ct), ChartUrl(encounterId) + "?done=disputed", ct);

    public Task<IActionResult> OnPostDecideRebuttalAsync(Guid encounterId, bool accept, string? note, CancellationToken ct) =>
        Act(encounterId, IsQa || IsLead, () => CodingWrites.DecideRebuttal(session, encounterId, Draft.Version, Caller,
            new DecideQaRebuttal(accept, note), clock, ct), ChartUrl(encounterId) + (accept ? "?done=rebuttal-accepted" : "?done=rebuttal-rejected"), ct);

    static string Trimmed(string? s) => s?.Trim() is { Length: >= 3 } r ? r
        : throw new UnprocessableInput("Give a reason of at least 3 characters.", new Dictionary<string, string[]> { ["reason"] = ["Say why."] });

    async Task<IActionResult> Act(Guid encounterId, bool allowed, Func<Task<CodingChart?>> write, string next, CancellationToken ct)
    {
        if (!allowed) return Forbid();
        if (!await Load(encounterId, ct)) return NotFound();
        ModelState.Clear();
        if (await TryWrite(async () => await write())) return Redirect(next);
        return await Again(encounterId, ct);
    }

    async Task<IActionResult> Again(Guid encounterId, CancellationToken ct)
    {
        await Load(encounterId, ct);
        Draft = await DraftFromChart(ct);
        await BuildWork(ct);
        return Page();
    }

    async Task<bool> Load(Guid encounterId, CancellationToken ct)
    {
        var chart = await CodingChart.Load(session, encounterId, clock.GetUtcNow(), ct);
        if (chart is null || !VendorVisibility.MaySee(User, chart)) return false;
        Chart = chart;
        return true;
    }

    async Task<CodingDraft> DraftFromChart(CancellationToken ct) => CodingDraft.From(Chart, await Fees(Chart.Lines.Select(l => l.Code), ct));

    /// <summary>The fee schedule's amount per code (null: no fee), in one query.</summary>
    async Task<Dictionary<string, decimal?>> Fees(IEnumerable<string?> codes, CancellationToken ct)
    {
        string[] keys = [.. codes.Select(c => CodeSystems.Normalize(c ?? "")).Where(c => c.Length > 0).Distinct()];
        var found = await FeeScheduleEntry.ChargesFor(session, keys, ct);
        return keys.ToDictionary(k => k, k => found.TryGetValue(FeeScheduleEntry.Key(k), out var amount) ? amount : (decimal?)null);
    }

    /// <summary>htmx, as the coder types (300 ms after the last input): every finding of the draft, from the one scrubber.</summary>
    public async Task<IActionResult> OnPostFindingsAsync(Guid encounterId, CancellationToken ct)
    {
        if (!await Load(encounterId, ct)) return NotFound();
        ModelState.Clear();
        var fees = await Fees(Draft.Lines.Select(l => l.Code), ct);
        // All findings in their panel, and each diagnosis's and line's beside it (out-of-band swaps).
        Work = new CodingWork(Chart, Draft, ChartUrl(Chart.Encounter.Id), CanCode, CanReview, null, FieldErrors, await DraftFindings(fees, ct),
            fees, null);
        return Partial("_LiveFindings", Work);
    }

    /// <summary>The draft (codes and lines as typed) scrubbed as the encounter's claim; nothing is saved.</summary>
    async Task<IReadOnlyList<CodeFinding>> DraftFindings(IReadOnlyDictionary<string, decimal?> fees, CancellationToken ct)
    {
        var encounter = await session.Events.FetchLatest<Encounter>(Chart.Encounter.Id, ct);
        if (encounter is null) return [];
        var lines = Draft.LineInputs.Select((l, i) => new ServiceLine(i + 1, l.Code, "", l.Modifiers ?? [], l.Units,
            l.Charge ?? (fees.GetValueOrDefault(l.Code) ?? 0) * l.Units, l.DiagnosisPointers ?? [])).ToList();
        return await CodingChecks.All(session, catalog, encounter, Chart.Encounter, Draft.NormalizedCodes.Where(c => c.Length > 0).ToList(), lines,
            DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), ct);
    }

    async Task BuildWork(CancellationToken ct)
    {
        var fees = await Fees(Draft.Lines.Select(l => l.Code), ct);
        var findings = Editable() ? await DraftFindings(fees, ct) : [.. Chart.Findings];
        Work = new CodingWork(Chart, Draft, ChartUrl(Chart.Encounter.Id), CanCode, CanReview, Error, FieldErrors, findings, fees, Notice);
    }

    bool Editable() => CanCode || CanReview;
}
