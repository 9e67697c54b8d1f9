using Marten;

namespace Portal.Web.Features.Intake;

/// <summary>
/// Checks or imports a CSV file in the background, so a large file does not hold the request open: the rows handled so far
/// are written to the draft every few hundred rows (the page polls them), and the outcome (the preview's counts and errors,
/// or the import's summary) when it ends. A failure is recorded on the draft, never thrown into the void.
/// </summary>
public sealed class CsvImportJobs(IDocumentStore store, IHostApplicationLifetime lifetime, ILogger<CsvImportJobs> log)
{
    /// <summary>Rows after the header, for the progress bar (a quoted line break may make it a little high).</summary>
    public static int CountRows(string csv) => Math.Max(0, csv.AsSpan().TrimEnd("\r\n").Count('\n'));

    public void Run(string tenant, Guid draftId, Func<IDocumentSession, Func<int, Task>, CancellationToken, Task<CsvImportSummary>> work,
        string stageWhenDone)
    {
        var ct = lifetime.ApplicationStopping;
        _ = Task.Run(async () =>
        {
            try
            {
                await using var session = store.LightweightSession(tenant);
                var summary = await work(session, done => Update(tenant, draftId, d => d with { Done = done }, ct), ct);
                var now = DateTimeOffset.UtcNow;
                await Update(tenant, draftId, d => stageWhenDone == EncounterImportDraft.Imported
                    ? d with
                    {
                        Stage = stageWhenDone, Csv = "", ImportedAt = now, Done = d.Total,
                        Result = summary with { Errors = [.. summary.Errors.Take(50)], Created = [] },
                    }
                    : d with { Stage = stageWhenDone, Good = summary.Accepted, Bad = summary.Rejected, Errors = [.. summary.Errors.Take(500)], Done = d.Total },
                    ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError("CSV import job {Draft} failed: {Type}", draftId, e.GetType().Name);
                var refused = e is Platform.UnprocessableInput bad
                    ? $"{bad.Message} {bad.Errors.SelectMany(x => x.Value).FirstOrDefault()}".Trim()
                    : e is Platform.InvalidInput invalid ? invalid.Message : null;
                await Update(tenant, draftId, d => d with
                {
                    Stage = EncounterImportDraft.Failed,
                    Failure = refused ?? "The file could not be handled; nothing was imported. Try again, or split the file.",
                }, CancellationToken.None);
            }
        }, CancellationToken.None);
    }

    async Task Update(string tenant, Guid draftId, Func<EncounterImportDraft, EncounterImportDraft> change, CancellationToken ct)
    {
        await using var session = store.LightweightSession(tenant);
        if (await session.LoadAsync<EncounterImportDraft>(draftId, ct) is not { } draft) return;
        session.Store(change(draft));
        await session.SaveChangesAsync(ct);
    }
}
