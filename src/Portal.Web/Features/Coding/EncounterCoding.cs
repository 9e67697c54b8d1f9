using Portal.Web.Features.Coding;
using Portal.Web.Features.Codes;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

/// <summary>The coding part of an encounter's write model: who works it, the codes so far, queries, QA.</summary>
public sealed record CodingWork(int Priority, DateTimeOffset? DueAt, Coder? Coder,
    CodedDiagnosis[] Diagnoses, ServiceLine[] Lines, ProviderQuery[] Queries,
    DateTimeOffset? OnHoldSince, int Submissions, CodeFinding[] DiagnosisFindings, CodeFinding[] LineFindings, bool ReturnedByQa = false,
    QaOutcome? Qa = null)
{
    public static readonly CodingWork None = new(0, null, null, [], [], [], null, 0, [], []);
}

/// <summary>QA's review of the chart: what it changed (errors by type, dollar impact), the coder's own codes, and any rebuttal.</summary>
public sealed record QaOutcome(Guid CoderId, string CoderName, string Reviewer, DateTimeOffset ReviewedAt, bool Corrected, string? Reason,
    QaError[] Errors, decimal ChargeImpact, CodedDiagnosis[] CoderDiagnoses, ServiceLine[] CoderLines, QaRebuttal? Rebuttal = null);

public enum RebuttalStatus { Pending, Accepted, Rejected }

/// <summary>The coder's dispute of a QA correction, and its decision.</summary>
public sealed record QaRebuttal(string Reason, string FiledBy, DateTimeOffset FiledAt, RebuttalStatus Status = RebuttalStatus.Pending,
    string? Note = null, string? DecidedBy = null, DateTimeOffset? DecidedAt = null);

// The coding decisions live with the coding feature but on the same aggregate as intake's: one stream per encounter.
public sealed partial record Encounter
{
    public CodingWork Coding { get; init; } = CodingWork.None;

    static readonly EncounterStatus[] Workable = [EncounterStatus.Assigned, EncounterStatus.InProgress, EncounterStatus.Returned];

    public Encounter Apply(ChartQueued e) =>
        this with { Status = EncounterStatus.Queued, Coding = Coding with { Priority = e.Priority, DueAt = e.DueAt } };

    public Encounter Apply(ChartAssigned e) =>
        this with { Status = EncounterStatus.Assigned, Coding = Coding with { Coder = e.Coder } };

    public Encounter Apply(ChartReleased _) =>
        this with { Status = EncounterStatus.Queued, Coding = Coding with { Coder = null } };

    public Encounter Apply(CodingStarted _) => this with { Status = EncounterStatus.InProgress };

    public Encounter Apply(DiagnosesCoded e) =>
        this with { Status = EncounterStatus.InProgress, Coding = Coding with { Diagnoses = e.Diagnoses, DiagnosisFindings = e.Warnings } };

    public Encounter Apply(ServiceLinesCoded e) =>
        this with { Status = EncounterStatus.InProgress, Coding = Coding with { Lines = e.Lines, LineFindings = e.Warnings } };

    public Encounter Apply(ProviderQueryRaised e) => this with
    {
        Status = EncounterStatus.OnHold,
        Coding = Coding with
        {
            OnHoldSince = Coding.OnHoldSince ?? e.At,
            Queries = [.. Coding.Queries, new(e.QueryId, e.ProviderId, e.ProviderName, e.Question, e.Options, e.By, e.At)],
        },
    };

    public Encounter Apply(ProviderQueryAnswered e) => this with
    {
        Status = e.ChartResumed ? EncounterStatus.InProgress : Status,
        Coding = Coding with
        {
            Queries = [.. Coding.Queries.Select(q => q.QueryId == e.QueryId ? q with { Answer = e.Answer, AnsweredBy = e.By, AnsweredAt = e.At } : q)],
            OnHoldSince = e.ChartResumed ? null : Coding.OnHoldSince,
            DueAt = e.ChartResumed ? Coding.DueAt + e.HeldFor : Coding.DueAt,
        },
    };

    public Encounter Apply(ChartSubmitted e) => this with
    {
        Status = e.SampledForQa ? EncounterStatus.ReadyForQa : EncounterStatus.Approved,
        Coding = Coding with { Submissions = Coding.Submissions + 1 },
    };

