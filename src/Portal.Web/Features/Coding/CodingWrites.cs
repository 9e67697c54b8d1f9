using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Portal.Web.Features.Codes;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Settings;
using Portal.Web.Platform;

namespace Portal.Web.Features.Coding;

/// <summary>
/// Who is acting on a chart. Leads: the practice's admin, and a vendor's admin for charts its own coders hold.
/// A registered app (client credentials) acts as its own coder, identified by its client id; it is never a lead or QA.
/// </summary>
public sealed record CodingCaller(Coder Me, bool PracticeAdmin, Guid? VendorAdminOf, bool QaReviewer)
{
    public bool IsLeadFor(Encounter e) => PracticeAdmin || VendorAdminOf is { } v && e.Coding.Coder?.VendorId == v;

    public static CodingCaller From(ClaimsPrincipal user)
    {
        var org = user.OrganizationId();
        var vendor = user.FindFirstValue(PortalClaims.OrganizationKind) == nameof(OrganizationKind.Vendor) ? org : null;
        var id = org is not null && user.UserId() is { } uid
            ? uid
            : new Guid(MD5.HashData(Encoding.UTF8.GetBytes("app:" + (user.FindFirstValue("sub") ?? "unknown"))));
        return new(new Coder(id, user.Actor(), vendor), org is not null && user.IsInRole(Roles.PracticeAdmin),
            user.IsInRole(Roles.VendorAdmin) ? vendor : null, org is not null && user.IsInRole(Roles.QaReviewer));
    }
}

/// <summary>The coding writes, shared by the API and the coding pages: fetch (with the version the caller saw), decide, append, save.</summary>
public static class CodingWrites
{
    public static Task<CodingChart?> Queue(IDocumentSession session, Guid encounterId, long? expectedVersion, SendToCoding input,
        Guid practiceId, string actor, TimeProvider clock, CancellationToken ct) =>
        Write(session, encounterId, expectedVersion, clock, ct, async (s, e, d) =>
        {
            var settings = await PracticeSettings.For(s, practiceId, ct);
            return [e.Queue(input.Priority, settings.TurnaroundHours, actor, clock.GetUtcNow())];
        });

    public static Task<CodingChart?> Assign(IDocumentSession session, Guid encounterId, long? expectedVersion, Coder coder, string? reason,
        string actor, TimeProvider clock, CancellationToken ct) =>
        Write(session, encounterId, expectedVersion, clock, ct,
            (_, e, _) => Task.FromResult<object[]>([e.Assign(coder, pulled: false, reason, actor, clock.GetUtcNow())]));

    public static Task<CodingChart?> Release(IDocumentSession session, Guid encounterId, long? expectedVersion, CodingCaller caller,
        ReleaseChart input, TimeProvider clock, CancellationToken ct) =>
        Write(session, encounterId, expectedVersion, clock, ct,
            (_, e, _) => Task.FromResult<object[]>([e.Release(caller.Me, caller.IsLeadFor(e), input.Reason.Trim(), clock.GetUtcNow())]));

    public static Task<CodingChart?> CodeDiagnoses(IDocumentSession session, CodeCatalog catalog, Guid encounterId, long? expectedVersion,
        CodingCaller caller, CodeDiagnoses input, TimeProvider clock, CancellationToken ct)
    {
        Task<CodingChecks.PrefetchedClaimInputs> inputs = null!;
        return Write(session, encounterId, expectedVersion, clock, ct, async (s, e, d) =>
        {
            e.EnsureWorkable(caller.Me, caller.IsLeadFor(e));
            var (diagnoses, warnings) = await CodingChecks.Diagnoses(s, catalog, e, d, input.Codes, input.OverrideReason, "codes", ct, await inputs);
            return [.. e.StartCoding(caller.Me, caller.IsLeadFor(e), clock.GetUtcNow()),
                e.CodeDiagnoses(caller.Me, caller.IsLeadFor(e), diagnoses, warnings, Blank(input.OverrideReason), clock.GetUtcNow())];
        }, batch => inputs = CodingChecks.PrefetchedClaimInputs.Add(batch, session.TenantId, encounterId, [], sameDay: false));
    }

    public static Task<CodingChart?> CodeLines(IDocumentSession session, CodeCatalog catalog, Guid encounterId, long? expectedVersion,
        CodingCaller caller, CodeServiceLines input, TimeProvider clock, CancellationToken ct)
    {
        Task<CodingChecks.PrefetchedClaimInputs> inputs = null!;
        return Write(session, encounterId, expectedVersion, clock, ct, async (s, e, d) =>
        {
            e.EnsureWorkable(caller.Me, caller.IsLeadFor(e));
            var (lines, warnings) = await CodingChecks.Lines(s, catalog, e, d, [.. e.Coding.Diagnoses.Select(x => x.Code)], input.Lines, "lines", ct,
                await inputs);
            return [.. e.StartCoding(caller.Me, caller.IsLeadFor(e), clock.GetUtcNow()),
                e.CodeLines(caller.Me, caller.IsLeadFor(e), lines, warnings, Blank(input.OverrideReason), clock.GetUtcNow())];
        }, batch => inputs = CodingChecks.PrefetchedClaimInputs.Add(batch, session.TenantId, encounterId, CodingChecks.FeeCodes(input.Lines),
            sameDay: true));
    }

