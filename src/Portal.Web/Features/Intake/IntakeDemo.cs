using Marten;
using Portal.Web.Features.Demo;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

/// <summary>
/// Invented patients, providers, payers and encounters for the two demo practices. Idempotent and quick (one
/// session per practice), because it also runs after every test reset. Tests create their own records and never
/// rely on these counts. NPIs carry valid check digits; payer ids are invented.
/// </summary>
public static class IntakeDemo
{
    public static async Task SeedAsync(IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        await Seed(store, DemoData.NorthClinic, "N", clock.GetUtcNow(),
            [("Dr. Noah Park", "1556677882", "207Q00000X"), ("Maya Lin, FNP", "1667788990", "363LF0000X"),
             ("North Clinic Family Medicine", "1778899009", "193200000X")],
            [("Ada", "Hart", new DateOnly(1954, 2, 11), Sex.Female), ("Ben", "Okafor", new DateOnly(1978, 9, 30), Sex.Male),
             ("Carla", "Diaz", new DateOnly(1991, 6, 4), Sex.Female), ("Dev", "Rao", new DateOnly(1949, 12, 24), Sex.Male)],
            encounters: 10, ct, queuedForCoding: 6);
        await Seed(store, DemoData.RiversidePediatrics, "R", clock.GetUtcNow(),
            [("Dr. Ravi Shah", "1889900118", "208000000X")],
            [("Eli", "Brooks", new DateOnly(2016, 3, 15), Sex.Male), ("Fay", "Nguyen", new DateOnly(2019, 11, 2), Sex.Female)],
            encounters: 3, ct);
    }

    static async Task Seed(IDocumentStore store, Guid practice, string prefix, DateTimeOffset now,
        (string Name, string Npi, string Taxonomy)[] providers, (string First, string Last, DateOnly Dob, Sex Sex)[] patients,
        int encounters, CancellationToken ct, int queuedForCoding = 0)
    {
        await using var session = store.LightweightSession(practice.ToString());
        if (await session.Query<Provider>().AnyAsync(ct)) return;
        const string by = "Demo data";

        var payers = new[]
        {
            new PayerAdded(Guid.CreateVersion7(), "Medicare Part B (demo)", "MCRB1", 365, by, now),
            new PayerAdded(Guid.CreateVersion7(), "Aetna (demo)", "AET01", 120, by, now),
        };
        foreach (var p in payers)
        {
            session.Events.StartStream<Payer>(p.PayerId, p);
            session.Claim(PayerWrites.PayerIdKey, p.ClearinghousePayerId, p.PayerId, now);
        }

        var enrolled = providers.Select(p => new ProviderEnrolled(Guid.CreateVersion7(), p.Name, p.Npi,
            p.Taxonomy.StartsWith("19", StringComparison.Ordinal) ? ProviderType.Organization : ProviderType.Individual,
            p.Taxonomy, by, now)).ToArray();
        foreach (var p in enrolled)
        {
            session.Events.StartStream<Provider>(p.ProviderId, p);
            session.Claim(ProviderWrites.NpiKey, p.Npi, p.ProviderId, now);
        }

        var registered = new List<Patient>();
        for (var i = 0; i < patients.Length; i++)
        {
            var (first, last, dob, sex) = patients[i];
            var e = new PatientRegistered(Guid.CreateVersion7(), $"{prefix}-{1001 + i}",
                new Demographics(first, last, dob, sex, new Address($"{100 + i} Main St", null, "Springfield", "IL", "62701"),
                    $"555-01{i:00}"), by, now);
            var payer = dob.Year < 1960 ? payers[0] : payers[1];
            var coverage = new Coverage(Guid.CreateVersion7(), payer.PayerId, payer.Name,
                dob.Year < 1960 ? $"1EG4TE5MK{70 + i}" : $"W{100200300 + i}", $"{first} {last}",
                SubscriberRelationship.Self, dob.Year < 1960 ? null : "GRP-778", CoveragePriority.Primary, new DateOnly(2025, 1, 1), null);
            var added = new CoverageAdded(e.PatientId, coverage, by, now);
            session.Events.StartStream<Patient>(e.PatientId, e, added);
            session.Claim(PatientWrites.MrnKey, e.Mrn, e.PatientId, now);
            registered.Add(Patient.Create(e).Apply(added));
        }

        var notes = new[] { "Follow-up for hypertension; BP 132/84.", "Annual wellness visit.", "Acute sinusitis, 5 days.",
            "Type 2 diabetes check, A1c reviewed.", "Telehealth med review." };
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        for (var i = 0; i < encounters; i++)
        {
            var patient = registered[i % registered.Count];
            var rendering = enrolled[i % Math.Min(2, enrolled.Length)];
            var billing = enrolled[^1];
            var opened = new EncounterOpened(Guid.CreateVersion7(), patient.Id, patient.Name, patient.Mrn, rendering.ProviderId,
                rendering.Name, billing.ProviderId, billing.Name, today.AddDays(-(i * 3 + 1)), i % 5 == 4 ? "10" : "11",
                patient.Coverages[0].Id, patient.Coverages[0].PayerName, notes[i % notes.Length], "demo", by, now);
            // Some charts wait in the coding queue (one already past its 48-hour turnaround) so the demo has work.
            object[] events = i < queuedForCoding
                ? [opened, new Coding.ChartQueued(opened.EncounterId, i % 3 == 0 ? 1 : 0, now.AddHours(48 - i * 12), 48, by, now)]
                : [opened];
            session.Events.StartStream<Encounter>(opened.EncounterId, events);
        }
        await session.SaveChangesAsync(ct);
    }
}
