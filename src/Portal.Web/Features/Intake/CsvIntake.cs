using System.Globalization;
using System.Text;
using Marten;
using Portal.Web.Platform;
using Portal.Web.Platform.Csv;

namespace Portal.Web.Features.Intake;

/// <summary>Why one CSV row was refused. Row 1 is the header, so row numbers match what a spreadsheet shows.</summary>
public sealed record CsvRowError(int Row, string Column, string Reason);

public sealed record CsvImportSummary(int Accepted, int Rejected, IReadOnlyList<CsvRowError> Errors, IReadOnlyList<Guid> Created);

/// <summary>
/// Bulk intake: every row goes through the same validation as the single-record API; good rows are saved together,
/// bad rows are reported one error each and change nothing.
/// </summary>
public static class CsvIntake
{
    public const int MaxRows = CsvTable.MaxRows;

    public static readonly string[] EncounterColumns = ["patient_mrn", "rendering_npi", "billing_npi", "date_of_service", "place_of_service", "notes"];
    public static readonly string[] PatientColumns =
        ["mrn", "first_name", "last_name", "birth_date", "sex", "address_line1", "address_line2", "city", "state", "postal_code", "phone"];

    /// <param name="dryRun">Check every row and report, save nothing: the preview before a confirmed import.</param>
    public static async Task<CsvImportSummary> ImportEncounters(IDocumentSession session, string csv, string actor, TimeProvider clock,
        CancellationToken ct, bool dryRun = false)
    {
        var table = CsvTable.Parse(csv, ["patient_mrn", "rendering_npi", "date_of_service", "place_of_service"]);
        var now = clock.GetUtcNow();
        var fieldToColumn = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["dateOfService"] = "date_of_service", ["placeOfService"] = "place_of_service", ["visitNotes"] = "notes",
        };