    /// <summary>
    /// The coding screen's Save: the diagnoses and the lines (either may be null: unchanged) are checked together, the lines
    /// against the new diagnoses, and saved in one transaction; a refusal of either saves nothing. With
    /// <paramref name="submitFor"/> (the practice) the chart is also submitted in the same transaction, as
    /// <see cref="Submit"/> would submit the chart as coded (an app's "code and submit"): a refused submission saves nothing either.
    /// </summary>
    public static Task<CodingChart?> CodeChart(IDocumentSession session, CodeCatalog catalog, Guid encounterId, long? expectedVersion,
        CodingCaller caller, CodeDiagnoses? diagnosesInput, CodeServiceLines? linesInput, TimeProvider clock, CancellationToken ct,
        Guid? submitFor = null)
    {
        // What both checks read (patient, providers, the lines' fees, the same-day encounters) comes with the fetch.
        Task<CodingChecks.PrefetchedClaimInputs>? prefetch = null;
        SubmitReads? submitReads = null;
        return Write(session, encounterId, expectedVersion, clock, ct, async (s, e, d) =>
        {
            var inputs = prefetch is null ? null : await prefetch;
            var lead = caller.IsLeadFor(e);
            e.EnsureWorkable(caller.Me, lead);
            var now = clock.GetUtcNow();
            var events = new List<object>(e.StartCoding(caller.Me, lead, now));
            string[] diagnosisCodes = [.. e.Coding.Diagnoses.Select(x => x.Code)];
            if (diagnosesInput is not null)
            {
                var (diagnoses, warnings) = await CodingChecks.Diagnoses(s, catalog, e, d, diagnosesInput.Codes,
                    diagnosesInput.OverrideReason, "codes", ct, inputs);
                events.Add(e.CodeDiagnoses(caller.Me, lead, diagnoses, warnings, Blank(diagnosesInput.OverrideReason), now));
                diagnosisCodes = [.. diagnoses.Select(x => x.Code)];
            }
            if (linesInput is not null)
            {
                var (lines, warnings) = await CodingChecks.Lines(s, catalog, e, d, diagnosisCodes, linesInput.Lines, "lines", ct, inputs);
                events.Add(e.CodeLines(caller.Me, lead, lines, warnings, Blank(linesInput.OverrideReason), now));
            }
            if (submitFor is { } practiceId)
            {
                // The chart as these events leave it is what is submitted (QA targeting reads its new lines).
                var coded = events.Aggregate(e, (chart, x) => x switch
                {
                    CodingStarted started => chart.Apply(started),
                    DiagnosesCoded diagnoses => chart.Apply(diagnoses),
                    ServiceLinesCoded lines => chart.Apply(lines),
                    _ => chart,
                });
                events.AddRange(await SubmitEvents(s, coded, caller, practiceId, submitReads!, now, ct));
            }
            return [.. events];
        }, batch =>
        {
            if (diagnosesInput is not null || linesInput is not null)
                prefetch = CodingChecks.PrefetchedClaimInputs.Add(batch, session.TenantId, encounterId,
                    linesInput is null ? [] : CodingChecks.FeeCodes(linesInput.Lines), sameDay: linesInput is not null);
            if (submitFor is { } practiceId) submitReads = SubmitReads.Add(batch, session.TenantId, practiceId, encounterId);
        });
    }