    public Encounter Apply(ChartApproved _) => this with { Status = EncounterStatus.Approved, Coding = Coding with { ReturnedByQa = false } };

    public Encounter Apply(ChartReviewed e) => this with
    {
        Status = EncounterStatus.Approved,
        Coding = (e.Corrected ? Coding with { Diagnoses = e.Diagnoses, Lines = e.Lines } : Coding) with
        {
            ReturnedByQa = false,
            Qa = new QaOutcome(e.CoderId, e.CoderName, e.By, e.At, e.Corrected, e.Reason, e.Errors ?? [], e.ChargeImpact,
                e.CoderDiagnoses ?? [], e.CoderLines ?? []),
        },
    };

    public Encounter Apply(QaRebuttalFiled e) =>
        Coding.Qa is { } qa ? this with { Coding = Coding with { Qa = qa with { Rebuttal = new QaRebuttal(e.Reason, e.By, e.At) } } } : this;

    public Encounter Apply(QaRebuttalDecided e) => Coding.Qa is { Rebuttal: { } rebuttal } qa
        ? this with
        {
            Coding = Coding with
            {
                Diagnoses = e.Accepted ? e.Diagnoses : Coding.Diagnoses,
                Lines = e.Accepted ? e.Lines : Coding.Lines,
                Qa = qa with
                {
                    Rebuttal = rebuttal with
                    {
                        Status = e.Accepted ? RebuttalStatus.Accepted : RebuttalStatus.Rejected, Note = e.Note, DecidedBy = e.By, DecidedAt = e.At,
                    },
                },
            },
        }
        : this;

    public Encounter Apply(ChartReturned _) => this with { Status = EncounterStatus.Returned, Coding = Coding with { ReturnedByQa = true } };

    public Encounter Apply(ChartReturnedByBilling _) => this with { Status = EncounterStatus.Returned };

    /// <summary>Billing sends an approved chart back; anything else (already back, still in coding) is left as it is.</summary>
    public ChartReturnedByBilling? ReturnFromBilling(Guid claimId, string note, string by, DateTimeOffset now) =>
        Status == EncounterStatus.Approved && Coding.Coder is not null ? new(Id, claimId, note, by, now) : null;

    // Decisions

    public ChartQueued Queue(int priority, int turnaroundHours, string by, DateTimeOffset now) =>
        Status == EncounterStatus.New
            ? new(Id, priority, now.AddHours(turnaroundHours), turnaroundHours, by, now)
            : throw new RuleViolation($"This encounter is already in coding ({Status}).", "already-queued");

    /// <summary>Pulled: the coder took the next chart from the queue. Otherwise a lead assigns (or reassigns) it.</summary>
    public ChartAssigned Assign(Coder coder, bool pulled, string? reason, string by, DateTimeOffset now)
    {
        if (pulled ? Status != EncounterStatus.Queued : !(Status == EncounterStatus.Queued || Workable.Contains(Status)))
            throw new RuleViolation($"A chart that is {Status} cannot be assigned.", "not-assignable");
        if (Coding.Coder?.Id == coder.Id)
            throw new RuleViolation($"The chart is already assigned to {coder.Name}.", "already-assigned");
        return new(Id, coder, pulled, reason, by, now);
    }

    public ChartReleased Release(Coder actor, bool lead, string reason, DateTimeOffset now)
    {
        EnsureWorkable(actor, lead);
        return new(Id, Coding.Coder!.Id, reason, actor.Name, now);
    }

    /// <summary>
    /// The practice ended its engagement of the coder's firm: the chart goes back to the practice's queue, whoever holds it.
    /// Charts with the firm's coder (assigned, in progress, returned by QA, or on hold for a provider query) are released;
    /// an open query stays open and its answer reaches whoever codes the chart next.
    /// </summary>
    public ChartReleased? ReleaseFromRevokedVendor(Guid vendorId, string reason, string by, DateTimeOffset now) =>
        Coding.Coder is { VendorId: { } v } coder && v == vendorId && (Workable.Contains(Status) || Status == EncounterStatus.OnHold)
            ? new(Id, coder.Id, reason, by, now)
            : null;