        return await Import(session, table, fieldToColumn, async () =>
        {
            // Grouped, not ToDictionary: patients registered before MRNs were unique keys may share an MRN, and such a row is
            // refused rather than guessed.
            var patients = (await session.Query<Patient>().ToListAsync(ct)).ToLookup(p => p.Mrn, StringComparer.OrdinalIgnoreCase);
            var providers = (await session.Query<Provider>().ToListAsync(ct)).ToLookup(p => p.Npi);
            var stored = await StoredVisits(session, table, ct);
            var inFile = new Dictionary<(Guid, Guid, DateOnly, string), int>();
            return row =>
            {
                var patient = Single(patients[row["patient_mrn"]], "patient_mrn",
                    $"No patient with MRN '{row["patient_mrn"]}' in this practice.", $"Several patients have MRN '{row["patient_mrn"]}'; open this encounter on the portal.");
                var rendering = Single(providers[row["rendering_npi"]], "rendering_npi",
                    $"No enrolled provider with NPI '{row["rendering_npi"]}'.", $"Several providers have NPI '{row["rendering_npi"]}'.");
                var billingNpi = row["billing_npi"];
                var billing = billingNpi.Length > 0
                    ? Single(providers[billingNpi], "billing_npi", $"No enrolled provider with NPI '{billingNpi}'.", $"Several providers have NPI '{billingNpi}'.")
                    : rendering;
                var input = new OpenEncounter(patient.Id, rendering.Id, Date(row, "date_of_service"), row["place_of_service"],
                    billing.Id, null, row["notes"]);
                var visit = (patient.Id, rendering.Id, input.DateOfService!.Value, input.PlaceOfService!.Trim());
                if (inFile.TryGetValue(visit, out var first))
                    throw new RowRefused("date_of_service", $"Same patient, provider, date and place of service as row {first}.");
                if (stored.Contains(visit))
                    throw new RowRefused("date_of_service",
                        "This patient already has an encounter with this provider on this date and place of service; a second visit goes through the portal or the API.");
                var id = EncounterWrites.Start(session, input, patient, rendering, billing, "csv", actor, now).EncounterId;
                inFile[visit] = row.Number;
                return id;
            };
        }, ct, dryRun);
    }

    // The encounters already open on the file's dates: a file sent twice must not open every visit twice.
    static async Task<HashSet<(Guid, Guid, DateOnly, string)>> StoredVisits(IDocumentSession session, CsvTable table, CancellationToken ct)
    {
        var dates = table.Rows
            .Select(r => DateOnly.TryParseExact(r["date_of_service"], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? d : (DateOnly?)null)
            .OfType<DateOnly>().Distinct().ToArray();
        if (dates.Length == 0) return [];
        var open = await session.Query<EncounterDetails>().Where(e => e.DateOfService.IsOneOf(dates))
            .Select(e => new { e.PatientId, e.RenderingProviderId, e.DateOfService, e.PlaceOfService }).ToListAsync(ct);
        return [.. open.Select(e => (e.PatientId, e.RenderingProviderId, e.DateOfService, e.PlaceOfService))];
    }

    static T Single<T>(IEnumerable<T> found, string column, string none, string several) => found.Take(2).ToList() switch
    {
        [var one] => one,
        [] => throw new RowRefused(column, none),
        _ => throw new RowRefused(column, several),
    };

    public static async Task<CsvImportSummary> ImportPatients(IDocumentSession session, string csv, string actor, TimeProvider clock,
        CancellationToken ct)
    {
        var table = CsvTable.Parse(csv, ["mrn", "first_name", "last_name", "birth_date"]);
        var now = clock.GetUtcNow();
        var fieldToColumn = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["firstName"] = "first_name", ["lastName"] = "last_name", ["birthDate"] = "birth_date", ["postalCode"] = "postal_code",
        };

        return await Import(session, table, fieldToColumn, async () =>
        {
            var stored = (await session.Query<Patient>().Select(p => p.Mrn).ToListAsync(ct)).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var inFile = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            return row =>
            {
                var mrn = row["mrn"];
                if (inFile.TryGetValue(mrn, out var first)) throw new RowRefused("mrn", $"MRN '{mrn}' is also on row {first} of this file.");
                if (stored.Contains(mrn)) throw new RowRefused("mrn", $"Another patient already has MRN '{mrn}'.");
                var sex = row["sex"];
                var parsedSex = Sex.Unknown;
                if (sex.Length > 0 && !Enum.TryParse(sex, ignoreCase: true, out parsedSex))
                    throw new RowRefused("sex", "Use female, male, other or unknown.");
                var input = new RegisterPatient(mrn, row["first_name"], row["last_name"], Date(row, "birth_date"), parsedSex,
                    row["address_line1"], row["address_line2"], row["city"], row["state"], row["postal_code"], row["phone"]);
                var patient = PatientWrites.Start(session, input, actor, now);
                inFile[mrn] = row.Number;
                return patient.Id;
            };
        }, ct);
    }

    /// <summary>
    /// The import contract: every row is checked; the good rows are saved together in one transaction and each bad row is
    /// reported once (row, column, reason) and changes nothing. If another writer takes one of the file's keys (an MRN)
    /// between our check and our save, the database refuses the whole save; we then check the file again against what is
    /// stored now, so that row is reported like any other duplicate, and save the rest.
    /// </summary>
    static async Task<CsvImportSummary> Import(IDocumentSession session, CsvTable table, Dictionary<string, string> fieldToColumn,
        Func<Task<Func<CsvRow, Guid>>> prepare, CancellationToken ct, bool dryRun = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            var accept = await prepare();
            var errors = new List<CsvRowError>();
            var created = new List<Guid>();
            foreach (var row in table.Rows)
            {
                try { created.Add(accept(row)); }
                catch (RowRefused refused) { errors.Add(new CsvRowError(row.Number, refused.Column, refused.Message)); }
                catch (UnprocessableInput bad)
                {
                    var (field, reasons) = bad.Errors.First();
                    errors.Add(new CsvRowError(row.Number, fieldToColumn.GetValueOrDefault(field, field), reasons.First()));
                }
            }
            if (dryRun)
            {
                session.EjectAllPendingChanges();
                return new CsvImportSummary(created.Count, errors.Count, errors, []);
            }
            try
            {
                if (created.Count > 0) await session.SaveChangesAsync(ct);
                return new CsvImportSummary(created.Count, errors.Count, errors, created);
            }
            catch (Exception e) when (attempt < MaxAttempts && UniqueKeys.ConflictingKey(e) is not null)
            {
                session.EjectAllPendingChanges();
            }
        }
    }

    const int MaxAttempts = 3;

    static DateOnly? Date(CsvRow row, string column) =>
        row[column] is { Length: > 0 } raw
            ? DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? d
                : throw new RowRefused(column, "Use a date as yyyy-MM-dd.")
            : throw new RowRefused(column, "Required.");

    sealed class RowRefused(string column, string reason) : Exception(reason)
    {
        public string Column { get; } = column;
    }

    static readonly CsvColumn<EncounterListRow>[] EncounterExportColumns =
    [
        new("encounter_id", r => r.Id), new("date_of_service", r => r.DateOfService), new("place_of_service", r => r.PlaceOfService),
        new("status", r => r.Status), new("patient_mrn", r => r.Mrn), new("patient_name", r => r.PatientName),
        new("rendering_provider", r => r.RenderingProviderName), new("billing_provider", r => r.BillingProviderName),
        new("payer", r => r.PayerName), new("documents", r => r.Documents),
    ];

    public static CsvDownload<EncounterListRow> EncounterExport(IEnumerable<EncounterListRow> rows) =>
        new("encounters.csv", EncounterExportColumns, rows);
}