    public static Task<CodingChart?> RaiseQuery(IDocumentSession session, Guid encounterId, long? expectedVersion, CodingCaller caller,
        RaiseProviderQuery input, TimeProvider clock, CancellationToken ct) =>
        Write(session, encounterId, expectedVersion, clock, ct, async (s, e, d) =>
        {
            string[] choices = [.. (input.Options ?? []).Select(o => o.Trim()).Where(o => o.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];
            if (choices.Length == 1)
                throw new UnprocessableInput("A multiple-choice query needs at least two clinically reasonable options.",
                    new Dictionary<string, string[]> { ["options"] = ["Give two or more options, or none for an open-ended query."] });
            if (choices.Length > 0)
                choices = [.. choices.Where(o => o is not (Other or UnableToDetermine)), Other, UnableToDetermine];
            return [e.RaiseQuery(caller.Me, caller.IsLeadFor(e), d.RenderingProviderId, d.RenderingProviderName,
                input.Question.Trim(), choices, clock.GetUtcNow())];
        });

    public const string Other = "Other", UnableToDetermine = "Unable to determine";

    /// <summary>The highest NewCoderChartCount a practice may set (<see cref="PracticeSettings"/>).</summary>
    const int MaxNewCoderCharts = 1000;

    /// <summary>
    /// The provider answers. Only the portal user linked to the queried provider may (or a practice admin, for a provider who
    /// has no portal account): anyone else gets 409 not-your-query.
    /// </summary>
    public static Task<CodingChart?> AnswerQuery(IDocumentSession session, Guid encounterId, Guid queryId, long? expectedVersion,
        AnswerProviderQuery input, Guid? userId, bool practiceAdmin, string actor, TimeProvider clock, CancellationToken ct) =>
        Write(session, encounterId, expectedVersion, clock, ct, async (s, e, _) =>
        {
            var query = e.Coding.Queries.FirstOrDefault(q => q.QueryId == queryId);
            var linked = query is not null && userId is not null && (await s.LoadAsync<Provider>(query.ProviderId, ct))?.UserId == userId;
            if (query is not null && !practiceAdmin && !linked)
                throw new RuleViolation($"This query is for {query.ProviderName}; only the portal user linked to that provider answers it.",
                    "not-your-query");
            var choice = input.Choice?.Trim();
            var comment = Blank(input.Comment);
            var errors = new FieldErrors();
            if (query is { Options.Length: > 0 })
                errors.Check(query.Options.Contains(choice, StringComparer.OrdinalIgnoreCase), "choice",
                        $"Choose one of: {string.Join(", ", query.Options)}.")
                    .Check(!string.Equals(choice, Other, StringComparison.OrdinalIgnoreCase) || comment is not null, "comment",
                        "Say what the other answer is.");
            else errors.Check(comment is not null, "comment", "Answer the question.");
            errors.ThrowIfAny("The answer is incomplete.");
            var answer = query is { Options.Length: > 0 }
                ? query.Options.First(o => string.Equals(o, choice, StringComparison.OrdinalIgnoreCase)) + (comment is null ? "" : ": " + comment)
                : comment!;
            // A practice admin answering a query that is not theirs answers on the provider's behalf, and the history says so.
            return [e.AnswerQuery(queryId, answer, actor, clock.GetUtcNow(), query is not null && !linked ? query.ProviderName : null)];
        });

    /// <summary>
    /// Submit reads the practice's settings and the coder's approved count in the fetch's round trip (ADR 0037): the count is
    /// of the coder the queue row names, which is the chart's coder at the fetched version (both are written with its events);
    /// should they ever differ, the chart's coder is counted in a query of its own.
    /// </summary>
    public static Task<CodingChart?> Submit(IDocumentSession session, Guid encounterId, long? expectedVersion, CodingCaller caller,
        Guid practiceId, TimeProvider clock, CancellationToken ct)
    {
        SubmitReads reads = null!;
        return Write(session, encounterId, expectedVersion, clock, ct,
            async (s, e, d) => await SubmitEvents(s, e, caller, practiceId, reads, clock.GetUtcNow(), ct),
            batch => reads = SubmitReads.Add(batch, session.TenantId, practiceId, encounterId));
    }

    /// <summary>What submitting reads, in the fetch's batch: the practice's settings and the queue row's coder's approved count.</summary>
    sealed record SubmitReads(Task<PracticeSettings?> Settings, Task<(Guid? Coder, int Approved)> Approved)
    {
        public static SubmitReads Add(Marten.Services.BatchQuerying.IBatchedQuery batch, string tenantId, Guid practiceId, Guid encounterId) =>
            new(batch.Load<PracticeSettings>(practiceId), batch.AddItem(new ApprovedChartsOfRowCoder(tenantId, encounterId)));
    }

    /// <summary>
    /// Submitting <paramref name="e"/>: QA sampling by the practice's settings and the coder's approved count (the queue row's
    /// coder's, read with the fetch; the chart's coder is counted on its own should they differ), then the submission, and the
    /// approval when the chart is not sampled.
    /// </summary>
    static async Task<object[]> SubmitEvents(IDocumentSession s, Encounter e, CodingCaller caller, Guid practiceId, SubmitReads reads,
        DateTimeOffset now, CancellationToken ct)
    {
        e.EnsureWorkable(caller.Me, caller.IsLeadFor(e));
        var coderId = e.Coding.Coder!.Id;
        var rowCoder = await reads.Approved;
        var approved = rowCoder.Coder == coderId ? rowCoder.Approved : await ApprovedCharts(s, coderId, ct);
        var settings = await reads.Settings ?? PracticeSettings.Default(practiceId);
        var (sampled, why) = QaSampling.Decide(settings, e.Id, approved, e.Coding.Lines);
        var submitted = e.Submit(caller.Me, caller.IsLeadFor(e), sampled, why, now);
        return submitted.SampledForQa
            ? [submitted]
            : [submitted, new ChartApproved(e.Id, coderId, "Not sampled for QA: " + why, caller.Me.Name, now)];
    }

    // Only "fewer than NewCoderChartCount (≤ 1000)?" matters, so the count stops there: a coder's long history costs nothing.
    static readonly string ApprovedChartsOf = $"select count(*)::int from (select 1 from {MartenSetup.Schema}.{CodingQueue.Table} a where a.tenant_id = {{0}} " +
        $"and a.coder_id = {{1}} and a.status = '{nameof(EncounterStatus.Approved)}' limit {MaxNewCoderCharts}) approved";

    static async Task<int> ApprovedCharts(IQuerySession session, Guid coderId, CancellationToken ct) =>
        (await session.AdvancedSql.QueryAsync<int>(string.Format(System.Globalization.CultureInfo.InvariantCulture, ApprovedChartsOf, "?", "?"),
            ct, session.TenantId, coderId))[0];

    /// <summary>The queue row's coder and that coder's approved charts (up to the cap), as one statement of a batch.</summary>
    sealed class ApprovedChartsOfRowCoder(string tenantId, Guid encounterId) : Marten.Linq.QueryHandlers.IQueryHandler<(Guid? Coder, int Approved)>
    {
        static readonly string Sql = $"select q.coder_id, ({string.Format(System.Globalization.CultureInfo.InvariantCulture, ApprovedChartsOf, "q.tenant_id", "q.coder_id")}) " +
            $"from {MartenSetup.Schema}.{CodingQueue.Table} q where q.tenant_id = ";

        public void ConfigureCommand(Weasel.Postgresql.ICommandBuilder builder, Weasel.Storage.IStorageSession session)
        {
            builder.Append(Sql);
            builder.AppendParameter(tenantId);
            builder.Append(" and q.id = ");
            builder.AppendParameter(encounterId);
        }

        public async Task<(Guid? Coder, int Approved)> HandleAsync(System.Data.Common.DbDataReader reader, Weasel.Storage.IStorageSession session,
            CancellationToken token) =>
            await reader.ReadAsync(token) && !await reader.IsDBNullAsync(0, token)
                ? (reader.GetGuid(0), reader.GetInt32(1))
                : (null, 0);

        public Task<int> StreamJson(Stream stream, System.Data.Common.DbDataReader reader, CancellationToken token) =>
            throw new NotSupportedException();
    }

    public static Task<CodingChart?> Review(IDocumentSession session, CodeCatalog catalog, Guid encounterId, long? expectedVersion,
        ReviewChart input, string reviewer, TimeProvider clock, CancellationToken ct) =>
        Write(session, encounterId, expectedVersion, clock, ct, async (s, e, d) =>
        {
            CodedDiagnosis[]? diagnoses = null;
            ServiceLine[]? lines = null;
            if (input.Diagnoses is { Length: > 0 })
                (diagnoses, _) = await CodingChecks.Diagnoses(s, catalog, e, d, input.Diagnoses, input.Reason ?? "QA correction", "diagnoses", ct);
            if (input.Lines is { Length: > 0 })
                (lines, _) = await CodingChecks.Lines(s, catalog, e, d, [.. (diagnoses ?? e.Coding.Diagnoses).Select(x => x.Code)], input.Lines, "lines", ct);
            else if (diagnoses is not null && e.Coding.Lines.Any(l => l.DiagnosisPointers.Any(p => p > diagnoses.Length)))
                throw new UnprocessableInput("The coder's lines point at diagnoses the correction removes; correct the lines too.",
                    new Dictionary<string, string[]> { ["lines"] = ["Send the corrected lines."] });
            return [e.Review(reviewer, diagnoses, lines, Blank(input.Reason), clock.GetUtcNow())];
        });

    public static Task<CodingChart?> Return(IDocumentSession session, Guid encounterId, long? expectedVersion, ReturnChart input,
        string reviewer, TimeProvider clock, CancellationToken ct) =>
        Write(session, encounterId, expectedVersion, clock, ct,
            (_, e, _) => Task.FromResult<object[]>([e.Return(reviewer, input.Reason.Trim(), clock.GetUtcNow())]));

    public static Task<CodingChart?> FileRebuttal(IDocumentSession session, Guid encounterId, long? expectedVersion, CodingCaller caller,
        FileQaRebuttal input, TimeProvider clock, CancellationToken ct) =>
        Write(session, encounterId, expectedVersion, clock, ct,
            (_, e, _) => Task.FromResult<object[]>([e.FileRebuttal(caller.Me, input.Reason.Trim(), clock.GetUtcNow())]));

    public static Task<CodingChart?> DecideRebuttal(IDocumentSession session, Guid encounterId, long? expectedVersion, CodingCaller caller,
        DecideQaRebuttal input, TimeProvider clock, CancellationToken ct) =>
        Write(session, encounterId, expectedVersion, clock, ct,
            (_, e, _) => Task.FromResult<object[]>([e.DecideRebuttal(input.Accept, input.Note, caller.Me, clock.GetUtcNow())]));

    /// <summary>
    /// One round trip fetches the stream (with the version check), the encounter details and the queue row together; the
    /// decision gets the first two. The write runs in an identity-map session of the caller's tenant (ADR 0040): the queue
    /// row fetched in the batch is the one the inline <see cref="CodingQueueRowProjection"/> applies the new events to, so the
    /// projection does not load it again in a round trip of its own when saving (next chart, first code, submit). After
    /// saving, the new aggregate comes from the session's identity map (Marten's FetchLatest after FetchForWriting on an
    /// inline snapshot), so the chart returned costs no further query.
    /// </summary>
    static async Task<CodingChart?> Write(IDocumentSession session, Guid encounterId, long? expectedVersion, TimeProvider clock,
        CancellationToken ct, Func<IDocumentSession, Encounter, EncounterDetails, Task<object[]>> decide,
        Action<Marten.Services.BatchQuerying.IBatchedQuery>? alsoFetch = null)
    {
        await using var write = session.DocumentStore.IdentitySession(new Marten.Services.SessionOptions { TenantId = session.TenantId });
        var (stream, details) = await FetchWithDetails(write, encounterId, expectedVersion, ct, alsoFetch);
        if (stream.Aggregate is null || details is null) return null;
        stream.AppendMany(await decide(write, stream.Aggregate, details));
        await write.SaveChangesAsync(ct);
        var latest = await write.Events.FetchLatest<Encounter>(encounterId, ct);
        return CodingChart.From(details, latest!, clock.GetUtcNow());
    }

    /// <summary>
    /// The encounter stream for writing (checking <paramref name="expectedVersion"/> when given), its details, its queue row
    /// (into the identity map of <paramref name="session"/>, for the inline projection) and whatever <paramref name="alsoFetch"/>
    /// adds to the batch, in one round trip.
    /// </summary>
    internal static async Task<(JasperFx.Events.IEventStream<Encounter> Stream, EncounterDetails? Details)> FetchWithDetails(
        IDocumentSession session, Guid encounterId, long? expectedVersion, CancellationToken ct,
        Action<Marten.Services.BatchQuerying.IBatchedQuery>? alsoFetch = null)
    {
        var batch = session.CreateBatchQuery();
        var fetch = expectedVersion is { } v
            ? batch.Events.FetchForWriting<Encounter>(encounterId, v)
            : batch.Events.FetchForWriting<Encounter>(encounterId);
        var loadDetails = batch.Load<EncounterDetails>(encounterId);
        _ = batch.Load<CodingQueueRow>(encounterId);
        // What a command reads besides (submit: settings and the approved count), in the same round trip.
        alsoFetch?.Invoke(batch);
        await batch.Execute(ct);
        return (await fetch, await loadDetails);
    }

    /// <summary>
    /// Puts every chart the vendor's coders hold in this practice back in the practice's queue, in the caller's transaction
    /// (the engagement's revocation): one round trip finds them, one fetches their streams. Returns how many were released.
    /// </summary>
    public static async Task<int> ReleaseVendorCharts(IDocumentSession session, Guid vendorId, string reason, string actor,
        DateTimeOffset now, CancellationToken ct, IReadOnlyCollection<Guid>? keepCoders = null)
    {
        var rows = await session.Query<CodingQueueRow>()
            .Where(r => r.VendorId == vendorId && (r.Status == EncounterStatus.Assigned || r.Status == EncounterStatus.InProgress
                || r.Status == EncounterStatus.Returned || r.Status == EncounterStatus.OnHold))
            .Select(r => new { r.Id, r.CoderId }).ToListAsync(ct);
        // keepCoders: the firm's coders still assigned to this client keep their charts.
        var held = rows.Where(r => keepCoders is null || r.CoderId is not { } c || !keepCoders.Contains(c)).Select(r => r.Id).ToList();
        if (held.Count == 0) return 0;
        var batch = session.CreateBatchQuery();
        var fetches = held.Select(id => batch.Events.FetchForWriting<Encounter>(id)).ToList();
        await batch.Execute(ct);
        var released = 0;
        foreach (var fetch in fetches)
        {
            var stream = await fetch;
            if (stream.Aggregate?.ReleaseFromRevokedVendor(vendorId, reason, actor, now) is not { } release) continue;
            stream.AppendOne(release);
            released++;
        }
        return released;
    }

    static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>
/// Every code goes through the billing core's scrubber (<see cref="CodeRules.Scrub"/>) for the date of service; errors
/// at the diagnoses or lines written are 422 naming the edit id and the position.
/// </summary>
public static class CodingChecks
{
    public const int MaxDiagnoses = 12, MaxModifiers = 4, MaxPointers = 4;

    /// <summary>The encounter as a claim for the scrubber: patient, providers, payer, DOS, POS, diagnoses and lines.</summary>
    public static async Task<Portal.Billing.Scrubbing.Claim> ClaimFor(IQuerySession session, Encounter e, EncounterDetails details,
        IReadOnlyList<string> diagnoses, IReadOnlyList<ServiceLine> lines, CancellationToken ct)
    {
        // One round trip for the patient and both providers (each live-findings request builds this claim).
        var inputs = await ClaimInputs.Load(session, e, details, [], sameDay: false, ct);
        return ClaimFrom(e.Id, inputs.Patient, details, inputs.Rendering, inputs.Billing, diagnoses, lines);
    }

    /// <summary>
    /// What checking a claim of encounter <paramref name="e"/> reads from the practice's documents, in one batch: the patient,
    /// both providers, the fee schedule's charges for <paramref name="feeCodes"/> (by <see cref="FeeScheduleEntry.Key"/>) and,
    /// with <paramref name="sameDay"/>, the ids of the patient's encounters on the same date of service (from the queue rows,
    /// indexed on the patient; <see cref="EncountersOnFile"/>).
    /// </summary>
    public sealed record ClaimInputs(Patient? Patient, Provider? Rendering, Provider? Billing, IReadOnlyDictionary<string, decimal> Fees,
        IReadOnlyList<Guid> SameDay)
    {
        public static async Task<ClaimInputs> Load(IQuerySession session, Encounter e, EncounterDetails details, IEnumerable<string> feeCodes,
            bool sameDay, CancellationToken ct)
        {
            var keys = FeeKeys(feeCodes);
            var batch = session.CreateBatchQuery();
            var loadPatient = batch.Load<Patient>(e.PatientId);
            var loadProviders = batch.LoadMany<Provider>().ById(details.RenderingProviderId, details.BillingProviderId);
            var loadFees = keys.Length > 0 ? batch.LoadMany<FeeScheduleEntry>().ById(keys) : null;
            var dos = details.DateOfService;
            var loadSameDay = sameDay
                ? batch.Query<CodingQueueRow>().Where(r => r.PatientId == e.PatientId && r.DateOfService == dos).Select(r => r.Id).ToList()
                : null;
            await batch.Execute(ct);
            var providers = await loadProviders;
            var patient = await loadPatient;
            return new ClaimInputs(patient, providers.FirstOrDefault(p => p.Id == details.RenderingProviderId),
                providers.FirstOrDefault(p => p.Id == details.BillingProviderId),
                loadFees is null ? new Dictionary<string, decimal>() : (await loadFees).ToDictionary(f => f.Id, f => f.Amount),
                // The candidates are the encounters of this patient document: none when the patient is unknown (no claim patient).
                loadSameDay is null || patient is null ? [] : [.. await loadSameDay]);
        }
    }

    /// <summary>The fee schedule's keys (<see cref="FeeScheduleEntry.Key"/>) of <paramref name="feeCodes"/>, each once.</summary>
    public static string[] FeeKeys(IEnumerable<string> feeCodes) =>
        [.. feeCodes.Select(FeeScheduleEntry.Key).Where(k => k.Length > 0).Distinct()];

    /// <summary>The codes of the lines given without a charge: their fees come from the practice's fee schedule.</summary>
    public static string[] FeeCodes(IEnumerable<ServiceLineInput>? lines) =>
        [.. (lines ?? []).Where(l => l.Charge is null).Select(l => CodeSystems.Normalize(l.Code ?? ""))];

    /// <summary>
    /// <see cref="ClaimInputs"/> read in the coding command's fetch batch, before the encounter is known: one statement finds the
    /// patient, the providers and the date of service from the encounter's snapshot and details and reads the documents
    /// <see cref="ClaimInputs.Load"/> would. <see cref="For"/> hands them out only when the keys it read are the fetched
    /// encounter's (a write between the batch's statements falls back to <see cref="ClaimInputs.Load"/>).
    /// </summary>
    public sealed record PrefetchedClaimInputs(Guid? PatientId, Guid? RenderingId, Guid? BillingId, DateOnly? DateOfService,
        ClaimInputs Inputs, string[] FeeKeys, bool SameDay)
    {
        public ClaimInputs? For(Encounter e, EncounterDetails details, IEnumerable<string> feeCodes, bool sameDay) =>
            PatientId == e.PatientId && RenderingId == details.RenderingProviderId && BillingId == details.BillingProviderId
            && DateOfService == details.DateOfService && (SameDay || !sameDay)
            && CodingChecks.FeeKeys(feeCodes).All(FeeKeys.Contains)
                ? Inputs
                : null;

        public static Task<PrefetchedClaimInputs> Add(Marten.Services.BatchQuerying.IBatchedQuery batch, string tenantId, Guid encounterId,
            IEnumerable<string> feeCodes, bool sameDay) =>
            batch.AddItem(new Handler(tenantId, encounterId, CodingChecks.FeeKeys(feeCodes), sameDay));

        sealed class Handler(string tenantId, Guid encounterId, string[] feeKeys, bool sameDay)
            : Marten.Linq.QueryHandlers.IQueryHandler<PrefetchedClaimInputs>
        {
            // Kind 0: the keys; 1: the patient; 2: a provider; 3: a fee; 4: an encounter of the patient on the date of service.
            static readonly string Sql = $"""
                with k as (
                  select (e.data ->> 'PatientId')::uuid as patient, (d.data ->> 'RenderingProviderId')::uuid as rendering,
                         (d.data ->> 'BillingProviderId')::uuid as billing, (d.data ->> 'DateOfService')::date as dos
                  from {MartenSetup.Schema}.mt_doc_encounter e
                  join {MartenSetup.Schema}.mt_doc_encounterdetails d on d.tenant_id = e.tenant_id and d.id = e.id
                  where e.tenant_id = @t and e.id = @e)
                select 0, null::jsonb, k.patient, k.rendering, k.billing, k.dos from k
                union all
                select 1, p.data, null, null, null, null from k join {MartenSetup.Schema}.mt_doc_patient p on p.tenant_id = @t and p.id = k.patient
                union all
                select 2, v.data, null, null, null, null from k join {MartenSetup.Schema}.mt_doc_provider v
                  on v.tenant_id = @t and v.id in (k.rendering, k.billing)
                union all
                select 3, f.data, null, null, null, null from {MartenSetup.Schema}.mt_doc_feescheduleentry f where f.tenant_id = @t and f.id = any(@f)
                union all
                select 4, null, q.id, null, null, null from k join {MartenSetup.Schema}.{CodingQueue.Table} q
                  on @s and q.tenant_id = @t and q.patient_id = k.patient and q.date_of_service = k.dos
                """;

            // The statement cut at its parameters once, not on every command.
            static readonly string[] Parts = Sql.Split('@');

            public void ConfigureCommand(Weasel.Postgresql.ICommandBuilder builder, Weasel.Storage.IStorageSession session)
            {
                // Positional parameters in the order the statement names them.
                builder.Append(Parts[0]);
                foreach (var part in Parts.AsSpan(1))
                {
                    switch (part[0])
                    {
                        case 't': builder.AppendParameter(tenantId); break;
                        case 'e': builder.AppendParameter(encounterId); break;
                        case 'f': builder.AppendParameter(feeKeys); break;
                        case 's': builder.AppendParameter(sameDay); break;
                        default: throw new InvalidOperationException("Unknown parameter @" + part[0]);
                    }
                    builder.Append(part[1..]);
                }
            }

            public async Task<PrefetchedClaimInputs> HandleAsync(System.Data.Common.DbDataReader reader, Weasel.Storage.IStorageSession session,
                CancellationToken token)
            {
                var serializer = ((Marten.Internal.IMartenSession)session).Serializer;
                Guid? patientId = null, renderingId = null, billingId = null;
                DateOnly? dos = null;
                Patient? patient = null;
                var providers = new List<Provider>(2);
                var fees = new Dictionary<string, decimal>();
                var sameDayIds = new List<Guid>();
                while (await reader.ReadAsync(token))
                {
                    switch (reader.GetInt32(0))
                    {
                        case 0:
                            patientId = reader.IsDBNull(2) ? null : reader.GetGuid(2);
                            renderingId = reader.IsDBNull(3) ? null : reader.GetGuid(3);
                            billingId = reader.IsDBNull(4) ? null : reader.GetGuid(4);
                            dos = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateOnly>(5);
                            break;
                        case 1: patient = serializer.FromJson<Patient>(reader, 1); break;
                        case 2: providers.Add(serializer.FromJson<Provider>(reader, 1)); break;
                        case 3:
                            var fee = serializer.FromJson<FeeScheduleEntry>(reader, 1);
                            fees[fee.Id] = fee.Amount;
                            break;
                        case 4: sameDayIds.Add(reader.GetGuid(2)); break;
                    }
                }
                var inputs = new ClaimInputs(patient, providers.FirstOrDefault(p => p.Id == renderingId), providers.FirstOrDefault(p => p.Id == billingId),
                    fees, patient is null ? [] : sameDayIds);
                return new PrefetchedClaimInputs(patientId, renderingId, billingId, dos, inputs, feeKeys, sameDay);
            }

            public Task<int> StreamJson(Stream stream, System.Data.Common.DbDataReader reader, CancellationToken token) =>
                throw new NotSupportedException();
        }
    }

    public static Portal.Billing.Scrubbing.Claim ClaimFrom(Guid id, Patient? patient, EncounterDetails details, Provider? rendering, Provider? billing,
        IReadOnlyList<string> diagnoses, IReadOnlyList<ServiceLine> lines) => new()
    {
        Id = id.ToString(),
        Patient = patient is null ? null : new Portal.Billing.Scrubbing.Patient
        {
            Id = patient.Id.ToString(), DateOfBirth = patient.Demographics.BirthDate,
            Sex = patient.Demographics.Sex switch { Sex.Female => "F", Sex.Male => "M", _ => "U" },
        },
        BillingProvider = billing is null ? null : new Portal.Billing.Scrubbing.Provider { Npi = billing.Npi, Taxonomy = billing.TaxonomyCode },
        RenderingProvider = rendering is null ? null : new Portal.Billing.Scrubbing.Provider { Npi = rendering.Npi, Taxonomy = rendering.TaxonomyCode },
        DateOfService = details.DateOfService,
        FrequencyCode = "1",
        PlaceOfService = details.PlaceOfService,
        Diagnoses = diagnoses,
        Lines = [.. lines.Select(l => new Portal.Billing.Scrubbing.ServiceLine
        {
            Code = l.Code, Modifiers = l.Modifiers, Units = l.Units, Charge = l.Charge,
            Pointers = l.DiagnosisPointers.Length > 0 ? l.DiagnosisPointers : null,
        })],
    };

    /// <summary>
    /// All findings of the chart as it stands or as drafted (the coding screen shows them live): the scrubber over the
    /// encounter, with the other coded encounters of the patient, provider and DOS as the claims on file.
    /// </summary>
    public static async Task<IReadOnlyList<CodeFinding>> All(IQuerySession session, CodeCatalog catalog, Encounter e, EncounterDetails details,
        IReadOnlyList<string> diagnoses, IReadOnlyList<ServiceLine> lines, DateOnly asOf, CancellationToken ct)
    {
        var claim = await ClaimFor(session, e, details, diagnoses, lines, ct);
        var onFile = await EncountersOnFile.For(session, claim, e.Id, ct);
        // The chart is not a claim yet: payer and coverage come with the claim, so their absence is not the coder's finding.
        return [.. (await CodeRules.Scrub(catalog, claim, asOf, onFile, ct)).Where(f => !(f.Rule == "required-data" && f.Field == "payer"))];
    }

    public static async Task<(CodedDiagnosis[], CodeFinding[])> Diagnoses(IQuerySession session, CodeCatalog catalog, Encounter e,
        EncounterDetails details, string[] input, string? overrideReason, string field, CancellationToken ct, PrefetchedClaimInputs? prefetched = null)
    {
        var codes = input.Select(c => CodeSystems.Normalize(c ?? "")).ToArray();
        var errors = new FieldErrors()
            .Check(codes.Length is > 0 and <= MaxDiagnoses, field, $"Give 1 to {MaxDiagnoses} diagnosis codes.")
            .Check(codes.Distinct().Count() == codes.Length, field, "Each diagnosis may be listed once.");
        errors.ThrowIfAny("The diagnoses cannot be coded.");
        var dos = details.DateOfService;
        var inputs = prefetched?.For(e, details, [], sameDay: false) ?? await ClaimInputs.Load(session, e, details, [], sameDay: false, ct);
        var claim = ClaimFrom(e.Id, inputs.Patient, details, inputs.Rendering, inputs.Billing, codes, []);
        var findings = (await CodeRules.Scrub(catalog, claim, dos, null, ct)).Where(f => f.AtDiagnosis).ToArray();
        ThrowOnErrors(findings, field, "diagnoses");
        var warnings = findings.Where(f => f.Severity != FindingSeverity.Error).ToArray();
        var needReason = warnings.Where(w => w.Overridable).ToArray();
        if (needReason.Length > 0 && string.IsNullOrWhiteSpace(overrideReason))
            throw Unprocessable("A diagnosis edit needs an override reason: " + Describe(needReason[0]),
                new Dictionary<string, string[]> { ["overrideReason"] = [.. needReason.Select(Describe)] }, warnings);
        var index = await catalog.IndexOn(CodeSystems.Icd10Cm, dos, ct);
        return ([.. codes.Select((c, i) => new CodedDiagnosis(i + 1, c, index?.Find(c)?.LongDescription ?? ""))], warnings);
    }

    public static async Task<(ServiceLine[], CodeFinding[])> Lines(IQuerySession session, CodeCatalog catalog, Encounter e, EncounterDetails details,
        IReadOnlyList<string> diagnoses, ServiceLineInput[] input, string field, CancellationToken ct, PrefetchedClaimInputs? prefetched = null)
    {
        var diagnosisCount = diagnoses.Count;
        var errors = new FieldErrors().Check(diagnosisCount > 0, field, "Code the diagnoses before the service lines.");
        var lines = new List<ServiceLine>();
        var dos = details.DateOfService;
        // One round trip for everything the checks read besides the code sets: the fees of the lines without a charge, the
        // patient and providers of the claim, and the patient's other encounters that day (issue 15: this was four).
        // (With the coding commands, that round trip is the fetch's: PrefetchedClaimInputs.)
        var feeCodes = FeeCodes(input);
        var inputs = prefetched?.For(e, details, feeCodes, sameDay: true) ?? await ClaimInputs.Load(session, e, details, feeCodes, sameDay: true, ct);
        var fees = inputs.Fees;
        for (var i = 0; i < input.Length; i++)
        {
            var line = input[i];
            var code = CodeSystems.Normalize(line.Code ?? "");
            string[] modifiers = [.. (line.Modifiers ?? []).Select(m => CodeSystems.Normalize(m ?? "")).Where(m => m.Length > 0)];
            // No default: a line without a pointer is the scrubber's line-pointer-missing error (issue 10).
            int[] pointers = line.DiagnosisPointers ?? [];
            var at = $"{field}[{i}]";
            errors.Check(modifiers.Length <= MaxModifiers, $"{at}.modifiers", $"A line takes at most {MaxModifiers} modifiers.")
                .Check(pointers.Length <= MaxPointers, $"{at}.diagnosisPointers", $"A line points at most at {MaxPointers} diagnoses.")
                .Check(line.Units >= 1, $"{at}.units", "Units must be at least 1.");
            decimal? fee = line.Charge is null && fees.TryGetValue(FeeScheduleEntry.Key(code), out var amount) ? amount : null;
            errors.Check(line.Charge is not null || fee is not null, $"{at}.charge",
                $"{code} has no fee in the practice's fee schedule; add one or give the charge.");
            lines.Add(new ServiceLine(i + 1, code, "", modifiers, line.Units, line.Charge ?? (fee ?? 0) * line.Units, pointers));
        }
        errors.ThrowIfAny("The service lines cannot be coded.");
        var claim = ClaimFrom(e.Id, inputs.Patient, details, inputs.Rendering, inputs.Billing, diagnoses, lines);
        var onFile = await EncountersOnFile.For(session, claim, inputs.SameDay, e.Id, ct);
        var findings = (await CodeRules.Scrub(catalog, claim, dos, onFile, ct)).Where(f => f.AtLine).ToArray();
        ThrowOnErrors(findings, field, "service lines");
        var described = new List<ServiceLine>();
        foreach (var l in lines)
        {
            var index = await catalog.IndexOn(Portal.Billing.Codes.CodeSystems.ProcedureSystem(l.Code), dos, ct);
            described.Add(l with { Description = index?.Find(l.Code)?.ShortDescription ?? "" });
        }
        return ([.. described], [.. findings.Where(f => f.Severity != FindingSeverity.Error)]);
    }

    static void ThrowOnErrors(IReadOnlyList<CodeFinding> findings, string field, string what)
    {
        var failed = findings.Where(f => f.Severity == FindingSeverity.Error).ToArray();
        if (failed.Length == 0) return;
        var errors = failed.GroupBy(f => f.Position is { } n ? $"{field}[{n - 1}]" : field)
            .ToDictionary(g => g.Key, g => g.Select(Describe).ToArray());
        throw Unprocessable($"The {what} fail the code edits: {string.Join("; ", failed.Select(Describe))}", errors, failed);
    }

    static string Describe(CodeFinding f) => $"{(f.Code.Length > 0 ? f.Code : f.Location)} ({f.Rule}): {f.Message}";

    static UnprocessableInput Unprocessable(string message, Dictionary<string, string[]> errors, IEnumerable<CodeFinding> findings) =>
        new(message, errors, new Dictionary<string, object?> { ["findings"] = findings.ToArray() });
}

/// <summary>
/// The practice's claims on file for the duplicate, NCCI and MUE edits across claims. Until the claims feature exists,
/// the other coded encounters (not voided, not this one) of the same patient and DOS stand for them.
/// </summary>
/// <remarks>
/// Every coding command on lines and every live-findings request asks this, so it must stay cheap (issue 15, docs/benchmarks.md):
/// the candidates come from the coding queue row (one per encounter, indexed on the patient), not from a scan of the encounter
/// details; their coding comes from the Encounter snapshots (inline, so no stream is replayed); and details, snapshots and
/// providers come in two round trips whatever their number. A patient with one visit that day costs one indexed query.
/// </remarks>
public static class EncountersOnFile
{
    public static async Task<IReadOnlyList<Portal.Billing.Scrubbing.Claim>> For(IQuerySession session, Portal.Billing.Scrubbing.Claim claim,
        Guid? self, CancellationToken ct)
    {
        if (claim.Patient?.Id is not { } pid || !Guid.TryParse(pid, out var patientId) || claim.DateOfService is not { } dos) return [];
        var ids = await session.Query<CodingQueueRow>().Where(r => r.PatientId == patientId && r.DateOfService == dos).Select(r => r.Id)
            .ToListAsync(ct);
        return await For(session, claim, ids, self, ct);
    }

    /// <summary>The same, with the candidates' ids already read (<see cref="CodingChecks.ClaimInputs"/> reads them with the claim's own documents).</summary>
    public static async Task<IReadOnlyList<Portal.Billing.Scrubbing.Claim>> For(IQuerySession session, Portal.Billing.Scrubbing.Claim claim,
        IReadOnlyList<Guid> candidates, Guid? self, CancellationToken ct)
    {
        if (claim.Patient is null || claim.DateOfService is null) return [];
        var ids = candidates.Where(id => id != self).ToArray();
        if (ids.Length == 0) return [];
        var batch = session.CreateBatchQuery();
        var loadEncounters = batch.LoadMany<Encounter>().ById(ids);
        var loadDetails = batch.LoadMany<EncounterDetails>().ById(ids);
        await batch.Execute(ct);
        var coded = (await loadEncounters).Where(e => e.Coding.Lines.Length > 0).ToDictionary(e => e.Id);
        var details = (await loadDetails).Where(d => coded.ContainsKey(d.Id)).ToList();
        if (details.Count == 0) return [];
        var providers = (await session.LoadManyAsync<Provider>(ct, [.. details.SelectMany(d => new[] { d.RenderingProviderId, d.BillingProviderId }).Distinct()]))
            .ToDictionary(p => p.Id);
        return [.. details.Select(d => CodingChecks.ClaimFrom(d.Id, null, d, providers.GetValueOrDefault(d.RenderingProviderId),
            providers.GetValueOrDefault(d.BillingProviderId), [.. coded[d.Id].Coding.Diagnoses.Select(x => x.Code)], coded[d.Id].Coding.Lines)
            with { Patient = claim.Patient })];
    }
}