    public void EnsureWorkable(Coder actor, bool lead)
    {
        if (!Workable.Contains(Status))
            throw new RuleViolation($"The chart is {Status}; it can be coded only while assigned, in progress or returned.", "not-workable");
        if (!lead && Coding.Coder?.Id != actor.Id)
            throw new RuleViolation($"The chart is assigned to {Coding.Coder?.Name ?? "nobody"}; only that coder or a lead may work it.",
                "not-your-chart");
    }

    /// <summary>CodingStarted when the chart is not yet in progress; none otherwise (so repeated edits touch only this snapshot).</summary>
    public CodingStarted[] StartCoding(Coder actor, bool lead, DateTimeOffset now)
    {
        EnsureWorkable(actor, lead);
        return Status == EncounterStatus.InProgress ? [] : [new(Id, actor.Name, now)];
    }

    public DiagnosesCoded CodeDiagnoses(Coder actor, bool lead, CodedDiagnosis[] diagnoses,
        CodeFinding[] warnings, string? reason, DateTimeOffset now)
    {
        EnsureWorkable(actor, lead);
        return new(Id, diagnoses, warnings, reason, actor.Name, now);
    }

    public ServiceLinesCoded CodeLines(Coder actor, bool lead, ServiceLine[] lines,
        CodeFinding[] warnings, string? reason, DateTimeOffset now)
    {
        EnsureWorkable(actor, lead);
        return new(Id, lines, warnings, reason, actor.Name, now);
    }

    public ProviderQueryRaised RaiseQuery(Coder actor, bool lead, Guid providerId, string providerName,
        string question, string[] options, DateTimeOffset now)
    {
        if (Status != EncounterStatus.OnHold) EnsureWorkable(actor, lead);
        else if (!lead && Coding.Coder?.Id != actor.Id)
            throw new RuleViolation("Only the chart's coder or a lead may query the provider.", "not-your-chart");
        return new(Id, Guid.CreateVersion7(), providerId, providerName, question, options, actor.Name, now);
    }

    public ProviderQueryAnswered AnswerQuery(Guid queryId, string answer, string by, DateTimeOffset now, string? onBehalfOf = null)
    {
        var query = Coding.Queries.FirstOrDefault(q => q.QueryId == queryId)
            ?? throw new UnprocessableInput("No such query on this encounter.", new Dictionary<string, string[]> { ["queryId"] = ["Unknown query."] });
        if (!query.Open) throw new RuleViolation($"This query was already answered by {query.AnsweredBy}.", "query-answered");
        // The last open answer resumes a chart on hold; a chart released meanwhile (engagement revoked) stays where it is.
        var resumed = Status == EncounterStatus.OnHold && Coding.Queries.Count(q => q.Open) == 1;
        return new(Id, queryId, answer, resumed, resumed && Coding.OnHoldSince is { } since ? now - since : TimeSpan.Zero,
            onBehalfOf is null ? by : $"{by} on behalf of {onBehalfOf}", now, onBehalfOf);
    }

    /// <summary>Submit the coded chart: complete, consistent, no open query. Sampling is decided by the caller (practice settings).</summary>
    public ChartSubmitted Submit(Coder actor, bool lead, bool sampled, string sampling, DateTimeOffset now)
    {
        EnsureWorkable(actor, lead);
        if (Coding.Diagnoses.Length == 0) throw new RuleViolation("Code at least one diagnosis before submitting.", "no-diagnoses");
        if (Coding.Lines.Length == 0) throw new RuleViolation("Code at least one service line before submitting.", "no-lines");
        if (Coding.Lines.FirstOrDefault(l => l.DiagnosisPointers.Any(p => p > Coding.Diagnoses.Length)) is { } bad)
            throw new RuleViolation($"Line {bad.Line} points at a diagnosis that no longer exists; recode the lines.", "dangling-pointer");
        // A chart QA sent back is always reviewed again.
        var again = Coding.ReturnedByQa;
        return new(Id, Coding.Coder!.Id, sampled || again, again ? "returned chart: reviewed again" : sampling, actor.Name, now);
    }

    public ChartReviewed Review(string reviewer, CodedDiagnosis[]? diagnoses, ServiceLine[]? lines,
        string? reason, DateTimeOffset now)
    {
        EnsureReadyForQa(reviewer);
        var finalDx = diagnoses ?? Coding.Diagnoses;
        var finalLines = lines ?? Coding.Lines;
        var (correct, compared) = Accuracy.Compare(Coding.Diagnoses, Coding.Lines, finalDx, finalLines);
        var errors = QaErrors.Between(Coding.Diagnoses, Coding.Lines, finalDx, finalLines);
        // Any change is a correction, also one no error type names (a charge, the order of secondary diagnoses).
        var corrected = errors.Length > 0
            || !finalDx.Select(d => d.Code).SequenceEqual(Coding.Diagnoses.Select(d => d.Code))
            || !finalLines.Select(LineKey).SequenceEqual(Coding.Lines.Select(LineKey));
        if (corrected && string.IsNullOrWhiteSpace(reason))
            throw new UnprocessableInput("Say why the codes were corrected.", new Dictionary<string, string[]> { ["reason"] = ["Required when correcting."] });
        return new(Id, Coding.Coder!.Id, Coding.Coder.Name, corrected, corrected ? finalDx : [], corrected ? finalLines : [], correct, compared,
            Accuracy.Ratio(correct, compared), reason, reviewer, now, errors, QaErrors.ChargeImpact(Coding.Lines, finalLines),
            Coding.Diagnoses, Coding.Lines);
    }

    static string LineKey(ServiceLine l) =>
        $"{l.Code}|{string.Join('-', l.Modifiers)}|{l.Units}|{l.Charge}|{string.Join(',', l.DiagnosisPointers)}";

    /// <summary>The coder disputes QA's correction: only the coder QA corrected, once per review.</summary>
    public QaRebuttalFiled FileRebuttal(Coder me, string reason, DateTimeOffset now)
    {
        if (Coding.Qa is not { Corrected: true } qa)
            throw new RuleViolation("Only a chart QA corrected can be disputed.", "no-qa-correction");
        if (qa.CoderId != me.Id)
            throw new RuleViolation($"Only {qa.CoderName}, whose coding QA corrected, may dispute the review.", "not-your-review");
        if (qa.Rebuttal is not null)
            throw new RuleViolation($"This review was already disputed ({qa.Rebuttal.Status.ToString().ToLowerInvariant()}).", "rebuttal-exists");
        if (reason.Trim().Length < 10)
            throw new UnprocessableInput("Say why your codes were right.", new Dictionary<string, string[]> { ["reason"] = ["At least 10 characters."] });
        return new(Id, qa.CoderId, reason.Trim(), me.Name, now);
    }

    /// <summary>
    /// A QA reviewer or the practice admin (never the coder) decides. Accepting restores the coder's codes on the chart;
    /// rejecting needs a note saying why the review stands.
    /// </summary>
    public QaRebuttalDecided DecideRebuttal(bool accept, string? note, Coder by, DateTimeOffset now)
    {
        if (Coding.Qa is not { Rebuttal.Status: RebuttalStatus.Pending } qa)
            throw new RuleViolation("There is no rebuttal waiting for a decision on this chart.", "no-pending-rebuttal");
        if (qa.CoderId == by.Id)
            throw new RuleViolation("A coder cannot decide their own rebuttal.", "own-rebuttal");
        if (!accept && string.IsNullOrWhiteSpace(note))
            throw new UnprocessableInput("Say why the review stands.", new Dictionary<string, string[]> { ["note"] = ["Required when rejecting."] });
        var restore = accept && qa.CoderDiagnoses.Length > 0;
        return new(Id, qa.CoderId, accept, string.IsNullOrWhiteSpace(note) ? null : note.Trim(),
            restore ? qa.CoderDiagnoses : Coding.Diagnoses, restore ? qa.CoderLines : Coding.Lines, by.Name, now);
    }

    public ChartReturned Return(string reviewer, string reason, DateTimeOffset now)
    {
        EnsureReadyForQa(reviewer);
        return new(Id, Coding.Coder!.Id, reason, reviewer, now);
    }

    void EnsureReadyForQa(string reviewer)
    {
        if (Status != EncounterStatus.ReadyForQa)
            throw new RuleViolation($"Only charts ready for QA can be reviewed; this one is {Status}.", "not-ready-for-qa");
        if (Coding.Coder?.Name == reviewer)
            throw new RuleViolation("A coder cannot review their own chart.", "self-review");
    }
}
